/**
 * The Contour dialect: HTTPProxy. Contour allows one root HTTPProxy per FQDN, so every host gets a root
 * (virtual host, TLS, CORS) that includes one child HTTPProxy per policy and backend namespace (a route's
 * services must live in its proxy's namespace). Prefixes are made segment-safe (Contour's `prefix`
 * matches characters), every weight is emitted, mirroring uses its weight-as-percent semantics, and
 * cert-manager gets a Certificate (no shim for HTTPProxy). Pure.
 */
import { UnsupportedFeatureError } from './errors';
import { backendNamespace, matchesOf, namespaceOf, pathOf, redirectsHttp, tlsSecretName, weightOf } from './model';
import { objectName } from './names';
import { certificateFor, policyLabels } from './tls-objects';
import type { CompileTarget, CorsPolicy, KubeObject, RouteMatch, RouteRule, RoutingPolicy } from './types';
import { escapeRegex, parseDuration } from './values';

const API = 'projectcontour.io/v1';
const goDuration = (d: string) => `${parseDuration(d)}ms`;
const seconds = (d: string) => Math.floor(parseDuration(d)! / 1000);

function unsupported(path: string, feature: string, detail: string): never {
  throw new UnsupportedFeatureError(path, feature, 'contour', ['gateway-api'], detail);
}

/** The path conditions of a match: a segment-safe prefix needs two routes (exact and prefix with '/'). */
function pathVariants(match: RouteMatch): Record<string, string>[] {
  const { type, value } = pathOf(match);
  if (type === 'Exact') return [{ exact: value }];
  if (type === 'RegularExpression') return [{ regex: value.replace(/^\^/, '').replace(/\$$/, '') }];
  const prefix = value.replace(/\/+$/, '');
  return prefix === '' ? [{ prefix: '/' }] : [{ exact: prefix }, { prefix: `${prefix}/` }];
}

function otherConditions(match: RouteMatch): Record<string, unknown>[] {
  const conditions: Record<string, unknown>[] = [];
  for (const h of match.headers ?? []) {
    conditions.push({
      header: { name: h.name, ...(h.type === 'RegularExpression' ? { regex: h.value } : { exact: h.value }) },
    });
  }
  for (const q of match.queryParams ?? []) {
    conditions.push({
      queryParameter: { name: q.name, ...(q.type === 'RegularExpression' ? { regex: q.value } : { exact: q.value }) },
    });
  }
  if (match.cookie) {
    const { name, value } = match.cookie;
    conditions.push({
      header: { name: 'Cookie', regex: `(.*;\\s*)?${escapeRegex(name)}=${escapeRegex(value)}(;.*)?` },
    });
  }
  return conditions;
}

function headersPolicy(set: Record<string, string>, remove: readonly string[] = []) {
  const entries = Object.entries(set).map(([name, value]) => ({ name, value }));
  return entries.length || remove.length
    ? { ...(entries.length ? { set: entries } : {}), ...(remove.length ? { remove: [...remove] } : {}) }
    : undefined;
}

function hstsValue(policy: RoutingPolicy): Record<string, string> {
  const h = policy.hsts;
  if (!h) return {};
  return {
    'Strict-Transport-Security': [
      `max-age=${seconds(h.maxAge)}`,
      ...(h.includeSubdomains ? ['includeSubDomains'] : []),
      ...(h.preload ? ['preload'] : []),
    ].join('; '),
  };
}

/** Everything a route carries besides its conditions, shared by the route's path variants. */
function routeBody(policy: RoutingPolicy, rule: RouteRule, at: string, warnings: string[]): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (rule.redirect) {
    const r = rule.redirect;
    body.requestRedirectPolicy = {
      ...(r.scheme ? { scheme: r.scheme } : {}),
      ...(r.hostname ? { hostname: r.hostname } : {}),
      ...(r.port ? { port: r.port } : {}),
      statusCode: r.statusCode ?? 302,
      ...(r.path ? { path: r.path } : {}),
    };
  } else {
    const backends = rule.backends!;
    body.services = [
      ...backends.map((b) => ({
        name: b.service,
        port: b.port,
        weight: weightOf(b), // unset weights are 0 in Contour once any weight is set: always emit them
        ...(b.protocol === 'https'
          ? { protocol: 'tls' }
          : b.protocol === 'grpc' || b.protocol === 'h2c'
            ? { protocol: 'h2c' }
            : {}),
      })),
      // Contour mirrors weight percent of requests, and a weight of 0 would mean 100%: always emit it.
      ...(rule.mirror
        ? [
            {
              name: rule.mirror.backend.service,
              port: rule.mirror.backend.port,
              mirror: true,
              weight: rule.mirror.percent ?? 100,
            },
          ]
        : []),
    ];
    if (backends.some((b) => b.protocol === 'https'))
      warnings.push(
        `${at}: Contour connects to the HTTPS backend without verifying it; add validation.caSecret for verification`,
      );
    if (backends.some((b) => b.protocol === 'ws')) body.enableWebsockets = true;
  }
  const t = rule.timeouts;
  if (t?.connect)
    warnings.push(
      `${at}.timeouts.connect: Contour sets the connect timeout globally (timeouts.connect-timeout in its configuration)`,
    );
  const timeoutPolicy = {
    ...(t?.request ? { response: goDuration(t.request) } : {}),
    ...(t?.idle ? { idle: goDuration(t.idle) } : {}),
  };
  const perTry = rule.retries?.perTryTimeout ?? t?.backendRequest;
  if (t?.backendRequest && !rule.retries) {
    // Contour bounds one attempt only inside a retry policy: without retries the request timeout bounds it.
    if (t.request)
      warnings.push(
        `${at}.timeouts.backendRequest: Contour has no per-attempt timeout without retries; the request timeout (${t.request}) bounds the attempt`,
      );
    else Object.assign(timeoutPolicy, { response: goDuration(t.backendRequest) });
  }
  if (Object.keys(timeoutPolicy).length) body.timeoutPolicy = timeoutPolicy;
  if (rule.retries) {
    const on = rule.retries.on ?? ['5xx', 'connect-failure'];
    const codes = on.filter((o): o is number => typeof o === 'number');
    body.retryPolicy = {
      count: rule.retries.attempts,
      ...(perTry ? { perTryTimeout: goDuration(perTry) } : {}),
      retryOn: [...on.filter((o) => typeof o === 'string'), ...(codes.length ? ['retriable-status-codes'] : [])],
      ...(codes.length ? { retriableStatusCodes: codes } : {}),
    };
  }
  if (rule.sessionAffinity) {
    body.loadBalancerPolicy = { strategy: 'Cookie' };
    warnings.push(
      `${at}.sessionAffinity: Contour's affinity cookie is always named X-Contour-Session-Affinity, not ${rule.sessionAffinity.cookieName}`,
    );
  }
  if (rule.rewrite?.pathPrefix !== undefined) {
    const to = rule.rewrite.pathPrefix.replace(/\/+$/, '');
    body.pathRewritePolicy = { replacePrefix: [{ replacement: to === '' ? '/' : `${to}/` }] };
  }
  const request = headersPolicy(
    { ...(rule.requestHeaders?.set ?? {}), ...(rule.rewrite?.hostname ? { Host: rule.rewrite.hostname } : {}) },
    rule.requestHeaders?.remove,
  );
  if (request) body.requestHeadersPolicy = request;
  const response = headersPolicy(
    { ...(rule.responseHeaders?.set ?? {}), ...hstsValue(policy) },
    rule.responseHeaders?.remove,
  );
  if (response) body.responseHeadersPolicy = response;
  const limit = rule.rateLimit ?? policy.rateLimit;
  if (limit) {
    body.rateLimitPolicy = {
      local: {
        requests: limit.requestsPerSecond,
        unit: 'second',
        ...(limit.burst !== undefined ? { burst: limit.burst } : {}),
        responseStatusCode: 429,
      },
    };
    warnings.push(`${at}: Contour's local rate limit counts per Envoy pod for all clients, not per client IP`);
  }
  const allow = rule.allowSourceRanges ?? policy.allowSourceRanges;
  if (allow) body.ipAllowPolicy = allow.map((cidr) => ({ source: 'Peer', cidr }));
  if (policy.denySourceRanges) body.ipDenyPolicy = policy.denySourceRanges.map((cidr) => ({ source: 'Peer', cidr }));
  if (policy.tls && !policy.tls.passthrough && !redirectsHttp(policy)) body.permitInsecure = true;
  return body;
}

/** The namespace a rule's routes must live in: where its services are. */
function ruleNamespace(policy: RoutingPolicy, rule: RouteRule, at: string): string {
  const refs = [...(rule.backends ?? []), ...(rule.mirror ? [rule.mirror.backend] : [])];
  const namespaces = new Set(refs.map((r) => backendNamespace(policy, r)));
  if (namespaces.size > 1)
    unsupported(
      `${at}.backends`,
      'backend.cross-namespace',
      'a Contour route sends to Services of one namespace only: split the rule',
    );
  return [...namespaces][0] ?? namespaceOf(policy);
}

function corsPolicy(cors: CorsPolicy) {
  return {
    allowOrigin: [...cors.allowOrigins],
    allowMethods: [...(cors.allowMethods ?? ['GET', 'HEAD', 'POST'])],
    ...(cors.allowHeaders ? { allowHeaders: [...cors.allowHeaders] } : {}),
    ...(cors.exposeHeaders ? { exposeHeaders: [...cors.exposeHeaders] } : {}),
    ...(cors.allowCredentials ? { allowCredentials: true } : {}),
    ...(cors.maxAge ? { maxAge: `${seconds(cors.maxAge)}s` } : {}),
  };
}

function proxy(name: string, namespace: string, labels: Record<string, string>, spec: unknown): KubeObject {
  return { apiVersion: API, kind: 'HTTPProxy', metadata: { name, namespace, labels }, spec };
}

function rootName(host: string): string {
  return objectName([host.startsWith('*.') ? `wildcard-${host.slice(2)}` : host, 'vhost']);
}

/** Compiles validated, conflict-free policies to Contour HTTPProxies. */
export function compileContour(
  policies: readonly RoutingPolicy[],
  _target: CompileTarget,
  warnings: string[],
): KubeObject[] {
  const objects: KubeObject[] = [];
  const includesByHost = new Map<
    string,
    { policy: RoutingPolicy; includes: { name: string; namespace: string }[] }[]
  >();
  for (const policy of policies) {
    objects.push(...certificateFor(policy));
    if (policy.tls?.passthrough) {
      for (const host of policy.hosts) {
        objects.push(
          proxy(rootName(host), namespaceOf(policy), policyLabels(policy), {
            virtualhost: { fqdn: host, tls: { passthrough: true } },
            tcpproxy: {
              services: policy.rules[0]!.backends!.map((b) => ({ name: b.service, port: b.port, weight: weightOf(b) })),
            },
          }),
        );
      }
      continue;
    }
    const routesByNamespace = new Map<string, Record<string, unknown>[]>();
    policy.rules.forEach((rule, index) => {
      const at = `${policy.name}.rules[${index}]`;
      if (rule.requestHeaders?.add || rule.responseHeaders?.add)
        unsupported(`${at}`, 'headers.append', 'Contour sets and removes headers; it cannot append');
      const namespace = ruleNamespace(policy, rule, at);
      const body = routeBody(policy, rule, at, warnings);
      const routes = routesByNamespace.get(namespace) ?? [];
      routesByNamespace.set(namespace, routes);
      for (const match of matchesOf(rule)) {
        const variants = pathVariants(match);
        if (rule.rewrite?.pathPrefix !== undefined && variants.length === 2) {
          warnings.push(
            `${at}.rewrite: Contour rewrites prefixes on prefix routes only; ${variants[0]!.exact} itself reaches the backend unrewritten`,
          );
        }
        for (const path of variants) {
          const conditions = [path, ...otherConditions(match)];
          const rewrite =
            rule.rewrite?.pathPrefix !== undefined && path.prefix ? body : { ...body, pathRewritePolicy: undefined };
          routes.push(JSON.parse(JSON.stringify({ conditions, ...rewrite })));
        }
      }
    });
    const includes: { name: string; namespace: string }[] = [];
    for (const [namespace, routes] of routesByNamespace) {
      const name = objectName(namespace === namespaceOf(policy) ? [policy.name] : [namespaceOf(policy), policy.name]);
      objects.push(proxy(name, namespace, policyLabels(policy), { routes }));
      includes.push({ name, namespace });
    }
    for (const host of policy.hosts)
      includesByHost.set(host, [...(includesByHost.get(host) ?? []), { policy, includes }]);
  }
  for (const [host, entries] of includesByHost) {
    const first = entries[0]!.policy;
    const corsPolicies = new Set(entries.map((e) => JSON.stringify(e.policy.cors ?? null)));
    if (corsPolicies.size > 1) {
      unsupported(
        `${entries[1]!.policy.name}.cors`,
        'cors',
        `Contour sets CORS per virtual host, and the policies sharing ${host} disagree on it`,
      );
    }
    const secret = tlsSecretName(first);
    objects.push(
      proxy(rootName(host), namespaceOf(first), policyLabels(first), {
        virtualhost: {
          fqdn: host,
          ...(secret ? { tls: { secretName: secret } } : {}),
          ...(first.cors ? { corsPolicy: corsPolicy(first.cors) } : {}),
        },
        includes: entries.flatMap((e) => e.includes),
      }),
    );
  }
  return objects;
}
