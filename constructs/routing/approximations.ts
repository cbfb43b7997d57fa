/**
 * Approximations need consent: where a dialect cannot express a feature exactly (or only
 * controller-wide), compilation fails unless the policy lists the feature in `acceptApproximations`.
 * Compilers report through `approximate`, which throws or records; compileRoutes collects the records.
 * Pure: no engine imports.
 */
import { CAPABILITIES, type Feature } from './capabilities';
import { ApproximationError } from './errors';
import type { Approximation, Dialect, RoutingPolicy } from './types';
import { DIALECTS } from './types';

const RECORDED = new WeakMap<string[], Approximation[]>();

/** The dialects that express `feature` exactly (natively or emulated). */
export function dialectsExpressing(feature: Feature): Dialect[] {
  return DIALECTS.filter((d) => ['native', 'emulated'].includes(CAPABILITIES[d][feature]));
}

/**
 * Records that `policy` gets `feature` only approximately on `dialect` (pushing a warning onto
 * `warnings`), or throws ApproximationError when the policy has not accepted that.
 */
export function approximate(
  warnings: string[],
  policy: RoutingPolicy,
  dialect: Dialect,
  path: string,
  feature: Feature,
  detail: string,
  support: 'approximate' | 'global-only' = 'approximate',
): void {
  if (!policy.acceptApproximations?.includes(feature)) {
    throw new ApproximationError(
      path,
      feature,
      dialect,
      dialectsExpressing(feature).filter((d) => d !== dialect),
      support,
      policy.name,
      detail,
    );
  }
  const list = RECORDED.get(warnings) ?? [];
  if (!list.some((a) => a.path === path && a.feature === feature))
    list.push({ path, feature, dialect, support, detail });
  RECORDED.set(warnings, list);
  warnings.push(`${path}: ${detail} (accepted approximation of '${feature}')`);
}

/** The approximations recorded against a warnings list. */
export function approximationsOf(warnings: string[]): readonly Approximation[] {
  return RECORDED.get(warnings) ?? [];
}
