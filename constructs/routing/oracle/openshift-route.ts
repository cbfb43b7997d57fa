/**
 * Interpreter of the OpenShift Route dialect: what the OpenShift router (openshift/router, HAProxy
 * template images/router/haproxy/conf/haproxy-config.template) does with the compiled Routes for one
 * request: route admission, the host+path regex maps and their order, the HTTPS redirect, the
 * backend settings from annotations, and the endpoint weights. Assumed router settings: wildcard
 * Routes allowed (compilation requires the policy to accept that, host.wildcard is controller-wide),
 * namespace ownership checks on (the default), no ROUTER_COOKIE_NAME, and every Service with the same
 * number of endpoints. Pure: no engine imports.
 */
import type { KubeObject } from '../types';
import { ipInCidr } from '../values';
import { distribution, headerChanges } from './common';
import type { AppliedPolicy, DialectInterpreter, TrafficOutcome, TrafficRequest } from './types';

const A = 'haproxy.router.openshift.io/';
const KNOWN = new Set([
  `${A}timeout`,
  `${A}ip_allowlist`,
  `${A}ip_whitelist`,
  `${A}rate-limit-connections`,
  `${A}rate-limit-connections.rate-http`,
  `${A}rewrite-target`,
  `${A}hsts_header`,
  `${A}disable_cookies`,
  'router.openshift.io/cookie_name',
]);

interface Json {
  // biome-ignore lint/suspicious/noExplicitAny: Route specs are untyped JSON; unknown fields throw where read
  readonly [k: string]: any;
}

interface Route {
  readonly name: string;
  readonly namespace: string;
  readonly host: string;
  readonly path: string;
  readonly wildcard: boolean;
  readonly termination: '' | 'edge' | 'reencrypt' | 'passthrough';
  readonly insecure: string;
  readonly a: Readonly<Record<string, string>>;
  readonly spec: Json;
}

/** routeapihelpers.GetDomainForHost: the host without its first label. */
const domainOf = (host: string) => host.slice(host.indexOf('.') + 1);

/** Go's regexp.QuoteMeta. */
const quoteMeta = (s: string) => s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');

/** util.GenerateRouteRegexp: host (one label for a wildcard), optional port, segment-wise path. */
function routeRegexp(host: string, path: string, wildcard: boolean): string {
  const hostRE = wildcard ? `[^\\.]*${quoteMeta(`.${domainOf(host)}`)}` : quoteMeta(host);
  let pathRE = quoteMeta(path);
  let sub = '(/.*)?';
  if (path.replace(/\/+$/, '') === '') pathRE = '';
  else if (path.endsWith('/')) sub = '(.*)?';
  return `^${hostRE}\\.?(:[0-9]+)?${pathRE}${sub}$`;
}

function readRoutes(objects: readonly KubeObject[]): Route[] {
  const routes: Route[] = [];
  for (const o of objects) {
    if (o.kind === 'Certificate' && o.apiVersion === 'cert-manager.io/v1') continue; // writes the Secret
    if (['Role', 'RoleBinding'].includes(o.kind) && o.apiVersion === 'rbac.authorization.k8s.io/v1') continue; // lets the router read it
    if (o.kind !== 'Route' || o.apiVersion !== 'route.openshift.io/v1')
      throw new Error(`oracle(openshift-route): ${o.apiVersion} ${o.kind} is not modeled`);
    const a = (o.metadata.annotations ?? {}) as Record<string, string>;
    for (const k of Object.keys(a))
      if ((k.startsWith(A) || k.startsWith('router.openshift.io/')) && !KNOWN.has(k))
        throw new Error(`oracle(openshift-route): annotation ${k} is not modeled`);
    const spec = o.spec as Json;
    for (const k of Object.keys(spec))
      if (!['host', 'path', 'wildcardPolicy', 'to', 'alternateBackends', 'port', 'tls', 'httpHeaders'].includes(k))
        throw new Error(`oracle(openshift-route): Route field spec.${k} is not modeled`);
    const policy = spec.wildcardPolicy ?? 'None';
    if (!['None', 'Subdomain'].includes(policy)) throw new Error(`oracle(openshift-route): wildcardPolicy ${policy}`);
    routes.push({
      name: o.metadata.name,
      namespace: o.metadata.namespace ?? 'default',
      host: spec.host,
      path: spec.path ?? '',
      wildcard: policy === 'Subdomain',
      termination: spec.tls?.termination ?? '',
      insecure: spec.tls?.insecureEdgeTerminationPolicy ?? '',
      a,
      spec,
    });
  }
  return routes;
}

/**
 * Route admission in creation order (taken as object order): HostAdmitter (host_admitter.go, with
 * wildcards allowed: a wildcard and the hosts of its domain block each other across namespaces) and
 * UniqueHost with hostindex.SameNamespace (unique_host.go, activation.go: the oldest Route's namespace
 * owns the host; a second Route with the same host and path is rejected).
 */
function admit(routes: readonly Route[]): Route[] {
  const admitted: Route[] = [];
  for (const r of routes) {
    const blocked = admitted.some((o) =>
      o.namespace !== r.namespace
        ? o.host === r.host || ((o.wildcard || r.wildcard) && domainOf(o.host) === domainOf(r.host))
        : o.host === r.host && o.path === r.path && o.wildcard === r.wildcard,
    );
    if (!blocked) admitted.push(r);
  }
  return admitted;
}

/** One map of generateHAProxyMap: lines reverse-sorted, wildcard keys last (util/map_paths.go SortMapPaths). */
function sortedMap(entries: { key: string; route: Route }[]): { key: string; route: Route }[] {
  const W = '^[^\\.]*\\.';
  return [...entries].sort((x, y) => {
    const [a, b] = [`${x.key} ${x.route.name}`, `${y.key} ${y.route.name}`];
    const [wa, wb] = [a.startsWith(W), b.startsWith(W)];
    if (wa !== wb) return wa ? 1 : -1;
    return a > b ? -1 : a < b ? 1 : 0;
  });
}

/** map_reg: the first entry whose regex matches. */
function first(entries: { key: string; route: Route }[], subject: string): Route | undefined {
  return entries.find((e) => new RegExp(e.key).test(subject))?.route;
}

/** parseIPList (template_helper.go): space-separated IPs and CIDRs, invalid ones dropped. */
function allowList(r: Route): string[] | undefined {
  const raw = r.a[`${A}ip_allowlist`] || r.a[`${A}ip_whitelist`];
  if (!raw || raw.trim() !== raw) return undefined;
  const cidrs = raw.split(/\s+/).map((c) => (c.includes('/') ? c : `${c}/${c.includes(':') ? 128 : 32}`));
  return cidrs.length ? cidrs : undefined;
}

/** HAProxy time of the timeout annotation ($timeSpecPattern), in ms. */
function timeMs(text: string): number {
  const m = /^([1-9][0-9]*)(us|ms|s|m|h|d)?$/.exec(text);
  if (!m) throw new Error(`oracle(openshift-route): timeout ${JSON.stringify(text)} is not modeled`);
  return Number(m[1]) * { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? 'ms']!;
}

/** calculateServiceWeights (pkg/router/template/router.go) with equal endpoint counts, float32. */
function weights(spec: Json): { name: string; weight: number }[] {
  const services = [spec.to, ...(spec.alternateBackends ?? [])] as Json[];
  for (const s of services)
    if (s.kind !== 'Service') throw new Error(`oracle(openshift-route): backend kind ${s.kind}`);
  const raw = services.map((s) => (s.weight ?? 100) as number);
  const live = raw.filter((w) => w > 0).length;
  if (live <= 1) return services.map((s, i) => ({ name: s.name, weight: raw[i]! > 0 ? 1 : 0 }));
  const scale = Math.fround(256 / Math.fround(Math.max(...raw)));
  return services.map((s, i) => ({
    name: s.name,
    weight: raw[i]! > 0 ? Math.max(1, Math.trunc(Math.fround(Math.fround(raw[i]!) * scale))) : 0,
  }));
}

function headerActions(list: Json[] | undefined) {
  const set: Record<string, string> = {};
  const remove: string[] = [];
  for (const h of list ?? []) {
    if (h.action.type === 'Set') {
      const v = h.action.set.value as string;
      if (v.includes('%')) throw new Error(`oracle(openshift-route): dynamic header value ${JSON.stringify(v)}`);
      set[h.name] = v;
    } else if (h.action.type === 'Delete') remove.push(h.name);
    else throw new Error(`oracle(openshift-route): header action ${h.action.type}`);
  }
  return headerChanges({ set, remove });
}

/** What the route's HAProxy backend does (haproxy-config.template, `backend be_*`). */
function serve(r: Route, request: TrafficRequest): TrafficOutcome {
  const allow = allowList(r);
  // `tcp-request content reject if !allowlist`: the connection is refused.
  if (allow && !allow.some((c) => ipInCidr(request.sourceIp, c))) return { kind: 'denied' };
  const port = r.spec.port?.targetPort;
  if (typeof port !== 'number') throw new Error('oracle(openshift-route): only numeric targetPorts are modeled');
  const protocol = r.termination === 'reencrypt' ? ('https' as const) : undefined;
  const backends = distribution(
    weights(r.spec).map((w) => ({
      namespace: r.namespace,
      service: w.name,
      port,
      weight: w.weight,
      ...(protocol ? { protocol } : {}),
    })),
  );
  if (r.termination === 'passthrough') return { kind: 'passthrough', backends };
  const applied: Record<string, unknown> = {};
  const req = headerActions(r.spec.httpHeaders?.actions?.request);
  if (req) applied.requestHeaders = req;
  const res = headerActions(r.spec.httpHeaders?.actions?.response);
  if (res) applied.responseHeaders = res;
  if (r.a[`${A}timeout`]) applied.timeouts = { backendRequest: timeMs(r.a[`${A}timeout`]!) };
  if (r.a[`${A}rate-limit-connections`] === 'true' && r.a[`${A}rate-limit-connections.rate-http`]) {
    // src_http_req_rate over http_req_rate(10s): requests per 10 seconds.
    const per10s = Number(r.a[`${A}rate-limit-connections.rate-http`]);
    applied.rateLimit = { requestsPerSecond: per10s / 10, burst: per10s };
  }
  // `cookie <name> insert indirect nocache httponly` unless disable_cookies: sticky by default, the
  // name from cookie_name ($cookieNamePattern) or the route's hashed key.
  if (r.a[`${A}disable_cookies`] !== 'true') {
    const name = /^[a-zA-Z0-9_-]+$/.test(r.a['router.openshift.io/cookie_name'] ?? '')
      ? r.a['router.openshift.io/cookie_name']!
      : `(router key of ${r.namespace}/${r.name})`;
    applied.sessionAffinity = { cookieName: name };
  }
  const hsts = r.a[`${A}hsts_header`];
  // Only edge and reencrypt backends set it; user agents ignore it over plain HTTP (RFC 6797 8.1).
  if (hsts && (r.termination === 'edge' || r.termination === 'reencrypt') && request.scheme === 'https') {
    const m = /max-age\s*=\s*"?(\d+)"?/i.exec(hsts);
    if (m)
      applied.hsts = {
        maxAge: Number(m[1]),
        includeSubdomains: /(^|;)\s*includeSubDomains\s*(;|$)/i.test(hsts),
        preload: /(^|;)\s*preload\s*(;|$)/i.test(hsts),
      };
  }
  let path = request.path;
  const target = r.a[`${A}rewrite-target`];
  if (target !== undefined) {
    if (/[#"'%\\]/.test(target)) throw new Error(`oracle(openshift-route): rewrite-target ${target} is not modeled`);
    // replace-path '^<path>(.*)$' '<target>\1', or '^<path>/?(.*)$' for '/' (SanitizeInput appends \1).
    const m = new RegExp(`^${r.path}${target === '/' ? '/?' : ''}(.*)$`).exec(path);
    if (m) path = `${target}${m[1]}`;
  }
  return {
    kind: 'forward',
    backends,
    path,
    host: request.host,
    applied: applied as AppliedPolicy,
    rule: `${r.namespace}/${r.name}`,
  };
}

/** What the OpenShift router does with the compiled Routes: admission, path order, weights, redirects. */
export const interpretOpenShiftRoute: DialectInterpreter = (compiled, request): TrafficOutcome => {
  const routes = admit(readRoutes(compiled.objects));
  const entry = (r: Route, path = r.path) => ({ key: routeRegexp(r.host, path, r.wildcard), route: r });
  const base = `${request.host}${request.path}`;
  if (request.scheme === 'http') {
    // frontend public: `acl secure_redirect base,map_reg_int(os_route_http_redirect.map)`, then
    // `http-request redirect location https://<host>%[url] code 302`.
    const redirect = first(sortedMap(routes.map((r) => entry(r))), base);
    if (redirect?.insecure === 'Redirect')
      return { kind: 'redirect', status: 302, location: `https://${request.host}${request.path}` };
    // use_backend %[base,map_reg(os_http_be.map)]: plain Routes, and edge/reencrypt with Allow.
    const http = routes.filter(
      (r) => r.termination === '' || (['edge', 'reencrypt'].includes(r.termination) && r.insecure === 'Allow'),
    );
    const hit = first(sortedMap(http.map((r) => entry(r))), base);
    return hit ? serve(hit, request) : { kind: 'no-route' };
  }
  // frontend public_ssl: SNI in os_sni_passthrough.map -> os_tcp_be.map (pathless passthrough and
  // reencrypt Routes), else fe_sni terminates and uses os_edge_reencrypt_be.map on base.
  const sni = routes.filter((r) => r.termination === 'passthrough' && r.path === '');
  const sniKey = (r: Route) => `^${routeRegexp(r.host, '', r.wildcard).slice(1).split('\\.?(:')[0]}$`;
  if (sortedMap(sni.map((r) => ({ key: sniKey(r), route: r }))).some((e) => new RegExp(e.key).test(request.host))) {
    const tcp = routes.filter((r) => r.path === '' && ['passthrough', 'reencrypt'].includes(r.termination));
    const hit = first(sortedMap(tcp.map((r) => entry(r, ''))), request.host);
    return hit ? serve(hit, request) : { kind: 'no-route' };
  }
  const edge = routes.filter((r) => r.termination === 'edge' || r.termination === 'reencrypt');
  const hit = first(sortedMap(edge.map((r) => entry(r))), base);
  return hit ? serve(hit, request) : { kind: 'no-route' };
};
