/**
 * What the ingress-nginx controller builds from Ingress objects before any request arrives: the
 * upstreams (one per Service port, shared by every Ingress that names it), the servers (one per host)
 * with their locations, canaries merged as alternative backends, locations sorted and normalized.
 * Follows kubernetes/ingress-nginx v1.15.1 (`internal/ingress/controller/controller.go`
 * getBackendServers, createUpstreams, createServers, mergeAlternativeBackends;
 * `internal/ingress/controller/location.go` updateServerLocations; `store/store.go` sortIngressSlice).
 * Pure: no engine imports.
 */
import type { KubeObject } from '../types';

export const NGINX = 'nginx.ingress.kubernetes.io/';

/** The annotations the interpreter models; any other nginx annotation makes it throw. */
const KNOWN = new Set(
  [
    'canary',
    'canary-weight',
    'canary-weight-total',
    'canary-by-header',
    'canary-by-header-value',
    'canary-by-header-pattern',
    'canary-by-cookie',
    'use-regex',
    'rewrite-target',
    'ssl-redirect',
    'force-ssl-redirect',
    'preserve-trailing-slash',
    'ssl-passthrough',
    'permanent-redirect',
    'permanent-redirect-code',
    'temporal-redirect',
    'temporal-redirect-code',
    'upstream-vhost',
    'proxy-connect-timeout',
    'proxy-read-timeout',
    'proxy-send-timeout',
    'proxy-next-upstream',
    'proxy-next-upstream-tries',
    'mirror-target',
    'affinity',
    'session-cookie-name',
    'session-cookie-max-age',
    'limit-rps',
    'limit-burst-multiplier',
    'allowlist-source-range',
    'denylist-source-range',
    'enable-cors',
    'cors-allow-origin',
    'cors-allow-methods',
    'cors-allow-headers',
    'cors-expose-headers',
    'cors-allow-credentials',
    'cors-max-age',
    'proxy-body-size',
    'backend-protocol',
  ].map((a) => `${NGINX}${a}`),
);

export type PathType = 'Exact' | 'Prefix' | 'ImplementationSpecific';

export interface IngressPath {
  readonly host: string;
  readonly path: string;
  readonly pathType: PathType;
  readonly upstream: string;
  readonly service: string;
  readonly port: number;
}

/** One parsed Ingress. */
export interface NginxIngress {
  readonly key: string;
  readonly namespace: string;
  readonly annotations: Readonly<Record<string, string>>;
  readonly tlsHosts: ReadonlySet<string>;
  readonly paths: readonly IngressPath[];
  readonly canary: boolean;
  readonly created?: string;
}

/** The canary Lua balancer's traffic shaping policy (`rootfs/etc/nginx/lua/balancer.lua`). */
export interface TrafficShaping {
  readonly weight: number;
  readonly weightTotal: number;
  readonly header: string;
  readonly headerValue: string;
  readonly headerPattern: string;
  readonly cookie: string;
}

export interface Upstream {
  readonly name: string;
  readonly namespace: string;
  readonly service: string;
  readonly port: number;
  /** Created by a canary Ingress: never a location's own backend (`NoServer`). */
  readonly noServer: boolean;
  readonly shaping?: TrafficShaping;
  readonly alternatives: string[];
  affinity?: { cookieName: string; maxAge?: number; owner: string };
}

export interface NginxLocation {
  path: string;
  pathType: PathType;
  readonly backend: string | undefined; // undefined: the controller's default backend (404)
  readonly ingress: NginxIngress;
  readonly isDefault: boolean;
}

export interface NginxServer {
  readonly host: string;
  locations: NginxLocation[];
  tls: boolean;
  passthrough: boolean;
}

export interface NginxConfig {
  readonly servers: ReadonlyMap<string, NginxServer>;
  readonly upstreams: ReadonlyMap<string, Upstream>;
}

const fail = (message: string): never => {
  throw new Error(`oracle ingress-nginx: ${message}`);
};

const BASIC_CHARS = /^[/\-._~a-zA-Z0-9:]*$/; // parser.BasicCharsRegex

/** The canary annotations as the controller parses them (`internal/ingress/annotations/canary/main.go`). */
export function shapingOf(a: Readonly<Record<string, string>>): TrafficShaping {
  const int = (name: string, fallback: number) => {
    const v = a[`${NGINX}${name}`];
    return v !== undefined && /^-?\d+$/.test(v) ? Number(v) : fallback;
  };
  const basic = (name: string) => {
    const v = a[`${NGINX}${name}`] ?? '';
    return BASIC_CHARS.test(v) ? v : '';
  };
  return {
    weight: int('canary-weight', 0),
    weightTotal: int('canary-weight-total', 100),
    header: basic('canary-by-header'),
    headerValue: basic('canary-by-header-value'),
    headerPattern: a[`${NGINX}canary-by-header-pattern`] ?? '',
    cookie: basic('canary-by-cookie'),
  };
}

function parseIngress(o: KubeObject): NginxIngress {
  if (o.apiVersion !== 'networking.k8s.io/v1') fail(`Ingress apiVersion ${o.apiVersion}`);
  const meta = o.metadata as { name: string; namespace?: string; annotations?: Record<string, string> } & Record<
    string,
    unknown
  >;
  const namespace = meta.namespace ?? 'default';
  const annotations = meta.annotations ?? {};
  for (const k of Object.keys(annotations)) if (!KNOWN.has(k)) fail(`annotation ${k} is not modelled`);
  const spec = o.spec as {
    defaultBackend?: unknown;
    tls?: { hosts?: string[]; secretName?: string }[];
    rules?: {
      host?: string;
      http?: {
        paths: {
          path?: string;
          pathType: PathType;
          backend?: { service?: { name?: string; port?: { number?: number } } };
        }[];
      };
    }[];
  };
  if (spec.defaultBackend) fail('spec.defaultBackend is not modelled');
  const paths: IngressPath[] = [];
  for (const rule of spec.rules ?? []) {
    if (!rule.host) fail(`${meta.name}: a rule without host (the default server) is not modelled`);
    for (const p of rule.http?.paths ?? []) {
      const name = p.backend?.service?.name;
      const port = p.backend?.service?.port?.number;
      if (!name || typeof port !== 'number') return fail(`${meta.name}: only Service backends with a port number`);
      paths.push({
        host: rule.host!,
        path: p.path || '/',
        pathType: p.pathType,
        upstream: `${namespace}-${name}-${port}`,
        service: name,
        port,
      });
    }
  }
  return {
    key: `${namespace}/${meta.name}`,
    namespace,
    annotations,
    tlsHosts: new Set((spec.tls ?? []).flatMap((t) => t.hosts ?? [])),
    paths,
    canary: annotations[`${NGINX}canary`] === 'true',
    ...(typeof meta.creationTimestamp === 'string' ? { created: meta.creationTimestamp } : {}),
  };
}

/**
 * sortIngressSlice: oldest first; equal timestamps by 'namespace/name' DESCENDING. Objects without a
 * creationTimestamp are taken as created together (one apply).
 */
function sortIngresses(list: NginxIngress[]): NginxIngress[] {
  return [...list].sort((a, b) => {
    const [x, y] = [a.created ?? '', b.created ?? ''];
    if (x !== y) return x < y ? -1 : 1;
    return a.key > b.key ? -1 : a.key < b.key ? 1 : 0;
  });
}

function affinityOf(a: Readonly<Record<string, string>>, owner: string): Upstream['affinity'] {
  if (a[`${NGINX}affinity`] !== 'cookie') return undefined;
  const maxAge = a[`${NGINX}session-cookie-max-age`];
  return {
    cookieName: a[`${NGINX}session-cookie-name`] ?? 'INGRESSCOOKIE',
    ...(maxAge && /^\d+$/.test(maxAge) ? { maxAge: Number(maxAge) } : {}),
    owner,
  };
}

/** Builds the controller's configuration from compiled objects. */
export function buildConfig(objects: readonly KubeObject[]): NginxConfig {
  const parsed: NginxIngress[] = [];
  for (const o of objects) {
    if (o.kind === 'Ingress') parsed.push(parseIngress(o));
    else if (o.kind === 'Certificate' && o.apiVersion === 'cert-manager.io/v1')
      continue; // only fills the Secret
    else fail(`kind ${o.apiVersion}/${o.kind} is not modelled`);
  }
  // The controller serves one IngressClass (--ingress-class, chart controller.ingressClassResource.name).
  const classes = new Set(
    objects.filter((o) => o.kind === 'Ingress').map((o) => (o.spec as { ingressClassName?: string }).ingressClassName),
  );
  if (classes.size > 1) fail(`Ingresses of several classes (${[...classes].join(', ')}): one controller serves one`);
  const ingresses = sortIngresses(parsed);

  // createUpstreams: the first Ingress naming a Service port creates its upstream; a canary one marks
  // it NoServer and gives it the traffic shaping policy.
  const upstreams = new Map<string, Upstream>();
  for (const ing of ingresses) {
    for (const p of ing.paths) {
      if (upstreams.has(p.upstream)) continue;
      upstreams.set(p.upstream, {
        name: p.upstream,
        namespace: ing.namespace,
        service: p.service,
        port: p.port,
        noServer: ing.canary,
        ...(ing.canary ? { shaping: shapingOf(ing.annotations) } : {}),
        alternatives: [],
      });
    }
  }

  // createServers: every host starts with a root location on the default backend, carrying the
  // annotations of the first Ingress of the host (locationApplyAnnotations).
  const servers = new Map<string, NginxServer>();
  for (const ing of ingresses) {
    if (ing.canary) continue;
    for (const p of ing.paths) {
      if (servers.has(p.host)) continue;
      servers.set(p.host, {
        host: p.host,
        locations: [{ path: '/', pathType: 'Prefix', backend: undefined, ingress: ing, isDefault: true }],
        tls: false,
        passthrough: false,
      });
    }
  }
  for (const ing of ingresses) {
    if (ing.canary) continue;
    for (const host of new Set(ing.paths.map((p) => p.host))) {
      const server = servers.get(host)!;
      if (ing.annotations[`${NGINX}ssl-passthrough`] === 'true') server.passthrough = true;
      if (ing.tlsHosts.has(host)) server.tls = true; // only the first certificate is kept; any makes it TLS
    }
  }

  // getBackendServers: one location per (path, pathType) and host; an existing one is kept (oldest
  // wins) unless it is the default root location, which the first Prefix '/' replaces.
  for (const ing of ingresses) {
    for (const p of ing.paths) {
      const ups = upstreams.get(p.upstream)!;
      if (ups.noServer) continue;
      const server = servers.get(p.host);
      if (!server) continue;
      const same = server.locations.findIndex((l) => l.path === p.path && l.pathType === p.pathType);
      const location: NginxLocation = {
        path: p.path,
        pathType: p.pathType,
        backend: p.upstream,
        ingress: ing,
        isDefault: false,
      };
      if (same < 0) server.locations.push(location);
      else if (server.locations[same]!.isDefault) server.locations[same] = location;
      else if (server.locations[same]!.ingress !== ing)
        fail(
          `Ingresses ${server.locations[same]!.ingress.key} and ${ing.key} both define location ${p.pathType} ${p.path} on ${p.host}: the older one wins, so traffic depends on creation order`,
        );
    }
  }

  // Session affinity belongs to the upstream: every Ingress naming the Service port shares it, set by
  // whichever comes first (getBackendServers), so Ingresses that disagree make it creation-order dependent.
  for (const ups of upstreams.values()) {
    if (ups.noServer) continue;
    const users = ingresses.filter((i) => !i.canary && i.paths.some((p) => p.upstream === ups.name));
    const settings = users.map((i) => JSON.stringify(affinityOf(i.annotations, '') ?? null));
    if (new Set(settings).size > 1)
      fail(
        `Ingresses ${users.map((u) => u.key).join(', ')} share upstream ${ups.name} with different session affinity`,
      );
    const first = users[0] && affinityOf(users[0].annotations, users[0].key);
    if (first) ups.affinity = first;
  }

  // mergeAlternativeBackends: a canary path joins the upstream of the location with the same host,
  // path and pathType; the alternative belongs to the upstream, so every location using it sees it.
  for (const ing of ingresses) {
    if (!ing.canary) continue;
    for (const p of ing.paths) {
      const alt = upstreams.get(p.upstream)!;
      const server = servers.get(p.host);
      if (!server) continue;
      for (const loc of server.locations) {
        if (loc.backend === undefined) continue;
        const primary = upstreams.get(loc.backend)!;
        if (primary.name === alt.name) break; // altEqualsPri
        if (!primary.noServer && loc.path === p.path && loc.pathType === p.pathType) {
          if (!primary.alternatives.includes(alt.name)) primary.alternatives.push(alt.name);
        }
      }
    }
  }

  for (const server of servers.values()) {
    // Two stable sorts: path descending, then length descending.
    server.locations.sort((a, b) => (a.path > b.path ? -1 : a.path < b.path ? 1 : 0));
    server.locations.sort((a, b) => b.path.length - a.path.length);
    server.locations = updateServerLocations(server.locations);
  }
  return { servers, upstreams };
}

/** Whether a location's own Ingress needs regex locations (needsRewrite || use-regex). */
export function locationNeedsRegex(l: NginxLocation): boolean {
  const a = l.ingress.annotations;
  const target = a[`${NGINX}rewrite-target`];
  return a[`${NGINX}use-regex`] === 'true' || (target !== undefined && target !== '' && target !== l.path);
}

/** location.go updateServerLocations: a plain Prefix '/x' becomes '/x/' plus an Exact '/x' copy. */
function updateServerLocations(locations: NginxLocation[]): NginxLocation[] {
  const exact = new Set(locations.filter((l) => l.pathType === 'Exact').map((l) => l.path));
  const out: NginxLocation[] = [];
  for (const l of locations) {
    if (l.path === '/' || l.pathType !== 'Prefix' || locationNeedsRegex(l)) {
      out.push(l);
      continue;
    }
    const original = l.path;
    const normalized = original.endsWith('/') ? original : `${original}/`;
    out.push({ ...l, path: normalized });
    if (!exact.has(original)) out.push({ ...l, path: original, pathType: 'Exact' });
  }
  return out;
}
