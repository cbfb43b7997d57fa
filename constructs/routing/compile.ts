/**
 * compileRoutes: validate, check conflicts, check every feature against the target's capabilities,
 * then compile. Throws a typed error and returns nothing on any problem: never a partial result. Pure.
 */

import { approximate, approximationsOf } from './approximations';
import { compileAwsAlb } from './aws-alb';
import {
  APPROXIMATION_DETAILS,
  dialectsSupporting,
  featuresOf,
  GATEWAY_IMPLEMENTATION_FEATURES,
  supportFor,
  UNSUPPORTED_DETAILS,
} from './capabilities';
import { detectConflicts } from './conflicts';
import { compileContour } from './contour';
import { InvalidRoutingPolicyError, RouteConflictError, UnsupportedFeatureError } from './errors';
import { compileGatewayApi } from './gateway-api';
import { compileHaproxy } from './haproxy';
import { compileIngressNginx } from './ingress-nginx';
import { objectIdentity } from './names';
import { compileOpenShiftRoutes } from './openshift-route';
import { compileTraefik } from './traefik';
import type {
  Approximation,
  CompileResult,
  CompileTarget,
  Dialect,
  KubeObject,
  RoutingPolicy,
  ServiceAnnotations,
} from './types';
import { DIALECTS } from './types';
import { validatePolicies, validateTarget } from './validate';

/** A dialect compiler: objects, plus Service annotations pushed to `services` where the dialect needs them. */
type DialectCompiler = (
  policies: readonly RoutingPolicy[],
  target: CompileTarget,
  warnings: string[],
  services: ServiceAnnotations[],
) => KubeObject[];

/** The dialects with a compiler; the others are in the capability matrix and arrive with their compilers. */
const COMPILERS: Partial<Record<Dialect, DialectCompiler>> = {
  'gateway-api': compileGatewayApi,
  'ingress-nginx': compileIngressNginx,
  traefik: compileTraefik,
  contour: compileContour,
  'openshift-route': compileOpenShiftRoutes,
  haproxy: compileHaproxy,
  'aws-alb': compileAwsAlb,
};

/** Dialects compileRoutes can emit today. */
export const COMPILED_DIALECTS: readonly Dialect[] = DIALECTS.filter((d) => COMPILERS[d] !== undefined);

function describeSupport(target: CompileTarget): string {
  if (target.dialect !== 'gateway-api') return target.dialect;
  return `gateway-api (${target.channel ?? 'standard'} channel${target.implementation ? `, ${target.implementation}` : ', no implementation named'})`;
}

/** Why a dialect falls short of a feature it approximates or sets controller-wide, where no compiler says more. */
const APPROXIMATION_DETAIL: Readonly<Record<'approximate' | 'global-only', string>> = {
  approximate: 'the emitted configuration does not mean exactly what the policy says',
  'global-only': 'configure it on the controller; it is not emitted per route',
};

/**
 * Throws UnsupportedFeatureError for the first feature the target cannot express, and
 * ApproximationError for one it only approximates that the policy did not accept; records (in
 * `warnings`) the approximations that were accepted.
 */
export function checkCapabilities(
  policies: readonly RoutingPolicy[],
  target: CompileTarget,
  warnings: string[] = [],
): string[] {
  for (const policy of policies) {
    for (const { feature, path } of featuresOf(policy)) {
      const support = supportFor(target, feature);
      if (support === 'unsupported') {
        let detail: string | undefined = UNSUPPORTED_DETAILS[target.dialect]?.[feature];
        if (target.dialect === 'gateway-api') {
          const implementations = Object.keys(GATEWAY_IMPLEMENTATION_FEATURES).filter(
            (i) => (GATEWAY_IMPLEMENTATION_FEATURES[i]?.[feature] ?? 'unsupported') !== 'unsupported',
          );
          const lacking =
            target.implementation !== undefined &&
            GATEWAY_IMPLEMENTATION_FEATURES[target.implementation]?.[feature] === 'unsupported';
          detail = lacking
            ? `${target.implementation}'s Gateway API provider does not implement it`
            : ['retries', 'session-affinity'].includes(feature)
              ? "experimental channel only: set target.channel to 'experimental' if its CRDs are installed"
              : implementations.length > 0
                ? `not in Gateway API; name an implementation that has it (target.implementation ${implementations.map((i) => `'${i}'`).join(' or ')})`
                : 'not in Gateway API, nor in any implementation Switchyard knows';
        }
        throw new UnsupportedFeatureError(
          path,
          feature,
          target.dialect,
          dialectsSupporting(feature).filter((d) => d !== target.dialect),
          detail ? `${describeSupport(target)}: ${detail}` : undefined,
        );
      }
      if (support === 'approximate' || support === 'global-only') {
        const detail = APPROXIMATION_DETAILS[target.dialect]?.[feature] ?? APPROXIMATION_DETAIL[support];
        approximate(warnings, policy, target.dialect, path, feature, detail, support);
      }
    }
  }
  return warnings;
}

/**
 * Each object once. Identical copies (one Certificate two policies need) collapse; two different
 * objects with one name (policy 'a-b' rule 'c' and policy 'a' rule 'b-c') would overwrite each other at
 * apply time, so that is an error naming both policies.
 */
function uniqueObjects(objects: readonly KubeObject[]): KubeObject[] {
  const seen = new Map<string, KubeObject>();
  const owner = (o: KubeObject) =>
    (o.metadata.labels as Record<string, string> | undefined)?.['switchyard.io/routing-policy'] ?? 'a policy';
  for (const object of objects) {
    const id = objectIdentity(object);
    const first = seen.get(id);
    if (!first) {
      seen.set(id, object);
      continue;
    }
    if (JSON.stringify(first) === JSON.stringify(object)) continue;
    const [a, b] = [owner(first), owner(object)];
    throw new InvalidRoutingPolicyError(
      `${b}.name`,
      `${b}.name: ${a === b ? `policy '${a}' emits` : `policies '${a}' and '${b}' both emit`} ${id} with different contents; ` +
        'the later would overwrite the earlier when applied. Rename a policy or a rule so the generated names differ.',
    );
  }
  return [...seen.values()];
}

/**
 * Each warning once. Where the compiler says more about a field an accepted approximation covers (or
 * the field above it: 'x.timeouts' for 'x.timeouts.request'), its line is kept, marked as accepted, in
 * place of the approximation's generic one.
 */
function distinctWarnings(warnings: readonly string[], approximations: readonly Approximation[]): string[] {
  const lineOf = (a: Approximation) => `${a.path}: ${a.detail} (accepted approximation of '${a.feature}')`;
  const own = new Map(approximations.map((a) => [lineOf(a), a]));
  // The same field, a field below it, or the one field directly above it (not the rule or the policy).
  const related = (field: string, p: string) =>
    field === p ||
    field.startsWith(`${p}.`) ||
    (p.startsWith(`${field}.`) && !/[.[]/.test(p.slice(field.length + 1)) && !/(^[^.]+|\.rules\[\d+\])$/.test(field));
  const covering = (w: string) => {
    if (own.has(w) || !w.includes(': ')) return [];
    const field = w.slice(0, w.indexOf(': '));
    return approximations.filter((a) => related(field, a.path));
  };
  const explained = new Set(warnings.flatMap(covering));
  const out = warnings.flatMap((w) => {
    const approximation = own.get(w);
    if (approximation) return explained.has(approximation) ? [] : [w];
    const covered = covering(w);
    if (covered.length === 0) return [w];
    const features = [...new Set(covered.map((a) => `'${a.feature}'`))].join(', ');
    return [`${w} (accepted approximation of ${features})`];
  });
  return [...new Set(out)];
}

/** Validates, checks conflicts, then compiles. Throws the typed errors; never returns a partial result. */
export function compileRoutes(policies: readonly RoutingPolicy[], target: CompileTarget): CompileResult {
  validatePolicies(policies);
  validateTarget(target);
  if (!DIALECTS.includes(target.dialect)) {
    throw new UnsupportedFeatureError(
      'target.dialect',
      'dialect',
      target.dialect,
      COMPILED_DIALECTS,
      `unknown dialect; known: ${DIALECTS.join(', ')}`,
    );
  }
  const conflicts = detectConflicts(policies);
  if (conflicts.length > 0) throw new RouteConflictError(conflicts);
  const compiler = COMPILERS[target.dialect];
  if (!compiler) {
    throw new UnsupportedFeatureError(
      'target.dialect',
      'dialect',
      target.dialect,
      COMPILED_DIALECTS,
      `no ${target.dialect} compiler yet`,
    );
  }
  const warnings = checkCapabilities(policies, target);
  const services: ServiceAnnotations[] = [];
  const objects = uniqueObjects(compiler(policies, target, warnings, services));
  const approximations = approximationsOf(warnings);
  return {
    objects,
    warnings: distinctWarnings(warnings, approximations),
    ...(approximations.length ? { approximations } : {}),
    ...(services.length ? { serviceAnnotations: services } : {}),
  };
}
