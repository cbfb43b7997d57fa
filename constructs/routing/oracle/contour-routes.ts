/**
 * How Contour turns a root HTTPProxy and its includes into Envoy's ordered route list, and which route a
 * request takes. Sources: projectcontour/contour @ 31c4bb3 (internal/dag/httpproxy_processor.go
 * computeRoutes, internal/dag/conditions.go, internal/dag/dag.go AddRoute and wildcardDomainHeaderMatch,
 * internal/sorter/sorter.go routeSorter, internal/xdscache/v3/route.go sortRoutes). Pure.
 */
import type { KubeObject } from '../types';
import type { TrafficRequest } from './types';

// biome-ignore lint/suspicious/noExplicitAny: compiled objects are untyped JSON; unknown fields throw where read
export type Spec = Record<string, any>;

export interface PathCondition {
  readonly kind: 'prefix' | 'exact' | 'regex';
  readonly value: string;
}
export interface StringCondition {
  readonly name: string;
  readonly kind: 'exact' | 'regex';
  readonly value: string;
}

/** One route as the DAG holds it: merged conditions, the proxy that owns it, and its spec. */
export interface DagRoute {
  readonly path: PathCondition;
  readonly headers: readonly StringCondition[];
  readonly queries: readonly StringCondition[];
  readonly namespace: string;
  readonly spec: Spec;
  readonly key: string;
}

export const specOf = (o: KubeObject) => (o as unknown as { spec: Spec }).spec;

function stringCondition(kind: string, c: Spec): StringCondition {
  const types = Object.keys(c).filter((k) => k !== 'name');
  if (types.length !== 1 || (types[0] !== 'exact' && types[0] !== 'regex'))
    throw new Error(`contour oracle: ${kind} condition ${JSON.stringify(c)} is not modelled`);
  return { name: c.name, kind: types[0], value: c[types[0]] };
}

function dagRoute(namespace: string, route: Spec, wildcard: string | undefined): DagRoute {
  const conditions = (route.conditions ?? []) as Spec[];
  const paths = conditions.filter((c) => c.prefix !== undefined || c.exact !== undefined || c.regex !== undefined);
  // At most one path condition per block (conditions.go pathMatchConditionsValid); none means prefix '/'.
  if (paths.length > 1) throw new Error('contour oracle: a route with two path conditions is invalid');
  const p = paths[0];
  const raw: PathCondition = !p
    ? { kind: 'prefix', value: '/' }
    : p.prefix !== undefined
      ? { kind: 'prefix', value: p.prefix }
      : p.exact !== undefined
        ? { kind: 'exact', value: p.exact }
        : { kind: 'regex', value: p.regex };
  if (raw.value[0] !== '/') throw new Error(`contour oracle: path condition ${raw.value} does not start with '/'`);
  const path = { ...raw, value: raw.value.replace(/\/\/+/g, '/') }; // mergePathMatchConditions
  const headers = conditions.filter((c) => c.header).map((c) => stringCondition('header', c.header));
  const queries = conditions.filter((c) => c.queryParameter).map((c) => stringCondition('query', c.queryParameter));
  for (const c of conditions)
    if (Object.keys(c).some((k) => !['prefix', 'exact', 'regex', 'header', 'queryParameter'].includes(k)))
      throw new Error(`contour oracle: condition ${JSON.stringify(c)} is not modelled`);
  // Routes of a wildcard virtual host also require a one-label :authority (dag.go wildcardDomainHeaderMatch).
  if (wildcard) {
    const suffix = wildcard.slice(1).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    headers.push({ name: ':authority', kind: 'regex', value: `^[a-z0-9]([-a-z0-9]*[a-z0-9])?${suffix}(:[0-9]+)?` });
  }
  const key = [
    `${path.kind}:${path.value}`,
    ...headers.map((h) => `${h.name}${h.kind}${h.value}`),
    ...queries.map((q) => `${q.name}${q.kind}${q.value}`),
  ].join(',');
  return { path, headers, queries, namespace, spec: route, key };
}

/**
 * The routes of a root, includes first (depth first, in order) and its own routes after; a later route
 * with the same conditions replaces the earlier (dag.go AddRoute keys routes by conditionsToString).
 */
export function collectRoutes(
  root: KubeObject,
  proxies: ReadonlyMap<string, KubeObject>,
  wildcard?: string,
): DagRoute[] {
  const byKey = new Map<string, DagRoute>();
  const visit = (proxy: KubeObject, depth: number) => {
    if (depth > 8) throw new Error('contour oracle: include cycle');
    const spec = specOf(proxy);
    const ns = proxy.metadata.namespace ?? 'default';
    for (const inc of (spec.includes ?? []) as Spec[]) {
      if (inc.conditions?.length) throw new Error('contour oracle: include conditions are not modelled');
      const child = proxies.get(`${inc.namespace ?? ns}/${inc.name}`);
      if (!child) throw new Error(`contour oracle: include ${inc.namespace ?? ns}/${inc.name} is not emitted`);
      if (specOf(child).virtualhost) throw new Error('contour oracle: including a root proxy is invalid');
      visit(child, depth + 1);
    }
    for (const route of (spec.routes ?? []) as Spec[]) {
      const r = dagRoute(ns, route, wildcard);
      byKey.delete(r.key);
      byKey.set(r.key, r);
    }
  };
  visit(root, 0);
  return [...byKey.values()];
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** headerMatchConditionSorter.Less (sorter.go): by name, then exact before regex, then by value. */
function headerLess(a: StringCondition, b: StringCondition): boolean {
  const byName = compare(a.name, b.name);
  if (byName !== 0) return byName < 0;
  if (a.kind !== b.kind) return a.kind === 'exact';
  return compare(a.value, b.value) < 0;
}

/** compareRoutesByMethodHeaderQueryParams (sorter.go); HTTPProxy routes have no :method and priority 0. */
function conditionsLess(a: DagRoute, b: DagRoute): boolean {
  // A ':method' condition is set aside: a route with one sorts first, and it is not counted.
  const method = (r: DagRoute) => r.headers.some((h) => h.name === ':method');
  if (method(a) !== method(b)) return method(a);
  const sorted = (r: DagRoute) =>
    r.headers.filter((h) => h.name !== ':method').sort((x, y) => (headerLess(x, y) ? -1 : headerLess(y, x) ? 1 : 0));
  const [ha, hb] = [sorted(a), sorted(b)];
  if (ha.length !== hb.length) return ha.length > hb.length;
  if (a.queries.length !== b.queries.length) return a.queries.length > b.queries.length;
  for (let i = 0; i < ha.length; i++) if (headerLess(ha[i]!, hb[i]!)) return true;
  for (let i = 0; i < a.queries.length; i++) if (headerLess(a.queries[i]!, b.queries[i]!)) return true;
  return false;
}

/** routeSorter.Less: exact, then regex, then prefix; longer and lexically greater values first. */
export function routeLess(a: DagRoute, b: DagRoute): boolean {
  const rank = { exact: 0, regex: 1, prefix: 2 };
  if (a.path.kind !== b.path.kind) return rank[a.path.kind] < rank[b.path.kind];
  if (a.path.kind !== 'exact' && a.path.value.length !== b.path.value.length)
    return a.path.value.length > b.path.value.length;
  const c = compare(a.path.value, b.path.value);
  if (c !== 0) return c > 0;
  return conditionsLess(a, b);
}

/** Envoy safe_regex: RE2 over the whole value; a leading `(?i)`-style group sets flags. */
function fullMatch(pattern: string, value: string): boolean {
  const flags = /^\(\?([imsU]+)\)/.exec(pattern)?.[1] ?? '';
  const body = pattern.slice(flags ? flags.length + 3 : 0);
  return new RegExp(`^(?:${body})$`, `u${flags.includes('i') ? 'i' : ''}${flags.includes('s') ? 's' : ''}`).test(value);
}

function value(request: TrafficRequest, name: string): string | undefined {
  const key = name.toLowerCase();
  if (key === ':authority' || key === 'host') return request.host;
  if (key === ':method') return request.method;
  if (key === 'cookie') {
    const c = Object.entries(request.cookies);
    return c.length ? c.map(([k, v]) => `${k}=${v}`).join('; ') : undefined;
  }
  return request.headers[key];
}

/** Whether Envoy's route match accepts the request (safe_regex is a full match; header names ignore case). */
export function routeMatches(r: DagRoute, request: TrafficRequest): boolean {
  const p = r.path;
  const pathOk =
    p.kind === 'prefix'
      ? request.path.startsWith(p.value)
      : p.kind === 'exact'
        ? request.path === p.value
        : fullMatch(p.value, request.path);
  if (!pathOk) return false;
  for (const h of r.headers) {
    const v = value(request, h.name);
    if (v === undefined || (h.kind === 'exact' ? v !== h.value : !fullMatch(h.value, v))) return false;
  }
  for (const q of r.queries) {
    const v = request.query[q.name];
    if (v === undefined || (q.kind === 'exact' ? v !== q.value : !fullMatch(q.value, v))) return false;
  }
  return true;
}

/**
 * The matching routes Envoy may try first: Contour sorts a map's values (random order) with a stable
 * sort, so among matching routes any one that no other sorts strictly before can come first.
 */
export function firstCandidates(routes: readonly DagRoute[], request: TrafficRequest): DagRoute[] {
  const matching = routes.filter((r) => routeMatches(r, request));
  const first = matching.filter((r) => !matching.some((o) => o !== r && routeLess(o, r)));
  // The position-by-position comparison is not a strict order (each of two routes can sort first):
  // then any of them may come first.
  return first.length ? first : matching;
}
