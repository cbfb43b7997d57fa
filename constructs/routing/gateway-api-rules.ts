/**
 * Gateway API route rules: an HTTPRouteRule or a GRPCRouteRule from one policy rule, with the
 * filters, timeouts, retry and session persistence it carries. Pure.
 */
import { InvalidRoutingPolicyError } from './errors';
import { backendNamespace, matchesOf, namespaceOf, pathOf, weightOf } from './model';
import type { BackendRef, HeaderModifier, RouteMatch, RouteRule, RoutingPolicy } from './types';
import { escapeRegex, parseDuration } from './values';

/** A backendRef, naming the namespace only when it differs from the policy's. */
export function backendRef(policy: RoutingPolicy, ref: BackendRef): Record<string, unknown> {
  const namespace = backendNamespace(policy, ref);
  return { name: ref.service, port: ref.port, ...(namespace !== namespaceOf(policy) ? { namespace } : {}) };
}

/** The RequestMirror filter of a rule (HTTPRoute and GRPCRoute alike); percent omitted at the default 100. */
function mirrorFilter(policy: RoutingPolicy, rule: RouteRule): Record<string, unknown> | undefined {
  if (!rule.mirror) return undefined;
  const percent = rule.mirror.percent;
  return {
    type: 'RequestMirror',
    requestMirror: {
      backendRef: backendRef(policy, rule.mirror.backend),
      ...(percent !== undefined && percent !== 100 ? { percent } : {}),
    },
  };
}

function headerList(values: Readonly<Record<string, string>> | undefined) {
  return values ? Object.entries(values).map(([name, value]) => ({ name, value })) : undefined;
}

function headerFilter(modifier: HeaderModifier | undefined, extraSet: { name: string; value: string }[] = []) {
  const set = [...(headerList(modifier?.set) ?? []), ...extraSet];
  const add = headerList(modifier?.add);
  const filter = {
    ...(set.length ? { set } : {}),
    ...(add ? { add } : {}),
    ...(modifier?.remove ? { remove: [...modifier.remove] } : {}),
  };
  return Object.keys(filter).length ? filter : undefined;
}

function httpMatch(match: RouteMatch): Record<string, unknown> {
  const headers = (match.headers ?? []).map((h) => ({ type: h.type ?? 'Exact', name: h.name, value: h.value }));
  if (match.cookie) {
    // No cookie match in Gateway API: a regex on the Cookie header, correct under full or partial matching.
    const { name, value } = match.cookie;
    headers.push({
      type: 'RegularExpression',
      name: 'Cookie',
      value: `^(.*;\\s*)?${escapeRegex(name)}=${escapeRegex(value)}(;.*)?$`,
    });
  }
  return {
    path: { ...pathOf(match) },
    ...(headers.length ? { headers } : {}),
    ...(match.queryParams
      ? { queryParams: match.queryParams.map((q) => ({ type: q.type ?? 'Exact', name: q.name, value: q.value })) }
      : {}),
    ...(match.method ? { method: match.method } : {}),
  };
}

function hstsValue(policy: RoutingPolicy): string | undefined {
  const hsts = policy.hsts;
  if (!hsts) return undefined;
  const seconds = Math.floor(parseDuration(hsts.maxAge)! / 1000);
  return [
    `max-age=${seconds}`,
    ...(hsts.includeSubdomains ? ['includeSubDomains'] : []),
    ...(hsts.preload ? ['preload'] : []),
  ].join('; ');
}

function corsFilter(policy: RoutingPolicy) {
  const cors = policy.cors;
  if (!cors) return undefined;
  return {
    type: 'CORS',
    cors: {
      allowOrigins: [...cors.allowOrigins],
      allowMethods: [...(cors.allowMethods ?? ['GET', 'HEAD', 'POST'])],
      ...(cors.allowHeaders ? { allowHeaders: [...cors.allowHeaders] } : {}),
      ...(cors.exposeHeaders ? { exposeHeaders: [...cors.exposeHeaders] } : {}),
      ...(cors.allowCredentials ? { allowCredentials: true } : {}),
      ...(cors.maxAge ? { maxAge: Math.floor(parseDuration(cors.maxAge)! / 1000) } : {}),
    },
  };
}

function extensionRefFilter(name: string) {
  return { type: 'ExtensionRef', extensionRef: { group: 'traefik.io', kind: 'Middleware', name } };
}

/** The name a rule gets in generated objects (policies attach to it by `sectionName`). */
export function ruleName(rule: RouteRule, index: number): string {
  return rule.name ?? `rule-${index}`;
}

function retry(rule: RouteRule) {
  const r = rule.retries!;
  const codes = new Set<number>();
  for (const on of r.on ?? ['5xx', 'connect-failure']) {
    if (typeof on === 'number') codes.add(on);
    else if (on === '5xx')
      [500, 502, 503, 504].forEach((c) => {
        codes.add(c);
      });
    else if (on === 'gateway-error')
      [502, 503, 504].forEach((c) => {
        codes.add(c);
      });
    // 'reset' and 'connect-failure' are retried by implementations without a code.
  }
  return {
    attempts: r.attempts,
    ...(r.backoff ? { backoff: r.backoff } : {}),
    ...(codes.size ? { codes: [...codes].sort((a, b) => a - b) } : {}),
  };
}

/** The response header filter of a rule, with the policy's HSTS header on routes served over HTTPS only. */
function responseFilter(policy: RoutingPolicy, rule: RouteRule, at: string, https: boolean) {
  const hsts = https ? hstsValue(policy) : undefined;
  const userSetsHsts = Object.keys(rule.responseHeaders?.set ?? {}).some(
    (h) => h.toLowerCase() === 'strict-transport-security',
  );
  if (policy.hsts && userSetsHsts) {
    throw new InvalidRoutingPolicyError(
      `${at}.responseHeaders.set`,
      `${at}.responseHeaders.set sets Strict-Transport-Security while ${policy.name}.hsts also does: keep one`,
    );
  }
  return headerFilter(rule.responseHeaders, hsts ? [{ name: 'Strict-Transport-Security', value: hsts }] : []);
}

/**
 * ExtensionRef Middlewares first: Traefik runs a rule's filters as a middleware chain in list order
 * (traefik pkg/provider/kubernetes/gateway/httproute.go loadMiddlewares), so an ipAllowList after a
 * RequestRedirect would never be checked for redirected requests.
 */
export function httpRule(
  policy: RoutingPolicy,
  rule: RouteRule,
  index: number,
  at: string,
  extensionRefs: string[],
  https: boolean,
) {
  const filters: Record<string, unknown>[] = extensionRefs.map(extensionRefFilter);
  const request = headerFilter(rule.requestHeaders);
  if (request) filters.push({ type: 'RequestHeaderModifier', requestHeaderModifier: request });
  const response = responseFilter(policy, rule, at, https);
  if (response) filters.push({ type: 'ResponseHeaderModifier', responseHeaderModifier: response });
  if (rule.redirect) {
    const r = rule.redirect;
    filters.push({
      type: 'RequestRedirect',
      requestRedirect: {
        ...(r.scheme ? { scheme: r.scheme } : {}),
        ...(r.hostname ? { hostname: r.hostname } : {}),
        ...(r.path ? { path: { type: 'ReplaceFullPath', replaceFullPath: r.path } } : {}),
        ...(r.port ? { port: r.port } : {}),
        statusCode: r.statusCode ?? 302,
      },
    });
  }
  if (rule.rewrite) {
    const w = rule.rewrite;
    const path =
      w.pathPrefix !== undefined
        ? { type: 'ReplacePrefixMatch', replacePrefixMatch: w.pathPrefix }
        : w.fullPath !== undefined
          ? { type: 'ReplaceFullPath', replaceFullPath: w.fullPath }
          : undefined;
    filters.push({
      type: 'URLRewrite',
      urlRewrite: { ...(w.hostname ? { hostname: w.hostname } : {}), ...(path ? { path } : {}) },
    });
  }
  const mirror = mirrorFilter(policy, rule);
  if (mirror) filters.push(mirror);
  const cors = corsFilter(policy);
  if (cors && !rule.redirect) filters.push(cors);

  const timeouts: Record<string, string> = {};
  if (rule.timeouts?.request) timeouts.request = rule.timeouts.request;
  // No retry is emitted for attempts 0, so its per-try timeout is not an attempt timeout either.
  const perTry = rule.retries && rule.retries.attempts > 0 ? rule.retries.perTryTimeout : undefined;
  if (perTry && rule.timeouts?.backendRequest && perTry !== rule.timeouts.backendRequest) {
    throw new InvalidRoutingPolicyError(
      `${at}.retries.perTryTimeout`,
      `${at}.retries.perTryTimeout (${perTry}) differs from timeouts.backendRequest (${rule.timeouts.backendRequest}); Gateway API has one per-attempt timeout: keep one`,
    );
  }
  const attempt = rule.timeouts?.backendRequest ?? perTry;
  if (attempt) timeouts.backendRequest = attempt;

  const affinity = rule.sessionAffinity;
  return {
    name: ruleName(rule, index),
    matches: matchesOf(rule).map(httpMatch),
    ...(filters.length ? { filters } : {}),
    ...(rule.backends
      ? { backendRefs: rule.backends.map((b) => ({ ...backendRef(policy, b), weight: weightOf(b) })) }
      : {}),
    ...(Object.keys(timeouts).length ? { timeouts } : {}),
    // attempts 0 is no retry; HTTPRouteRetry.Attempts has a minimum of 1.
    ...(rule.retries && rule.retries.attempts > 0 ? { retry: retry(rule) } : {}),
    ...(affinity
      ? {
          sessionPersistence: {
            type: 'Cookie',
            sessionName: affinity.cookieName,
            ...(affinity.maxAge
              ? { absoluteTimeout: affinity.maxAge, cookieConfig: { lifetimeType: 'Permanent' } }
              : {}),
          },
        }
      : {}),
  };
}

/**
 * A gRPC rule's match as a GRPCRouteMatch. GRPCRoute matches whole calls, the path
 * '/<service>/<method>' (grpcroute_types.go GRPCMethodMatch): only a rule matching every path, or
 * exactly one method, routes the same requests as the policy. A PathPrefix ('/shop.Cart' or
 * '/shop.Cart/Get') also claims paths no GRPCRoute can claim ('/shop.Cart', '/shop.Cart/Get/x'), and
 * reducing it to a service match sent '/shop.Cart/Delete' to the rule of '/shop.Cart/Get'.
 * Envoy Gateway turns a service-only match into the path-separated prefix '/<service>'
 * (internal/gatewayapi/route.go processGRPCRouteMethodExact, internal/xds/translator/route.go): there,
 * and only there, PathPrefix '/<package.Service>' is exact.
 */
function grpcMatch(m: RouteMatch, at: string, implementation: string | undefined) {
  const path = pathOf(m);
  if (m.queryParams || m.method || m.cookie || path.type === 'RegularExpression') {
    throw new InvalidRoutingPolicyError(
      at,
      `${at} uses a match gRPC cannot express: use paths '/<package.Service>/<Method>' (Exact) and headers`,
    );
  }
  const headers = m.headers?.map((h) => ({ type: h.type ?? 'Exact', name: h.name, value: h.value }));
  if (path.type === 'PathPrefix' && path.value === '/') return headers ? { headers } : undefined;
  const parts = path.value.split('/');
  const service = path.type === 'PathPrefix' ? path.value.replace(/\/+$/, '').slice(1) : '';
  if (implementation === 'envoy-gateway' && service && !service.includes('/')) {
    return { method: { type: 'Exact', service }, ...(headers ? { headers } : {}) };
  }
  if (path.type !== 'Exact' || parts.length !== 3 || !parts[1] || !parts[2]) {
    throw new InvalidRoutingPolicyError(
      `${at}.path`,
      `${at}.path ${path.type} ${JSON.stringify(path.value)}: a GRPCRoute matches one method or all of them` +
        `${implementation === 'envoy-gateway' ? ' (on Envoy Gateway also a whole service)' : ''}; ` +
        `use Exact '/<package.Service>/<Method>' once per method, or no path for every method`,
    );
  }
  return { method: { type: 'Exact', service: parts[1], method: parts[2] }, ...(headers ? { headers } : {}) };
}

/** A GRPCRouteRule; refuses what GRPCRoute has no field for. */
export function grpcRule(
  policy: RoutingPolicy,
  rule: RouteRule,
  index: number,
  at: string,
  extensionRefs: string[],
  https: boolean,
  implementation?: string,
) {
  for (const field of ['redirect', 'rewrite', 'timeouts', 'retries', 'sessionAffinity', 'maxBodySize'] as const) {
    if (rule[field] !== undefined) {
      throw new InvalidRoutingPolicyError(
        `${at}.${field}`,
        `${at}.${field} is not available for gRPC backends (GRPCRoute has no such field): remove it or split the rule`,
      );
    }
  }
  if (policy.cors) {
    throw new InvalidRoutingPolicyError(
      `${policy.name}.cors`,
      `${policy.name}.cors cannot apply to ${at}, a gRPC rule: GRPCRoute has no CORS filter; move the gRPC rules to a policy without cors`,
    );
  }
  // A match without conditions is `{}` (every call), kept so each match keeps its own precedence.
  const matches = matchesOf(rule).map((m, i) => grpcMatch(m, `${at}.matches[${i}]`, implementation) ?? {});
  const filters: Record<string, unknown>[] = extensionRefs.map(extensionRefFilter);
  const request = headerFilter(rule.requestHeaders);
  if (request) filters.push({ type: 'RequestHeaderModifier', requestHeaderModifier: request });
  const response = responseFilter(policy, rule, at, https);
  if (response) filters.push({ type: 'ResponseHeaderModifier', responseHeaderModifier: response });
  const mirror = mirrorFilter(policy, rule);
  if (mirror) filters.push(mirror);
  return {
    name: ruleName(rule, index),
    ...(matches.some((m) => Object.keys(m).length > 0) ? { matches } : {}),
    ...(filters.length ? { filters } : {}),
    backendRefs: rule.backends!.map((b) => ({ ...backendRef(policy, b), weight: weightOf(b) })),
  };
}
