/**
 * Rule priorities for the AWS ALB dialect. The controller gives one listener's rules priorities 1, 2, ...
 * Ingress by Ingress in group order (group.order, then namespace/name: pkg/ingress/group_loader.go),
 * host block by host block, and inside a block Exact paths first, then Prefix paths longest first
 * (stable), then the rest (model_build_listener_rules.go sortIngressPaths). The ALB then takes the
 * first rule whose conditions all match (ELB docs, listener-rules.html). So the compiler sorts every
 * listener rule of the environment by the model's precedence (exact host before wildcards, longer
 * wildcards first; Exact, longer prefix, method, headers, query), cuts the sequence into runs of one
 * Ingress each, and numbers the runs with group.order. A host that a wildcard of the group also covers
 * ends in a 404 rule, so its requests never fall through to the wildcard's rules. Pure.
 */
import { UnsupportedFeatureError } from './errors';
import { pathOf } from './model';
import { objectName } from './names';
import { policyLabels } from './tls-objects';
import type { CompileTarget, KubeObject, RouteMatch, RoutingPolicy } from './types';

const A = 'alb.ingress.kubernetes.io/';
const MAX_GROUP_ORDERS = 1000;
/** The default quota of rules per ALB listener (ELB quotas): more needs a quota increase. */
const RULE_QUOTA = 100;

/** One listener rule: its backend name, `conditions.<name>`, `actions.<name>` (or a direct backend), `transforms.<name>`. */
export interface AlbUnit {
  readonly name: string;
  readonly conditions: readonly Record<string, unknown>[];
  readonly action?: Record<string, unknown>;
  readonly direct?: { readonly service: string; readonly port: number };
  readonly transforms?: readonly Record<string, unknown>[];
}

/** One host and rule match of a policy: the Ingress it belongs to (key) and its listener rules in order. */
export interface AlbEntry {
  readonly host: string;
  /** '<policy>/main/<protocol>/<sticky>', '<policy>/redirect' or 'fence/<tier>/<ports>'. */
  readonly key: string;
  readonly policy: number;
  readonly rule: number;
  readonly match: RouteMatch;
  readonly type: 'Exact' | 'Prefix';
  readonly path: string;
  readonly units: readonly AlbUnit[];
}

/** The listeners (port, protocol) a policy's own rules are on. */
export function albListeners(policy: RoutingPolicy): [number, string][] {
  if (!policy.tls) return [[80, 'HTTP']];
  return policy.tls.redirectHttp === false
    ? [
        [80, 'HTTP'],
        [443, 'HTTPS'],
      ]
    : [[443, 'HTTPS']];
}

/** The model's precedence (Gateway API), larger first. */
function precedence(match: RouteMatch): number[] {
  const path = pathOf(match);
  return [
    path.type === 'Exact' ? 2 : 1,
    path.value.replace(/\/+$/, '').length,
    match.method ? 1 : 0,
    (match.headers?.length ?? 0) + (match.cookie ? 1 : 0),
    match.queryParams?.length ?? 0,
  ];
}

function compare(a: AlbEntry, b: AlbEntry): number {
  const [pa, pb] = [precedence(a.match), precedence(b.match)];
  for (let i = 0; i < pa.length; i++) if (pa[i] !== pb[i]) return pb[i]! - pa[i]!;
  return a.policy - b.policy || a.rule - b.rule;
}

/** Whether ALB's glob `wildcard` ('*.' + suffix) also matches `host`. */
const covers = (wildcard: string, host: string) =>
  wildcard !== host && wildcard.startsWith('*.') && host.endsWith(wildcard.slice(1));

/** Every entry of the environment in listener priority order, with the 404 fences in place. */
function ordered(policies: readonly RoutingPolicy[], entries: readonly AlbEntry[]): AlbEntry[] {
  const hosts = [...new Set(entries.map((e) => e.host))];
  const tierOf = (h: string) => (h.startsWith('*.') ? h.length : 0);
  const tiers = [...new Set(hosts.map(tierOf))].sort((a, b) => (a === 0 ? -1 : b === 0 ? 1 : b - a));
  const out: AlbEntry[] = [];
  tiers.forEach((tier, t) => {
    const inTier = hosts.filter((h) => tierOf(h) === tier).sort();
    for (const host of inTier) {
      const mine = entries.map((e, i) => ({ e, i })).filter(({ e }) => e.host === host);
      mine.sort((x, y) => compare(x.e, y.e) || x.i - y.i);
      out.push(...mine.map(({ e }) => e));
    }
    for (const host of inTier) {
      if (!hosts.some((w) => covers(w, host))) continue;
      const owners = policies.filter((p) => p.hosts.includes(host));
      const ports = [
        ...(owners.some((p) => !p.tls || p.tls.redirectHttp === false) ? ['80'] : []),
        ...(owners.some((p) => p.tls) ? ['443'] : []),
      ];
      const fence = { type: 'fixed-response', fixedResponseConfig: { contentType: 'text/plain', statusCode: '404' } };
      out.push({
        host,
        key: `fence/${t}/${ports.join('+')}`,
        policy: policies.indexOf(owners[0]!),
        rule: -1,
        match: { path: { type: 'PathPrefix', value: '/' } },
        type: 'Prefix',
        path: '/',
        units: [{ name: 'no-route', conditions: [], action: fence }],
      });
    }
  });
  return out;
}

const listenPorts = (ports: readonly string[]) =>
  JSON.stringify(ports.map((p) => (p === '80' ? { HTTP: 80 } : { HTTPS: 443 })));

/** The Ingresses of the environment: one per run of entries sharing a key, numbered with group.order. */
export function assembleAlbIngresses(
  policies: readonly RoutingPolicy[],
  entries: readonly AlbEntry[],
  target: CompileTarget,
  warnings: string[],
  namespaceOf: (p: RoutingPolicy) => string,
): KubeObject[] {
  const alb = target.alb ?? {};
  const sequence = ordered(policies, entries);
  const runs: AlbEntry[][] = [];
  for (const e of sequence) {
    const last = runs[runs.length - 1];
    if (last && last[0]!.key === e.key) last.push(e);
    else runs.push([e]);
  }
  if (runs.length > MAX_GROUP_ORDERS)
    throw new UnsupportedFeatureError(
      policies[0]!.name,
      'path.prefix',
      'aws-alb',
      ['gateway-api'],
      `ordering these rules needs ${runs.length} Ingresses, and group.order has ${MAX_GROUP_ORDERS} usable values`,
    );
  const perKey = new Map<string, number>();
  for (const run of runs) perKey.set(run[0]!.key, (perKey.get(run[0]!.key) ?? 0) + 1);
  const seenPerKey = new Map<string, number>();
  const mainKeys = (p: number) =>
    new Set(entries.filter((e) => e.policy === p && e.key.includes('/main/')).map((e) => e.key));
  let rules = 0;
  const objects = runs.map((run, index) => {
    const key = run[0]!.key;
    const [head, kind, protocol, sticky] = key.split('/') as [string, string, string?, string?];
    const k = (seenPerKey.get(key) ?? 0) + 1;
    seenPerKey.set(key, k);
    const annotations: Record<string, string> = {
      [`${A}group.name`]: alb.groupName ?? 'switchyard',
      [`${A}scheme`]: alb.scheme ?? 'internet-facing',
      [`${A}target-type`]: 'ip',
    };
    if (runs.length > 1) annotations[`${A}group.order`] = String(index + 1);
    let name: string[];
    let namespace: string;
    let labels: Record<string, string>;
    let tlsHosts: string[] | undefined;
    if (head === 'fence') {
      const ports = protocol!.split('+');
      const owner = policies[run[0]!.policy]!;
      name = ['switchyard-no-route', kind, ...ports];
      namespace = namespaceOf(owner);
      labels = { 'app.kubernetes.io/managed-by': 'switchyard' };
      annotations[`${A}listen-ports`] = listenPorts(ports);
      if (ports.includes('443') && alb.certificateArns?.length)
        annotations[`${A}certificate-arn`] = alb.certificateArns.join(',');
    } else {
      const policy = policies[Number(head)]!;
      namespace = namespaceOf(policy);
      labels = policyLabels(policy);
      if (kind === 'redirect') {
        name = [policy.name, 'http-redirect'];
        annotations[`${A}listen-ports`] = listenPorts(['80']);
      } else {
        const variant = [...(protocol !== 'http' ? [protocol!] : []), ...(sticky !== '-' ? [`sticky-${sticky}`] : [])];
        name = [policy.name, ...(mainKeys(Number(head)).size > 1 ? variant : [])];
        if (policy.tls) {
          annotations[`${A}listen-ports`] = listenPorts(policy.tls.redirectHttp === false ? ['80', '443'] : ['443']);
          if (alb.certificateArns?.length) annotations[`${A}certificate-arn`] = alb.certificateArns.join(',');
          else
            warnings.push(
              `${policy.name}.tls: ALB serves ACM certificates only, discovered for ${policy.hosts.join(', ')}; the Secret is not used`,
            );
          tlsHosts = [...new Set(run.map((e) => e.host))];
        }
        if (protocol === 'https') annotations[`${A}backend-protocol`] = 'HTTPS';
        if (protocol === 'grpc') annotations[`${A}backend-protocol-version`] = 'GRPC';
        if (sticky !== '-')
          annotations[`${A}target-group-attributes`] =
            `stickiness.enabled=true,stickiness.lb_cookie.duration_seconds=${sticky}`;
      }
    }
    if ((perKey.get(key) ?? 1) > 1) name.push(String(k));
    const blocks = new Map<string, Record<string, unknown>[]>();
    for (const e of run) {
      const paths = blocks.get(e.host) ?? [];
      blocks.set(e.host, paths);
      for (const u of e.units) {
        rules++;
        paths.push({
          path: e.path,
          pathType: e.type,
          backend: u.direct
            ? { service: { name: u.direct.service, port: { number: u.direct.port } } }
            : { service: { name: u.name, port: { name: 'use-annotation' } } },
        });
        if (u.action) annotations[`${A}actions.${u.name}`] = JSON.stringify(u.action);
        if (u.conditions.length) annotations[`${A}conditions.${u.name}`] = JSON.stringify(u.conditions);
        if (u.transforms?.length) annotations[`${A}transforms.${u.name}`] = JSON.stringify(u.transforms);
      }
    }
    return {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: objectName(name), namespace, labels, annotations },
      spec: {
        ingressClassName: target.ingressClassName ?? 'alb',
        ...(tlsHosts ? { tls: [{ hosts: tlsHosts }] } : {}),
        rules: [...blocks].map(([host, paths]) => ({ host, http: { paths } })),
      },
    } as KubeObject;
  });
  if (rules > RULE_QUOTA)
    warnings.push(
      `aws-alb: ${rules} listener rules exceed the default quota of ${RULE_QUOTA} rules per ALB listener: request an increase`,
    );
  checkAlbGroupAgreement(objects);
  return objects;
}

/** Group-wide (Exclusive) annotations must agree across every Ingress of the group, or the group fails. */
export function checkAlbGroupAgreement(objects: readonly KubeObject[]): void {
  const exclusive = ['ssl-redirect', 'scheme', 'inbound-cidrs', 'load-balancer-attributes'].map((a) => `${A}${a}`);
  const seen = new Map<string, { value: string; owner: string }>();
  for (const o of objects) {
    const annotations = (o.metadata.annotations ?? {}) as Record<string, string>;
    const group = annotations[`${A}group.name`];
    for (const key of exclusive) {
      const value = annotations[key] ?? '';
      const previous = seen.get(`${group}\u0000${key}`);
      if (previous && previous.value !== value && value !== '' && previous.value !== '') {
        throw new UnsupportedFeatureError(
          o.metadata.name,
          key.slice(A.length),
          'aws-alb',
          ['gateway-api'],
          `${key} is exclusive to the IngressGroup '${group}', and ${previous.owner} sets '${previous.value}' while ${o.metadata.name} sets '${value}'`,
        );
      }
      if (!previous || previous.value === '') seen.set(`${group}\u0000${key}`, { value, owner: o.metadata.name });
    }
  }
}
