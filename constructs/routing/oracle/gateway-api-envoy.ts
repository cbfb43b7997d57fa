/**
 * How Envoy Gateway orders the routes of one virtual host (envoyproxy/gateway
 * internal/gatewayapi/sort.go XdsIRRoutes.Less, stable, descending), for the oracle: Exact, then
 * RegularExpression, then PathPrefix; the path's characters as written ('/' counts 0); the number of
 * header matches, where a method is one more (':method', internal/gatewayapi/route.go), then how many
 * of them are Exact; then query matches, then how many are Exact. Ties keep the routes' order. Pure.
 */
import type { Candidate } from './gateway-api-match';
import type { Json } from './gateway-api-objects';

const exact = (list: readonly Json[] | undefined) => (list ?? []).filter((m) => (m.type ?? 'Exact') === 'Exact').length;

/** Envoy Gateway's sort key of one HTTPRoute or GRPCRoute match (larger first). */
export function envoyKey(c: Candidate): number[] {
  const rule = c.route.rules[c.rule];
  if (c.route.kind === 'GRPCRoute') {
    const m: Json = rule.matches?.[c.match] ?? {};
    // Service and method become the Exact path '/<service>/<method>', a service alone the
    // path-separated prefix '/<service>' (route.go processGRPCRouteMethodExact).
    if (m.method && !m.method.service)
      throw new Error('oracle(gateway-api): a GRPC method match without service is not modelled');
    const path = !m.method
      ? [1, 0]
      : m.method.method
        ? [3, m.method.service.length + m.method.method.length + 2]
        : [1, m.method.service.length + 1];
    return [...path, m.headers?.length ?? 0, exact(m.headers), 0, 0];
  }
  const m: Json = rule.matches?.[c.match] ?? { path: { type: 'PathPrefix', value: '/' } };
  const type = m.path?.type ?? 'PathPrefix';
  const value: string = m.path?.value ?? '/';
  const path =
    type === 'Exact'
      ? [3, value.length]
      : type === 'RegularExpression'
        ? [2, value.length]
        : [1, value === '/' ? 0 : value.length];
  const headers = (m.headers?.length ?? 0) + (m.method ? 1 : 0);
  const exactHeaders = exact(m.headers) + (m.method ? 1 : 0);
  return [...path, headers, exactHeaders, m.queryParams?.length ?? 0, exact(m.queryParams)];
}
