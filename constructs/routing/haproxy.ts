/**
 * The HAProxy dialect (haproxytech kubernetes-ingress 3.2): one Ingress per rule, class 'haproxy', with
 * `haproxy.org/*` annotations in their documented formats. Canaries (by weight, header, cookie or
 * method) and cookie persistence are Service annotations (`route-acl`, `cookie-persistence`): they are
 * returned as `serviceAnnotations` for the Services' owner to apply, checked for agreement per Service.
 * A canary's Ingress path carries the rule's own path, so its route-acl rule is scoped to that path
 * (pkg/route/route.go AddCustomRoute adds `{ path ... }` for a path, nothing for a path-less entry);
 * haproxy-checks.ts refuses what the controller would still route differently. Pure.
 */
import { approximate } from './approximations';
import { UnsupportedFeatureError } from './errors';
import { checkHaproxyEntries, type HaproxyEntry } from './haproxy-checks';
import { type IngressPathEntry, ingressObject } from './ingress-objects';
import { backendNamespace, matchesOf, pathOf, redirectsHttp, weightOf } from './model';
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
/** Annotations the controller reads for the backend (pkg/annotations/annotations.go Backend), not as Ingress rules. */
const BACKEND_KEYS = new Set([`${H}timeout-server`, `${H}server-ssl`, `${H}server-proto`]);

function unsupported(path: string, feature: string, detail: string): never {
  throw new UnsupportedFeatureError(path, feature, 'haproxy', ['gateway-api', 'traefik'], detail);
}

function corsAnnotations(cors: CorsPolicy, at: string): Record<string, string> {
  // pkg/annotations/ingress/resSetCORS.go has no expose-headers annotation.
  if (cors.exposeHeaders?.length)
    unsupported(
      `${at}.exposeHeaders`,
      'cors',
      'the HAProxy controller has no cors-expose-headers annotation (pkg/annotations/ingress/resSetCORS.go), so Access-Control-Expose-Headers would be dropped',
    );
  // One origin value: '*', or a regex the request's Origin must match.
  const origin = cors.allowOrigins.includes('*')
    ? '*'
    : `^(${cors.allowOrigins.map((o) => escapeRegex(o).replace('\\*\\.', '[^.]+\\.')).join('|')})$`;
  return {
    [`${H}cors-enable`]: 'true',
    [`${H}cors-allow-origin`]: origin,
    [`${H}cors-allow-methods`]: (cors.allowMethods ?? ['GET', 'HEAD', 'POST']).join(', '),
    // Unset, the controller sends 'Access-Control-Allow-Headers: *' (pkg/annotations/common/main.go
    // DefaultValues); an empty value sends none.
    [`${H}cors-allow-headers`]: (cors.allowHeaders ?? []).join(', '),
    [`${H}cors-allow-credentials`]: String(cors.allowCredentials === true),
    ...(cors.maxAge ? { [`${H}cors-max-age`]: time(cors.maxAge) } : {}),
  };
}

/**
 * `Name "value"` lines. HAProxy reads the value as a log-format string, where `%[...]` would fetch
 * samples (another header, the client address): a literal '%' is written '%%' (reqSetHdr.go).
 */
function setHeaders(values: Readonly<Record<string, string>>): string {
  return Object.entries(values)
    .map(([name, value]) => `${name} ${JSON.stringify(value.replace(/%/g, '%%'))}`)
    .join('\n');
}

function redirectAnnotations(policy: RoutingPolicy, rule: RouteRule, at: string): Record<string, string> {
  const r = rule.redirect!;
  const code = r.statusCode ?? 302;
  if (![301, 302, 303].includes(code))
    unsupported(`${at}.redirect.statusCode`, 'redirect', 'HAProxy redirects with 301, 302 or 303');
  // request-redirect answers `<scheme>://<host><uri>` with scheme http unless the value starts with
  // https:// (pkg/annotations/ingress/hostRedirect.go, pkg/haproxy/rules/reqRequestRedirect.go). On a
  // TLS policy plain HTTP is upgraded first, so the request scheme is https there.
  const scheme =
    r.scheme ?? (redirectsHttp(policy) ? 'https' : policy.tls?.redirectHttp === false ? undefined : 'http');
  if (!scheme)
    unsupported(
      `${at}.redirect.scheme`,
      'redirect',
      "HAProxy's redirect names its scheme; with redirectHttp false the request scheme varies: set redirect.scheme",
    );
  const host = r.hostname ?? policy.hosts[0]!;
  if (!r.hostname && (policy.hosts.length > 1 || host.startsWith('*.')))
    unsupported(
      `${at}.redirect.hostname`,
      'redirect',
      "HAProxy's redirect names a fixed host; on a policy with several or wildcard hosts set redirect.hostname",
    );
  return {
    [`${H}request-redirect`]: `${scheme === 'https' ? 'https://' : ''}${host}${r.port ? `:${r.port}` : ''}`,
    [`${H}request-redirect-code`]: String(code),
  };
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
    // ssl-redirect-port defaults to 8443 (pkg/annotations/common/main.go), which would end up in the Location.
    Object.assign(a, {
      [`${H}ssl-redirect`]: 'true',
      [`${H}ssl-redirect-code`]: '301',
      [`${H}ssl-redirect-port`]: '443',
    });
  // An Ingress with spec.tls is redirected unless ssl-redirect is false (pkg/annotations/ingress/httpsRedirect.go).
  else if (tls) a[`${H}ssl-redirect`] = 'false';
  if (rule.redirect) Object.assign(a, redirectAnnotations(policy, rule, at));
  const w = rule.rewrite;
  if (w?.fullPath !== undefined) a[`${H}path-rewrite`] = w.fullPath;
  if (w?.pathPrefix !== undefined) {
    const prefixes = new Set(matchesOf(rule).map((m) => pathOf(m).value.replace(/\/+$/, '')));
    if (prefixes.size > 1)
      unsupported(
        `${at}.rewrite.pathPrefix`,
        'rewrite.path-prefix',
        'one HAProxy path-rewrite per Ingress: a prefix rewrite needs the rule to match one path prefix',
      );
    const from = escapeRegex(pathOf(matchesOf(rule)[0]!).value.replace(/\/+$/, ''));
    const to = w.pathPrefix.replace(/\/+$/, '');
    a[`${H}path-rewrite`] = to ? `${from}(/.*)?$ ${to}\\1` : `${from}/?(.*)$ /\\1`;
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
    // A sliding window of one period (pkg/haproxy/rules/reqRatelimit.go): the burst is the rate itself.
    if (limit.burst !== undefined && limit.burst !== limit.requestsPerSecond)
      unsupported(
        `${rule.rateLimit ? at : policy.name}.rateLimit.burst`,
        'rate-limit',
        `HAProxy counts requests per client over a 1s window, so its burst is the rate (${limit.requestsPerSecond}); drop burst or set it to requestsPerSecond`,
      );
    Object.assign(a, {
      [`${H}rate-limit-requests`]: String(limit.requestsPerSecond),
      [`${H}rate-limit-period`]: '1s',
      [`${H}rate-limit-status-code`]: '429',
    });
  }
  if (policy.cors && !rule.redirect) Object.assign(a, corsAnnotations(policy.cors, `${policy.name}.cors`));
  const protocol = rule.backends?.[0]?.protocol;
  if (protocol === 'https') a[`${H}server-ssl`] = 'true';
  if (protocol === 'grpc' || protocol === 'h2c') a[`${H}server-proto`] = 'h2';
  return a;
}

/** The one-condition HAProxy ACL of a canary match, or an error naming what HAProxy cannot take. */
function canaryAcl(match: RouteMatch, at: string): string {
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
  // '#' starts a comment in HAProxy's configuration: the rest of the ACL (and the rule) would be cut off.
  if (conditions[0]!.value.includes('#'))
    unsupported(at, 'match.header', "HAProxy ACL values cannot contain '#' (it starts a comment in the configuration)");
  return conditions[0]!.acl;
}

/** Records the annotations a rule needs on a Service, refusing disagreement (they apply to the whole Service). */
function needAnnotations(
  services: ServiceAnnotations[],
  namespace: string,
  backend: Backend,
  annotations: Record<string, string>,
  owner: string,
): void {
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

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** How a rule routes: the map backend, and the canary (a Service with a route-acl) if any. */
function plan(policy: RoutingPolicy, rule: RouteRule, at: string): { main?: Backend; canary?: Backend; acl?: string } {
  const live = (rule.backends ?? []).filter((b) => weightOf(b) > 0);
  const selecting = matchesOf(rule).filter((m) => m.headers || m.cookie || m.method);
  if (selecting.length) {
    // One route-acl per Service: every match of the rule must select by the same condition.
    const acls = selecting.map((m, i) => canaryAcl(m, `${at}.matches[${i}]`));
    if (selecting.length !== matchesOf(rule).length || new Set(acls).size !== 1 || live.length !== 1) {
      unsupported(
        `${at}.matches`,
        'match.header',
        'an HAProxy canary rule has one backend, and every match selects by the same header, cookie or method (one route-acl per Service)',
      );
    }
    return { canary: live[0]!, acl: acls[0]! };
  }
  if (live.length === 2) {
    if (policy.tls?.passthrough)
      unsupported(
        `${at}.backends`,
        'split.weighted',
        'a passthrough host is one entry of the SNI map; the route-acl canary is a use_backend rule of the HTTP frontends, which passthrough traffic never reaches (pkg/route/route.go)',
      );
    // rand(N) is uniform over 0..N-1 (HAProxy configuration manual, rand): `lt w` selects exactly w/N.
    const [w0, w1] = [weightOf(live[0]!), weightOf(live[1]!)];
    const d = gcd(w0, w1);
    return { main: live[0]!, canary: live[1]!, acl: `rand(${(w0 + w1) / d}) lt ${w1 / d}` };
  }
  return { main: live[0] };
}

function compilePolicy(
  policy: RoutingPolicy,
  className: string,
  warnings: string[],
  services: ServiceAnnotations[],
  entries: HaproxyEntry[],
): KubeObject[] {
  const objects: KubeObject[] = [...certificateFor(policy)];
  const fallbackIndex = policy.rules.findIndex((r) => r.backends);
  const fallback = policy.rules[fallbackIndex]?.backends?.[0];
  const annotationsOf = policy.rules.map((rule, index) =>
    ruleAnnotations(policy, rule, `${policy.name}.rules[${index}]`, warnings),
  );
  const backendPart = (a: Record<string, string>) =>
    Object.fromEntries(Object.entries(a).filter(([k]) => BACKEND_KEYS.has(k)));
  const frontendPart = (a: Record<string, string>) =>
    Object.fromEntries(Object.entries(a).filter(([k]) => !BACKEND_KEYS.has(k)));
  policy.rules.forEach((rule, index) => {
    const at = `${policy.name}.rules[${index}]`;
    let annotations = annotationsOf[index]!;
    const routed = plan(policy, rule, at);
    const main =
      routed.main ?? (routed.canary ? undefined : (fallback ?? { service: `${policy.name}-redirect`, port: 80 }));
    if (rule.redirect) {
      if (!fallback)
        warnings.push(
          `${at}: the redirect Ingress names Service ${main!.service}, which never receives traffic (HAProxy answers the redirect first)`,
        );
      // The redirect's Ingress names the fallback Service, whose backend takes its settings from every Ingress naming it.
      else annotations = { ...frontendPart(annotations), ...backendPart(annotationsOf[fallbackIndex]!) };
    }
    const namespace = (b: Backend) => backendNamespace(policy, b);
    if (rule.sessionAffinity) {
      if (rule.sessionAffinity.maxAge)
        approximate(
          warnings,
          policy,
          'haproxy',
          `${at}.sessionAffinity.maxAge`,
          'session-affinity',
          "HAProxy's persistence cookie (cookie-persistence) has no lifetime: it lasts for the browser session",
        );
      for (const b of [routed.main, routed.canary].filter((x): x is Backend => x !== undefined))
        needAnnotations(services, namespace(b), b, { [`${H}cookie-persistence`]: rule.sessionAffinity.cookieName }, at);
    }
    if (routed.canary) {
      needAnnotations(services, namespace(routed.canary), routed.canary, { [`${H}route-acl`]: routed.acl! }, at);
      if (routed.acl!.startsWith('rand('))
        warnings.push(
          `${at}: HAProxy sends ${routed.acl} of the rule's requests to ${routed.canary.service} (route-acl on its Service)`,
        );
    }
    const entry = (b: Backend, m: RouteMatch): IngressPathEntry => {
      const { type, value } = pathOf(m);
      return {
        path: type === 'PathPrefix' ? value.replace(/\/+$/, '') || '/' : value,
        pathType: type === 'Exact' ? 'Exact' : 'Prefix',
        backend: { service: { name: b.service, port: { number: b.port } } },
      };
    };
    const routes = [
      ...(main ? [{ b: main, acl: undefined }] : []),
      ...(routed.canary ? [{ b: routed.canary, acl: routed.acl }] : []),
    ];
    const paths = routes.flatMap(({ b }) => matchesOf(rule).map((m) => entry(b, m)));
    for (const host of policy.hosts)
      for (const { b, acl } of routes)
        for (const m of matchesOf(rule)) {
          const { type, value } = pathOf(m);
          entries.push({
            at,
            host,
            path: { type: type === 'Exact' ? 'Exact' : 'PathPrefix', value },
            namespace: namespace(b),
            service: b.service,
            port: b.port,
            ...(acl ? { acl } : {}),
            ...(rule.sessionAffinity ? { cookie: rule.sessionAffinity.cookieName } : {}),
            frontend: frontendPart(annotations),
            backend: backendPart(annotations),
            passthrough: policy.tls?.passthrough === true,
          });
        }
    objects.push(
      ingressObject(policy, objectName([policy.name, rule.name ?? `rule-${index}`]), annotations, className, paths),
    );
  });
  return objects;
}

// The HTTP-to-HTTPS redirect is an http-request rule of the Ingress whose path the map matched
// (pkg/haproxy/rules/main.go), run after the deny rules (types.go: REQ_DENY before REQ_REDIRECT): a
// path no rule covers gets 404 over HTTP, a refused client 403. That is what the HTTPS request would
// get, so the model accepts it (afterUpgrade) and nothing needs consent.

/** Compiles validated, conflict-free policies to HAProxy Ingress objects. */
export function compileHaproxy(
  policies: readonly RoutingPolicy[],
  target: CompileTarget,
  warnings: string[],
  services: ServiceAnnotations[],
): KubeObject[] {
  const entries: HaproxyEntry[] = [];
  const objects = policies.flatMap((p) =>
    compilePolicy(p, target.ingressClassName ?? 'haproxy', warnings, services, entries),
  );
  checkHaproxyEntries(entries);
  return objects;
}
