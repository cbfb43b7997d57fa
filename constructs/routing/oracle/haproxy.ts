/**
 * Interpreter of the HAProxy dialect: what the haproxytech kubernetes-ingress controller (3.2,
 * haproxytech/kubernetes-ingress) does with the compiled Ingresses and the Service annotations for one
 * request. Sources are cited per behaviour; the HAProxy frontends are fs/usr/local/etc/haproxy/haproxy.cfg
 * plus the rules of pkg/controller/controller.go setupHAProxyRules. Pure: no engine imports.
 */
import type { KubeObject } from '../types';
import { distribution } from './common';
import {
  anyMs,
  appliedFromIngress,
  deniedBy,
  INGRESS_KEYS,
  rewriteHost,
  rewritePath,
  ruleVerdict,
  SERVICE_KEYS,
} from './haproxy-applied';
import type { DialectInterpreter, TrafficOutcome, TrafficRequest, WeightedBackend } from './types';

const PREFIXES = ['haproxy.org/', 'haproxy.com/', 'ingress.kubernetes.io/'];

interface Ingress {
  readonly name: string;
  readonly namespace: string;
  /** Annotations with the prefix stripped (pkg/store CopyAnnotations). */
  readonly a: Readonly<Record<string, string>>;
  readonly tls: boolean;
  readonly passthrough: boolean;
}

/** One path of an Ingress rule, as pkg/store/convert.go keeps it. */
interface Route {
  readonly ing: Ingress;
  readonly host: string;
  readonly path: string;
  readonly pathType: string;
  readonly namespace: string;
  readonly service: string;
  readonly port: number;
}

type MapName = 'exact' | 'prefix-exact' | 'prefix' | 'sni';

function strip(annotations: unknown, where: string, known: Set<string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((annotations ?? {}) as Record<string, string>)) {
    const prefix = PREFIXES.find((p) => k.startsWith(p));
    if (!prefix) continue; // not the controller's (labels of other tools)
    const key = k.slice(prefix.length);
    if (!known.has(key)) throw new Error(`oracle(haproxy): ${where} annotation ${k} is not modeled`);
    out[key] = v;
  }
  return out;
}

function readIngresses(objects: readonly KubeObject[]): Route[] {
  const routes: Route[] = [];
  for (const o of objects) {
    if (o.kind === 'Certificate' && o.apiVersion === 'cert-manager.io/v1') continue; // writes the TLS Secret only
    if (o.kind !== 'Ingress' || o.apiVersion !== 'networking.k8s.io/v1')
      throw new Error(`oracle(haproxy): ${o.apiVersion} ${o.kind} is not modeled`);
    const spec = o.spec as {
      defaultBackend?: unknown;
      tls?: unknown[];
      rules?: { host?: string; http?: { paths: Record<string, unknown>[] } }[];
    };
    if (spec.defaultBackend) throw new Error('oracle(haproxy): Ingress defaultBackend is not modeled');
    const a = strip(o.metadata.annotations, `Ingress ${o.metadata.name}`, INGRESS_KEYS);
    const ing: Ingress = {
      name: o.metadata.name,
      namespace: o.metadata.namespace ?? 'default',
      a,
      tls: (spec.tls?.length ?? 0) > 0,
      passthrough: a['ssl-passthrough'] === 'true',
    };
    for (const rule of spec.rules ?? []) {
      if (!rule.host) throw new Error('oracle(haproxy): an Ingress rule without host is not modeled');
      for (const p of rule.http?.paths ?? []) {
        const svc = (p.backend as { service?: { name: string; port: { number?: number } } }).service;
        if (!svc?.port.number) throw new Error('oracle(haproxy): only Service backends with a port number are modeled');
        routes.push({
          ing,
          host: rule.host,
          path: (p.path as string | undefined) ?? '',
          pathType: p.pathType as string,
          namespace: ing.namespace,
          service: svc.name,
          port: svc.port.number,
        });
      }
    }
  }
  return routes;
}

/** The map rows of a path without route-acl (pkg/route/route.go AddHostPathRoute); wildcard '*.d' becomes '.d'. */
function rowsOf(r: Route): { map: MapName; key: string }[] {
  const host = r.host.startsWith('*') ? r.host.slice(1) : r.host;
  const rows: { map: MapName; key: string }[] = r.ing.passthrough ? [{ map: 'sni', key: host }] : [];
  const path = r.path;
  if (r.pathType === 'Exact') rows.push({ map: 'exact', key: host + path });
  else if (path === '' || path === '/') rows.push({ map: 'prefix', key: `${host}/` });
  else if (r.pathType === 'Prefix') {
    const p = path.replace(/\/$/, '');
    rows.push({ map: 'prefix-exact', key: host + p }, { map: 'prefix', key: `${host + p}/` });
  } else if (r.pathType === 'ImplementationSpecific') {
    const p = path.replace(/\/$/, '');
    rows.push({ map: 'prefix-exact', key: host + p }, { map: 'prefix', key: host + p });
  } else throw new Error(`oracle(haproxy): path type ${r.pathType} is not modeled`);
  return rows;
}

/** Two rows agree when they name the same backend and the same Ingress rules (map value = backend + rule IDs). */
const identity = (r: Route) =>
  JSON.stringify([r.namespace, r.service, r.port, r.ing.tls, Object.entries(r.ing.a).sort()]);

function pick(found: Route[], what: string): Route | undefined {
  if (new Set(found.map(identity)).size > 1)
    throw new Error(
      `oracle(haproxy): ${what} has entries of ${found.map((r) => r.ing.name).join(', ')}: HAProxy picks one arbitrarily`,
    );
  return found[0];
}

/** map(): exact key; map_beg(): the longest key that begins the value (HAProxy prefix tree, src/pattern.c). */
function lookup(rows: { map: MapName; key: string; route: Route }[], map: MapName, key: string, beg = false) {
  const hits = rows.filter((r) => r.map === map && (beg ? key.startsWith(r.key) : key === r.key));
  const longest = Math.max(-1, ...hits.map((h) => h.key.length));
  return pick(
    hits.filter((h) => h.key.length === longest).map((h) => h.route),
    `${map} map key ${key}`,
  );
}

/** txn.host_match: the Host, else '.<parent>' for a one-label wildcard (controller.go setupHAProxyRules). */
function hostMatch(hosts: ReadonlySet<string>, host: string): string | undefined {
  if (hosts.has(host)) return host;
  const parent = host.replace(/^[^.]*/, '');
  return hosts.has(parent) ? parent : undefined;
}

/** The custom route condition of route.go AddCustomRoute plus the Service's route-acl; rand() returned apart. */
function customMatches(r: Route, acl: string, request: TrafficRequest): { rand?: [number, number] } | undefined {
  const hostOk = r.host.startsWith('*') ? request.host.endsWith(r.host.slice(1)) : request.host === r.host;
  if (!hostOk) return undefined;
  if (r.path !== '') {
    if (r.pathType === 'Exact') {
      if (request.path !== r.path) return undefined;
    } else if (r.path !== '/' && !new RegExp(`^${r.path.replace(/\/$/, '')}($|/)`).test(request.path)) return undefined;
  }
  let m = /^rand\((\d+)\) lt (\d+)$/.exec(acl);
  if (m) return { rand: [Number(m[2]), Number(m[1])] };
  m = /^req\.hdr\(([^)]+)\) -m (str|reg) (\S+)$/.exec(acl);
  if (m) {
    const v = request.headers[m[1]!.toLowerCase()];
    if (v === undefined) return undefined;
    return (m[2] === 'str' ? v === m[3] : new RegExp(m[3]!).test(v)) ? {} : undefined;
  }
  m = /^req\.cook\(([^)]+)\) -m str (\S+)$/.exec(acl);
  if (m) return request.cookies[m[1]!] === m[2] ? {} : undefined;
  m = /^method (\S+)$/.exec(acl);
  if (m) return request.method === m[1] ? {} : undefined;
  throw new Error(`oracle(haproxy): route-acl ${JSON.stringify(acl)} is not modeled`);
}

/** The backend a route names, with the settings HAProxy gives that backend. */
function backendOf(r: Route, all: readonly Route[], svc: Readonly<Record<string, string>> = {}) {
  // One backend per Service and port (pkg/service/service.go GetBackendName), configured from the
  // Service's annotations, then the annotations of whichever Ingress naming it was processed last.
  const users = all.filter((o) => o.namespace === r.namespace && o.service === r.service && o.port === r.port);
  const settings = new Set(
    users.map((u) => JSON.stringify(['timeout-server', 'server-ssl', 'server-proto'].map((k) => svc[k] ?? u.ing.a[k]))),
  );
  if (settings.size > 1)
    throw new Error(
      `oracle(haproxy): backend ${r.namespace}/${r.service}:${r.port} gets settings from Ingresses that disagree`,
    );
  const [timeout, ssl, proto] = JSON.parse([...settings][0]!) as (string | null)[];
  const protocol: WeightedBackend['protocol'] = ssl === 'true' ? 'https' : proto === 'h2' ? 'h2c' : undefined;
  return {
    backend: { namespace: r.namespace, service: r.service, port: r.port, weight: 1, ...(protocol ? { protocol } : {}) },
    timeout: timeout ?? undefined,
    cookie: svc['cookie-persistence'],
  };
}

/** What the HAProxy Kubernetes Ingress controller does with the compiled Ingresses and Service annotations. */
export const interpretHaproxy: DialectInterpreter = (compiled, request): TrafficOutcome => {
  const routes = readIngresses(compiled.objects);
  const services = new Map<string, Record<string, string>>();
  for (const s of compiled.serviceAnnotations ?? []) {
    const key = `${s.namespace}/${s.service}`;
    const merged = { ...(services.get(key) ?? {}), ...strip(s.annotations, `Service ${key}`, SERVICE_KEYS) };
    services.set(key, merged);
  }
  const svcOf = (r: Route) => services.get(`${r.namespace}/${r.service}`) ?? {};
  // A Service with route-acl makes every path naming it a custom route (pkg/ingress/ingress.go handlePath).
  const custom = routes.filter((r) => svcOf(r)['route-acl'] !== undefined);
  const rows = routes
    .filter((r) => svcOf(r)['route-acl'] === undefined)
    .flatMap((route) => rowsOf(route).map((row) => ({ ...row, route })));
  const passthroughAnywhere = routes.some((r) => r.ing.passthrough);

  // TLS first meets the ssl frontend when any Ingress passes TLS through (pkg/handler/https.go):
  // req_ssl_sni looked up in the SNI map (then its one-label parent), else chained to the https frontend.
  if (request.scheme === 'https' && passthroughAnywhere) {
    const sni = rows.filter((r) => r.map === 'sni');
    const key = hostMatch(new Set(sni.map((r) => r.key)), request.host);
    const hit = key === undefined ? undefined : lookup(rows, 'sni', key);
    if (hit) {
      if (deniedBy(hit.ing.a, request)) return { kind: 'denied' }; // tcp-request content reject on the ssl frontend
      const { backend } = backendOf(hit, routes, svcOf(hit));
      return { kind: 'passthrough', backends: distribution([backend]) };
    }
  }

  const hostRows = rows.filter((r) => r.map !== 'sni');
  const host = hostMatch(new Set(hostRows.map((r) => hostKey(r.route))), request.host);
  const key = (host ?? '') + request.path;
  const matched =
    host === undefined
      ? undefined
      : (lookup(hostRows, 'exact', key) ??
        lookup(hostRows, 'prefix-exact', key) ??
        lookup(hostRows, 'prefix', key, true));
  if (matched?.ing.passthrough) return { kind: 'no-route' }; // plain HTTP into a TCP backend: not served

  // http-request rules of the matched Ingress run before any backend switching.
  const verdict = matched ? ruleVerdict(matched.ing.a, matched.ing.tls, request, passthroughAnywhere) : undefined;
  if (verdict) return verdict;

  // Backend switching: the custom routes (inserted at index 0, in no defined order), then the map result.
  const hits = custom
    .map((r) => ({ r, m: customMatches(r, svcOf(r)['route-acl']!, request) }))
    .filter((h): h is { r: Route; m: { rand?: [number, number] } } => h.m !== undefined);
  const distinct = new Map(hits.map((h) => [JSON.stringify([h.r.namespace, h.r.service, h.r.port, h.m.rand]), h]));
  if (distinct.size > 1)
    throw new Error('oracle(haproxy): several route-acl rules match and the controller orders them arbitrarily');
  const hit = [...distinct.values()][0];
  const weighted: { route: Route; weight: number }[] = [];
  if (hit && (!hit.m.rand || hit.m.rand[0] >= hit.m.rand[1])) weighted.push({ route: hit.r, weight: 1 });
  else {
    const [k, n] = hit?.m.rand ?? [0, 1];
    if (k > 0) weighted.push({ route: hit!.r, weight: k });
    if (!matched) {
      if (k > 0) throw new Error('oracle(haproxy): a rand() canary with no map entry under it answers 404 otherwise');
      return { kind: 'no-route' };
    }
    weighted.push({ route: matched, weight: n - k });
  }
  const parts = weighted.map((w) => ({ ...backendOf(w.route, routes, svcOf(w.route)), weight: w.weight }));
  const applied = matched ? appliedFromIngress(matched.ing.a, request) : {};
  const timeouts = new Set(parts.map((p) => p.timeout));
  const cookies = new Set(parts.map((p) => p.cookie));
  if (timeouts.size > 1 || cookies.size > 1)
    throw new Error('oracle(haproxy): the backends of one request have different timeouts or cookies');
  const timeout = [...timeouts][0];
  if (timeout) applied.timeouts = { backendRequest: anyMs(timeout) };
  const cookie = [...cookies][0];
  if (cookie) applied.sessionAffinity = { cookieName: cookie.split(/\s+/)[0] };
  return {
    kind: 'forward',
    backends: distribution(parts.map((p): WeightedBackend => ({ ...p.backend, weight: p.weight }))),
    path: matched ? rewritePath(matched.ing.a, request.path) : request.path,
    host: matched ? rewriteHost(matched.ing.a, request.host) : request.host,
    applied,
    ...(matched ? { rule: `${matched.ing.namespace}/${matched.ing.name}` } : {}),
  };
};

/** The host map key of a route: the host, '.d' for '*.d' (route.go AddHostPathRoute). */
function hostKey(r: Route): string {
  return r.host.startsWith('*') ? r.host.slice(1) : r.host;
}
