/** Defaults of the routing model, resolved in one place. Pure: no engine imports. */
import type { Backend, BackendRef, RouteMatch, RouteRule, RoutingPolicy } from './types';

/** The match a rule without `matches` gets: every path. */
export const DEFAULT_MATCH: RouteMatch = { path: { type: 'PathPrefix', value: '/' } };

/** The namespace a policy's objects go to. */
export function namespaceOf(policy: RoutingPolicy): string {
  return policy.namespace ?? 'default';
}

/** A rule's matches, defaulted. A match without a path matches every path. */
export function matchesOf(rule: RouteRule): readonly RouteMatch[] {
  return rule.matches ?? [DEFAULT_MATCH];
}

/** A match's path, defaulted. */
export function pathOf(match: RouteMatch): NonNullable<RouteMatch['path']> {
  return match.path ?? DEFAULT_MATCH.path!;
}

/** A backend's weight, defaulted. */
export function weightOf(backend: Backend): number {
  return backend.weight ?? 1;
}

/** A backend's namespace, defaulted to the policy's. */
export function backendNamespace(policy: RoutingPolicy, ref: BackendRef): string {
  return ref.namespace ?? namespaceOf(policy);
}

/** 'policy.rules[i]', the name errors and conflicts use for a rule. */
export function rulePath(policy: RoutingPolicy, index: number): string {
  return `${policy.name}.rules[${index}]`;
}

/** Whether HTTP requests should be redirected to HTTPS (TLS set, not passthrough, redirect not turned off). */
export function redirectsHttp(policy: RoutingPolicy): boolean {
  return policy.tls !== undefined && !policy.tls.passthrough && policy.tls.redirectHttp !== false;
}

/** The certificate Secret of a terminating TLS policy. */
export function tlsSecretName(policy: RoutingPolicy): string | undefined {
  const tls = policy.tls;
  if (!tls || tls.passthrough) return undefined;
  return tls.secretName ?? `${policy.name}-tls`;
}
