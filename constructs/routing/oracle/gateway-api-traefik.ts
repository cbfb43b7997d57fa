/**
 * Where Traefik's Gateway API provider (traefik/traefik pkg/provider/kubernetes/gateway, v3.7) departs
 * from the spec, for the oracle: every route whose hostnames match the request competes (no most
 * specific hostname first), ordered by one integer router priority; only some filters are
 * implemented; rule timeouts, retry and sessionPersistence are never read. Pure.
 */
import type { Candidate } from './gateway-api-match';
import type { Json, Route } from './gateway-api-objects';

/** HTTPRoute filter types Traefik turns into middlewares (httproute.go loadMiddlewares); any other answers 500. */
export const TRAEFIK_HTTP_FILTERS: ReadonlySet<string> = new Set([
  'RequestRedirect',
  'RequestHeaderModifier',
  'ResponseHeaderModifier',
  'ExtensionRef',
  'URLRewrite',
  'CORS',
]);

/**
 * Whether a route's hostnames admit `host`: Host() for a name, HostRegexp('^[a-z0-9-\.]+\.<suffix>$')
 * for a wildcard, so '*.' covers one label or more (httproute.go buildHostRule); no hostnames: any host.
 */
export function traefikHostMatches(route: Route, host: string): boolean {
  if (route.hostnames.length === 0) return true;
  return route.hostnames.some((h) =>
    h.startsWith('*.') ? host.endsWith(h.slice(1)) && /^[a-z0-9-.]+$/.test(host.slice(0, -h.length + 1)) : h === host,
  );
}

/**
 * The router priority of one match (httproute.go buildMatchRule, buildPathRule, loadHTTPRoute):
 * Exact 100000; PathPrefix '/' 1, another PathPrefix or a RegularExpression 10000 + 100 per character
 * of the value as written; method 1000; 100 per header and 10 per query match; plus the length of the
 * route's longest hostname, plus (rules in the route - rule index).
 */
export function traefikPriority(c: Candidate): number {
  const m: Json = c.route.rules[c.rule].matches?.[c.match] ?? {};
  const type = m.path?.type ?? 'PathPrefix';
  const value: string = m.path?.value ?? '/';
  const path = type === 'Exact' ? 100000 : type === 'PathPrefix' && value === '/' ? 1 : 10000 + value.length * 100;
  const host = Math.max(0, ...c.route.hostnames.map((h) => h.length));
  return (
    path +
    (m.method ? 1000 : 0) +
    100 * (m.headers?.length ?? 0) +
    10 * (m.queryParams?.length ?? 0) +
    host +
    c.route.rules.length -
    c.rule
  );
}
