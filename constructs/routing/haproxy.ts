/**
 * The HAProxy dialect (haproxytech kubernetes-ingress 3.2): one Ingress per rule, class 'haproxy', with
 * `haproxy.org/*` annotations in their documented formats. Canaries (by weight, header, cookie or
 * method) and cookie persistence are Service annotations (`route-acl`, `cookie-persistence`): they are
 * returned as `serviceAnnotations` for the Services' owner to apply, checked for agreement per Service.
 * The controller scopes a route-acl to the host, not the path, so canaries are taken only on rules that
 * cover the whole host. Pure.
 */
import { UnsupportedFeatureError } from './errors';
import { type IngressPathEntry, ingressObject } from './ingress-objects';
import { backendNamespace, matchesOf, pathOf, weightOf } from './model';
import { objectName } from './names';
import { certificateFor } from './tls-objects';
import type {
  Backend,
  CompileTarget,
  CorsPolicy,
  KubeObject,
  RouteMatch,
  RouteRule,
  RoutingPolicy,
  ServiceAnnotations,
} from './types';
import { escapeRegex, parseDuration } from './values';

const H = 'haproxy.org/';
const time = (d: string) => `${parseDuration(d)}ms`;

function unsupported(path: string, feature: string, detail: string): never {
  throw new UnsupportedFeatureError(path, feature, 'haproxy', ['gateway-api', 'traefik'], detail);
}

function corsAnnotations(cors: CorsPolicy): Record<string, string> {
  // One origin value: '*', or a regex the request's Origin must match.
  const origin = cors.allowOrigins.includes('*')
    ? '*'
    : `^(${cors.allowOrigins.map((o) => escapeRegex(o).replace('\\*\\.', '[^.]+\\.')).join('|')})$`;
  return {
    [`${H}cors-enable`]: 'true',
    [`${H}cors-allow-origin`]: origin,
    [`${H}cors-allow-methods`]: (cors.allowMethods ?? ['GET', 'HEAD', 'POST']).join(', '),
    ...(cors.allowHeaders ? { [`${H}cors-allow-headers`]: cors.allowHeaders.join(', ') } : {}),
    [`${H}cors-allow-credentials`]: String(cors.allowCredentials === true),
    ...(cors.maxAge ? { [`${H}cors-max-age`]: time(cors.maxAge) } : {}),
  };
}

function setHeaders(values: Readonly<Record<string, string>>): string {
  return Object.entries(values)
    .map(([name, value]) => `${name} ${JSON.stringify(value)}`)
    .join('\n');
}

function ruleAnnotations(
  policy: RoutingPolicy,
  rule: RouteRule,
  at: string,
  warnings: string[],
): Record<string, string> {
  const a: Record<string, string> = {};
  const tls = policy.tls;
  if (tls?.passthrough) a[`${H}ssl-passthrough`] = 'true';
  else if (tls && tls.redirectHttp !== false)
    Object.assign(a, { [`${H}ssl-redirect`]: 'true', [`${H}ssl-redirect-code`]: '301' });
  const r = rule.redirect;
  if (r) {
    const code = r.statusCode ?? 302;
    if (![301, 302, 303].includes(code))
      unsupported(`${at}.redirect.statusCode`, 'redirect', 'HAProxy redirects with 301, 302 or 303');
    if (r.hostname || r.port) {
      if (r.scheme)
        warnings.push(`${at}.redirect: HAProxy keeps the request's scheme when redirecting to another host`);
      Object.assign(a, {
        [`${H}request-redirect`]: `${r.hostname ?? policy.hosts[0]}${r.port ? `:${r.port}` : ''}`,
        [`${H}request-redirect-code`]: String(code),
      });
    } else if (r.scheme === 'https') {
      Object.assign(a, { [`${H}ssl-redirect`]: 'true', [`${H}ssl-redirect-code`]: String(code) });
    } else {
      unsupported(`${at}.redirect`, 'redirect', 'HAProxy redirects to another host or to HTTPS only');
    }
  }
  const w = rule.rewrite;
  if (w?.fullPath !== undefined) a[`${H}path-rewrite`] = w.fullPath;
  if (w?.pathPrefix !== undefined) {
    const from = escapeRegex(pathOf(matchesOf(rule)[0]!).value.replace(/\/+$/, ''));
    const to = w.pathPrefix.replace(/\/+$/, '');
    a[`${H}path-rewrite`] = `${from}(/.*)?$ ${to || '/'}${to ? '\\1' : ''}`;
    if (!to) a[`${H}path-rewrite`] = `${from}/?(.*)$ /\\1`;
  }
  if (w?.hostname) a[`${H}set-host`] = w.hostname;
  if (rule.requestHeaders?.remove || rule.responseHeaders?.remove) {
    unsupported(
      `${at}.${rule.requestHeaders?.remove ? 'requestHeaders' : 'responseHeaders'}.remove`,
      rule.requestHeaders?.remove ? 'headers.request' : 'headers.response',
      'HAProxy annotations set headers; removing one takes a config snippet, which Switchyard never emits',
    );
  }
  if (rule.requestHeaders?.set) a[`${H}request-set-header`] = setHeaders(rule.requestHeaders.set);
  const hsts: Record<string, string> = policy.hsts
    ? {
        'Strict-Transport-Security': [
          `max-age=${Math.floor(parseDuration(policy.hsts.maxAge)! / 1000)}`,
          ...(policy.hsts.includeSubdomains ? ['includeSubDomains'] : []),
          ...(policy.hsts.preload ? ['preload'] : []),
        ].join('; '),
      }
    : {};
  const response = { ...(rule.responseHeaders?.set ?? {}), ...hsts };
  if (Object.keys(response).length) a[`${H}response-set-header`] = setHeaders(response);
  const t = rule.timeouts;
  if (t?.connect)
    warnings.push(
      `${at}.timeouts.connect: HAProxy sets the connect timeout in its ConfigMap (timeout-connect) for every route`,
    );
  const server = t?.backendRequest ?? t?.idle;
  if (server) a[`${H}timeout-server`] = time(server);
  const allow = rule.allowSourceRanges ?? policy.allowSourceRanges;
  if (allow) a[`${H}allow-list`] = allow.join(', ');
  if (policy.denySourceRanges) a[`${H}deny-list`] = policy.denySourceRanges.join(', ');
  const limit = rule.rateLimit ?? policy.rateLimit;
  if (limit) {
    Object.assign(a, {
      [`${H}rate-limit-requests`]: String(limit.requestsPerSecond),
      [`${H}rate-limit-period`]: '1s',
      [`${H}rate-limit-status-code`]: '429',
    });
    if (limit.burst !== undefined)
      warnings.push(`${at}: HAProxy counts requests per client IP with no burst; burst ${limit.burst} is not applied`);
  }
  if (policy.cors && !rule.redirect) Object.assign(a, corsAnnotations(policy.cors));
  const protocol = rule.backends?.[0]?.protocol;
  if (protocol === 'https') a[`${H}server-ssl`] = 'true';
  if (protocol === 'grpc' || protocol === 'h2c') a[`${H}server-proto`] = 'h2';
  return a;
}

/** The one-condition HAProxy ACL of a canary match, or an error naming what HAProxy cannot take. */
function canaryAcl(match: RouteMatch, at: string): string {
  const { type, value } = pathOf(match);
  if (type !== 'PathPrefix' || value !== '/') {
    unsupported(
      `${at}.path`,
      'match.header',
      'HAProxy applies a route-acl to the whole host, so a header, cookie or method canary must cover every path (PathPrefix /)',
    );
  }
  const conditions = [
    ...(match.headers ?? []).map((h) => ({
      acl: `req.hdr(${h.name}) -m ${h.type === 'RegularExpression' ? 'reg' : 'str'} ${h.value}`,
      value: h.value,
    })),
    ...(match.cookie
      ? [{ acl: `req.cook(${match.cookie.name}) -m str ${match.cookie.value}`, value: match.cookie.value }]
      : []),
    ...(match.method ? [{ acl: `method ${match.method}`, value: match.method }] : []),
  ];
  if (conditions.length !== 1)
    unsupported(at, 'match.header', 'an HAProxy route-acl canary selects by exactly one header, cookie or method');
  if (/\s/.test(conditions[0]!.value)) unsupported(at, 'match.header', 'HAProxy ACL values cannot contain spaces');
  return conditions[0]!.acl;
}

/** Records the annotations a rule needs on a Service, refusing disagreement (they apply to the whole Service). */
function needAnnotations(
  services: ServiceAnnotations[],
  policy: RoutingPolicy,
  backend: Backend,
  annotations: Record<string, string>,
  owner: string,
): void {
  const namespace = backendNamespace(policy, backend);
  for (const [key, value] of Object.entries(annotations)) {
    const other = services.find(
      (s) => s.namespace === namespace && s.service === backend.service && s.annotations[key] !== undefined,
    );
    if (other && other.annotations[key] !== value) {
      unsupported(
        owner,
        key.endsWith('route-acl') ? 'split.weighted' : 'session-affinity',
        `${key} is set per Service, and ${other.owner} already needs '${other.annotations[key]}' on ${namespace}/${backend.service}`,
      );
    }
  }
  services.push({ namespace, service: backend.service, annotations, owner });
}

/** Canary and affinity needs of a rule; returns the canary backends, which need path-less Ingress entries. */
function serviceScoped(
  policy: RoutingPolicy,
  rule: RouteRule,
  at: string,
  warnings: string[],
  services: ServiceAnnotations[],
): Backend[] {
  const backends = rule.backends ?? [];
  if (rule.sessionAffinity) {
    if (rule.sessionAffinity.maxAge)
      warnings.push(`${at}.sessionAffinity.maxAge: HAProxy's persistence cookie lasts for the browser session`);
    for (const b of backends)
      needAnnotations(services, policy, b, { [`${H}cookie-persistence`]: rule.sessionAffinity.cookieName }, at);
  }
  const selecting = matchesOf(rule).filter((m) => m.headers || m.cookie || m.method);
  if (selecting.length) {
    if (selecting.length !== matchesOf(rule).length || selecting.length !== 1 || backends.length !== 1) {
      unsupported(`${at}.matches`, 'match.header', 'an HAProxy canary rule has one match and one backend');
    }
    needAnnotations(
      services,
      policy,
      backends[0]!,
      { [`${H}route-acl`]: canaryAcl(selecting[0]!, `${at}.matches[0]`) },
      at,
    );
    return [backends[0]!];
  }
  if (backends.length === 2) {
    const { type, value } = pathOf(matchesOf(rule)[0]!);
    if (matchesOf(rule).length !== 1 || type !== 'PathPrefix' || value !== '/') {
      unsupported(
        `${at}.backends`,
        'split.weighted',
        'HAProxy applies a route-acl to the whole host, so a weighted canary must cover every path (PathPrefix /)',
      );
    }
    const percent = Math.round((100 * weightOf(backends[1]!)) / (weightOf(backends[0]!) + weightOf(backends[1]!)));
    needAnnotations(services, policy, backends[1]!, { [`${H}route-acl`]: `rand(100) lt ${percent}` }, at);
    warnings.push(
      `${at}: HAProxy sends a random ${percent}% of the host's requests to ${backends[1]!.service} (route-acl on its Service), an approximation of the weights`,
    );
    return [backends[1]!];
  }
  return [];
}

function compilePolicy(
  policy: RoutingPolicy,
  className: string,
  warnings: string[],
  services: ServiceAnnotations[],
): KubeObject[] {
  const objects: KubeObject[] = [...certificateFor(policy)];
  const fallback = policy.rules.find((r) => r.backends)?.backends?.[0];
  policy.rules.forEach((rule, index) => {
    const at = `${policy.name}.rules[${index}]`;
    const backend = rule.backends?.[0] ?? fallback ?? { service: `${policy.name}-redirect`, port: 80 };
    if (!rule.backends && !fallback)
      warnings.push(
        `${at}: the redirect Ingress names Service ${backend.service}, which never receives traffic (HAProxy answers the redirect first)`,
      );
    const annotations = ruleAnnotations(policy, rule, at, warnings);
    const canaries = serviceScoped(policy, rule, at, warnings, services);
    const selecting = matchesOf(rule).some((m) => m.headers || m.cookie || m.method);
    // A canary's Service must sit in an Ingress rule to be admitted; a path-less entry routes nothing by itself.
    const extra = canaries.map(
      (c): IngressPathEntry => ({
        pathType: 'ImplementationSpecific',
        backend: { service: { name: c.service, port: { number: c.port } } },
      }),
    );
    const paths = (selecting ? [] : matchesOf(rule)).map((m): IngressPathEntry => {
      const { type, value } = pathOf(m);
      return {
        path: type === 'PathPrefix' ? value.replace(/\/+$/, '') || '/' : value,
        pathType: type === 'Exact' ? 'Exact' : 'Prefix',
        backend: { service: { name: backend.service, port: { number: backend.port } } },
      };
    });
    objects.push(
      ingressObject(policy, objectName([policy.name, rule.name ?? `rule-${index}`]), annotations, className, [
        ...paths,
        ...extra,
      ]),
    );
  });
  return objects;
}

/** Compiles validated, conflict-free policies to HAProxy Ingress objects. */
export function compileHaproxy(
  policies: readonly RoutingPolicy[],
  target: CompileTarget,
  warnings: string[],
  services: ServiceAnnotations[],
): KubeObject[] {
  return policies.flatMap((p) => compilePolicy(p, target.ingressClassName ?? 'haproxy', warnings, services));
}
