/**
 * Interpreter of compiled ingress-nginx objects: what the controller (kubernetes/ingress-nginx
 * v1.15.1) does with one request. The configuration is built by `buildConfig`
 * (ingress-nginx-config.ts); this file follows the generated nginx.conf
 * (`rootfs/etc/nginx/template/nginx.tmpl`, `internal/ingress/controller/template/template.go`) and the
 * Lua that runs in each location (`rootfs/etc/nginx/lua/lua_ingress.lua`, `balancer.lua`). Pure.
 */
import { distribution, sizeBytes, sourceIn } from './common';
import {
  buildConfig,
  locationNeedsRegex,
  NGINX,
  type NginxConfig,
  type NginxLocation,
  type NginxServer,
  type Upstream,
} from './ingress-nginx-config';
import type { AppliedPolicy, DialectInterpreter, TrafficOutcome, TrafficRequest, WeightedBackend } from './types';

const fail = (message: string): never => {
  throw new Error(`oracle ingress-nginx: ${message}`);
};

/**
 * A PCRE search as nginx runs it. Supports what the compiler emits: `(?#...)` comments, a `(?-i)` after
 * a letterless prefix, RE2 `(?P<name>`, and leading `(?i)`/`(?s)` flags.
 */
export function pcreSearch(pattern: string, subject: string, caseless: boolean): RegExpExecArray | null {
  let body = pattern.replace(/\(\?#[^)]*\)/g, '').replace(/\(\?P</g, '(?<');
  let ci = caseless;
  let dotAll = false;
  // Option settings apply from where they stand; only settings before the first letter are modelled.
  for (let m = /\(\?([is]*)(?:-(i))?\)/.exec(body); m; m = /\(\?([is]*)(?:-(i))?\)/.exec(body)) {
    const before = body.slice(0, m.index).replace(/\\./g, '');
    if (/[A-Za-z]/.test(before)) fail(`an inline option after a letter in ${pattern}`);
    if (m[1]!.includes('i')) ci = true;
    if (m[1]!.includes('s')) dotAll = true;
    if (m[2]) ci = false;
    body = body.slice(0, m.index) + body.slice(m.index + m[0].length);
  }
  if (/\(\?[a-zA-Z-]/.test(body)) fail(`PCRE construct not modelled in ${pattern}`);
  return new RegExp(body, `${ci ? 'i' : ''}${dotAll ? 's' : ''}`).exec(subject);
}

/**
 * nginx server selection: exact server_name, then the wildcard servers, which buildServerName turns
 * into `~^(?<subdomain>[\w-]+)\.example\.org$` (one label), tried in hostname order (servers are sorted
 * by hostname in getBackendServers). No server: the catch-all default server answers 404.
 */
function selectServer(config: NginxConfig, host: string): NginxServer | undefined {
  const exact = config.servers.get(host);
  if (exact) return exact;
  const wildcards = [...config.servers.values()]
    .filter((s) => s.host.startsWith('*.'))
    .sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
  return wildcards.find((s) => {
    const suffix = s.host.slice(1);
    return host.endsWith(suffix) && /^[\w-]+$/.test(host.slice(0, host.length - suffix.length));
  });
}

/**
 * nginx location selection. In regex mode (any location of the server uses regex or a rewrite,
 * template.go enforceRegexModifier) every location is `~* "^<path>"` and the first in the sorted order
 * that matches wins. Otherwise `= <path>` for Exact and a character-wise prefix for the rest, the
 * exact one first, else the longest prefix (nginx's core module).
 */
function selectLocation(server: NginxServer, path: string): NginxLocation | undefined {
  if (server.locations.some(locationNeedsRegex)) {
    const seen = new Map<string, NginxLocation>();
    for (const l of server.locations) {
      const twin = seen.get(l.path);
      if (twin && twin.ingress !== l.ingress && !twin.isDefault && !l.isDefault)
        fail(
          `${twin.ingress.key} and ${l.ingress.key} both give the regex location ^${l.path}: creation order decides`,
        );
      seen.set(l.path, l);
    }
    return server.locations.find((l) => pcreSearch(`^${l.path}`, path, true) !== null);
  }
  const exact = server.locations.find((l) => l.pathType === 'Exact' && l.path === path);
  if (exact) return exact;
  let best: NginxLocation | undefined;
  for (const l of server.locations) {
    if (l.pathType === 'Exact' || !path.startsWith(l.path)) continue;
    if (!best || l.path.length > best.path.length) best = l;
  }
  return best;
}

const annotation = (l: NginxLocation, name: string) => l.ingress.annotations[`${NGINX}${name}`];

/** The `return <code> <url>` of permanent-redirect / temporal-redirect (annotations/redirect/redirect.go). */
function ruleRedirect(l: NginxLocation): TrafficOutcome | undefined {
  const temporal = annotation(l, 'temporal-redirect');
  if (temporal) {
    const code = Number(annotation(l, 'temporal-redirect-code') ?? 302);
    return { kind: 'redirect', status: code >= 300 && code <= 307 ? code : 302, location: temporal };
  }
  const permanent = annotation(l, 'permanent-redirect');
  if (permanent) {
    const code = Number(annotation(l, 'permanent-redirect-code') ?? 301);
    return { kind: 'redirect', status: code >= 300 && code <= 308 ? code : 301, location: permanent };
  }
  return undefined;
}

/**
 * lua_ingress.lua redirect_to_https: force-ssl-redirect on plain HTTP, or ssl-redirect (default true)
 * when the host has a certificate; code http-redirect-code (ConfigMap default 308); a trailing '/'
 * of the URI is dropped unless preserve-trailing-slash.
 */
function httpsRedirect(server: NginxServer, l: NginxLocation, request: TrafficRequest): TrafficOutcome | undefined {
  if (request.scheme !== 'http') return undefined;
  const force = annotation(l, 'force-ssl-redirect') === 'true';
  const ssl = (annotation(l, 'ssl-redirect') ?? 'true') === 'true';
  if (!force && !(ssl && server.tls)) return undefined;
  let uri = request.path;
  if (annotation(l, 'preserve-trailing-slash') !== 'true' && uri.endsWith('/')) uri = uri.slice(0, -1);
  return { kind: 'redirect', status: 308, location: `https://${request.host}${uri}`, httpsUpgrade: true };
}

/** The template's `deny <cidr>;` lines, then `allow <cidr>; deny all;` (ngx_http_access_module, first match). */
function denied(l: NginxLocation, request: TrafficRequest): boolean {
  const list = (name: string) =>
    (annotation(l, name) ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const deny = list('denylist-source-range');
  if (deny.length && sourceIn(request, deny)) return true;
  const allow = list('allowlist-source-range');
  return allow.length > 0 && !sourceIn(request, allow);
}

/** balancer.lua route_to_alternative_balancer: header, then cookie, then weight; the result as weights. */
function canarySplit(alt: Upstream | undefined, request: TrafficRequest): [number, number] {
  const s = alt?.shaping;
  if (!s) return [1, 0]; // an alternative without a policy (or none) never takes traffic
  const header = s.header ? request.headers[s.header.toLowerCase()] : undefined;
  if (header !== undefined) {
    if (s.headerValue) {
      if (s.headerValue === header) return [0, 1];
    } else if (s.headerPattern) {
      if (pcreSearch(s.headerPattern, header, false)) return [0, 1]; // ngx.re.match: unanchored, no options
    } else if (header === 'always') return [0, 1];
    else if (header === 'never') return [1, 0];
  }
  const cookie = s.cookie ? request.cookies[s.cookie] : undefined;
  if (cookie === 'always') return [0, 1];
  if (cookie === 'never') return [1, 0];
  // math.random(total) <= weight, total = weightTotal only when it exceeds 100.
  const total = Math.max(s.weightTotal, 100);
  const weight = Math.min(Math.max(s.weight, 0), total);
  return [total - weight, weight];
}

/** buildProxyPass: `rewrite "(?i)<path>" <target> break;` when the target differs from the path. */
function upstreamPath(l: NginxLocation, path: string): string {
  const target = annotation(l, 'rewrite-target');
  if (!target || target === l.path) return path;
  const m = pcreSearch(l.path, path, true);
  if (!m) return path;
  const out = target.replace(/\$(\d)/g, (_, d: string) => m[Number(d)] ?? '');
  return out === '' ? '/' : out;
}

const splitList = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** What the location applies to a forwarded request (annotations and the upstream's affinity). */
function appliedOf(l: NginxLocation, primary: Upstream): AppliedPolicy {
  const a = (name: string) => annotation(l, name);
  const applied: Record<string, unknown> = {};
  const timeouts: Record<string, number> = {};
  if (a('proxy-connect-timeout')) timeouts.connect = Number(a('proxy-connect-timeout')) * 1000;
  // proxy_read_timeout / proxy_send_timeout bound the time between two reads or writes: an idle timeout.
  const read = a('proxy-read-timeout');
  const send = a('proxy-send-timeout');
  if (read !== send) fail('proxy-read-timeout and proxy-send-timeout differ');
  if (read) timeouts.idle = Number(read) * 1000;
  if (Object.keys(timeouts).length) applied.timeouts = timeouts;
  const tries = a('proxy-next-upstream-tries');
  if (tries && a('proxy-next-upstream') !== 'off' && Number(tries) > 1)
    applied.retries = { attempts: Number(tries) - 1 };
  const mirror = a('mirror-target');
  if (mirror) {
    const m = /^http:\/\/([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local:(\d+)\$request_uri$/.exec(mirror);
    if (!m) fail(`mirror-target ${mirror} is not modelled`);
    applied.mirror = { namespace: m![2], service: m![1], port: Number(m![3]), percent: 100 };
  }
  if (primary.affinity) {
    const { cookieName, maxAge } = primary.affinity;
    applied.sessionAffinity = { cookieName, ...(maxAge !== undefined ? { maxAge } : {}) };
  }
  if (a('limit-rps')) {
    const rps = Number(a('limit-rps'));
    // ratelimit/main.go: burst = rps * limit-burst-multiplier (default 5).
    applied.rateLimit = { requestsPerSecond: rps, burst: rps * Number(a('limit-burst-multiplier') ?? 5) };
  }
  if (a('proxy-body-size')) applied.maxBodySize = sizeBytes(a('proxy-body-size')!.toLowerCase());
  if (a('enable-cors') === 'true') {
    // annotations/cors/main.go defaults.
    const origins = splitList(a('cors-allow-origin') ?? '*');
    applied.cors = {
      allowOrigins: origins.includes('*') ? ['*'] : origins,
      allowMethods: splitList(a('cors-allow-methods') ?? 'GET, PUT, POST, DELETE, PATCH, OPTIONS').map((m) =>
        m.toUpperCase(),
      ),
      allowHeaders: splitList(
        a('cors-allow-headers') ??
          'DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,Authorization',
      ).map((h) => h.toLowerCase()),
      exposeHeaders: splitList(a('cors-expose-headers') ?? '').map((h) => h.toLowerCase()),
      allowCredentials: (a('cors-allow-credentials') ?? 'true') === 'true',
      maxAge: Number(a('cors-max-age') ?? 1728000),
    };
  }
  // HSTS is the ConfigMap's (hsts, on by default): nothing in the objects configures it.
  return applied as AppliedPolicy;
}

function backendOf(u: Upstream, weight: number, protocol: WeightedBackend['protocol']): WeightedBackend {
  return { namespace: u.namespace, service: u.service, port: u.port, weight, ...(protocol ? { protocol } : {}) };
}

/** What ingress-nginx does with one request, given the compiled objects. */
export const interpretIngressNginx: DialectInterpreter = (compiled, request) => {
  if (compiled.serviceAnnotations?.length) fail('Service annotations are not modelled');
  const config = buildConfig(compiled.objects);
  const server = selectServer(config, request.host);
  if (!server) return { kind: 'no-route' };

  if (request.scheme === 'https' && server.passthrough) {
    // pkg/tcpproxy/tcp.go Get: exact SNI names only; the backend of the server's '/' location
    // (getConfiguration), never its canaries.
    if (server.host !== request.host) fail('a wildcard passthrough server is not modelled');
    const root = server.locations.find((l) => l.path === '/');
    if (!root?.backend) return { kind: 'no-route' };
    return { kind: 'passthrough', backends: [backendOf(config.upstreams.get(root.backend)!, 1, undefined)] };
  }

  const location = selectLocation(server, request.path);
  if (!location) return { kind: 'no-route' };
  // Rewrite phase: the location's `return` (rule redirect) runs before rewrite_by_lua (HTTPS redirect).
  const redirect = ruleRedirect(location) ?? httpsRedirect(server, location, request);
  if (redirect) return redirect;
  // Access phase.
  if (denied(location, request)) return { kind: 'denied' };
  if (location.backend === undefined) return { kind: 'no-route' }; // upstream-default-backend: 404

  const primary = config.upstreams.get(location.backend)!;
  const alt = primary.alternatives[0] ? config.upstreams.get(primary.alternatives[0]) : undefined; // only [1] in Lua
  const [toPrimary, toCanary] = canarySplit(alt, request);
  const proto = annotation(location, 'backend-protocol')?.toUpperCase();
  const protocol =
    proto === 'HTTPS'
      ? 'https'
      : proto === 'GRPC'
        ? 'grpc'
        : proto && proto !== 'HTTP'
          ? fail(`backend-protocol ${proto}`)
          : undefined;
  const backends = [backendOf(primary, toPrimary, protocol), ...(alt ? [backendOf(alt, toCanary, protocol)] : [])];
  return {
    kind: 'forward',
    backends: distribution(backends),
    path: upstreamPath(location, request.path),
    host: annotation(location, 'upstream-vhost') ?? request.host,
    applied: appliedOf(location, primary),
    rule: location.ingress.key,
  };
};
