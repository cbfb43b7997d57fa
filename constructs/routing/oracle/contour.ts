/**
 * What Contour (1.33, chart 0.7.0) and its Envoy do with the HTTPProxies Switchyard compiles, for one
 * request. Sources: projectcontour/contour @ 31c4bb3 (internal/dag, internal/envoy/v3, internal/sorter,
 * apis/projectcontour/v1/httpproxy.go). Reads only the objects; throws on what it does not model.
 */
import type { KubeObject } from '../types';
import { parseDuration } from '../values';
import { distribution, headerChanges, sourceIn } from './common';
import { collectRoutes, type DagRoute, firstCandidates, type Spec, specOf } from './contour-routes';
import { originGlob } from './traefik-headers';
import type { AppliedPolicy, DialectInterpreter, TrafficOutcome, TrafficRequest, WeightedBackend } from './types';

const ROUTE_FIELDS = new Set([
  'conditions',
  'services',
  'enableWebsockets',
  'permitInsecure',
  'timeoutPolicy',
  'retryPolicy',
  'loadBalancerPolicy',
  'pathRewritePolicy',
  'requestHeadersPolicy',
  'responseHeadersPolicy',
  'rateLimitPolicy',
  'ipAllowPolicy',
  'ipDenyPolicy',
  'requestRedirectPolicy',
  'directResponsePolicy',
]);

/** Go durations as Contour reads them (timeout.Parse); 'infinity' and friends are not modelled. */
function ms(value: string): number {
  const v = parseDuration(value);
  if (v === undefined) throw new Error(`contour oracle: duration ${value} is not modelled`);
  return v;
}

/** The virtual host Envoy picks: the exact domain, else the longest wildcard suffix (route_config domains). */
function virtualHost(roots: readonly KubeObject[], host: string): { root: KubeObject; wildcard?: string } | undefined {
  const exact = roots.filter((r) => specOf(r).virtualhost.fqdn === host);
  if (exact.length > 1) throw new Error(`contour oracle: two roots claim ${host}; Contour rejects both`);
  if (exact[0]) return { root: exact[0] };
  const wild = roots
    .map((r) => ({ root: r, fqdn: specOf(r).virtualhost.fqdn as string }))
    .filter(({ fqdn }) => fqdn.startsWith('*.') && host.endsWith(fqdn.slice(1)) && host.length > fqdn.length - 1)
    .sort((a, b) => b.fqdn.length - a.fqdn.length);
  return wild[0] ? { root: wild[0].root, wildcard: wild[0].fqdn } : undefined;
}

/** Envoy's redirect Location: the scheme's well-known port is left out (as Gateway API conformance requires). */
function location(scheme: string, host: string, port: number | undefined, path: string): string {
  const standard = (scheme === 'http' && port === 80) || (scheme === 'https' && port === 443);
  return `${scheme}://${host}${port !== undefined && !standard ? `:${port}` : ''}${path}`;
}

function backendsOf(route: DagRoute): { backends: WeightedBackend[]; mirror?: AppliedPolicy['mirror'] } {
  const services = (route.spec.services ?? []) as Spec[];
  const primary = services.filter((s) => !s.mirror);
  // Unset weights are 0 once any weight is set, otherwise traffic is split evenly (httpproxy.go Service.Weight).
  const anyWeight = primary.some((s) => s.weight !== undefined && s.weight > 0);
  const backends = primary.map((s) => {
    if (s.protocol !== undefined && s.protocol !== 'tls' && s.protocol !== 'h2c')
      throw new Error(`contour oracle: service protocol ${s.protocol} is not modelled`);
    // enableWebsockets allows the upgrade on every service of the route (config/websockets.md).
    const protocol: WeightedBackend['protocol'] =
      s.protocol === 'tls' ? 'https' : s.protocol === 'h2c' ? 'h2c' : route.spec.enableWebsockets ? 'ws' : undefined;
    return {
      namespace: route.namespace,
      service: s.name as string,
      port: s.port as number,
      weight: anyWeight ? (s.weight ?? 0) : 1,
      ...(protocol ? { protocol } : {}),
    };
  });
  const mirrors = services.filter((s) => s.mirror);
  if (mirrors.length > 1) throw new Error('contour oracle: two mirrors on one route are invalid');
  const m = mirrors[0];
  // A mirror's weight is the percentage mirrored, 0 meaning 100 (httpproxy_processor.go, "EDGE CASE").
  const mirror = m
    ? { namespace: route.namespace, service: m.name as string, port: m.port as number, percent: m.weight || 100 }
    : undefined;
  return { backends, ...(mirror ? { mirror } : {}) };
}

function headerPolicy(p: Spec | undefined, onHost?: (v: string) => void) {
  const set: Record<string, string> = {};
  for (const { name, value } of (p?.set ?? []) as { name: string; value: string }[]) {
    if (onHost && name.toLowerCase() === 'host') onHost(value);
    else set[name] = value;
  }
  return { set, remove: (p?.remove ?? []) as string[] };
}

/** Strict-Transport-Security, parsed; browsers ignore it on plain HTTP (RFC 6797 section 8.1). */
function hstsOf(value: string): NonNullable<AppliedPolicy['hsts']> {
  const parts = value.split(';').map((p) => p.trim().toLowerCase());
  const age = parts.find((p) => p.startsWith('max-age='));
  if (!age) throw new Error(`contour oracle: Strict-Transport-Security without max-age: ${value}`);
  return {
    maxAge: Number(age.slice('max-age='.length)),
    includeSubdomains: parts.includes('includesubdomains'),
    preload: parts.includes('preload'),
  };
}

function corsOf(c: Spec): NonNullable<AppliedPolicy['cors']> {
  const origins = (c.allowOrigin as string[]).map((o) => {
    if (o === '*' || /^https?:\/\/[^/]+$/.test(o)) return o; // an exact origin (toCORSPolicy)
    const glob = originGlob(o);
    if (!glob) throw new Error(`contour oracle: origin regex ${o} is not a wildcard origin`);
    return glob;
  });
  const set = (l: string[] | undefined, f: (s: string) => string) => [...new Set((l ?? []).map(f))].sort();
  return {
    allowOrigins: [...new Set(origins)].sort(),
    allowMethods: set(c.allowMethods, (m) => m.toUpperCase()),
    allowHeaders: set(c.allowHeaders, (h) => h.toLowerCase()),
    exposeHeaders: set(c.exposeHeaders, (h) => h.toLowerCase()),
    allowCredentials: c.allowCredentials === true,
    // Without Access-Control-Max-Age browsers cache a preflight 5 seconds (Fetch standard).
    maxAge: c.maxAge ? Math.floor(ms(c.maxAge) / 1000) : 5,
  };
}

function serve(route: DagRoute, root: Spec, request: TrafficRequest): TrafficOutcome {
  const spec = route.spec;
  for (const k of Object.keys(spec))
    if (!ROUTE_FIELDS.has(k)) throw new Error(`contour oracle: route.${k} is not modelled`);
  // On a TLS host a plain HTTP request that matches a route is upgraded unless the route permits
  // insecure traffic (internal/envoy/v3/route.go: HTTPSUpgrade && !secure comes first, 301).
  if (request.scheme === 'http' && root.virtualhost.tls && !spec.permitInsecure)
    return { kind: 'redirect', status: 301, location: `https://${request.host}${request.path}`, httpsUpgrade: true };
  if (spec.directResponsePolicy) {
    if (spec.directResponsePolicy.statusCode !== 404)
      throw new Error('contour oracle: direct responses other than 404');
    return { kind: 'no-route' };
  }
  if (spec.requestRedirectPolicy) {
    const r = spec.requestRedirectPolicy;
    if (r.prefix !== undefined) throw new Error('contour oracle: redirect prefix rewrites are not modelled');
    const scheme = r.scheme ?? request.scheme;
    // The CRD defaults statusCode to 302 (httpproxy.go HTTPRequestRedirectPolicy).
    return {
      kind: 'redirect',
      status: r.statusCode ?? 302,
      location: location(scheme, r.hostname ?? request.host, r.port, r.path ?? request.path),
    };
  }
  // IP filters apply to forwarding routes (route.go default case); both lists make the route invalid.
  if (spec.ipAllowPolicy && spec.ipDenyPolicy)
    throw new Error('contour oracle: ipAllowPolicy with ipDenyPolicy is invalid');
  for (const [field, allow] of [
    ['ipAllowPolicy', true],
    ['ipDenyPolicy', false],
  ] as const) {
    const list = spec[field] as { source: string; cidr: string }[] | undefined;
    if (!list) continue;
    if (list.some((p) => p.source !== 'Peer')) throw new Error('contour oracle: IP filter source other than Peer');
    const hit = sourceIn(
      request,
      list.map((p) => (p.cidr.includes('/') ? p.cidr : `${p.cidr}/${p.cidr.includes(':') ? 128 : 32}`)),
    );
    if (hit !== allow) return { kind: 'denied' };
  }
  const applied: Record<string, unknown> = {};
  let host = request.host;
  let path = request.path;
  const { backends, mirror } = backendsOf(route);
  if (mirror) applied.mirror = mirror;
  const t = spec.timeoutPolicy;
  if (t) {
    const timeouts: Record<string, number> = {};
    for (const k of Object.keys(t))
      if (k !== 'response' && k !== 'idle') throw new Error(`contour oracle: timeoutPolicy.${k}`);
    if (t.response) timeouts.request = ms(t.response);
    if (t.idle) timeouts.idle = ms(t.idle);
    applied.timeouts = timeouts;
  }
  if (spec.retryPolicy) {
    const rp = spec.retryPolicy;
    // count 0 and 1 mean one retry, and Contour 1.33 leaves num_retries unset (Envoy's default, 1) for
    // -1 as well (internal/dag/policy.go retryPolicy; the -1 fix, #7525, is unreleased).
    const attempts = rp.count === undefined || rp.count <= 1 ? 1 : rp.count;
    applied.retries = { attempts, ...(rp.perTryTimeout ? { perTryTimeout: ms(rp.perTryTimeout) } : {}) };
  }
  const lb = spec.loadBalancerPolicy?.strategy;
  if (lb === 'Cookie') applied.sessionAffinity = { cookieName: 'X-Contour-Session-Affinity' };
  else if (lb !== undefined && lb !== 'RoundRobin') throw new Error(`contour oracle: load balancer strategy ${lb}`);
  if (spec.pathRewritePolicy) {
    const replace = (spec.pathRewritePolicy.replacePrefix ?? []) as { prefix?: string; replacement: string }[];
    if (route.path.kind !== 'prefix') throw new Error('contour oracle: a prefix rewrite without a prefix is invalid');
    // The entry whose prefix is the route's, else the one without a prefix (httpproxy_processor.go).
    const entry = replace.find((e) => e.prefix === route.path.value) ?? replace.find((e) => !e.prefix);
    if (entry) path = entry.replacement + path.slice(route.path.value.length);
  }
  const req = headerPolicy(spec.requestHeadersPolicy, (v) => {
    host = v;
  });
  const res = headerPolicy(spec.responseHeadersPolicy);
  const sts = Object.keys(res.set).find((k) => k.toLowerCase() === 'strict-transport-security');
  if (sts) {
    if (request.scheme === 'https') applied.hsts = hstsOf(res.set[sts]!);
    delete res.set[sts];
  }
  const requestHeaders = headerChanges(req);
  const responseHeaders = headerChanges(res);
  if (requestHeaders) applied.requestHeaders = requestHeaders;
  if (responseHeaders) applied.responseHeaders = responseHeaders;
  const local = spec.rateLimitPolicy?.local;
  if (spec.rateLimitPolicy?.global) throw new Error('contour oracle: global rate limits are not modelled');
  if (local) {
    const per = { second: 1, minute: 60, hour: 3600 }[local.unit as 'second' | 'minute' | 'hour'];
    if (!per) throw new Error(`contour oracle: rate limit unit ${local.unit}`);
    applied.rateLimit = { requestsPerSecond: local.requests / per, burst: local.burst ?? 0 };
  }
  if (root.virtualhost.corsPolicy) applied.cors = corsOf(root.virtualhost.corsPolicy);
  return { kind: 'forward', backends: distribution(backends), path, host, applied: applied as AppliedPolicy };
}

/** What Contour does with the request. */
export const interpretContour: DialectInterpreter = (compiled, request) => {
  const proxies = new Map<string, KubeObject>();
  for (const o of compiled.objects) {
    if (o.apiVersion === 'cert-manager.io/v1' && o.kind === 'Certificate') continue;
    if (o.apiVersion !== 'projectcontour.io/v1' || o.kind !== 'HTTPProxy')
      throw new Error(`contour oracle: ${o.apiVersion} ${o.kind} is not modelled`);
    proxies.set(`${o.metadata.namespace ?? 'default'}/${o.metadata.name}`, o);
  }
  const roots = [...proxies.values()].filter((p) => specOf(p).virtualhost);
  const vhost = virtualHost(roots, request.host);
  if (!vhost) return { kind: 'no-route' };
  const root = specOf(vhost.root);
  for (const k of Object.keys(root.virtualhost))
    if (!['fqdn', 'tls', 'corsPolicy'].includes(k)) throw new Error(`contour oracle: virtualhost.${k} is not modelled`);
  if (root.virtualhost.tls?.passthrough) {
    // TLS passthrough: SNI routes to the tcpproxy; there is no plain HTTP side (config/tls-termination.md).
    if (request.scheme === 'http') return { kind: 'no-route' };
    const ns = vhost.root.metadata.namespace ?? 'default';
    const backends = (root.tcpproxy.services as Spec[]).map((s) => ({
      namespace: ns,
      service: s.name,
      port: s.port,
      weight: s.weight ?? 1,
    }));
    return { kind: 'passthrough', backends: distribution(backends) };
  }
  // HTTPS to a host without TLS finds no filter chain for its SNI.
  if (request.scheme === 'https' && !root.virtualhost.tls) return { kind: 'no-route' };
  const routes = collectRoutes(vhost.root, proxies, vhost.wildcard);
  const first = firstCandidates(routes, request);
  if (first.length === 0) return { kind: 'no-route' };
  const outcomes = first.map((r) => serve(r, root, request));
  if (new Set(outcomes.map((o) => JSON.stringify(o))).size > 1)
    throw new Error(`contour oracle: routes ${first.map((r) => r.key).join(' | ')} tie in Envoy's order`);
  return outcomes[0]!;
};
