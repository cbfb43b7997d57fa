/**
 * The Contour dialect: HTTPProxy. Contour allows one root HTTPProxy per FQDN, so every host gets a root
 * (virtual host, TLS, CORS) that includes one child HTTPProxy per policy and backend namespace (a route's
 * services must live in its proxy's namespace). Prefixes are made segment-safe (Contour's `prefix`
 * matches characters), every weight is emitted, mirroring uses its weight-as-percent semantics, and
 * cert-manager gets a Certificate (no shim for HTTPProxy). Pure.
 */
import { cidrDifference } from './cidr-difference';
import { checkContourOrder, type EmittedRoute } from './contour-order';
import { fullMatch, pathRegex } from './contour-regex';
import { originPattern } from './cors-origins';
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

/**
 * The path conditions of a match. Contour's `prefix` matches characters, and the routes of a virtual
 * host are deduplicated by their conditions (internal/dag/dag.go AddRoute: the last one added wins) and
 * sorted exact first, then regex (longest first), then prefix (longest first), then by method, header
 * and query counts (internal/sorter/sorter.go routeSorter). A segment prefix is therefore the regex
 * `<prefix>(/.*)?` (Envoy matches the whole path): it never shares an exact route's key, every Exact
 * outranks it, and a longer prefix has a longer pattern. A prefix rewrite needs a prefix condition
 * (httpproxy_processor.go "MustHavePrefix"), so a rewritten prefix stays an exact and a prefix route.
 */
function pathVariants(match: RouteMatch, rewritesPrefix: boolean, at: string): Record<string, string>[] {
  const { type, value } = pathOf(match);
  if (type === 'Exact') return [{ exact: value }];
  if (type === 'RegularExpression') return [{ regex: pathRegex(value, `${at}.path`) }];
  const prefix = value.replace(/\/+$/, '');
  if (prefix === '') return [{ prefix: '/' }];
  return rewritesPrefix ? [{ exact: prefix }, { prefix: `${prefix}/` }] : [{ regex: `${escapeRegex(prefix)}(/.*)?` }];
}

function otherConditions(match: RouteMatch): Record<string, unknown>[] {
  const conditions: Record<string, unknown>[] = [];
  // A method is the ':method' pseudo-header, which Contour ranks before header counts as the model
  // does (internal/sorter/sorter.go compareRoutesByMethodHeaderQueryParams; its Gateway API routes do so).
  if (match.method) conditions.push({ header: { name: ':method', exact: match.method } });
  for (const h of match.headers ?? []) {
    conditions.push({
      header: {
        name: h.name,
        ...(h.type === 'RegularExpression' ? { regex: fullMatch(h.value) } : { exact: h.value }),
      },
    });
  }
  for (const q of match.queryParams ?? []) {
    conditions.push({
      queryParameter: {
        name: q.name,
        ...(q.type === 'RegularExpression' ? { regex: fullMatch(q.value) } : { exact: q.value }),
      },
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
  // Zero retries is no retry policy: Contour turns `count: 0` into Envoy's default of one retry, and
  // `count: -1` reaches Envoy as zero only from #7525 on (internal/dag/policy.go retryPolicy,
  // internal/envoy/v3/route.go retryPolicy; changelogs/unreleased/7525-SAY-5-small.md, not in 1.33).
  const retries = rule.retries && rule.retries.attempts > 0 ? rule.retries : undefined;
  const perTry = retries?.perTryTimeout ?? t?.backendRequest;
  if (t?.backendRequest && !retries) {
    // Contour bounds one attempt only inside a retry policy: without retries the request timeout bounds it.
    if (t.request)
      warnings.push(
        `${at}.timeouts.backendRequest: Contour has no per-attempt timeout without retries; the request timeout (${t.request}) bounds the attempt`,
      );
    else Object.assign(timeoutPolicy, { response: goDuration(t.backendRequest) });
  }
  if (Object.keys(timeoutPolicy).length) body.timeoutPolicy = timeoutPolicy;
  if (retries) {
    const on = retries.on ?? ['5xx', 'connect-failure'];
    const codes = on.filter((o): o is number => typeof o === 'number');
    body.retryPolicy = {
      count: retries.attempts,
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
        // Envoy's bucket holds requests + burst tokens; the model's burst defaults to the rate.
        burst: limit.burst ?? limit.requestsPerSecond,
        responseStatusCode: 429,
      },
    };
    warnings.push(`${at}: Contour's local rate limit counts per Envoy pod for all clients, not per client IP`);
  }
  const allow = rule.allowSourceRanges ?? policy.allowSourceRanges;
  const deny = policy.denySourceRanges;
  if ((allow || deny) && rule.redirect) {
    // Only a forwarding route gets its RBAC per-route config (internal/envoy/v3/route.go, the default case).
    unsupported(
      `${at}.redirect`,
      allow ? 'ip.allow' : 'ip.deny',
      "Contour applies a route's IP filter to forwarding routes only: a redirect rule answers every client",
    );
  }
  if (allow && deny) {
    // One IP filter per route: the allowed clients less the denied ones, or nobody at all.
    const rest = cidrDifference(allow, deny);
    const peers = (cidrs: readonly string[]) => cidrs.map((cidr) => ({ source: 'Peer', cidr }));
    if (rest.length) body.ipAllowPolicy = peers(rest);
    else body.ipDenyPolicy = peers(['0.0.0.0/0', '::/0']);
  } else {
    if (allow) body.ipAllowPolicy = allow.map((cidr) => ({ source: 'Peer', cidr }));
    if (deny) body.ipDenyPolicy = deny.map((cidr) => ({ source: 'Peer', cidr }));
  }
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
    // An 'scheme://host[:port]' origin is matched exactly, anything else as a regex
    // (internal/dag/httpproxy_processor.go toCORSPolicy): 'https://*.x' would be exact, so it is a regex.
    allowOrigin: cors.allowOrigins.map((o) => originPattern(o) ?? o),
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

/**
 * On a TLS virtual host Contour upgrades HTTP to HTTPS only for requests that match a route (the
 * insecure virtual host carries the same routes: internal/envoy/v3/route.go, `HTTPSUpgrade && !secure`);
 * the model upgrades every path. A catch-all that answers 404 over HTTPS gives the rest a route to be
 * upgraded by. Included routes are added before the root's own and one route per conditions survives
 * (httpproxy_processor.go computeRoutes, dag.go AddRoute): it is left out where a policy already has
 * a bare `prefix: /` route.
 */
const UPGRADE_ROUTE = { conditions: [{ prefix: '/' }], directResponsePolicy: { statusCode: 404 } };

function needsUpgradeRoute(
  policies: readonly RoutingPolicy[],
  includes: readonly { name: string; namespace: string }[],
  objects: readonly KubeObject[],
): boolean {
  if (!policies.some((p) => redirectsHttp(p))) return false;
  const included = new Set(includes.map((i) => `${i.namespace}/${i.name}`));
  return !objects.some(
    (o) =>
      o.kind === 'HTTPProxy' &&
      included.has(`${o.metadata.namespace}/${o.metadata.name}`) &&
      ((o as unknown as { spec: { routes?: { conditions?: unknown[] }[] } }).spec.routes ?? []).some(
        (r) => JSON.stringify(r.conditions) === JSON.stringify([{ prefix: '/' }]),
      ),
  );
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
      const ranges = policy.allowSourceRanges
        ? 'allowSourceRanges'
        : policy.denySourceRanges
          ? 'denySourceRanges'
          : undefined;
      if (ranges)
        unsupported(
          `${policy.name}.${ranges}`,
          ranges === 'allowSourceRanges' ? 'ip.allow' : 'ip.deny',
          'a Contour tcpproxy has no IP filter: a passed-through connection is never refused by client address',
        );
      // A tcpproxy sends to Services of its own namespace: the root lives where the backends are.
      const namespace = ruleNamespace(policy, policy.rules[0]!, `${policy.name}.rules[0]`);
      for (const host of policy.hosts) {
        objects.push(
          proxy(rootName(host), namespace, policyLabels(policy), {
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
    const emitted: EmittedRoute[] = [];
    policy.rules.forEach((rule, index) => {
      const at = `${policy.name}.rules[${index}]`;
      if (rule.requestHeaders?.add || rule.responseHeaders?.add)
        unsupported(`${at}`, 'headers.append', 'Contour sets and removes headers; it cannot append');
      const namespace = ruleNamespace(policy, rule, at);
      const body = routeBody(policy, rule, at, warnings);
      const routes = routesByNamespace.get(namespace) ?? [];
      routesByNamespace.set(namespace, routes);
      matchesOf(rule).forEach((match, m) => {
        const variants = pathVariants(match, rule.rewrite?.pathPrefix !== undefined, `${at}.matches[${m}]`);
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
          emitted.push({ rule: index, conditions: conditions as EmittedRoute['conditions'] });
        }
      });
    });
    const includes: { name: string; namespace: string }[] = [];
    checkContourOrder(policy.name, emitted);
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
        ...(needsUpgradeRoute(
          entries.map((e) => e.policy),
          entries.flatMap((e) => e.includes),
          objects,
        )
          ? { routes: [UPGRADE_ROUTE] }
          : {}),
      }),
    );
  }
  return objects;
}
