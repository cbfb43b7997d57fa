/**
 * What a Gateway API rule does with a request once it won: filters in order, the route's timeouts,
 * retry and session persistence, Envoy Gateway BackendTrafficPolicy/SecurityPolicy attached to the
 * route or rule, Traefik Middlewares referenced by ExtensionRef, and the backend distribution with
 * ReferenceGrant checks. Pure.
 */
import { distribution, durationMs, headerChanges, prefixMatches, replacePrefix, sourceIn } from './common';
import { type Indexed, type Json, type Obj, type Route, referencePermitted } from './gateway-api-objects';
import { TRAEFIK_HTTP_FILTERS } from './gateway-api-traefik';
import type { AppliedPolicy, TrafficOutcome, TrafficRequest, WeightedBackend } from './types';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function fail(what: string): never {
  throw new Error(`oracle(gateway-api): ${what} is not modelled`);
}

function checkKeys(what: string, value: object, keys: readonly string[]) {
  for (const k of Object.keys(value ?? {})) if (!keys.includes(k)) fail(`${what}.${k}`);
}

/**
 * A backend the Gateway cannot send to (a cross-namespace reference without ReferenceGrant, or no
 * backendRefs at all): the spec answers 500 for its share of the traffic (HTTPRouteRule.BackendRefs).
 * It stays in the distribution under this name so a comparison with the model shows it.
 */
export function serverError(reason: string, weight = 1): WeightedBackend {
  return { namespace: '', service: `http-500 (${reason})`, port: 0, weight };
}

/** Envoy Gateway policies of `kind` for a rule: one targeting the rule (sectionName) replaces the route's. */
function egPolicy(index: Indexed, kind: string, route: Route, ruleName: string | undefined): Obj | undefined {
  const targets = (p: Obj, section: string | undefined) =>
    p.kind === kind &&
    (p.metadata.namespace ?? 'default') === route.namespace &&
    (p.spec?.targetRefs ?? []).some(
      (t: Json) => t.kind === route.kind && t.name === route.name && t.sectionName === section,
    );
  // internal/gatewayapi/{backendtrafficpolicy,securitypolicy}.go: a route-rule policy overrides the route's.
  for (const section of ruleName ? [ruleName, undefined] : [undefined]) {
    const found = index.policies.filter((p) => targets(p, section));
    if (found.length > 1) fail(`two ${kind}s on ${route.kind} ${route.name} ${section ?? ''}`);
    if (found[0]) return found[0];
  }
  return undefined;
}

/** SecurityPolicy authorization: rules in order, the first whose clientCIDRs hold decides; else defaultAction (Deny). */
function authorized(policy: Obj, request: TrafficRequest): boolean {
  checkKeys('SecurityPolicy.spec', policy.spec, ['targetRefs', 'authorization']);
  const auth = policy.spec.authorization;
  checkKeys('SecurityPolicy.spec.authorization', auth, ['rules', 'defaultAction']);
  for (const rule of auth.rules ?? []) {
    checkKeys('SecurityPolicy authorization.rules[]', rule, ['name', 'action', 'principal']);
    checkKeys('SecurityPolicy authorization.rules[].principal', rule.principal, ['clientCIDRs']);
    if (sourceIn(request, rule.principal?.clientCIDRs ?? [])) return rule.action === 'Allow';
  }
  return (auth.defaultAction ?? 'Deny') === 'Allow'; // api/v1alpha1/authorization_types.go
}

const FILTER_FIELD: Record<string, string> = {
  RequestHeaderModifier: 'requestHeaderModifier',
  ResponseHeaderModifier: 'responseHeaderModifier',
  RequestRedirect: 'requestRedirect',
  URLRewrite: 'urlRewrite',
  RequestMirror: 'requestMirror',
  CORS: 'cors',
  ExtensionRef: 'extensionRef',
};

const UNIT_SECONDS: Record<string, number> = { Second: 1, Minute: 60, Hour: 3600 };

/** BackendTrafficPolicy: local rate limit (a token bucket of `requests` per unit) and connect/idle timeouts. */
function trafficPolicy(policy: Obj, applied: Mutable<AppliedPolicy>) {
  checkKeys('BackendTrafficPolicy.spec', policy.spec, ['targetRefs', 'rateLimit', 'timeout']);
  const rl = policy.spec.rateLimit;
  if (rl) {
    checkKeys('BackendTrafficPolicy rateLimit', rl, ['type', 'local']);
    if (rl.type !== 'Local' || rl.local?.rules?.length !== 1)
      fail('BackendTrafficPolicy rateLimit other than one Local rule');
    const rule = rl.local.rules[0];
    checkKeys('BackendTrafficPolicy rateLimit rule', rule, ['limit']);
    const seconds = UNIT_SECONDS[rule.limit.unit] ?? fail(`rate limit unit ${rule.limit.unit}`);
    // Envoy's local rate limit: max_tokens = tokens_per_fill = requests, fill_interval = unit.
    applied.rateLimit = { requestsPerSecond: rule.limit.requests / seconds, burst: rule.limit.requests };
  }
  const t = policy.spec.timeout;
  if (t) {
    checkKeys('BackendTrafficPolicy timeout', t, ['tcp', 'http']);
    checkKeys('BackendTrafficPolicy timeout.tcp', t.tcp, ['connectTimeout']);
    checkKeys('BackendTrafficPolicy timeout.http', t.http, ['connectionIdleTimeout']);
    applied.timeouts = {
      ...applied.timeouts,
      ...(t.tcp?.connectTimeout ? { connect: durationMs(t.tcp.connectTimeout) } : {}),
      ...(t.http?.connectionIdleTimeout ? { idle: durationMs(t.http.connectionIdleTimeout) } : {}),
    };
  }
}

/** Traefik Middleware referenced by ExtensionRef (same namespace as the route): the kinds the compiler emits. */
function middleware(index: Indexed, route: Route, ref: Json): Obj | undefined {
  checkKeys('ExtensionRef', ref, ['group', 'kind', 'name']);
  if (ref.group !== 'traefik.io' || ref.kind !== 'Middleware') fail(`ExtensionRef ${ref.group}/${ref.kind}`);
  return index.middlewares.find(
    (m) => m.metadata.name === ref.name && (m.metadata.namespace ?? 'default') === route.namespace,
  );
}

function parseHsts(value: string): NonNullable<AppliedPolicy['hsts']> {
  const parts = value.split(';').map((p) => p.trim().toLowerCase());
  const age = /^max-age=(\d+)$/.exec(parts[0] ?? '');
  if (!age) fail(`Strict-Transport-Security value ${JSON.stringify(value)}`);
  for (const p of parts.slice(1)) if (p !== 'includesubdomains' && p !== 'preload') fail(`HSTS directive ${p}`);
  return {
    maxAge: Number(age[1]),
    includeSubdomains: parts.includes('includesubdomains'),
    preload: parts.includes('preload'),
  };
}

const toRecord = (list: Json[] | undefined) =>
  list?.length ? Object.fromEntries(list.map((h) => [h.name, h.value])) : undefined;

function headerFilter(filter: Json, what: string) {
  checkKeys(what, filter, ['set', 'add', 'remove']);
  return { set: toRecord(filter.set), add: toRecord(filter.add), remove: filter.remove };
}

/** Applies a rule that won the request: redirect, denial, or forward with everything it configures. */
export function applyRule(
  index: Indexed,
  route: Route,
  ruleIndex: number,
  request: TrafficRequest,
  listenerScheme: 'http' | 'https',
  implementation?: 'envoy-gateway' | 'traefik',
): TrafficOutcome {
  const rule = route.rules[ruleIndex];
  const traefik = implementation === 'traefik';
  const what = `${route.kind} ${route.namespace}/${route.name} rules[${ruleIndex}]`;
  checkKeys(what, rule, ['name', 'matches', 'filters', 'backendRefs', 'timeouts', 'retry', 'sessionPersistence']);
  if (route.kind === 'GRPCRoute' && (rule.timeouts || rule.retry)) fail(`${what} timeouts/retry on GRPCRoute`);
  // Envoy Gateway's authorization (RBAC) filter runs before routing decisions such as redirects.
  const security = egPolicy(index, 'SecurityPolicy', route, rule.name);
  if (security && !authorized(security, request)) return { kind: 'denied' };

  const applied: Mutable<AppliedPolicy> = {};
  let path = request.path;
  let host = request.host;
  const prefix =
    rule.matches?.length === 1 && (rule.matches[0].path?.type ?? 'PathPrefix') === 'PathPrefix'
      ? (rule.matches[0].path?.value ?? '/')
      : undefined;
  // Filters in list order (HTTPRouteRule.Filters "SHOULD implement filters in the order they are
  // specified"); Traefik turns each into a middleware of the chain in that order
  // (pkg/provider/kubernetes/gateway/httproute.go loadMiddlewares), so a redirect before an
  // ipAllowList answers before the list is checked.
  const filters = (rule.filters ?? []) as Json[];
  // Traefik loads a rule's filters before serving it: one it lacks, or a Middleware it cannot find,
  // makes the whole rule answer 500 (httproute.go loadHTTPRoute, invalid-httproute-filter).
  for (const f of traefik ? filters : []) {
    if (route.kind !== 'HTTPRoute' || !TRAEFIK_HTTP_FILTERS.has(f.type)) {
      return forward([serverError(`Traefik does not implement ${route.kind} filter ${f.type}`)], path, host, {});
    }
    if (f.type === 'ExtensionRef' && !middleware(index, route, f.extensionRef)) {
      return forward([serverError(`missing Middleware ${f.extensionRef.name}`)], path, host, {});
    }
  }
  for (const [i, f] of filters.entries()) {
    const at = `${what}.filters[${i}]`;
    checkKeys(at, f, ['type', FILTER_FIELD[f.type] ?? fail(`${at} type ${f.type}`)]);
    switch (f.type) {
      case 'RequestHeaderModifier':
        applied.requestHeaders = headerChanges(headerFilter(f.requestHeaderModifier, at));
        break;
      case 'ResponseHeaderModifier': {
        const h = headerFilter(f.responseHeaderModifier, at);
        const sts = Object.keys(h.set ?? {}).find((k) => k.toLowerCase() === 'strict-transport-security');
        if (Object.keys(h.add ?? {}).some((k) => k.toLowerCase() === 'strict-transport-security'))
          fail(`${at} add HSTS`);
        if (sts) {
          applied.hsts = parseHsts(h.set![sts]!);
          const { [sts]: _, ...rest } = h.set!;
          h.set = rest;
        }
        applied.responseHeaders = headerChanges(h);
        break;
      }
      case 'RequestRedirect': {
        if (route.kind !== 'HTTPRoute') fail(`${at} on ${route.kind}`);
        return redirect(f.requestRedirect, request, listenerScheme, prefix, at);
      }
      case 'URLRewrite': {
        const w = f.urlRewrite;
        checkKeys(at, w, ['hostname', 'path']);
        if (w.hostname) host = w.hostname;
        if (w.path) path = rewritePath(w.path, request.path, prefix, at);
        break;
      }
      case 'RequestMirror': {
        if (applied.mirror) fail(`${at} a second RequestMirror`);
        const m = f.requestMirror;
        checkKeys(at, m, ['backendRef', 'percent', 'fraction']);
        const b = m.backendRef;
        checkKeys(`${at}.backendRef`, b, ['group', 'kind', 'name', 'namespace', 'port']);
        const ns = b.namespace ?? route.namespace;
        // A mirror to a cross-namespace Service without ReferenceGrant is not configured (HTTPRequestMirrorFilter.BackendRef).
        if (!referencePermitted(index.grants, route.kind, route.namespace, ns, b.name)) break;
        const percent =
          m.percent ?? (m.fraction ? (m.fraction.numerator * 100) / (m.fraction.denominator ?? 100) : 100);
        // 0% mirrors nothing (Envoy's runtime fraction 0): no mirror is applied.
        if (percent > 0) applied.mirror = { namespace: ns, service: b.name, port: b.port, percent };
        break;
      }
      case 'CORS': {
        if (route.kind !== 'HTTPRoute') fail(`${at} on ${route.kind}`);
        const c = f.cors;
        checkKeys(at, c, [
          'allowOrigins',
          'allowMethods',
          'allowHeaders',
          'exposeHeaders',
          'allowCredentials',
          'maxAge',
        ]);
        applied.cors = {
          allowOrigins: c.allowOrigins ?? [],
          allowMethods: c.allowMethods ?? [],
          // Header names are case-insensitive (HTTPCORSFilter.AllowHeaders, ExposeHeaders).
          allowHeaders: [...new Set<string>((c.allowHeaders ?? []).map((h: string) => h.toLowerCase()))],
          exposeHeaders: [...new Set<string>((c.exposeHeaders ?? []).map((h: string) => h.toLowerCase()))],
          allowCredentials: c.allowCredentials === true,
          maxAge: c.maxAge ?? 5, // HTTPCORSFilter.MaxAge default 5
        };
        break;
      }
      case 'ExtensionRef': {
        const mw = middleware(index, route, f.extensionRef);
        // "If a reference to a custom filter type cannot be resolved ... MUST receive a HTTP error response."
        if (!mw) return forward([serverError(`missing Middleware ${f.extensionRef.name}`)], path, host, applied);
        const spec = mw.spec ?? {};
        checkKeys(`Middleware ${mw.metadata.name}.spec`, spec, ['rateLimit', 'ipAllowList', 'buffering']);
        if (Object.keys(spec).length !== 1) fail(`Middleware ${mw.metadata.name} with several parts`);
        if (spec.ipAllowList) {
          checkKeys('ipAllowList', spec.ipAllowList, ['sourceRange']);
          if (!sourceIn(request, spec.ipAllowList.sourceRange)) return { kind: 'denied' };
        } else if (spec.rateLimit) {
          checkKeys('rateLimit', spec.rateLimit, ['average', 'period', 'burst']);
          const period = durationMs(spec.rateLimit.period ?? '1s') / 1000;
          applied.rateLimit = { requestsPerSecond: spec.rateLimit.average / period, burst: spec.rateLimit.burst ?? 1 };
        } else if (spec.buffering) {
          checkKeys('buffering', spec.buffering, ['maxRequestBodyBytes']);
          applied.maxBodySize = spec.buffering.maxRequestBodyBytes;
        }
        break;
      }
      default:
        fail(`${at} type ${f.type}`);
    }
  }
  const traffic = egPolicy(index, 'BackendTrafficPolicy', route, rule.name);
  if (traffic) trafficPolicy(traffic, applied);
  // Traefik's provider never reads timeouts, retry or sessionPersistence: they have no effect there.
  if (rule.timeouts && !traefik) {
    checkKeys(`${what}.timeouts`, rule.timeouts, ['request', 'backendRequest']);
    applied.timeouts = {
      ...applied.timeouts,
      ...(rule.timeouts.request ? { request: durationMs(rule.timeouts.request) } : {}),
      ...(rule.timeouts.backendRequest ? { backendRequest: durationMs(rule.timeouts.backendRequest) } : {}),
    };
  }
  if (rule.retry && !traefik) {
    checkKeys(`${what}.retry`, rule.retry, ['attempts', 'backoff', 'codes']);
    // The per-attempt timeout of Gateway API is timeouts.backendRequest (HTTPRouteRetry.Backoff).
    const perTry = rule.timeouts?.backendRequest;
    applied.retries = { attempts: rule.retry.attempts, ...(perTry ? { perTryTimeout: durationMs(perTry) } : {}) };
  }
  if (rule.sessionPersistence && !traefik) {
    const s = rule.sessionPersistence;
    checkKeys(`${what}.sessionPersistence`, s, ['type', 'sessionName', 'absoluteTimeout', 'cookieConfig']);
    if ((s.type ?? 'Cookie') !== 'Cookie') fail(`sessionPersistence type ${s.type}`);
    applied.sessionAffinity = {
      cookieName: s.sessionName,
      ...(s.absoluteTimeout ? { maxAge: durationMs(s.absoluteTimeout) / 1000 } : {}),
    };
  }
  return forward(backendsOf(index, route, rule, what), path, host, applied);
}

function forward(backends: WeightedBackend[], path: string, host: string, applied: AppliedPolicy): TrafficOutcome {
  const clean = Object.fromEntries(Object.entries(applied).filter(([, v]) => v !== undefined));
  return { kind: 'forward', backends: distribution(backends), path, host, applied: clean };
}

/** The weighted backends of a rule; a ref the Gateway may not use becomes a 500 share. */
export function backendsOf(index: Indexed, route: Route, rule: Json, what: string): WeightedBackend[] {
  const refs: Json[] = rule.backendRefs ?? [];
  if (refs.length === 0) return [serverError('no backendRefs')];
  return refs.map((b, i) => {
    checkKeys(`${what}.backendRefs[${i}]`, b, ['group', 'kind', 'name', 'namespace', 'port', 'weight']);
    if ((b.group ?? '') !== '' || (b.kind ?? 'Service') !== 'Service') fail(`${what}.backendRefs[${i}] kind ${b.kind}`);
    const namespace = b.namespace ?? route.namespace;
    const weight = b.weight ?? 1; // BackendRef.Weight defaults to 1
    if (!referencePermitted(index.grants, route.kind, route.namespace, namespace, b.name)) {
      return serverError(`${namespace}/${b.name} without ReferenceGrant`, weight);
    }
    const tls = index.backendTls.some(
      (p) =>
        (p.metadata.namespace ?? 'default') === namespace &&
        (p.spec?.targetRefs ?? []).some((t: Json) => t.kind === 'Service' && t.name === b.name),
    );
    const protocol = route.kind === 'GRPCRoute' ? 'grpc' : route.kind === 'HTTPRoute' && tls ? 'https' : undefined;
    return { namespace, service: b.name, port: b.port, weight, ...(protocol ? { protocol } : {}) };
  });
}

function rewritePath(p: Json, path: string, prefix: string | undefined, at: string): string {
  checkKeys(`${at}.path`, p, ['type', 'replaceFullPath', 'replacePrefixMatch']);
  if (p.type === 'ReplaceFullPath') return p.replaceFullPath;
  if (p.type === 'ReplacePrefixMatch') {
    // Only valid with exactly one PathPrefix match (CEL on HTTPRouteRule); segment-wise (HTTPPathModifier).
    if (prefix === undefined || !prefixMatches(prefix, path))
      fail(`${at} ReplacePrefixMatch without one PathPrefix match`);
    return replacePrefix(path, prefix, p.replacePrefixMatch);
  }
  return fail(`${at}.path.type ${p.type}`);
}

/**
 * RequestRedirect (HTTPRequestRedirectFilter): scheme, hostname and path default to the request's;
 * the port is the scheme's well-known port when a scheme is set, else the listener's (80/443 here),
 * and is left out of Location when it is the scheme's default; statusCode defaults to 302.
 */
function redirect(
  r: Json,
  request: TrafficRequest,
  listenerScheme: 'http' | 'https',
  prefix: string | undefined,
  at: string,
): TrafficOutcome {
  checkKeys(at, r, ['scheme', 'hostname', 'path', 'port', 'statusCode']);
  const scheme: 'http' | 'https' = r.scheme ?? listenerScheme;
  const port: number = r.port ?? (scheme === 'https' ? 443 : 80);
  const showPort = !((scheme === 'http' && port === 80) || (scheme === 'https' && port === 443));
  const path = r.path ? rewritePath(r.path, request.path, prefix, at) : request.path;
  const status: number = r.statusCode ?? 302;
  const location = `${scheme}://${r.hostname ?? request.host}${showPort ? `:${port}` : ''}${path}`;
  const upgrade =
    request.scheme === 'http' &&
    r.scheme === 'https' &&
    !r.hostname &&
    !r.path &&
    !r.port &&
    (status === 301 || status === 308);
  return { kind: 'redirect', status, location, ...(upgrade ? { httpsUpgrade: true } : {}) };
}
