/**
 * What Traefik v3 does with the objects Switchyard compiles for it (IngressRoute, IngressRouteTCP,
 * Middleware, TraefikService, ServersTransport), for one request. Sources: traefik/traefik @ fd5a576
 * (v3.7). Reads only the objects; throws on any kind, field or middleware it does not model.
 */
import type { KubeObject } from '../types';
import { parseDuration } from '../values';
import { distribution, headerChanges, sourceIn } from './common';
import { headersMiddleware } from './traefik-headers';
import { httpRuleMatches, parseRule, tcpRuleMatches } from './traefik-rule';
import type { AppliedPolicy, DialectInterpreter, TrafficOutcome, TrafficRequest, WeightedBackend } from './types';

// biome-ignore lint/suspicious/noExplicitAny: compiled objects are untyped JSON; unknown fields throw where read
type Spec = Record<string, any>;
interface Ctx {
  readonly byKind: Map<string, Map<string, KubeObject>>;
  readonly request: TrafficRequest;
}

const KINDS = ['IngressRoute', 'IngressRouteTCP', 'Middleware', 'TraefikService', 'ServersTransport'];

function index(objects: readonly KubeObject[]): Map<string, Map<string, KubeObject>> {
  const byKind = new Map<string, Map<string, KubeObject>>();
  for (const o of objects) {
    if (o.apiVersion === 'cert-manager.io/v1' && o.kind === 'Certificate') continue; // issues the Secret; routes nothing
    if (o.apiVersion !== 'traefik.io/v1alpha1' || !KINDS.includes(o.kind))
      throw new Error(`traefik oracle: ${o.apiVersion} ${o.kind} is not modelled`);
    const m = byKind.get(o.kind) ?? new Map<string, KubeObject>();
    m.set(`${o.metadata.namespace ?? 'default'}/${o.metadata.name}`, o);
    byKind.set(o.kind, m);
  }
  return byKind;
}

const specOf = (o: KubeObject) => (o as unknown as { spec: Spec }).spec;

function lookup(ctx: Ctx, kind: string, namespace: string, ref: Spec): Spec {
  if (ref.name.includes('@')) throw new Error(`traefik oracle: provider reference ${ref.name} is not modelled`);
  const ns = ref.namespace ?? namespace;
  // A reference to another namespace needs providers.kubernetesCRD.allowCrossNamespace, off in the chart:
  // the router is then not built (pkg/provider/kubernetes/crd/kubernetes.go resolveReference).
  if (ns !== namespace) throw new CrossNamespace();
  const o = ctx.byKind.get(kind)?.get(`${ns}/${ref.name}`);
  if (!o) throw new Error(`traefik oracle: ${kind} ${ns}/${ref.name} is referenced but not emitted`);
  return specOf(o);
}

class CrossNamespace extends Error {}

/** The priority of a router: its own, else the length of its rule (pkg/muxer/http/mux.go GetRulePriority). */
const priorityOf = (route: Spec) => (route.priority ? Number(route.priority) : String(route.match).length);

/** The entry point a scheme arrives on, with the chart's names. */
function entryPointOf(request: TrafficRequest): string {
  return request.scheme === 'https' ? 'websecure' : 'web';
}

function checkEntryPoints(list: readonly string[]) {
  for (const e of list)
    if (e !== 'web' && e !== 'websecure') throw new Error(`traefik oracle: entry point ${e} is not modelled`);
}

function passthrough(ctx: Ctx): TrafficOutcome | undefined {
  const routes: { ns: string; route: Spec }[] = [];
  for (const o of ctx.byKind.get('IngressRouteTCP')?.values() ?? []) {
    const spec = specOf(o);
    checkEntryPoints(spec.entryPoints);
    if (!spec.tls?.passthrough) throw new Error('traefik oracle: a terminating IngressRouteTCP is not modelled');
    if (!spec.entryPoints.includes('websecure')) continue;
    for (const route of spec.routes) routes.push({ ns: o.metadata.namespace ?? 'default', route });
  }
  // TCP routers see a TLS connection before the HTTPS routers do, highest priority first
  // (pkg/server/router/tcp/router.go; pkg/muxer/tcp/mux.go routes.Less).
  routes.sort((a, b) => priorityOf(b.route) - priorityOf(a.route));
  const hit = routes.find(({ route }) => tcpRuleMatches(parseRule(route.match), ctx.request));
  if (!hit) return undefined;
  const backends = (hit.route.services as Spec[]).map((s) => ({
    namespace: s.namespace ?? hit.ns,
    service: s.name,
    port: s.port,
    weight: s.weight ?? 1,
  }));
  return { kind: 'passthrough', backends: distribution(backends) };
}

interface Resolved {
  backends: WeightedBackend[];
  affinity?: { cookieName: string; maxAge?: number };
  mirror?: AppliedPolicy['mirror'];
  timeouts?: Record<string, number>;
}

const PROTOCOLS: Record<string, WeightedBackend['protocol']> = { https: 'https', h2c: 'h2c', http: undefined };
const ms = (v: string | number) => (typeof v === 'number' ? v * 1000 : parseDuration(v)!);

function cookieOf(sticky: Spec | undefined) {
  const c = sticky?.cookie;
  if (!sticky) return undefined;
  if (!c?.name) throw new Error('traefik oracle: sticky without a cookie name is not modelled');
  return { cookieName: c.name as string, ...(c.maxAge ? { maxAge: Number(c.maxAge) } : {}) };
}

/** One Kubernetes Service load balancer (crd/http/service.md). */
function serviceLb(ctx: Ctx, ns: string, s: Spec): Resolved {
  if (s.kind && s.kind !== 'Service') throw new Error(`traefik oracle: service kind ${s.kind} here is not modelled`);
  const namespace = s.namespace ?? ns;
  if (namespace !== ns) throw new CrossNamespace();
  if (s.scheme !== undefined && !(s.scheme in PROTOCOLS)) throw new Error(`traefik oracle: scheme ${s.scheme}`);
  const protocol = s.scheme ? PROTOCOLS[s.scheme] : undefined;
  const out: Resolved = {
    backends: [{ namespace, service: s.name, port: s.port, weight: 1, ...(protocol ? { protocol } : {}) }],
  };
  const affinity = cookieOf(s.sticky);
  if (affinity) out.affinity = affinity;
  if (s.serversTransport) {
    const t = lookup(ctx, 'ServersTransport', ns, { name: s.serversTransport });
    const f = t.forwardingTimeouts ?? {};
    for (const k of Object.keys(f))
      if (!['dialTimeout', 'responseHeaderTimeout', 'idleConnTimeout'].includes(k))
        throw new Error(`traefik oracle: forwardingTimeouts.${k} is not modelled`);
    // dialTimeout: the TCP connect; responseHeaderTimeout: until the backend's response headers;
    // idleConnTimeout: idle keep-alive connections to the backend (crd/http/serverstransport.md).
    const timeouts: Record<string, number> = {};
    if (f.dialTimeout) timeouts.connect = ms(f.dialTimeout);
    if (f.responseHeaderTimeout) timeouts.backendRequest = ms(f.responseHeaderTimeout);
    if (f.idleConnTimeout) timeouts.idle = ms(f.idleConnTimeout);
    if (Object.keys(timeouts).length) out.timeouts = timeouts;
  }
  return out;
}

/** A weighted round robin over children (default weight 1, kubernetes_http.go buildServicesLB). */
function weighted(ctx: Ctx, ns: string, services: readonly Spec[], sticky: Spec | undefined): Resolved {
  const children = services.map((s) => ({ weight: s.weight ?? 1, r: serviceLb(ctx, ns, s) }));
  const backends = children.flatMap(({ weight, r }) => r.backends.map((b) => ({ ...b, weight })));
  const out: Resolved = { backends };
  const timeouts = new Set(children.map(({ r }) => JSON.stringify(r.timeouts ?? {})));
  if (timeouts.size > 1) throw new Error('traefik oracle: children with different transports are not modelled');
  if (children[0]?.r.timeouts) out.timeouts = children[0].r.timeouts;
  const top = cookieOf(sticky);
  const inner = children.map(({ r }) => r.affinity);
  // Stickiness holds only if every level has it, each with its own cookie (traefikservice.md,
  // "Stickiness on multiple levels"); partial stickiness is not an outcome the oracle can state.
  if (top || inner.some(Boolean)) {
    if (!top || inner.some((a) => !a || a.cookieName === top.cookieName))
      throw new Error('traefik oracle: stickiness on one level of a weighted service only (or a shared cookie)');
    out.affinity = top;
  }
  return out;
}

function resolveRef(ctx: Ctx, ns: string, s: Spec): Resolved {
  if (s.kind !== 'TraefikService') return serviceLb(ctx, ns, s);
  const spec = lookup(ctx, 'TraefikService', ns, s);
  if (spec.weighted) return weighted(ctx, ns, spec.weighted.services, spec.weighted.sticky);
  if (spec.mirroring) {
    const m = spec.mirroring;
    const { mirrors: _m, mirrorBody: _b, maxBodySize: _s, ...main } = m; // the main service is a LoadBalancerSpec
    const primary = resolveRef(ctx, ns, main);
    if ((m.mirrors ?? []).length !== 1) throw new Error('traefik oracle: mirroring to other than one mirror');
    const mirror = m.mirrors[0];
    if ((mirror.namespace ?? ns) !== ns) throw new CrossNamespace();
    const percent = mirror.percent ?? 0; // crd/http/traefikservice.md: percent defaults to 0
    return {
      ...primary,
      ...(percent > 0 ? { mirror: { namespace: ns, service: mirror.name, port: mirror.port, percent } } : {}),
    };
  }
  throw new Error(`traefik oracle: TraefikService ${s.name} of this kind is not modelled`);
}

/** The URL Traefik's redirect middlewares rewrite (redirect.go rawURL: scheme://host + request URI). */
const rawUrl = (r: TrafficRequest, path: string) => `${r.scheme}://${r.host}${path}${queryString(r)}`;
const queryString = (r: TrafficRequest) => {
  const q = Object.entries(r.query);
  return q.length ? `?${q.map(([k, v]) => `${k}=${v}`).join('&')}` : '';
};
const goReplacement = (s: string) => s.replace(/\$\{(\d+)\}/g, '$$$1');

/** Status of a redirect (redirect.go moveHandler): 302/307, or 301/308 when permanent, by method. */
function redirectStatus(permanent: boolean, method: string): number {
  if (permanent) return method === 'GET' ? 301 : 308;
  return method === 'GET' ? 302 : 307;
}

function redirectOutcome(from: string, to: string, permanent: boolean, r: TrafficRequest): TrafficOutcome | undefined {
  if (to === from) return undefined; // an unchanged URL goes on to the next handler (redirect.go ServeHTTP)
  return { kind: 'redirect', status: redirectStatus(permanent, r.method), location: to.replace(/\?.*$/, '') };
}

/** Runs one router: its middlewares in order, then its service (crd/http/middleware.md). */
function serve(ctx: Ctx, ns: string, route: Spec): TrafficOutcome {
  const r = ctx.request;
  let path = r.path;
  let host = r.host;
  const applied: Record<string, unknown> = {};
  const req = { set: {} as Record<string, string>, remove: [] as string[] };
  const res = { set: {} as Record<string, string>, remove: [] as string[] };
  for (const ref of (route.middlewares ?? []) as Spec[]) {
    const spec = lookup(ctx, 'Middleware', ns, ref);
    const [type, ...others] = Object.keys(spec);
    if (others.length) throw new Error(`traefik oracle: middleware ${ref.name} has several types`);
    const m = spec[type!];
    switch (type) {
      case 'ipAllowList': // 403 for a client outside sourceRange (pkg/middlewares/ipallowlist)
        if (m.ipStrategy || m.rejectStatusCode) throw new Error('traefik oracle: ipAllowList options not modelled');
        if (!sourceIn(r, m.sourceRange)) return { kind: 'denied' };
        break;
      case 'rateLimit': {
        const period = m.period ? ms(m.period) / 1000 : 1;
        applied.rateLimit = { requestsPerSecond: m.average / period, burst: m.burst ?? 1 };
        break;
      }
      case 'redirectScheme': {
        // redirect_scheme.go: scheme://host[:port]uri, the port dropped when it is the scheme's default.
        const port =
          m.port && !((m.scheme === 'http' && m.port === '80') || (m.scheme === 'https' && m.port === '443'));
        const to = `${m.scheme}://${r.host}${port ? `:${m.port}` : ''}${path}${queryString(r)}`;
        const out = redirectOutcome(rawUrl(r, path), to, m.permanent === true, r);
        if (out) return out;
        break;
      }
      case 'redirectRegex': {
        const from = rawUrl(r, path);
        const re = new RegExp(m.regex, 'u');
        if (!re.test(from)) break;
        const out = redirectOutcome(from, from.replace(re, goReplacement(m.replacement)), m.permanent === true, r);
        if (out) return out;
        break;
      }
      case 'headers':
        host = headersMiddleware(m, r, host, req, res, applied);
        break;
      case 'replacePath':
        path = m.path;
        break;
      case 'replacePathRegex': {
        const re = new RegExp(m.regex, 'gu');
        if (new RegExp(m.regex, 'u').test(path)) path = path.replace(re, goReplacement(m.replacement));
        break;
      }
      case 'retry': {
        if (m.timeout) throw new Error('traefik oracle: a retry budget (timeout) is not modelled');
        const nonIdempotent = ['POST', 'PATCH'].includes(r.method);
        if (m.status && nonIdempotent && !m.retryNonIdempotentMethod)
          throw new Error('traefik oracle: status retries skip POST and PATCH here (partial retries)');
        // attempts counts the first try; 1 means no retry (pkg/middlewares/retry/retry.go).
        if (m.attempts > 1) applied.retries = { attempts: m.attempts - 1 };
        break;
      }
      case 'buffering':
        for (const k of Object.keys(m))
          if (k !== 'maxRequestBodyBytes') throw new Error(`traefik oracle: buffering.${k} is not modelled`);
        applied.maxBodySize = m.maxRequestBodyBytes;
        break;
      default:
        throw new Error(`traefik oracle: middleware type ${type} is not modelled`);
    }
  }
  const services = route.services as Spec[];
  if (services.length === 1 && services[0]!.name === 'noop@internal')
    throw new Error('traefik oracle: the request reaches noop@internal (418)');
  const resolved = services.length > 1 ? weighted(ctx, ns, services, undefined) : resolveRef(ctx, ns, services[0]!);
  const requestHeaders = headerChanges(req);
  const responseHeaders = headerChanges(res);
  return {
    kind: 'forward',
    backends: distribution(resolved.backends),
    path,
    host,
    applied: {
      ...applied,
      ...(requestHeaders ? { requestHeaders } : {}),
      ...(responseHeaders ? { responseHeaders } : {}),
      ...(resolved.timeouts ? { timeouts: resolved.timeouts } : {}),
      ...(resolved.mirror ? { mirror: resolved.mirror } : {}),
      ...(resolved.affinity ? { sessionAffinity: resolved.affinity } : {}),
    } as AppliedPolicy,
  };
}

/** What Traefik does with the request. */
export const interpretTraefik: DialectInterpreter = (compiled, request) => {
  const ctx: Ctx = { byKind: index(compiled.objects), request };
  if (request.scheme === 'https') {
    const tcp = passthrough(ctx);
    if (tcp) return tcp;
  }
  // HTTP routers of the entry point; a TLS router serves HTTPS only, a plain one HTTP only
  // (crd/http/ingressroute.md `tls`). Routers are keyed by namespace, IngressRoute and rule: a repeated
  // rule in one IngressRoute replaces the earlier (crd/kubernetes.go makeServiceKey).
  const routers = new Map<string, { ns: string; route: Spec }>();
  for (const o of ctx.byKind.get('IngressRoute')?.values() ?? []) {
    const spec = specOf(o);
    checkEntryPoints(spec.entryPoints);
    if (!spec.entryPoints.includes(entryPointOf(request))) continue;
    if ((spec.tls !== undefined) !== (request.scheme === 'https')) continue;
    const ns = o.metadata.namespace ?? 'default';
    for (const route of spec.routes as Spec[]) {
      if (route.kind !== undefined && route.kind !== 'Rule')
        throw new Error(`traefik oracle: route kind ${route.kind}`);
      routers.set(`${ns}/${o.metadata.name}/${route.match}`, { ns, route });
    }
  }
  const matching = [...routers.values()].filter(({ route }) => httpRuleMatches(parseRule(route.match), request));
  if (matching.length === 0) return { kind: 'no-route' };
  // Highest priority first; equal priorities are ordered arbitrarily (sort.Sort is not stable), so a
  // tie must not matter. A router whose references cross namespaces is never built: the next one serves.
  const priorities = [...new Set(matching.map(({ route }) => priorityOf(route)))].sort((a, b) => b - a);
  for (const p of priorities) {
    const outcomes = matching
      .filter(({ route }) => priorityOf(route) === p)
      .flatMap(({ ns, route }) => {
        try {
          return [serve(ctx, ns, route)];
        } catch (error) {
          if (error instanceof CrossNamespace) return [];
          throw error;
        }
      });
    if (outcomes.length === 0) continue;
    if (new Set(outcomes.map((o) => JSON.stringify(o))).size > 1)
      throw new Error(`traefik oracle: routers tie at priority ${p} with different outcomes`);
    return outcomes[0]!;
  }
  return { kind: 'no-route' };
};
