/**
 * Traefik Middlewares: what a route does besides forwarding. Policy-wide ones (client allow list, rate
 * limit, CORS and HSTS headers) are shared by every route of the policy; a rule's own ones (redirects,
 * rewrites, header changes, retries, body limit, its own allow list or rate limit) are its alone. Pure.
 */
import { originPattern } from './cors-origins';
import { UnsupportedFeatureError } from './errors';
import { matchesOf, namespaceOf, pathOf } from './model';
import { objectName } from './names';
import { policyLabels } from './tls-objects';
import type { HeaderModifier, KubeObject, RateLimit, RouteRule, RoutingPolicy } from './types';
import { escapeRegex, parseDuration, parseSize } from './values';

function middleware(policy: RoutingPolicy, name: string, spec: unknown): KubeObject {
  return {
    apiVersion: 'traefik.io/v1alpha1',
    kind: 'Middleware',
    metadata: { name, namespace: namespaceOf(policy), labels: policyLabels(policy) },
    spec,
  };
}

/** Literal text in a Go regexp replacement: '$' would start a capture reference, '$$' is a literal '$'. */
const literal = (text: string) => text.split('$').join('$$');

/** A Go regexp capture reference, `${n}`, as Traefik's replacements take it. */
const group = (n: number) => ['$', '{', String(n), '}'].join('');

const seconds = (d: string) => Math.floor(parseDuration(d)! / 1000);
const rateLimit = (limit: RateLimit) => ({
  rateLimit: { average: limit.requestsPerSecond, period: '1s', burst: limit.burst ?? limit.requestsPerSecond },
});
const allowList = (ranges: readonly string[]) => ({ ipAllowList: { sourceRange: [...ranges] } });

/** Header changes as Traefik expresses them: set, and remove as an empty value; there is no append. */
function customHeaders(modifier: HeaderModifier | undefined): Record<string, string> | undefined {
  if (!modifier) return undefined;
  const headers: Record<string, string> = { ...(modifier.set ?? {}) };
  for (const name of modifier.remove ?? []) headers[name] = '';
  return Object.keys(headers).length ? headers : undefined;
}

/** The policy-wide middlewares, and which of them a given rule uses. */
export function policyMiddlewares(policy: RoutingPolicy): {
  objects: KubeObject[];
  refs: (rule: RouteRule) => string[];
} {
  const objects: KubeObject[] = [];
  const allow = policy.allowSourceRanges ? objectName([policy.name, 'allow']) : undefined;
  if (allow) objects.push(middleware(policy, allow, allowList(policy.allowSourceRanges!)));
  const limit = policy.rateLimit ? objectName([policy.name, 'rate-limit']) : undefined;
  if (limit) objects.push(middleware(policy, limit, rateLimit(policy.rateLimit!)));
  const cors = policy.cors;
  const hsts = policy.hsts;
  const headers = cors || hsts ? objectName([policy.name, 'headers']) : undefined;
  if (headers) {
    objects.push(
      middleware(policy, headers, {
        headers: {
          ...(cors
            ? {
                // The list matches exactly (or '*'); a wildcard origin needs the regex list
                // (pkg/middlewares/headers/header.go `matchOrigin`, unanchored: the patterns carry anchors).
                ...(cors.allowOrigins.some((o) => !originPattern(o))
                  ? { accessControlAllowOriginList: cors.allowOrigins.filter((o) => !originPattern(o)) }
                  : {}),
                ...(cors.allowOrigins.some((o) => originPattern(o))
                  ? { accessControlAllowOriginListRegex: cors.allowOrigins.flatMap((o) => originPattern(o) ?? []) }
                  : {}),
                accessControlAllowMethods: [...(cors.allowMethods ?? ['GET', 'HEAD', 'POST'])],
                ...(cors.allowHeaders ? { accessControlAllowHeaders: [...cors.allowHeaders] } : {}),
                ...(cors.exposeHeaders ? { accessControlExposeHeaders: [...cors.exposeHeaders] } : {}),
                accessControlAllowCredentials: cors.allowCredentials === true,
                ...(cors.maxAge ? { accessControlMaxAge: seconds(cors.maxAge) } : {}),
                addVaryHeader: true,
              }
            : {}),
          ...(hsts
            ? {
                stsSeconds: seconds(hsts.maxAge),
                stsIncludeSubdomains: hsts.includeSubdomains === true,
                stsPreload: hsts.preload === true,
              }
            : {}),
        },
      }),
    );
  }
  return {
    objects,
    refs: (rule) => [
      ...(allow && !rule.allowSourceRanges ? [allow] : []),
      ...(limit && !rule.rateLimit ? [limit] : []),
      ...(headers ? [headers] : []),
    ],
  };
}

function redirectSpec(rule: RouteRule, at: string, warnings: string[]) {
  const r = rule.redirect!;
  const code = r.statusCode ?? 302;
  const permanent = code === 301 || code === 308;
  warnings.push(
    `${at}.redirect: Traefik answers ${permanent ? '301 to GET and 308 to other methods' : '302 to GET and 307 to other methods'}, whatever code is asked for`,
  );
  if (r.scheme === undefined && r.hostname === undefined && r.path === undefined && r.port === undefined) {
    throw new UnsupportedFeatureError(
      `${at}.redirect`,
      'redirect',
      'traefik',
      ['gateway-api', 'ingress-nginx', 'contour'],
      "the redirect changes nothing of the URL, and Traefik passes a request whose URL a redirect middleware leaves unchanged on to the route's service (pkg/middlewares/redirect/redirect.go)",
    );
  }
  if (r.scheme !== undefined && r.hostname === undefined && r.path === undefined) {
    return { redirectScheme: { scheme: r.scheme, ...(r.port ? { port: String(r.port) } : {}), permanent } };
  }
  // Scheme, host, port, path and query of the request URL, each kept unless the redirect replaces it.
  return {
    redirectRegex: {
      regex: '^(https?)://([^/:]+)(:[0-9]+)?([^?]*)(\\?.*)?$',
      replacement: `${r.scheme ?? group(1)}://${r.hostname ?? group(2)}${r.port ? `:${r.port}` : group(3)}${r.path !== undefined ? literal(r.path) : group(4)}${group(5)}`,
      permanent,
    },
  };
}

function rewriteSpec(rule: RouteRule) {
  const w = rule.rewrite!;
  if (w.fullPath !== undefined) return { replacePath: { path: w.fullPath } };
  if (w.pathPrefix === undefined) return undefined;
  const from = escapeRegex(pathOf(matchesOf(rule)[0]!).value.replace(/\/+$/, ''));
  const to = w.pathPrefix.replace(/\/+$/, '');
  // Gateway ReplacePrefixMatch: '/api/x' -> '<to>/x' and '/api' -> '<to>' (or '/').
  return to === ''
    ? { replacePathRegex: { regex: `^${from}/?(.*)$`, replacement: `/${group(1)}` } }
    : { replacePathRegex: { regex: `^${from}(/.*)?$`, replacement: `${literal(to)}${group(1)}` } };
}

/** A rule's own middlewares, in the order Traefik chains them. */
export function ruleMiddlewares(
  policy: RoutingPolicy,
  rule: RouteRule,
  label: string,
  at: string,
  warnings: string[],
): { objects: KubeObject[]; refs: string[] } {
  const objects: KubeObject[] = [];
  const add = (suffix: string, spec: unknown) => {
    const name = objectName([policy.name, label, suffix]);
    objects.push(middleware(policy, name, spec));
  };
  if (rule.allowSourceRanges) add('allow', allowList(rule.allowSourceRanges));
  if (rule.rateLimit) add('rate-limit', rateLimit(rule.rateLimit));
  if (rule.redirect) add('redirect', redirectSpec(rule, at, warnings));
  const request = {
    ...(customHeaders(rule.requestHeaders) ?? {}),
    ...(rule.rewrite?.hostname ? { Host: rule.rewrite.hostname } : {}),
  };
  const response = customHeaders(rule.responseHeaders);
  if (rule.requestHeaders?.add || rule.responseHeaders?.add) {
    throw new UnsupportedFeatureError(
      `${at}.${rule.requestHeaders?.add ? 'requestHeaders' : 'responseHeaders'}.add`,
      'headers.append',
      'traefik',
      ['gateway-api'],
      'Traefik sets headers; it cannot append a value',
    );
  }
  if (Object.keys(request).length || response) {
    add('headers', {
      headers: {
        ...(Object.keys(request).length ? { customRequestHeaders: request } : {}),
        ...(response ? { customResponseHeaders: response } : {}),
      },
    });
  }
  const rewrite = rule.rewrite ? rewriteSpec(rule) : undefined;
  if (rewrite) add('rewrite', rewrite);
  if (rule.retries?.perTryTimeout) {
    throw new UnsupportedFeatureError(
      `${at}.retries.perTryTimeout`,
      'retries.per-try-timeout',
      'traefik',
      ['gateway-api', 'contour'],
      "Traefik's retry middleware has no per-attempt timeout: its `timeout` bounds all the retries together (pkg/config/dynamic/middlewares.go Retry)",
    );
  }
  if (rule.retries && rule.retries.attempts > 0) {
    const on = rule.retries.on ?? ['5xx', 'connect-failure'];
    const status = on.flatMap((o) =>
      typeof o === 'number' ? [String(o)] : o === '5xx' ? ['500-599'] : o === 'gateway-error' ? ['502-504'] : [],
    );
    add('retry', {
      retry: {
        // Traefik counts attempts, the first one included (pkg/middlewares/retry/retry.go).
        attempts: rule.retries.attempts + 1,
        ...(rule.retries.backoff ? { initialInterval: `${parseDuration(rule.retries.backoff)}ms` } : {}),
        ...(status.length ? { status } : {}),
        // Network errors are retried unless this is set; status retries skip POST, PATCH and LOCK unless
        // retryNonIdempotentMethod is set (retry.go `ServeHTTP`): the model retries every method.
        ...(on.includes('connect-failure') || on.includes('reset') ? {} : { disableRetryOnNetworkError: true }),
        retryNonIdempotentMethod: true,
      },
    });
  }
  if (rule.maxBodySize) add('body-size', { buffering: { maxRequestBodyBytes: parseSize(rule.maxBodySize) } });
  return { objects, refs: objects.map((o) => o.metadata.name) };
}
