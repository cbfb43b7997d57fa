/**
 * Migration off ingress-nginx (retired March 2026): reads existing `Ingress` objects with their
 * `nginx.ingress.kubernetes.io/*` annotations and returns routing policies, plus a report of every
 * annotation or shape it could not carry over. Canary Ingresses fold into the rule they shadow. Pure.
 */
import { checkDnsLabel } from '../core/validate';
import type { Backend, CorsPolicy, RetryOn, RouteMatch, RouteRule, RoutingPolicy } from './types';
import { checkCidr } from './values';

const N = 'nginx.ingress.kubernetes.io/';

/** One thing the import could not carry over (or carried over only approximately). */
export interface ImportFinding {
  /** 'namespace/name' of the Ingress. */
  readonly object: string;
  readonly annotation?: string;
  readonly message: string;
}

/** What importing ingress-nginx Ingresses gives: the policies, and what could not be carried over. */
export interface NginxImport {
  readonly policies: RoutingPolicy[];
  readonly report: ImportFinding[];
}

interface IngressLike {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly spec?: {
    readonly tls?: readonly { readonly hosts?: readonly string[]; readonly secretName?: string }[];
    readonly rules?: readonly {
      readonly host?: string;
      readonly http?: {
        readonly paths?: readonly {
          readonly path?: string;
          readonly pathType?: string;
          readonly backend?: {
            readonly service?: {
              readonly name?: string;
              readonly port?: { readonly number?: number; readonly name?: string };
            };
          };
        }[];
      };
    }[];
  };
}

/** Annotations read into the policy; anything else with the nginx prefix is reported. */
const HANDLED = new Set(
  [
    'use-regex',
    'rewrite-target',
    'ssl-redirect',
    'force-ssl-redirect',
    'permanent-redirect',
    'permanent-redirect-code',
    'temporal-redirect',
    'temporal-redirect-code',
    'proxy-connect-timeout',
    'proxy-read-timeout',
    'proxy-send-timeout',
    'proxy-next-upstream',
    'proxy-next-upstream-tries',
    'limit-rps',
    'limit-rpm',
    'limit-burst-multiplier',
    'whitelist-source-range',
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
    'affinity',
    'session-cookie-name',
    'session-cookie-max-age',
    'backend-protocol',
    'upstream-vhost',
    'ssl-passthrough',
    'mirror-target',
    'app-root',
    'canary',
    'canary-weight',
    'canary-weight-total',
    'canary-by-header',
    'canary-by-header-value',
    'canary-by-header-pattern',
    'canary-by-cookie',
  ].map((a) => `${N}${a}`),
);

const list = (value: string) =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function cidrs(values: string[], add: (message: string) => void): string[] {
  return values.flatMap((v) => {
    const value = v.includes('/') ? v : `${v}/${v.includes(':') ? 128 : 32}`;
    if (checkCidr(value) === undefined) return [value];
    add(`'${v}' is not a CIDR Switchyard accepts (${checkCidr(value)}); left out`);
    return [];
  });
}

function redirectFrom(
  url: string,
  code: number | undefined,
  fallback: 301 | 302,
  add: (m: string) => void,
): RouteRule['redirect'] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    add(`redirect target '${url}' is not an absolute URL; left out`);
    return undefined;
  }
  const statusCode = (code ?? fallback) as 301 | 302 | 303 | 307 | 308;
  if (![301, 302, 303, 307, 308].includes(statusCode))
    add(`redirect code ${code} is not one Switchyard emits; using ${fallback}`);
  return {
    scheme: parsed.protocol === 'https:' ? 'https' : 'http',
    hostname: parsed.hostname,
    ...(parsed.port ? { port: Number(parsed.port) } : {}),
    path: parsed.pathname || '/',
    statusCode: [301, 302, 303, 307, 308].includes(statusCode) ? statusCode : fallback,
  };
}

/** What the annotations of one Ingress add to each of its rules, and to its policy. */
function readAnnotations(a: Readonly<Record<string, string>>, add: (annotation: string, message: string) => void) {
  const rule: Partial<Mutable<RouteRule>> = {};
  const policy: Partial<Mutable<RoutingPolicy>> = {};
  const get = (name: string) => a[`${N}${name}`];
  const seconds = (name: string) =>
    get(name) && /^\d+$/.test(get(name)!) && Number(get(name)) > 0 ? `${Number(get(name))}s` : undefined;
  const connect = seconds('proxy-connect-timeout');
  const read = [seconds('proxy-read-timeout'), seconds('proxy-send-timeout')]
    .filter(Boolean)
    .map((s) => Number.parseInt(s!, 10));
  if (connect || read.length) {
    rule.timeouts = {
      ...(connect ? { connect } : {}),
      ...(read.length ? { backendRequest: `${Math.max(...read)}s` } : {}),
    };
    if (read.length)
      add(
        `${N}proxy-read-timeout`,
        'nginx bounds each read and send, not the whole attempt: carried over as timeouts.backendRequest',
      );
  }
  const tries = get('proxy-next-upstream-tries');
  if (get('proxy-next-upstream') || tries) {
    const on: RetryOn[] = [];
    for (const c of (get('proxy-next-upstream') ?? 'error timeout').split(/\s+/)) {
      if (c === 'error') on.push('connect-failure', 'reset');
      else if (c === 'timeout') on.push('gateway-error');
      else if (/^http_\d{3}$/.test(c)) on.push(Number(c.slice(5)));
      else if (c !== 'off' && c !== 'non_idempotent')
        add(`${N}proxy-next-upstream`, `condition '${c}' has no equivalent; left out`);
    }
    const attempts = Math.min(10, Math.max(0, (tries && /^\d+$/.test(tries) ? Number(tries) : 3) - 1));
    if (get('proxy-next-upstream') !== 'off') rule.retries = { attempts, on: [...new Set(on)] };
  }
  const rps = get('limit-rps')
    ? Number(get('limit-rps'))
    : get('limit-rpm')
      ? Math.ceil(Number(get('limit-rpm')) / 60)
      : undefined;
  if (rps && rps > 0) {
    const multiplier = Number(get('limit-burst-multiplier') ?? 5);
    policy.rateLimit = { requestsPerSecond: rps, burst: rps * (multiplier > 0 ? multiplier : 5) };
    if (get('limit-rpm')) add(`${N}limit-rpm`, `a per-minute limit becomes ${rps} requests per second`);
  }
  const allow = get('allowlist-source-range') ?? get('whitelist-source-range');
  if (allow) policy.allowSourceRanges = cidrs(list(allow), (m) => add(`${N}allowlist-source-range`, m));
  const deny = get('denylist-source-range');
  if (deny) policy.denySourceRanges = cidrs(list(deny), (m) => add(`${N}denylist-source-range`, m));
  if (get('enable-cors') === 'true') {
    const origins = list(get('cors-allow-origin') ?? '*');
    // nginx defaults credentials to true, which browsers refuse with origin '*'.
    let credentials = (get('cors-allow-credentials') ?? 'true') === 'true';
    if (credentials && origins.includes('*')) {
      credentials = false;
      add(`${N}cors-allow-credentials`, "credentials with origin '*' are refused by browsers: carried over as false");
    }
    const cors: Mutable<CorsPolicy> = { allowOrigins: origins, allowCredentials: credentials };
    if (get('cors-allow-methods')) cors.allowMethods = list(get('cors-allow-methods')!).map((m) => m.toUpperCase());
    if (get('cors-allow-headers')) cors.allowHeaders = list(get('cors-allow-headers')!);
    if (get('cors-expose-headers')) cors.exposeHeaders = list(get('cors-expose-headers')!);
    if (get('cors-max-age') && /^\d+$/.test(get('cors-max-age')!)) cors.maxAge = `${get('cors-max-age')}s`;
    policy.cors = cors;
  }
  const body = get('proxy-body-size')?.toLowerCase();
  if (body && /^\d+[kmg]?$/.test(body) && body !== '0') rule.maxBodySize = body;
  else if (body)
    add(
      `${N}proxy-body-size`,
      body === '0'
        ? 'an unlimited body size is the default: left out'
        : `'${body}' is not a size Switchyard accepts; left out`,
    );
  if (get('affinity') === 'cookie') {
    const maxAge = get('session-cookie-max-age');
    rule.sessionAffinity = {
      cookieName: get('session-cookie-name') ?? 'INGRESSCOOKIE',
      ...(maxAge && /^\d+$/.test(maxAge) ? { maxAge: `${maxAge}s` } : {}),
    };
  }
  if (get('upstream-vhost')) rule.rewrite = { hostname: get('upstream-vhost')! };
  const redirect = get('permanent-redirect') ?? get('temporal-redirect');
  if (redirect) {
    const permanent = get('permanent-redirect') !== undefined;
    const code = Number(get(permanent ? 'permanent-redirect-code' : 'temporal-redirect-code')) || undefined;
    rule.redirect = redirectFrom(redirect, code, permanent ? 301 : 302, (m) =>
      add(`${N}${permanent ? 'permanent' : 'temporal'}-redirect`, m),
    );
  }
  return { rule, policy };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function key(namespace: string, host: string, path: string): string {
  return `${namespace}\u0000${host}\u0000${path}`;
}

/** Reads ingress-nginx Ingress manifests into routing policies, reporting what did not carry over. */
export function importIngressNginx(objects: readonly unknown[]): NginxImport {
  const report: ImportFinding[] = [];
  const ingresses = (objects as IngressLike[]).filter(
    (o) => o?.kind === 'Ingress' && String(o.apiVersion).startsWith('networking.k8s.io/'),
  );
  const policies: RoutingPolicy[] = [];
  const rulesByPath = new Map<string, { policy: RoutingPolicy; rule: Mutable<RouteRule> }>();
  const canaries: IngressLike[] = [];

  for (const ingress of ingresses) {
    const name = ingress.metadata?.name ?? '';
    const namespace = ingress.metadata?.namespace ?? 'default';
    const id = `${namespace}/${name}`;
    const a = ingress.metadata?.annotations ?? {};
    const add = (annotation: string | undefined, message: string) =>
      report.push({ object: id, ...(annotation ? { annotation } : {}), message });
    if (a[`${N}canary`] === 'true') {
      canaries.push(ingress);
      continue;
    }
    for (const annotation of Object.keys(a)) {
      if (annotation.startsWith(N) && !HANDLED.has(annotation)) {
        add(
          annotation,
          annotation.endsWith('-snippet')
            ? 'snippets are raw nginx configuration and are never carried over'
            : 'not carried over: no equivalent in the routing model',
        );
      }
    }
    if (checkDnsLabel(name)) {
      add(undefined, `Ingress name is not a DNS label, so it cannot name a policy (${checkDnsLabel(name)}); skipped`);
      continue;
    }
    const hosts = [...new Set((ingress.spec?.rules ?? []).map((r) => r.host).filter((h): h is string => Boolean(h)))];
    if (hosts.length === 0) {
      add(undefined, 'rules without a host (the default server) have no policy equivalent; skipped');
      continue;
    }
    const { rule: extra, policy: policyExtra } = readAnnotations(a, add);
    const regex = a[`${N}use-regex`] === 'true' || a[`${N}rewrite-target`] !== undefined;
    const protocol = a[`${N}backend-protocol`]?.toUpperCase();
    const rules: Mutable<RouteRule>[] = [];
    const seen = new Set<string>();
    for (const r of ingress.spec?.rules ?? []) {
      for (const p of r.http?.paths ?? []) {
        const path = p.path ?? '/';
        if (seen.has(path)) continue;
        seen.add(path);
        const svc = p.backend?.service;
        if (!svc?.name || svc.port?.number === undefined) {
          add(
            undefined,
            `path ${path}: only Service backends with a port number carry over (port names and resource backends do not); skipped`,
          );
          continue;
        }
        const backend: Mutable<Backend> = { service: svc.name, port: svc.port.number };
        if (protocol === 'HTTPS') backend.protocol = 'https';
        else if (protocol === 'GRPC') backend.protocol = 'grpc';
        else if (protocol && protocol !== 'HTTP')
          add(`${N}backend-protocol`, `backend protocol ${protocol} has no equivalent; left as http`);
        let match: RouteMatch = { path: { type: p.pathType === 'Exact' ? 'Exact' : 'PathPrefix', value: path } };
        const rule: Mutable<RouteRule> = { ...extra, backends: [backend] };
        if (extra.redirect) delete rule.backends;
        const target = a[`${N}rewrite-target`];
        const capture = /^(\/[^()*+?[\]{}|\\^$]*?)\(\/\|\$\)\(\.\*\)$/.exec(path);
        if (target && capture && /^\/[^$]*\$2$/.test(target)) {
          // The documented nginx idiom: '/api(/|$)(.*)' with '/x/$2' replaces the prefix '/api' by '/x'.
          match = { path: { type: 'PathPrefix', value: capture[1] || '/' } };
          rule.rewrite = { ...(rule.rewrite ?? {}), pathPrefix: target.slice(0, -2).replace(/\/$/, '') || '/' };
        } else if (target) {
          add(
            `${N}rewrite-target`,
            `rewrite of ${path} to ${target} uses regex capture groups Switchyard cannot carry over; left out`,
          );
          if (regex) match = { path: { type: 'RegularExpression', value: `(?i)^${path}.*$` } };
        } else if (regex && p.pathType === 'ImplementationSpecific') {
          // nginx regex locations: prefix-anchored and case-insensitive.
          match = { path: { type: 'RegularExpression', value: `(?i)^${path}.*$` } };
        }
        rule.matches = [match];
        rules.push(rule);
      }
    }
    if (a[`${N}app-root`]) {
      rules.push({
        name: 'app-root',
        matches: [{ path: { type: 'Exact', value: '/' } }],
        redirect: { path: a[`${N}app-root`]!, statusCode: 302 },
      });
    }
    if (rules.length === 0) continue;
    const tls = ingress.spec?.tls?.find((t) => t.secretName);
    const issuer = a['cert-manager.io/cluster-issuer'];
    const policy: Mutable<RoutingPolicy> = { name, namespace, hosts, rules, ...policyExtra };
    if (a[`${N}ssl-passthrough`] === 'true') {
      policy.tls = { passthrough: true };
      policy.rules = [{ backends: rules.find((r) => r.backends)?.backends ?? [] }];
    } else if (tls || issuer) {
      policy.tls = {
        ...(tls?.secretName ? { secretName: tls.secretName } : {}),
        ...(issuer ? { clusterIssuer: issuer } : {}),
        ...(a[`${N}ssl-redirect`] === 'false' ? { redirectHttp: false } : {}),
      };
    }
    if (a[`${N}force-ssl-redirect`] === 'true' && !policy.tls)
      add(`${N}force-ssl-redirect`, 'HTTPS is terminated outside the cluster; add tls to redirect here');
    policies.push(policy);
    for (const host of hosts)
      for (const rule of rules)
        rulesByPath.set(key(namespace, host, JSON.stringify(rule.matches?.[0]?.path)), { policy, rule });
  }

  for (const canary of canaries) {
    const namespace = canary.metadata?.namespace ?? 'default';
    const id = `${namespace}/${canary.metadata?.name ?? ''}`;
    const a = canary.metadata?.annotations ?? {};
    const add = (annotation: string | undefined, message: string) =>
      report.push({ object: id, ...(annotation ? { annotation } : {}), message });
    for (const r of canary.spec?.rules ?? []) {
      for (const p of r.http?.paths ?? []) {
        const path = { type: p.pathType === 'Exact' ? 'Exact' : 'PathPrefix', value: p.path ?? '/' };
        const primary = rulesByPath.get(key(namespace, r.host ?? '', JSON.stringify(path)));
        const svc = p.backend?.service;
        if (!primary || !svc?.name || svc.port?.number === undefined) {
          add(
            undefined,
            `canary for ${r.host}${path.value} has no primary Ingress with the same host and path; skipped`,
          );
          continue;
        }
        const backend = { service: svc.name, port: svc.port.number };
        const header = a[`${N}canary-by-header`];
        const cookie = a[`${N}canary-by-cookie`];
        const policy = primary.policy as Mutable<RoutingPolicy>;
        const routePath = path as RouteMatch['path'];
        // The Lua balancer tries the header, then the cookie, then the weight (balancer.lua): each one
        // this canary sets becomes a rule, header first, and the weight splits the primary rule.
        const matches: RouteMatch[] = [];
        if (header) {
          const value = a[`${N}canary-by-header-value`];
          const pattern = a[`${N}canary-by-header-pattern`];
          matches.push({
            path: routePath,
            headers: [
              pattern && !value
                ? { name: header, value: pattern.startsWith('^') ? pattern : `^${pattern}$`, type: 'RegularExpression' }
                : { name: header, value: value ?? 'always' },
            ],
          });
          if (!value && !pattern)
            add(
              `${N}canary-by-header`,
              "nginx routes on the values 'always' and 'never': carried over as a match on 'always'",
            );
        }
        if (cookie) matches.push({ path: routePath, cookie: { name: cookie, value: 'always' } });
        for (const match of matches)
          policy.rules = [
            ...policy.rules,
            { name: `canary-${policy.rules.length}`, matches: [match], backends: [backend] },
          ];
        if (matches.length && (header ? 1 : 0) + (cookie ? 1 : 0) > 1)
          add(`${N}canary-by-cookie`, 'the header and the cookie each became a rule; the header rule comes first');
        if (a[`${N}canary-weight`] && Number(a[`${N}canary-weight`]) > 0) {
          const weight = Number(a[`${N}canary-weight`]);
          const declared = Number(a[`${N}canary-weight-total`] ?? 100);
          // The balancer draws from 100 unless the declared total exceeds it.
          const total = Math.max(declared, 100);
          const [main] = primary.rule.backends ?? [];
          if (main)
            primary.rule.backends = [
              { ...main, weight: Math.max(0, total - weight) },
              { ...backend, weight: Math.min(weight, total) },
            ];
          if (declared < 100)
            add(
              `${N}canary-weight-total`,
              `nginx draws from 100 when the total is at most 100: ${weight} of ${declared} is carried over as ${weight} of 100`,
            );
          if (matches.length)
            add(
              `${N}canary-weight`,
              'the weight splits the primary rule and the header or cookie rules take precedence over it, as in nginx',
            );
        }
      }
    }
  }
  return { policies, report };
}

/** The imported policies as a TypeScript module to review and commit. */
export function renderPoliciesModule(policies: readonly RoutingPolicy[], sources: readonly string[] = []): string {
  return [
    `// Imported from ingress-nginx by \`switchyard import-nginx\`${sources.length ? ` (${sources.join(', ')})` : ''}.`,
    '// Review the report it printed, then compile these policies for the new dialect.',
    "import type { RoutingPolicy } from 'switchyard';",
    '',
    `export const policies: RoutingPolicy[] = ${JSON.stringify(policies, null, 2)};`,
    '',
  ].join('\n');
}
