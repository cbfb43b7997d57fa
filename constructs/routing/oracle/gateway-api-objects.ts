/**
 * Reading Gateway API objects for the oracle: the kinds the interpreter knows, route attachment to
 * the Gateway's listeners, hostname precedence, and ReferenceGrant checks. Anything it does not
 * model throws, naming the kind or field. Pure: no engine imports.
 */
import type { KubeObject } from '../types';
import { mostSpecificHost } from './common';

export const GW = 'gateway.networking.k8s.io';
export const EG = 'gateway.envoyproxy.io';

/** The Gateway the compiled routes attach to; the interpreter cannot see it, so it is given. */
export interface GatewayListeners {
  readonly name: string;
  readonly namespace: string;
  /** Listener of protocol HTTP, port 80. */
  readonly http: string;
  /** Listener of protocol HTTPS (TLS terminated), port 443. */
  readonly https: string;
  /** Listener of protocol TLS, mode Passthrough. */
  readonly tlsPassthrough: string;
}

/** The compiler's default Gateway (`resolveGateway` in gateway-api.ts). */
export const DEFAULT_GATEWAY: GatewayListeners = {
  name: 'switchyard',
  namespace: 'gateway-system',
  http: 'http',
  https: 'https',
  tlsPassthrough: 'tls-passthrough',
};

/** Compiled JSON, read structurally: every field the interpreter uses is checked where it is read. */
// biome-ignore lint/suspicious/noExplicitAny: objects are untyped JSON; unknown keys throw where read
export type Json = any;
export type Obj = KubeObject & { spec?: Json };
export type RouteKind = 'HTTPRoute' | 'GRPCRoute' | 'TLSRoute';

/** One route object, as read. */
export interface Route {
  readonly kind: RouteKind;
  readonly namespace: string;
  readonly name: string;
  /** ISO creationTimestamp, '' when unset (objects not yet applied: equal). */
  readonly created: string;
  readonly hostnames: readonly string[];
  readonly rules: readonly Json[];
  readonly listeners: ReadonlySet<string>;
}

/** The objects, by kind, with every kind checked. */
export interface Indexed {
  readonly routes: readonly Route[];
  readonly grants: readonly Obj[];
  readonly backendTls: readonly Obj[];
  readonly policies: readonly Obj[];
  readonly middlewares: readonly Obj[];
}

const group = (o: KubeObject) => o.apiVersion.split('/')[0]!;

function known<T extends object>(what: string, value: T, keys: readonly string[]): T {
  for (const k of Object.keys(value)) {
    if (!keys.includes(k)) throw new Error(`oracle(gateway-api): ${what}.${k} is not modelled`);
  }
  return value;
}

/**
 * Listeners a route attaches to. A parentRef names the Gateway (group and kind default to the
 * Gateway's, namespace to the route's) and a listener by sectionName; without sectionName it attaches
 * to every listener whose protocol admits the route's kind (apis/v1/shared_types.go ParentReference).
 * Listener kinds: HTTP and HTTPS admit HTTPRoute and GRPCRoute, TLS admits TLSRoute (gateway_types.go
 * ListenerSpec AllowedRoutes, "Support: Core" kinds per protocol). The listeners are assumed to allow
 * routes from all namespaces; the Gateway is not among the compiled objects.
 */
function attachedListeners(o: Obj, kind: RouteKind, gateway: GatewayListeners): Set<string> {
  const out = new Set<string>();
  const ns = o.metadata.namespace ?? 'default';
  const admits = (listener: string) =>
    kind === 'TLSRoute' ? listener === gateway.tlsPassthrough : listener === gateway.http || listener === gateway.https;
  for (const ref of (o.spec?.parentRefs ?? []) as Json[]) {
    known(`${kind} ${o.metadata.name} parentRefs[]`, ref, ['group', 'kind', 'name', 'namespace', 'sectionName']);
    if ((ref.group ?? GW) !== GW || (ref.kind ?? 'Gateway') !== 'Gateway') {
      throw new Error(`oracle(gateway-api): parentRef ${ref.group}/${ref.kind} is not modelled`);
    }
    if (ref.name !== gateway.name || (ref.namespace ?? ns) !== gateway.namespace) continue;
    const candidates = ref.sectionName ? [ref.sectionName] : [gateway.http, gateway.https, gateway.tlsPassthrough];
    for (const l of candidates) if (admits(l)) out.add(l);
  }
  return out;
}

/** Indexes the compiled objects; throws on a kind the interpreter does not model. */
export function indexObjects(objects: readonly KubeObject[], gateway: GatewayListeners): Indexed {
  const routes: Route[] = [];
  const grants: Obj[] = [];
  const backendTls: Obj[] = [];
  const policies: Obj[] = [];
  const middlewares: Obj[] = [];
  for (const o of objects as Obj[]) {
    const g = group(o);
    if (g === GW && (o.kind === 'HTTPRoute' || o.kind === 'GRPCRoute' || o.kind === 'TLSRoute')) {
      known(`${o.kind} ${o.metadata.name}.spec`, o.spec ?? {}, ['parentRefs', 'hostnames', 'rules']);
      routes.push({
        kind: o.kind,
        namespace: o.metadata.namespace ?? 'default',
        name: o.metadata.name,
        created: String(o.metadata.creationTimestamp ?? ''),
        hostnames: o.spec?.hostnames ?? [],
        // HTTPRoute's CRD default: one rule matching PathPrefix '/' (httproute_types.go HTTPRouteSpec.Rules).
        rules:
          o.spec?.rules ??
          (o.kind === 'HTTPRoute' ? [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }] }] : []),
        listeners: attachedListeners(o, o.kind, gateway),
      });
    } else if (g === GW && o.kind === 'ReferenceGrant') grants.push(o);
    else if (g === GW && o.kind === 'BackendTLSPolicy') backendTls.push(o);
    else if (g === 'cert-manager.io' && o.kind === 'Certificate') {
      // Issues the listener's Secret: no effect on routing.
    } else if (g === EG && (o.kind === 'BackendTrafficPolicy' || o.kind === 'SecurityPolicy')) policies.push(o);
    else if (g === 'traefik.io' && o.kind === 'Middleware') middlewares.push(o);
    else throw new Error(`oracle(gateway-api): ${o.apiVersion} ${o.kind} is not modelled`);
  }
  return { routes, grants, backendTls, policies, middlewares };
}

/** Whether two hostname sets intersect ('*.' is a suffix match of one or more labels; none = Json). */
function intersects(a: readonly string[], b: readonly string[]): boolean {
  if (a.length === 0 || b.length === 0) return true;
  const covers = (w: string, h: string) => w === h || (w.startsWith('*.') && h.endsWith(w.slice(1)));
  return a.some((x) => b.some((y) => covers(x, y) || covers(y, x)));
}

/** Route order for ties across routes: oldest creationTimestamp, then '{namespace}/{name}' (httproute_types.go). */
export function routeOrder(a: Route, b: Route): number {
  if (a.created !== b.created) return a.created < b.created ? -1 : 1;
  const ka = `${a.namespace}/${a.name}`;
  const kb = `${b.namespace}/${b.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/**
 * The routes a listener accepts. An HTTPRoute and a GRPCRoute whose hostnames intersect on one
 * listener: exactly one is accepted, the oldest, then the first by '{namespace}/{name}'
 * (grpcroute_types.go GRPCRouteSpec.Hostnames).
 */
export function acceptedOn(routes: readonly Route[], listener: string): Route[] {
  const accepted: Route[] = [];
  for (const r of routes.filter((x) => x.listeners.has(listener)).sort(routeOrder)) {
    const clash = accepted.some(
      (a) =>
        a.kind !== r.kind && a.kind !== 'TLSRoute' && r.kind !== 'TLSRoute' && intersects(a.hostnames, r.hostnames),
    );
    if (!clash) accepted.push(r);
  }
  return accepted;
}

/**
 * The routes competing for `host`: those listing the most specific matching hostname (an exact name
 * beats the longest '*.' suffix: HTTPRouteSpec.Hostnames precedence), or those without hostnames
 * (they match every host) when no hostname matches.
 */
export function routesForHost(routes: readonly Route[], host: string): Route[] {
  const chosen = chosenHostname(routes, host);
  return chosen === undefined
    ? routes.filter((r) => r.hostnames.length === 0)
    : routes.filter((r) => r.hostnames.includes(chosen));
}

/** The most specific hostname of `routes` that covers `host`, or undefined. */
export function chosenHostname(routes: readonly Route[], host: string): string | undefined {
  return mostSpecificHost(
    routes.flatMap((r) => r.hostnames),
    host,
  );
}

/**
 * Whether a route in `fromNs` of `kind` may reference Service `name` in `toNs`: same namespace, or a
 * ReferenceGrant in `toNs` lists the route's group, kind and namespace in `from` and the Service (by
 * name, or all Services) in `to` (apis/v1/referencegrant_types.go).
 */
export function referencePermitted(
  grants: readonly Obj[],
  kind: RouteKind,
  fromNs: string,
  toNs: string,
  name: string,
): boolean {
  if (fromNs === toNs) return true;
  return grants.some(
    (g) =>
      (g.metadata.namespace ?? 'default') === toNs &&
      (g.spec?.from ?? []).some((f: Json) => f.group === GW && f.kind === kind && f.namespace === fromNs) &&
      (g.spec?.to ?? []).some(
        (t: Json) => (t.group ?? '') === '' && t.kind === 'Service' && (t.name === undefined || t.name === name),
      ),
  );
}
