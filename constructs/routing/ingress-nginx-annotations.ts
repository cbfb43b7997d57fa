/**
 * ingress-nginx annotations for one rule, in their exact formats (all values strings; timeouts in
 * whole seconds). Never a snippet annotation: those are Critical risk and off by default. Pure.
 */
import { approximate } from './approximations';
import { dialectsSupporting, type Feature } from './capabilities';
import { UnsupportedFeatureError } from './errors';
import { backendNamespace, redirectsHttp } from './model';
import type { RetryOn, RouteRule, RoutingPolicy } from './types';
import { parseDuration } from './values';

export const NGINX = 'nginx.ingress.kubernetes.io/';

const seconds = (duration: string) => Math.ceil(parseDuration(duration)! / 1000);

/** Whole seconds of a duration, or a typed error: nginx timeouts are integer seconds. */
function wholeSeconds(duration: string, at: string, feature: Feature): number {
  const ms = parseDuration(duration)!;
  if (ms % 1000 !== 0 || ms === 0)
    unsupportedOnNginx(at, feature, `nginx takes whole seconds (at least 1), not ${duration}`);
  return ms / 1000;
}

const NEXT_UPSTREAM: Readonly<Record<string, string[]>> = {
  '5xx': ['http_500', 'http_502', 'http_503', 'http_504'],
  'gateway-error': ['http_502', 'http_503', 'http_504'],
  reset: ['error'],
  'connect-failure': ['error', 'timeout'],
};
const RETRIABLE_CODES = new Set([403, 404, 429, 500, 502, 503, 504]);

/** Throws UnsupportedFeatureError for ingress-nginx, naming the dialects that can express the feature. */
/**
 * Refuses what nginx would interpret in a redirect or rewrite target: '$' interpolates a variable
 * (`$http_cookie` would leak the client's cookies into the Location), ';' ends the directive, braces
 * and quotes break the generated configuration.
 */
export function nginxLiteral(path: string, feature: Feature, value: string): void {
  const bad = /[$;{}"'\\\s]/.exec(value)?.[0];
  if (bad !== undefined)
    unsupportedOnNginx(
      path,
      feature,
      `${JSON.stringify(bad)} in ${JSON.stringify(value)} would be read by nginx (variables, directive ends, quoting): percent-encode it`,
    );
}

export function unsupportedOnNginx(path: string, feature: Feature, detail: string): never {
  throw new UnsupportedFeatureError(
    path,
    feature,
    'ingress-nginx',
    dialectsSupporting(feature).filter((d) => d !== 'ingress-nginx'),
    detail,
  );
}

function retryAnnotations(rule: RouteRule, at: string, warnings: string[]): Record<string, string> {
  const r = rule.retries!;
  const conditions = new Set<string>();
  (r.on ?? ['5xx', 'connect-failure']).forEach((on: RetryOn, i) => {
    if (typeof on === 'number') {
      if (!RETRIABLE_CODES.has(on))
        unsupportedOnNginx(
          `${at}.retries.on[${i}]`,
          'retries',
          `nginx retries only on 403, 404, 429, 500, 502, 503 and 504, not ${on}`,
        );
      conditions.add(`http_${on}`);
    } else {
      NEXT_UPSTREAM[on]!.forEach((c) => {
        conditions.add(c);
      });
    }
  });
  if (r.perTryTimeout)
    unsupportedOnNginx(
      `${at}.retries.perTryTimeout`,
      'retries',
      'nginx has no per-try timeout (proxy-next-upstream-timeout bounds all tries together)',
    );
  if (r.backoff) warnings.push(`${at}.retries: ingress-nginx has no retry backoff; retries are immediate`);
  return {
    [`${NGINX}proxy-next-upstream`]: [...conditions].sort().join(' '),
    [`${NGINX}proxy-next-upstream-tries`]: String(r.attempts + 1),
  };
}

function timeoutAnnotations(rule: RouteRule, at: string, warnings: string[]): Record<string, string> {
  const t = rule.timeouts;
  if (!t) return {};
  const out: Record<string, string> = {};
  if (t.connect) {
    const connect = wholeSeconds(t.connect, `${at}.timeouts.connect`, 'timeouts.connect');
    if (connect > 75)
      unsupportedOnNginx(`${at}.timeouts.connect`, 'timeouts.connect', 'nginx caps the connect timeout at 75s');
    out[`${NGINX}proxy-connect-timeout`] = String(connect);
  }
  // nginx times each read and send between two operations; there is no per-request total.
  const between = t.backendRequest ?? t.request ?? t.idle;
  if (between) {
    const field = t.backendRequest ? 'backendRequest' : t.request ? 'request' : 'idle';
    const feature =
      field === 'backendRequest'
        ? 'timeouts.backend-request'
        : field === 'request'
          ? 'timeouts.request'
          : 'timeouts.idle';
    const value = String(wholeSeconds(between, `${at}.timeouts.${field}`, feature));
    out[`${NGINX}proxy-read-timeout`] = value;
    out[`${NGINX}proxy-send-timeout`] = value;
    warnings.push(
      `${at}.timeouts: ingress-nginx only bounds the time between two reads or writes (${value}s), not the whole request`,
    );
  }
  return out;
}

function corsAnnotations(policy: RoutingPolicy): Record<string, string> {
  const cors = policy.cors;
  if (!cors) return {};
  // annotations/cors/main.go: no (or an empty) cors-allow-headers means nginx's own list.
  if (!cors.allowHeaders?.length)
    unsupportedOnNginx(
      `${policy.name}.cors.allowHeaders`,
      'cors',
      'without cors-allow-headers nginx allows its own list (DNT, Keep-Alive, User-Agent, X-Requested-With, If-Modified-Since, Cache-Control, Content-Type, Range, Authorization): list allowHeaders',
    );
  return {
    [`${NGINX}enable-cors`]: 'true',
    [`${NGINX}cors-allow-origin`]: cors.allowOrigins.join(', '),
    [`${NGINX}cors-allow-methods`]: (cors.allowMethods ?? ['GET', 'HEAD', 'POST']).join(', '),
    ...(cors.allowHeaders ? { [`${NGINX}cors-allow-headers`]: cors.allowHeaders.join(', ') } : {}),
    ...(cors.exposeHeaders ? { [`${NGINX}cors-expose-headers`]: cors.exposeHeaders.join(', ') } : {}),
    // nginx defaults credentials to true: always say it.
    [`${NGINX}cors-allow-credentials`]: String(cors.allowCredentials === true),
    // nginx's default is 1728000 s; the model's is the browsers' 5 s.
    [`${NGINX}cors-max-age`]: String(cors.maxAge ? seconds(cors.maxAge) : 5),
  };
}

function redirectAnnotations(
  policy: RoutingPolicy,
  rule: RouteRule,
  at: string,
  warnings: string[],
): Record<string, string> {
  const r = rule.redirect!;
  const code = r.statusCode ?? 302;
  // The location's `return` runs in nginx's rewrite phase, before rewrite_by_lua (lua_ingress.lua),
  // which issues the HTTP-to-HTTPS redirect: plain HTTP would get this redirect instead of the upgrade.
  if (redirectsHttp(policy))
    approximate(
      warnings,
      policy,
      'ingress-nginx',
      `${at}.redirect`,
      'redirect',
      "plain HTTP gets this redirect at once, not the HTTP-to-HTTPS redirect first: the location's return runs before rewrite_by_lua",
    );
  if (r.scheme === 'https' && r.hostname === undefined && r.path === undefined && r.port === undefined) {
    if (policy.tls)
      unsupportedOnNginx(
        `${at}.redirect`,
        'redirect',
        'a scheme-only redirect is force-ssl-redirect, which forwards HTTPS requests instead of redirecting them',
      );
    if (code !== 308)
      unsupportedOnNginx(
        `${at}.redirect.statusCode`,
        'redirect',
        'a scheme-only redirect is force-ssl-redirect, whose code is the controller-wide http-redirect-code (308 by default): use 308',
      );
    return { [`${NGINX}force-ssl-redirect`]: 'true', [`${NGINX}preserve-trailing-slash`]: 'true' };
  }
  if (r.path === undefined)
    unsupportedOnNginx(
      `${at}.redirect`,
      'redirect',
      'nginx redirects to a fixed URL and would drop the request path: set redirect.path',
    );
  if (policy.tls && !redirectsHttp(policy) && r.scheme === undefined)
    unsupportedOnNginx(
      `${at}.redirect.scheme`,
      'redirect',
      'nginx redirects to a fixed URL, so it cannot keep the request scheme of a policy that serves HTTP and HTTPS: set redirect.scheme',
    );
  const host =
    r.hostname ?? (policy.hosts.length === 1 && !policy.hosts[0]!.startsWith('*.') ? policy.hosts[0] : undefined);
  if (!host)
    unsupportedOnNginx(
      `${at}.redirect.hostname`,
      'redirect',
      'nginx needs an absolute redirect URL and the policy has several hosts: set redirect.hostname',
    );
  const scheme = r.scheme ?? (policy.tls ? 'https' : 'http');
  const port = r.port !== undefined && r.port !== (scheme === 'https' ? 443 : 80) ? `:${r.port}` : '';
  nginxLiteral(`${at}.redirect.path`, 'redirect.path', r.path!);
  const url = `${scheme}://${host}${port}${r.path}`;
  const permanent = code === 301 || code === 308;
  return permanent
    ? { [`${NGINX}permanent-redirect`]: url, [`${NGINX}permanent-redirect-code`]: String(code) }
    : { [`${NGINX}temporal-redirect`]: url, [`${NGINX}temporal-redirect-code`]: String(code) };
}

/** The annotations of the Ingress that carries one rule (the canary Ingress reads none of them). */
export function ruleAnnotations(
  policy: RoutingPolicy,
  rule: RouteRule,
  at: string,
  warnings: string[],
): Record<string, string> {
  const a: Record<string, string> = {};
  if (rule.rewrite?.pathPrefix !== undefined)
    nginxLiteral(`${at}.rewrite.pathPrefix`, 'rewrite.path-prefix', rule.rewrite.pathPrefix);
  if (rule.rewrite?.fullPath !== undefined)
    nginxLiteral(`${at}.rewrite.fullPath`, 'rewrite.full-path', rule.rewrite.fullPath);
  const protocol = rule.backends?.[0]?.protocol;
  if (protocol === 'https') a[`${NGINX}backend-protocol`] = 'HTTPS';
  if (protocol === 'grpc') a[`${NGINX}backend-protocol`] = 'GRPC';
  if (policy.tls && !policy.tls.passthrough && policy.tls.redirectHttp === false) a[`${NGINX}ssl-redirect`] = 'false';
  // lua_ingress.lua drops a trailing '/' from the HTTPS redirect unless told to keep it.
  if (redirectsHttp(policy)) a[`${NGINX}preserve-trailing-slash`] = 'true';
  if (rule.redirect) Object.assign(a, redirectAnnotations(policy, rule, at, warnings));
  if (rule.rewrite?.hostname) a[`${NGINX}upstream-vhost`] = rule.rewrite.hostname;
  Object.assign(a, timeoutAnnotations(rule, at, warnings));
  if (rule.retries) Object.assign(a, retryAnnotations(rule, at, warnings));
  if (rule.mirror) {
    if ((rule.mirror.percent ?? 100) !== 100)
      unsupportedOnNginx(`${at}.mirror.percent`, 'mirror', 'nginx mirrors every request (100%) or none');
    const m = rule.mirror.backend;
    a[`${NGINX}mirror-target`] =
      `http://${m.service}.${backendNamespace(policy, m)}.svc.cluster.local:${m.port}$request_uri`;
    warnings.push(
      `${at}.mirror: mirror-target is a High-risk annotation and assumes the cluster domain 'cluster.local'`,
    );
  }
  if (rule.sessionAffinity) {
    a[`${NGINX}affinity`] = 'cookie';
    a[`${NGINX}session-cookie-name`] = rule.sessionAffinity.cookieName;
    if (rule.sessionAffinity.maxAge) a[`${NGINX}session-cookie-max-age`] = String(seconds(rule.sessionAffinity.maxAge));
  }
  const limit = rule.rateLimit ?? policy.rateLimit;
  if (limit) {
    a[`${NGINX}limit-rps`] = String(limit.requestsPerSecond);
    // ratelimit/main.go: burst = limit-rps * limit-burst-multiplier (default 5).
    const burst = limit.burst ?? limit.requestsPerSecond;
    if (burst % limit.requestsPerSecond !== 0 || burst === 0)
      unsupportedOnNginx(
        `${rule.rateLimit ? at : policy.name}.rateLimit.burst`,
        'rate-limit',
        `nginx's burst is a whole multiple of the rate (limit-burst-multiplier): use a multiple of ${limit.requestsPerSecond}`,
      );
    a[`${NGINX}limit-burst-multiplier`] = String(burst / limit.requestsPerSecond);
    warnings.push(`${at}: ingress-nginx rate limits count per client IP per controller replica and reject with 503`);
  }
  const allow = rule.allowSourceRanges ?? policy.allowSourceRanges;
  if (allow) a[`${NGINX}allowlist-source-range`] = allow.join(',');
  if (policy.denySourceRanges) a[`${NGINX}denylist-source-range`] = policy.denySourceRanges.join(',');
  // The location's return (rewrite phase) answers before allow/deny (access phase) are consulted.
  if (rule.redirect && allow)
    approximate(
      warnings,
      policy,
      'ingress-nginx',
      `${rule.allowSourceRanges ? at : policy.name}.allowSourceRanges`,
      'ip.allow',
      `nginx answers ${at}'s redirect to every client: its return runs before the allow list`,
    );
  if (rule.redirect && policy.denySourceRanges)
    approximate(
      warnings,
      policy,
      'ingress-nginx',
      `${policy.name}.denySourceRanges`,
      'ip.deny',
      `nginx answers ${at}'s redirect to every client: its return runs before the deny list`,
    );
  if (!rule.redirect) Object.assign(a, corsAnnotations(policy));
  if (rule.maxBodySize) a[`${NGINX}proxy-body-size`] = rule.maxBodySize;
  return a;
}
