/**
 * The AWS Load Balancer Controller's model builder, for the oracle: from the Ingresses of one
 * IngressGroup to the ordered listener rules of one ALB listener. Reproduces, from
 * kubernetes-sigs/aws-load-balancer-controller (v3, pkg/ingress): group member order
 * (group_loader.go sortGroupMembers), listen ports and ssl-redirect (model_build_listener.go,
 * model_builder.go buildSSLRedirectConfig), path order and conditions (model_build_listener_rules.go),
 * the annotation actions/conditions/transforms keyed by the backend's service name
 * (enhanced_backend_builder.go, config_types.go) and the rule optimizer (rule_optimizer.go).
 * Anything it does not model throws. Pure: no engine imports.
 */
import type { KubeObject, ServiceAnnotations } from '../types';
import {
  ALB,
  type AlbAction,
  type AlbCondition,
  type AlbListener,
  type AlbRule,
  type AnnotationsFor,
  json,
  parseAction,
  parseCondition,
  parseTransforms,
} from './aws-alb-annotations';

export type { AlbAction, AlbCondition, AlbRule } from './aws-alb-annotations';
export { ALB } from './aws-alb-annotations';

const fail = (message: string): never => {
  throw new Error(`oracle aws-alb: ${message}`);
};

/** Annotations the builder reads; any other alb.ingress.kubernetes.io/ key is not modelled and throws. */
const KNOWN = new Set(
  [
    'group.name',
    'group.order',
    'scheme',
    'target-type',
    'listen-ports',
    'ssl-redirect',
    'certificate-arn',
    'backend-protocol',
    'backend-protocol-version',
    'target-group-attributes',
  ].map((k) => ALB + k),
);
const PER_BACKEND = /^alb\.ingress\.kubernetes\.io\/(actions|conditions|transforms)\.(.+)$/;

/** The networking.k8s.io/v1 Ingress fields the builder reads. */
interface IngressPath {
  readonly path?: string;
  readonly pathType?: string;
  readonly backend?: {
    readonly service?: { readonly name: string; readonly port?: { readonly name?: string; readonly number?: number } };
  };
}
interface IngressSpec {
  readonly defaultBackend?: unknown;
  readonly rules?: readonly { readonly host?: string; readonly http?: { readonly paths?: readonly IngressPath[] } }[];
}

interface Member {
  readonly ing: KubeObject & { spec?: IngressSpec };
  readonly key: string;
  readonly order: number;
  readonly annotations: Record<string, string>;
  readonly ports: ReadonlyMap<number, 'HTTP' | 'HTTPS'>;
}

/** model_build_listener.go computeIngressListenPorts: the annotation, else HTTPS 443 with a certificate-arn, else HTTP 80. */
function listenPorts(annotations: Record<string, string>, where: string): Map<number, 'HTTP' | 'HTTPS'> {
  const raw = annotations[`${ALB}listen-ports`];
  if (raw === undefined) return new Map([annotations[`${ALB}certificate-arn`] ? [443, 'HTTPS'] : [80, 'HTTP']]);
  const entries = json(raw, `${where} listen-ports`);
  if (!Array.isArray(entries) || entries.length === 0) return fail(`${where}: empty listen-ports`);
  const ports = new Map<number, 'HTTP' | 'HTTPS'>();
  for (const e of entries) {
    for (const [protocol, port] of Object.entries(e as object)) {
      if (protocol !== 'HTTP' && protocol !== 'HTTPS') fail(`${where}: listen protocol ${protocol}`);
      if (typeof port !== 'number' || port < 1 || port > 65535) fail(`${where}: listen port ${port}`);
      ports.set(port as number, protocol as 'HTTP' | 'HTTPS');
    }
  }
  return ports;
}

/** The members of the (single) IngressGroup, sorted by group.order then namespace/name (group_loader.go). */
export function groupMembers(objects: readonly KubeObject[]): Member[] {
  const members: Member[] = [];
  const groups = new Set<string>();
  for (const o of objects) {
    if (o.kind !== 'Ingress' || o.apiVersion !== 'networking.k8s.io/v1')
      fail(`kind ${o.apiVersion}/${o.kind} is not modelled`);
    const key = `${o.metadata.namespace ?? 'default'}/${o.metadata.name}`;
    const annotations = { ...((o.metadata.annotations ?? {}) as Record<string, string>) };
    for (const k of Object.keys(annotations)) {
      if (k.startsWith(ALB) && !KNOWN.has(k) && !PER_BACKEND.test(k)) fail(`${key}: annotation ${k} is not modelled`);
    }
    const group = annotations[`${ALB}group.name`];
    if (group === undefined) fail(`${key}: an implicit (one-Ingress) group is not modelled`);
    groups.add(group!);
    const spec = (o as { spec?: IngressSpec }).spec ?? {};
    if (spec.defaultBackend) fail(`${key}: spec.defaultBackend is not modelled`);
    let order = 0;
    const rawOrder = annotations[`${ALB}group.order`];
    if (rawOrder !== undefined) {
      if (!/^-?[0-9]+$/.test(rawOrder)) fail(`${key}: group.order ${rawOrder}`);
      order = Number(rawOrder);
      if (order < -1000 || order > 1000) fail(`${key}: group.order must be within [-1000:1000]`);
    }
    members.push({ ing: o, key, order, annotations, ports: listenPorts(annotations, key) });
  }
  if (groups.size > 1) fail(`several IngressGroups (${[...groups].join(', ')}) mean several ALBs: not modelled`);
  // Go's sort.Slice is not stable, but the key (order, namespace/name) is unique per Ingress.
  return members.sort((a, b) => (a.order !== b.order ? a.order - b.order : a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** model_build_listener_rules.go buildPathPatternsForPrefixPathType / ExactPathType / ImplementationSpecific. */
function pathPatterns(path: string, pathType: string | undefined, where: string): AlbCondition {
  if (pathType === 'Prefix') {
    if (path === '/') return { field: 'path-pattern', values: ['/*'] };
    if (/[*?]/.test(path)) fail(`${where}: prefix path shouldn't contain wildcards`);
    const p = path.replace(/\/$/, '');
    return { field: 'path-pattern', values: [p, `${p}/*`] };
  }
  if (pathType === 'Exact') {
    if (/[*?]/.test(path)) fail(`${where}: exact path shouldn't contain wildcards`);
    return { field: 'path-pattern', values: [path] };
  }
  // ImplementationSpecific: the path as an ALB glob (use-regex-path-match is not modelled: it throws above).
  return { field: 'path-pattern', values: [path] };
}

/** sortIngressPaths: Exact (as written), Prefix (longer path first, stable), then the rest (as written). */
function sortPaths(paths: readonly IngressPath[]): IngressPath[] {
  const exact = paths.filter((p) => p.pathType === 'Exact');
  const prefix = paths.filter((p) => p.pathType === 'Prefix');
  const rest = paths.filter((p) => p.pathType !== 'Exact' && p.pathType !== 'Prefix');
  prefix.sort((a, b) => String(b.path ?? '').length - String(a.path ?? '').length); // Array#sort is stable
  return [...exact, ...prefix, ...rest];
}

/** The listener on `port`, with its rules in priority order (buildListenerRules) and its default action. */
export function buildListener(
  members: readonly Member[],
  port: number,
  services: readonly ServiceAnnotations[] = [],
): AlbListener | undefined {
  const on = members.filter((m) => m.ports.has(port));
  if (on.length === 0) return undefined;
  const protocols = new Set(on.map((m) => m.ports.get(port)!));
  if (protocols.size > 1) fail(`conflicting protocol for port ${port}`);
  const protocol = [...protocols][0]!;
  // model_builder.go buildSSLRedirectConfig: group-wide, one port, which must be an HTTPS listener.
  const sslPorts = new Set(members.map((m) => m.annotations[`${ALB}ssl-redirect`]).filter((v) => v !== undefined));
  if (sslPorts.size > 1) fail(`conflicting sslRedirect port: ${[...sslPorts].join(', ')}`);
  let sslRedirect: AlbAction | undefined;
  if (sslPorts.size === 1) {
    const sslPort = Number([...sslPorts][0]);
    const target = members.filter((m) => m.ports.has(sslPort)).map((m) => m.ports.get(sslPort));
    if (target.length === 0) fail(`listener does not exist for SSLRedirect port: ${sslPort}`);
    if (target.some((p) => p !== 'HTTPS')) fail(`listener protocol non-SSL for SSLRedirect port: ${sslPort}`);
    sslRedirect = { type: 'redirect', port: String(sslPort), protocol: 'HTTPS', statusCode: 'HTTP_301' };
  }
  // model_build_listener.go buildListenerDefaultActions / buildListenerRules: with SSLRedirect an HTTP
  // listener has the redirect as its default action and no rules at all.
  if (sslRedirect && protocol === 'HTTP') return { port, protocol, rules: [], defaultAction: sslRedirect };
  const rules: AlbRule[] = [];
  for (const m of on) {
    const namespace = m.ing.metadata.namespace ?? 'default';
    const ann: AnnotationsFor = (service) => ({
      ...m.annotations,
      ...(services.find((s) => s.namespace === namespace && s.service === service)?.annotations ?? {}),
    });
    for (const [r, rule] of (m.ing.spec?.rules ?? []).entries()) {
      if (!rule.http) continue;
      for (const path of sortPaths(rule.http.paths ?? [])) {
        const where = `${m.key} rules[${r}] ${path.path}`;
        const svc = path.backend?.service ?? fail(`${where}: missing required "service" field`);
        const name: string = svc.name;
        const extra = m.annotations[`${ALB}conditions.${name}`];
        const conds = extra === undefined ? [] : (json(extra, `${where} conditions.${name}`) as unknown[]);
        if (!Array.isArray(conds)) fail(`${where}: conditions.${name} must be a list`);
        const parsed = conds.map((c, i) => parseCondition(c, `${where} conditions.${name}[${i}]`));
        const rawT = m.annotations[`${ALB}transforms.${name}`];
        const transforms = rawT === undefined ? [] : parseTransforms(json(rawT, `${where} transforms.${name}`), where);
        let action: AlbAction;
        if (svc.port?.name === 'use-annotation') {
          const raw = m.annotations[`${ALB}actions.${name}`];
          if (raw === undefined) fail(`${where}: missing actions.${name} configuration`);
          action = parseAction(json(raw!, `${where} actions.${name}`), `${where} actions.${name}`, namespace, ann);
        } else if (svc.port?.name) {
          return fail(`${where}: service ports by name are not modelled`);
        } else {
          const port = svc.port?.number ?? fail(`${where}: missing service port`);
          action = { type: 'forward', targetGroups: [{ namespace, service: name, port, annotations: ann(name) }] };
        }
        rules.push({ conditions: ruleConditions(rule.host, path, parsed, where), action, transforms, owner: m.key });
      }
    }
  }
  return {
    port,
    protocol,
    rules: optimize(port, protocol, rules),
    defaultAction: { type: 'fixed-response', statusCode: '404' },
  };
}

/** buildRuleConditions: annotation host/path values join the rule's host and path; '/*' when nothing else. */
function ruleConditions(
  host: string | undefined,
  path: IngressPath,
  extra: readonly AlbCondition[],
  where: string,
): AlbCondition[] {
  const hostValues: string[] = host ? [host] : [];
  const hostRegex: string[] = [];
  const pathValues: string[] = [];
  const pathRegex: string[] = [];
  if (path.path) {
    const p = pathPatterns(path.path, path.pathType, where);
    pathValues.push(...(p.values ?? []));
    pathRegex.push(...(p.regexValues ?? []));
  }
  const out: AlbCondition[] = [];
  for (const c of extra) {
    if (c.field === 'host-header') {
      hostValues.push(...(c.values ?? []));
      hostRegex.push(...(c.regexValues ?? []));
    } else if (c.field === 'path-pattern') {
      pathValues.push(...(c.values ?? []));
      pathRegex.push(...(c.regexValues ?? []));
    } else out.push(c);
  }
  if (hostValues.length && hostRegex.length)
    fail(`${where}: host condition must specify exactly one of Values and RegexValues`);
  if (pathValues.length && pathRegex.length)
    fail(`${where}: path condition must specify exactly one of Values and RegexValues`);
  if (hostValues.length) out.push({ field: 'host-header', values: hostValues });
  if (hostRegex.length) out.push({ field: 'host-header', regexValues: hostRegex });
  if (pathValues.length) out.push({ field: 'path-pattern', values: pathValues });
  if (pathRegex.length) out.push({ field: 'path-pattern', regexValues: pathRegex });
  if (out.length === 0) out.push({ field: 'path-pattern', values: ['/*'] });
  return out;
}

/** rule_optimizer.go: drop redirects that would loop, then rules overshadowed by an earlier redirect. */
function optimize(port: number, protocol: string, rules: readonly AlbRule[]): AlbRule[] {
  const kept = rules.filter((r) => !infiniteRedirect(port, protocol, r));
  const out: AlbRule[] = [];
  for (const rule of kept) {
    const shadowed = out.some(
      (prev) => prev.action.type === 'redirect' && supersetConditions(prev.conditions, rule.conditions),
    );
    if (!shadowed) out.push(rule);
  }
  return out;
}

function infiniteRedirect(port: number, protocol: string, rule: AlbRule): boolean {
  const r = rule.action;
  if (r.type !== 'redirect') return false;
  const hosts = new Set<string>();
  const paths = new Set<string>();
  for (const c of rule.conditions) {
    if (c.field === 'host-header') for (const v of c.values ?? []) hosts.add(v);
    if (c.field === 'path-pattern') {
      if (c.regexValues?.length) return false;
      for (const v of c.values ?? []) paths.add(v);
    }
  }
  if (r.host !== undefined && r.host !== '#{host}' && !hosts.has(r.host)) return false;
  if (r.path !== undefined && r.path !== '/#{path}' && !paths.has(r.path)) return false;
  if (r.port !== undefined && r.port !== '#{port}' && r.port !== String(port)) return false;
  if (r.protocol !== undefined && r.protocol !== '#{protocol}' && r.protocol !== protocol) return false;
  if (r.query !== undefined && r.query !== '#{query}') return false;
  return true;
}

function supersetConditions(lhs: readonly AlbCondition[], rhs: readonly AlbCondition[]): boolean {
  const collect = (conds: readonly AlbCondition[], strict: boolean) => {
    const hosts = new Set<string>();
    const paths = new Set<string>();
    for (const c of conds) {
      if (c.field === 'host-header') for (const v of c.values ?? []) hosts.add(v);
      else if (c.field === 'path-pattern')
        for (const v of c.regexValues?.length ? c.regexValues : (c.values ?? [])) paths.add(v);
      else if (strict) return undefined;
    }
    return { hosts, paths };
  };
  const l = collect(lhs, true);
  if (!l) return false;
  const r = collect(rhs, false)!;
  const sup = (a: Set<string>, b: Set<string>) => [...b].every((v) => a.has(v));
  const hostOk = l.hosts.size === 0 || (r.hosts.size !== 0 && sup(l.hosts, r.hosts));
  const pathOk = l.paths.size === 0 || l.paths.has('/*') || (r.paths.size !== 0 && sup(l.paths, r.paths));
  return hostOk && pathOk;
}
