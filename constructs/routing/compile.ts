/**
 * compileRoutes: validate, check conflicts, check every feature against the target's capabilities,
 * then compile. Throws a typed error and returns nothing on any problem: never a partial result. Pure.
 */

import { compileAwsAlb } from './aws-alb';
import {
  dialectsSupporting,
  featuresOf,
  GATEWAY_IMPLEMENTATION_FEATURES,
  supportFor,
  UNSUPPORTED_DETAILS,
} from './capabilities';
import { detectConflicts } from './conflicts';
import { compileContour } from './contour';
import { RouteConflictError, UnsupportedFeatureError } from './errors';
import { compileGatewayApi } from './gateway-api';
import { compileHaproxy } from './haproxy';
import { compileIngressNginx } from './ingress-nginx';
import { compileOpenShiftRoutes } from './openshift-route';
import { compileTraefik } from './traefik';
import type { CompileResult, CompileTarget, Dialect, KubeObject, RoutingPolicy, ServiceAnnotations } from './types';
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

/** Throws UnsupportedFeatureError for the first feature the target cannot express; returns the approximations. */
export function checkCapabilities(policies: readonly RoutingPolicy[], target: CompileTarget): string[] {
  const warnings: string[] = [];
  for (const policy of policies) {
    for (const { feature, path } of featuresOf(policy)) {
      const support = supportFor(target, feature);
      if (support === 'unsupported') {
        let detail: string | undefined = UNSUPPORTED_DETAILS[target.dialect]?.[feature];
        if (target.dialect === 'gateway-api') {
          const implementations = Object.keys(GATEWAY_IMPLEMENTATION_FEATURES).filter(
            (i) => GATEWAY_IMPLEMENTATION_FEATURES[i]?.[feature],
          );
          detail = ['retries', 'session-affinity'].includes(feature)
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
      if (support === 'approximate') warnings.push(`${path}: ${target.dialect} only approximates '${feature}'`);
      if (support === 'global-only')
        warnings.push(
          `${path}: ${target.dialect} sets '${feature}' controller-wide only: configure it on the controller, it is not emitted per route`,
        );
    }
  }
  return warnings;
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
  const objects = compiler(policies, target, warnings, services);
  return { objects, warnings: [...new Set(warnings)], ...(services.length ? { serviceAnnotations: services } : {}) };
}
