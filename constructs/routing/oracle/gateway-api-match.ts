/**
 * Gateway API rule matching and precedence for the oracle: HTTPRouteMatch (httproute_types.go
 * HTTPRouteRule.Matches) and GRPCRouteMatch (grpcroute_types.go GRPCRouteRule.Matches). Pure.
 */
import { prefixMatches, regexMatches } from './common';
import { type Json, type Route, routeOrder } from './gateway-api-objects';
import type { TrafficRequest } from './types';

/** A matching (route, rule, match) and its precedence key (compared element-wise, larger first). */
export interface Candidate {
  readonly route: Route;
  readonly rule: number;
  readonly match: number;
  readonly key: readonly number[];
  /** The match uses a RegularExpression path: its precedence is implementation-specific. */
  readonly regex: boolean;
}

function fail(what: string): never {
  throw new Error(`oracle(gateway-api): ${what} is not modelled`);
}

function checkKeys(what: string, value: object, keys: readonly string[]) {
  for (const k of Object.keys(value)) if (!keys.includes(k)) fail(`${what}.${k}`);
}

/** The request's value of a header (names case-insensitive); cookies are rebuilt into `Cookie`. */
function headerValue(request: TrafficRequest, name: string): string | undefined {
  const lower = name.toLowerCase();
  if (lower === 'cookie') {
    const cookies = Object.entries(request.cookies);
    return cookies.length ? cookies.map(([k, v]) => `${k}=${v}`).join('; ') : request.headers.cookie;
  }
  return request.headers[lower];
}

function valueMatches(type: string | undefined, expected: string, actual: string | undefined, what: string) {
  if (actual === undefined) return false;
  if ((type ?? 'Exact') === 'Exact') return actual === expected;
  if (type === 'RegularExpression') return regexMatches(expected, actual);
  return fail(`${what} type ${type}`);
}

/**
 * Header matches: names case-insensitive, only the first of equivalent names counts (HTTPHeaderMatch.Name).
 * Returns the number of distinct header matches, or -1 when one fails.
 */
function headersMatch(request: TrafficRequest, headers: readonly Json[] | undefined, what: string): number {
  const seen = new Set<string>();
  for (const h of headers ?? []) {
    checkKeys(`${what}.headers[]`, h, ['type', 'name', 'value']);
    const name = String(h.name).toLowerCase();
    if (seen.has(name)) continue;
    seen.add(name);
    if (!valueMatches(h.type, h.value, headerValue(request, name), `${what}.headers[]`)) return -1;
  }
  return seen.size;
}

/** One HTTPRouteMatch against the request: the precedence key, or undefined when it does not match. */
function httpMatch(request: TrafficRequest, m: Json, what: string): { key: number[]; regex: boolean } | undefined {
  checkKeys(what, m, ['path', 'headers', 'queryParams', 'method']);
  const type = m.path?.type ?? 'PathPrefix';
  const value: string = m.path?.value ?? '/';
  let pathKey: number[];
  if (type === 'Exact') {
    if (request.path !== value) return undefined;
    pathKey = [3, value.length];
  } else if (type === 'PathPrefix') {
    if (!prefixMatches(value, request.path)) return undefined;
    // "Prefix path match with largest number of characters"; a trailing '/' is ignored (PathMatchPathPrefix).
    pathKey = [2, value.length > 1 ? value.replace(/\/+$/, '').length : value.length];
  } else if (type === 'RegularExpression') {
    if (!regexMatches(value, request.path)) return undefined;
    pathKey = [1, 0];
  } else return fail(`${what}.path.type ${type}`);
  if (m.method !== undefined && m.method !== request.method) return undefined;
  const headers = headersMatch(request, m.headers, what);
  if (headers < 0) return undefined;
  const seen = new Set<string>();
  for (const q of m.queryParams ?? []) {
    checkKeys(`${what}.queryParams[]`, q, ['type', 'name', 'value']);
    if (seen.has(q.name)) continue; // only the first of equivalent names (HTTPQueryParamMatch.Name)
    seen.add(q.name);
    if (!valueMatches(q.type, q.value, request.query[q.name], `${what}.queryParams[]`)) return undefined;
  }
  // Exact, longest prefix, method, most headers, most query params (HTTPRouteRule.Matches).
  return { key: [...pathKey, m.method !== undefined ? 1 : 0, headers, seen.size], regex: type === 'RegularExpression' };
}

/** The gRPC service and method of a request path '/<service>/<method>', or undefined for another path. */
function grpcCall(path: string): { service: string; method: string } | undefined {
  const parts = path.split('/');
  if (parts.length !== 3 || parts[0] !== '' || !parts[1] || !parts[2]) return undefined;
  return { service: parts[1], method: parts[2] };
}

/**
 * One GRPCRouteMatch: key (service chars, method chars, header matches) or undefined. With
 * `servicePrefix` (Envoy Gateway), a service-only match is the path-separated prefix '/<service>'.
 */
function grpcMatch(request: TrafficRequest, m: Json, what: string, servicePrefix: boolean): number[] | undefined {
  checkKeys(what, m, ['method', 'headers']);
  let key = [0, 0];
  if (m.method) {
    checkKeys(`${what}.method`, m.method, ['type', 'service', 'method']);
    if ((m.method.type ?? 'Exact') !== 'Exact') fail(`${what}.method.type ${m.method.type}`);
    // GRPCMethodMatch matches the service and method of a gRPC call: a path that is not
    // '/<service>/<method>' is not a call to Json method.
    if (servicePrefix && m.method.service && !m.method.method) {
      if (!prefixMatches(`/${m.method.service}`, request.path)) return undefined;
      return checkedHeaders(request, m, what, [m.method.service.length, 0]);
    }
    const call = grpcCall(request.path);
    if (!call) return undefined;
    if (m.method.service && m.method.service !== call.service) return undefined;
    if (m.method.method && m.method.method !== call.method) return undefined;
    key = [m.method.service?.length ?? 0, m.method.method?.length ?? 0];
  }
  return checkedHeaders(request, m, what, key);
}

function checkedHeaders(request: TrafficRequest, m: Json, what: string, key: number[]): number[] | undefined {
  const headers = headersMatch(request, m.headers, what);
  if (headers < 0) return undefined;
  return [...key, headers];
}

/** Every matching (rule, match) of the routes, with its precedence key. */
export function candidates(routes: readonly Route[], request: TrafficRequest, grpcServicePrefix = false): Candidate[] {
  const out: Candidate[] = [];
  for (const route of routes) {
    route.rules.forEach((rule: Json, r: number) => {
      const what = `${route.kind} ${route.namespace}/${route.name} rules[${r}]`;
      if (route.kind === 'HTTPRoute') {
        // A rule without matches matches every request (PathPrefix '/', the CRD default).
        const matches: Json[] = rule.matches ?? [{ path: { type: 'PathPrefix', value: '/' } }];
        matches.forEach((m, i) => {
          const hit = httpMatch(request, m, `${what}.matches[${i}]`);
          if (hit) out.push({ route, rule: r, match: i, key: hit.key, regex: hit.regex });
        });
      } else if (route.kind === 'GRPCRoute') {
        // No matches: "the implementation MUST match every gRPC request".
        const matches: Json[] = rule.matches?.length ? rule.matches : [{}];
        matches.forEach((m, i) => {
          const key = grpcMatch(request, m, `${what}.matches[${i}]`, grpcServicePrefix);
          if (key) out.push({ route, rule: r, match: i, key, regex: false });
        });
      }
    });
  }
  return out;
}

/**
 * The winning candidate: the largest key; ties across routes go to the oldest route, then
 * '{namespace}/{name}'; within a route to the first rule, then the first match.
 */
export function winner(cands: readonly Candidate[]): Candidate | undefined {
  let best: Candidate | undefined;
  for (const c of cands) {
    if (!best || compare(c, best) < 0) best = c;
  }
  return best;
}

function compare(a: Candidate, b: Candidate): number {
  for (let i = 0; i < Math.max(a.key.length, b.key.length); i++) {
    const d = (b.key[i] ?? 0) - (a.key[i] ?? 0);
    if (d !== 0) return d;
  }
  return routeOrder(a.route, b.route) || a.rule - b.rule || a.match - b.match;
}
