/**
 * Checks across the policies of one Gateway API compilation: what the routes would do together that
 * no single policy shows. Pure.
 */
import { InvalidRoutingPolicyError } from './errors';
import { backendNamespace, matchesOf, pathOf, redirectsHttp } from './model';
import type { RouteMatch, RoutingPolicy } from './types';

/** Whether two host lists share a name ('*.' covers one or more labels, as route hostnames do). */
function hostsIntersect(a: readonly string[], b: readonly string[]): boolean {
  const covers = (w: string, h: string) => w === h || (w.startsWith('*.') && h.endsWith(w.slice(1)));
  return a.some((x) => b.some((y) => covers(x, y) || covers(y, x)));
}

interface Attached {
  readonly policy: RoutingPolicy;
  /** 'policy.rules[i]' of the first rule of this kind, or 'policy.tls.redirectHttp' for the redirect route. */
  readonly at: string;
  readonly listeners: readonly ('http' | 'https')[];
}

/**
 * Refuses an HTTPRoute and a GRPCRoute whose hostnames intersect on one listener: Gateway API then
 * accepts exactly one of the two routes, the oldest, then the first by '{namespace}/{name}'
 * (gateway-api apis/v1/grpcroute_types.go GRPCRouteSpec.Hostnames), so one kind of traffic of the
 * host would get 404s.
 */
export function checkRouteKindsPerHost(policies: readonly RoutingPolicy[]): void {
  const http: Attached[] = [];
  const grpc: Attached[] = [];
  for (const policy of policies) {
    if (policy.tls?.passthrough) continue;
    const served: ('http' | 'https')[] = policy.tls
      ? redirectsHttp(policy)
        ? ['https']
        : ['https', 'http']
      : ['http'];
    const index = (want: boolean) =>
      policy.rules.findIndex((r) => (r.backends?.some((b) => b.protocol === 'grpc') ?? false) === want);
    const g = index(true);
    const h = index(false);
    if (g >= 0) grpc.push({ policy, at: `${policy.name}.rules[${g}]`, listeners: served });
    if (h >= 0) http.push({ policy, at: `${policy.name}.rules[${h}]`, listeners: served });
    if (redirectsHttp(policy)) http.push({ policy, at: `${policy.name}.tls.redirectHttp`, listeners: ['http'] });
  }
  for (const g of grpc) {
    for (const h of http) {
      const listener = g.listeners.find((l) => h.listeners.includes(l));
      if (listener === undefined || !hostsIntersect(g.policy.hosts, h.policy.hosts)) continue;
      throw new InvalidRoutingPolicyError(
        g.at,
        `${g.at} routes gRPC (a GRPCRoute) and ${h.at} routes HTTP (an HTTPRoute) for intersecting hosts ` +
          `(${g.policy.hosts.join(', ')} / ${h.policy.hosts.join(', ')}) on the ${listener} listener: Gateway API accepts ` +
          'only one of the two routes there. Give the gRPC rules their own host' +
          (h.at.endsWith('redirectHttp') ? ', or set tls.redirectHttp: false' : ''),
      );
    }
  }
}

/**
 * Refuses a Service reached over HTTPS by one reference and in plain text by another: the
 * BackendTLSPolicy targets the whole Service (gateway-api apis/v1/backendtlspolicy_types.go
 * TargetRefs), so every route to it, mirrors included, would speak TLS.
 */
export function checkBackendTlsScope(policies: readonly RoutingPolicy[]): void {
  const uses = new Map<string, { https?: string; plain?: string }>();
  for (const policy of policies) {
    if (policy.tls?.passthrough) continue; // a TLSRoute passes the client's TLS through: no BackendTLSPolicy applies
    policy.rules.forEach((rule, r) => {
      const refs = [
        ...(rule.backends ?? []).map((b, i) => ({ b, https: b.protocol === 'https', at: `backends[${i}]` })),
        ...(rule.mirror ? [{ b: rule.mirror.backend, https: false, at: 'mirror.backend' }] : []),
      ];
      for (const { b, https, at } of refs) {
        const key = `${backendNamespace(policy, b)}/${b.service}`;
        const seen = uses.get(key) ?? {};
        const path = `${policy.name}.rules[${r}].${at}`;
        if (https) seen.https ??= path;
        else seen.plain ??= path;
        uses.set(key, seen);
        if (seen.https && seen.plain) {
          throw new InvalidRoutingPolicyError(
            path,
            `Service ${key} is reached over HTTPS by ${seen.https} and in plain text by ${seen.plain}: a BackendTLSPolicy applies to every route to the Service; use one protocol per Service`,
          );
        }
      }
    });
  }
}

/** One match of a route rule, with the model's key and the implementation's rank. */
interface Ranked {
  readonly at: string;
  readonly policy: RoutingPolicy;
  readonly match: RouteMatch;
  readonly rule: number;
  /** The model's precedence key (Exact, prefix length, method, headers incl. cookie, query). */
  readonly key: readonly number[];
  /** The implementation's rank (larger first). */
  readonly rank: readonly number[];
}

function modelKey(m: RouteMatch): number[] {
  const path = pathOf(m);
  const rank = path.type === 'Exact' ? 2 : path.type === 'PathPrefix' ? 1 : 0;
  const length = path.type === 'PathPrefix' ? path.value.replace(/\/+$/, '').length : path.value.length;
  return [rank, length, m.method ? 1 : 0, (m.headers?.length ?? 0) + (m.cookie ? 1 : 0), m.queryParams?.length ?? 0];
}

/**
 * Traefik's router priority (traefik pkg/provider/kubernetes/gateway/httproute.go buildMatchRule,
 * buildPathRule, loadHTTPRoute): Exact 100000; PathPrefix '/' 1, another prefix or a regex 10000 +
 * 100 per character as written; method 1000; 100 per header (the cookie is a Cookie header); 10 per
 * query match; plus the route's longest hostname; plus (rules of the route - rule index).
 */
function traefikPriority(policy: RoutingPolicy, m: RouteMatch, indexInRoute: number, rulesInRoute: number): number {
  const path = pathOf(m);
  const base =
    path.type === 'Exact'
      ? 100000
      : path.type === 'PathPrefix' && path.value === '/'
        ? 1
        : 10000 + path.value.length * 100;
  const headers = (m.headers?.length ?? 0) + (m.cookie ? 1 : 0);
  const host = Math.max(...policy.hosts.map((h) => h.length));
  return (
    base +
    (m.method ? 1000 : 0) +
    100 * headers +
    10 * (m.queryParams?.length ?? 0) +
    host +
    rulesInRoute -
    indexInRoute
  );
}

/** Whether one request can satisfy both matches (conservative: regexes may overlap anything). */
function mayOverlap(a: RouteMatch, b: RouteMatch): boolean {
  const pa = pathOf(a);
  const pb = pathOf(b);
  const covers = (p: typeof pa, q: typeof pb) =>
    p.type === 'PathPrefix' && (q.type === 'Exact' || q.type === 'PathPrefix') && prefixCovers(p.value, q.value);
  const paths =
    pa.type === 'RegularExpression' ||
    pb.type === 'RegularExpression' ||
    (pa.type === 'Exact' && pb.type === 'Exact' ? pa.value === pb.value : covers(pa, pb) || covers(pb, pa));
  if (!paths) return false;
  if (a.method && b.method && a.method !== b.method) return false;
  const exact = (list: RouteMatch['headers'], lower: boolean) =>
    new Map(
      (list ?? [])
        .filter((h) => (h.type ?? 'Exact') === 'Exact')
        .map((h) => [lower ? h.name.toLowerCase() : h.name, h.value]),
    );
  const clash = (x: Map<string, string>, y: Map<string, string>) => [...x].some(([k, v]) => y.has(k) && y.get(k) !== v);
  if (clash(exact(a.headers, true), exact(b.headers, true))) return false;
  if (clash(exact(a.queryParams, false), exact(b.queryParams, false))) return false;
  if (a.cookie && b.cookie && a.cookie.name === b.cookie.name && a.cookie.value !== b.cookie.value) return false;
  return true;
}

/** Segment-wise: whether PathPrefix `prefix` matches every path `path` (as a prefix or exact value) can start. */
function prefixCovers(prefix: string, path: string): boolean {
  const p = prefix.replace(/\/+$/, '');
  return p === '' || path === p || path.startsWith(`${p}/`) || path === `${p}/`;
}

/**
 * Envoy Gateway's route order (envoyproxy/gateway internal/gatewayapi/sort.go XdsIRRoutes.Less, a
 * stable sort): Exact, RegularExpression, PathPrefix; path characters as written ('/' counts 0);
 * header matches with the method counted as one (':method', internal/gatewayapi/route.go), then the
 * Exact ones among them (the cookie is a regex on Cookie); query matches, then the Exact ones.
 */
function envoyRank(m: RouteMatch): number[] {
  const path = pathOf(m);
  const kind = path.type === 'Exact' ? 3 : path.type === 'RegularExpression' ? 2 : 1;
  const chars = path.type === 'PathPrefix' && path.value === '/' ? 0 : path.value.length;
  const exact = (list: readonly { type?: string }[] | undefined) =>
    (list ?? []).filter((x) => (x.type ?? 'Exact') === 'Exact').length;
  const method = m.method ? 1 : 0;
  return [
    kind,
    chars,
    (m.headers?.length ?? 0) + method + (m.cookie ? 1 : 0),
    exact(m.headers) + method,
    m.queryParams?.length ?? 0,
    exact(m.queryParams),
  ];
}

/** How an implementation ranks matches, where it departs from the spec's precedence. */
interface Ranking {
  readonly name: string;
  readonly rank: (policy: RoutingPolicy, m: RouteMatch, indexInRoute: number, rulesInRoute: number) => number[];
  /** Equal ranks keep the rules' order (a stable sort), instead of being arbitrary. */
  readonly stable: boolean;
  readonly why: string;
}

const RANKINGS: Readonly<Record<string, Ranking>> = {
  traefik: {
    name: "Traefik's Gateway provider",
    rank: (p, m, i, n) => [traefikPriority(p, m, i, n)],
    stable: false,
    why: 'one priority that puts a method, headers or the rule position above a longer path',
  },
  'envoy-gateway': {
    name: 'Envoy Gateway',
    rank: (_p, m) => envoyRank(m),
    stable: true,
    why: 'counting a method as a header and preferring Exact header or query matches to regular expressions',
  },
};

/**
 * Refuses two matches of one host that may claim the same request where the implementation's order
 * differs from the spec's (the model's): the strictly more specific match, or within a policy the
 * earlier rule, must come first.
 */
export function checkImplementationOrder(
  policies: readonly RoutingPolicy[],
  implementation: string | undefined,
  httpRulesOf: (p: RoutingPolicy) => number[][],
): void {
  const ranking = implementation ? RANKINGS[implementation] : undefined;
  if (!ranking) return;
  const web = policies.filter((p) => !p.tls?.passthrough);
  if (implementation === 'traefik') checkTraefikHosts(web);
  const byHost = new Map<string, Ranked[]>();
  for (const policy of web) {
    const grpc = policy.rules.flatMap((r, i) => (r.backends?.some((b) => b.protocol === 'grpc') ? [i] : []));
    for (const chunk of [...httpRulesOf(policy), ...(grpc.length ? [grpc] : [])]) {
      chunk.forEach((r, indexInRoute) => {
        matchesOf(policy.rules[r]!).forEach((match, i) => {
          const entry: Ranked = {
            at: `${policy.name}.rules[${r}].matches[${i}]`,
            policy,
            match,
            rule: r,
            key: modelKey(match),
            rank: ranking.rank(policy, match, indexInRoute, chunk.length),
          };
          for (const h of policy.hosts) byHost.set(h, [...(byHost.get(h) ?? []), entry]);
        });
      });
    }
  }
  for (const entries of byHost.values()) {
    for (const x of entries) {
      for (const y of entries) {
        if (x === y || (x.rule === y.rule && x.policy === y.policy) || !mayOverlap(x.match, y.match)) continue;
        if ([x, y].some((e) => pathOf(e.match).type === 'RegularExpression')) continue; // the model leaves it open
        const sameOrder = x.policy === y.policy && x.rule < y.rule;
        const order = compareKeys(x.key, y.key);
        const modelFirst = order > 0 || (order === 0 && sameOrder);
        const rank = compareKeys(x.rank, y.rank);
        const implFirst = rank > 0 || (rank === 0 && ranking.stable && sameOrder);
        if (modelFirst && !implFirst) {
          throw new InvalidRoutingPolicyError(
            y.at,
            `${y.at} would take requests that ${x.at} must win: ${ranking.name} orders routes by ${ranking.why}; ` +
              `make the matches disjoint${x.policy === y.policy && ranking.stable ? ', put the more specific rule first' : ''}, or compile for another implementation`,
          );
        }
      }
    }
  }
}

/**
 * Traefik's Gateway provider lets every route whose hostnames match compete: a wildcard host of one
 * policy covering another policy's host would let its rules win there by priority.
 */
function checkTraefikHosts(web: readonly RoutingPolicy[]): void {
  for (const a of web) {
    for (const b of web) {
      if (a === b) continue;
      for (const w of a.hosts.filter((h) => h.startsWith('*.'))) {
        const covered = b.hosts.find((h) => h !== w && h.endsWith(w.slice(1)) && !a.hosts.includes(h));
        if (covered !== undefined) {
          throw new InvalidRoutingPolicyError(
            `${a.name}.hosts`,
            `${a.name}.hosts '${w}' covers '${covered}' of ${b.name}: Traefik's Gateway provider lets the rules of both compete by priority for '${covered}', where the more specific host must win; list '${covered}' in one policy only, or give the wildcard policy other hosts`,
          );
        }
      }
    }
  }
}

function compareKeys(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}
