/**
 * What each dialect can express, feature by feature (ground truth: the routing matrix). The matrix
 * drives the compile-time errors, the generated docs table and the tests. Pure: no engine imports.
 */
import { matchesOf, pathOf } from './model';
import type { CompileTarget, Dialect, RoutingPolicy, Support } from './types';
import { DIALECTS } from './types';

/** Every routing feature the model can use, with a one-line description for the docs. */
export const FEATURES = {
  'host.wildcard': "a '*.' wildcard host",
  'path.exact': 'an Exact path match',
  'path.prefix': 'a segment-wise PathPrefix match',
  'path.regex': 'a RegularExpression path match',
  'match.header': 'an exact header match',
  'match.header-regex': 'a regular-expression header match',
  'match.query': 'a query parameter match',
  'match.method': 'an HTTP method match',
  'match.cookie': 'a cookie match',
  'split.weighted': 'two weighted backends',
  'split.weighted-multi': 'three or more weighted backends',
  redirect: 'a redirect (scheme, host, port)',
  'redirect.path': 'a redirect that replaces the path',
  'rewrite.path-prefix': 'a rewrite of the matched path prefix',
  'rewrite.full-path': 'a rewrite of the whole path',
  'rewrite.hostname': 'a rewrite of the Host header',
  'headers.request': 'setting or removing request headers',
  'headers.response': 'setting or removing response headers',
  'headers.append': "appending headers ('add')",
  'timeouts.request': 'a total request timeout',
  'timeouts.backend-request': 'a per-attempt backend timeout',
  'timeouts.connect': 'a backend connect timeout',
  'timeouts.idle': 'an idle timeout',
  retries: 'retries',
  mirror: 'request mirroring',
  'session-affinity': 'cookie session affinity',
  'rate-limit': 'a per-client rate limit',
  'ip.allow': 'a client IP allow list',
  'ip.deny': 'a client IP deny list',
  cors: 'CORS',
  hsts: 'HSTS',
  'max-body-size': 'a request body size limit',
  'tls.terminate': 'TLS termination with a Kubernetes Secret',
  'tls.cert-manager': 'certificates from cert-manager',
  'tls.passthrough': 'TLS passthrough',
  'tls.redirect-http': 'redirecting HTTP to HTTPS',
  'backend.https': 'HTTPS to the backend',
  'backend.grpc': 'gRPC backends',
  'backend.h2c': 'HTTP/2 cleartext backends',
  'backend.ws': 'WebSocket backends',
  'backend.cross-namespace': 'a backend in another namespace',
} as const;

/** A routing feature name. */
export type Feature = keyof typeof FEATURES;

const CODE: Readonly<Record<string, Support>> = {
  N: 'native',
  E: 'emulated',
  A: 'approximate',
  G: 'global-only',
  U: 'unsupported',
};

// Columns: gateway-api, ingress-nginx, traefik, haproxy, contour, aws-alb, openshift-route.
// N native, E emulated, A approximate, G global-only, U unsupported. gateway-api is the portable
// standard channel; experimental fields and implementation policies are added by supportFor().
const MATRIX: Readonly<Record<Feature, string>> = {
  'host.wildcard': 'NNNNNNG',
  'path.exact': 'NNNNNNU',
  'path.prefix': 'NNENENN',
  'path.regex': 'NENUNUU',
  'match.header': 'NENENAU',
  'match.header-regex': 'NENENAU',
  'match.query': 'NUNUNAU',
  'match.method': 'NUNEENU',
  'match.cookie': 'EEEEEAU',
  'split.weighted': 'NENENNA',
  'split.weighted-multi': 'NUNUNNA',
  redirect: 'NNAENNU',
  'redirect.path': 'NNAUNNU',
  'rewrite.path-prefix': 'NEEEANN',
  'rewrite.full-path': 'NENEUNU',
  'rewrite.hostname': 'NNENENU',
  'headers.request': 'NUNNNUN',
  'headers.response': 'NUNNNUN',
  'headers.append': 'NUUUUUU',
  'timeouts.request': 'NAGUNUA',
  'timeouts.backend-request': 'NAANAUA',
  'timeouts.connect': 'UNNGGUU',
  'timeouts.idle': 'UAAANGU',
  retries: 'UENUNUU',
  mirror: 'NANUNUU',
  'session-affinity': 'UNNEAAN',
  'rate-limit': 'UNNNAUA',
  'ip.allow': 'UNNNNEN',
  'ip.deny': 'UNENNEU',
  cors: 'NNNNNUU',
  hsts: 'NGNNNGN',
  'max-body-size': 'UNNUUUU',
  'tls.terminate': 'NNNNNEN',
  'tls.cert-manager': 'NNENEUE',
  'tls.passthrough': 'NENNNUN',
  'tls.redirect-http': 'NNNNNNA',
  'backend.https': 'NNNNNNN',
  'backend.grpc': 'NNNNNNU',
  'backend.h2c': 'GUNNNUU',
  'backend.ws': 'GNNNNNN',
  'backend.cross-namespace': 'NUGUEUU',
};

/** Support of every feature in every dialect. */
export const CAPABILITIES: Readonly<Record<Dialect, Readonly<Record<Feature, Support>>>> = Object.fromEntries(
  DIALECTS.map((dialect, column) => [
    dialect,
    Object.fromEntries(Object.entries(MATRIX).map(([feature, row]) => [feature, CODE[row[column]!]!])),
  ]),
) as Record<Dialect, Record<Feature, Support>>;

/** Gateway API fields only the experimental channel installs. */
export const GATEWAY_EXPERIMENTAL_FEATURES: readonly Feature[] = ['retries', 'session-affinity'];

/**
 * What Gateway API implementations add through their own policy resources (Envoy Gateway's
 * BackendTrafficPolicy and SecurityPolicy; Traefik Middlewares referenced by ExtensionRef).
 */
export const GATEWAY_IMPLEMENTATION_FEATURES: Readonly<Record<string, Partial<Record<Feature, Support>>>> = {
  'envoy-gateway': {
    'rate-limit': 'approximate',
    'ip.allow': 'emulated',
    'ip.deny': 'emulated',
    'timeouts.connect': 'emulated',
    'timeouts.idle': 'emulated',
  },
  // Traefik's Gateway provider (traefik pkg/provider/kubernetes/gateway): HTTPRoute filters other than
  // redirect, header modifiers, URLRewrite, CORS and ExtensionRef answer 500 (loadMiddlewares), rule
  // timeouts, retry and sessionPersistence are never read, and GRPCRoute methods become an unanchored
  // PathRegexp ordered by rule length (grpcroute.go buildGRPCMethodRule, buildGRPCMatchRule).
  traefik: {
    'rate-limit': 'emulated',
    'ip.allow': 'emulated',
    'max-body-size': 'emulated',
    mirror: 'unsupported',
    'timeouts.request': 'unsupported',
    'timeouts.backend-request': 'unsupported',
    retries: 'unsupported',
    'session-affinity': 'unsupported',
    'backend.grpc': 'unsupported',
  },
};

/** Why a dialect lacks a feature, where the reason is not obvious: shown in its UnsupportedFeatureError. */
export const UNSUPPORTED_DETAILS: Partial<Record<Dialect, Partial<Record<Feature, string>>>> = {
  'aws-alb': {
    'path.regex': "ALB's regex dialect is AWS's own, not RE2",
    'tls.cert-manager': 'ALB serves ACM certificates; cert-manager cannot issue into ACM',
    'tls.passthrough': 'an ALB terminates TLS; pass TLS through with an NLB (a LoadBalancer Service)',
  },
  'ingress-nginx': {
    'headers.response':
      'nginx sets response headers only from a ConfigMap (custom-headers) that the controller-wide global-allowed-response-headers must allow, or with snippets, which Switchyard never emits',
  },
  haproxy: {
    'match.query':
      'the HAProxy controller has no annotation for query matching, and Switchyard never emits config snippets',
    'split.weighted-multi':
      'a split is one rand() route-acl on the canary Service, and the controller orders route-acl rules arbitrarily, so chained random ACLs cannot keep three weights',
  },
};

/** What a dialect does instead, for the features it approximates or sets controller-wide: shown in ApproximationError. */
export const APPROXIMATION_DETAILS: Partial<Record<Dialect, Partial<Record<Feature, string>>>> = {
  'ingress-nginx': {
    'timeouts.request': 'proxy-read-timeout bounds the time between two reads, not the whole request',
    'timeouts.backend-request': 'proxy-read-timeout bounds the time between two reads, not the attempt',
    'timeouts.idle': 'proxy-send/read timeouts bound the gap between two writes or reads',
    hsts: 'HSTS is set in the controller ConfigMap (hsts, hsts-max-age) for every TLS host',
  },
  traefik: {
    'timeouts.request': 'the entry point sets it (respondingTimeouts.readTimeout) for every route',
    'timeouts.backend-request': 'responseHeaderTimeout bounds the wait for response headers, not the attempt',
    'timeouts.idle': 'the entry point idleTimeout applies to every route',
    // pkg/middlewares/redirect/redirect.go moveHandler: the status follows `permanent` and the method.
    redirect: 'Traefik answers 301 or 302 to GET and 308 or 307 to other methods, whatever code is asked for',
    'redirect.path': 'Traefik answers 301 or 302 to GET and 308 or 307 to other methods, whatever code is asked for',
    'backend.cross-namespace':
      'the controller must set providers.kubernetesCRD.allowCrossNamespace (off in the chart), or the route is not built',
  },
  haproxy: {
    'timeouts.connect': 'timeout-connect is set in the controller ConfigMap for every route',
    'timeouts.idle': "'timeout server' bounds inactivity on the server side",
  },
  contour: {
    'timeouts.connect': 'timeouts.connect-timeout is set in the Contour configuration for every route',
    'timeouts.backend-request': 'without retries the request timeout bounds the attempt',
    'rewrite.path-prefix': 'Contour rewrites prefixes on prefix routes only',
    'session-affinity': "the affinity cookie is always named 'X-Contour-Session-Affinity'",
    'rate-limit': 'the local rate limit counts per Envoy pod for all clients, not per client',
  },
  'aws-alb': {
    'match.cookie': 'the cookie is matched with a wildcard on the Cookie header',
    'match.header': 'ALB compares header values case-insensitively (HttpHeaderConditionConfig)',
    'match.header-regex': "ALB's regex dialect is AWS's own, not RE2",
    'match.query': 'ALB compares query keys and values case-insensitively (QueryStringConditionConfig)',
    'session-affinity': "the stickiness cookie is named 'AWSALB', not the policy's",
    hsts: 'HSTS is set on the load balancer listener, not per route',
    'timeouts.idle': 'the idle timeout is a load balancer attribute, shared by every route of the group',
  },
  'openshift-route': {
    // pkg/router/template/router.go calculateServiceWeights: each Service's weight is divided by its
    // endpoint count, scaled so the heaviest endpoint gets 256, and truncated per endpoint.
    'split.weighted':
      'the router spreads a Service weight over its endpoints and truncates each endpoint weight (0-256): the split is exact only when the Services have equal endpoint counts',
    'split.weighted-multi':
      'the router spreads a Service weight over its endpoints and truncates each endpoint weight (0-256): the split is exact only when the Services have equal endpoint counts',
    // haproxy-config.template, frontend public: `http-request redirect location https://... code 302`.
    'tls.redirect-http': 'the router redirects HTTP to HTTPS with 302 Found, not a permanent redirect',
    // pkg/cmd/infra/router/router.go RouteAdmissionFunc: "wildcard routes are not allowed" otherwise.
    'host.wildcard':
      'the router admits wildcard Routes only when its IngressController sets routeAdmission.wildcardPolicy: WildcardsAllowed (ROUTER_ALLOW_WILDCARD_ROUTES)',
    'timeouts.request': "the router's timeout bounds the server side of a connection ('timeout server')",
    'timeouts.backend-request': "the router's timeout bounds the server side of a connection ('timeout server')",
    'rate-limit': 'the router limits requests per client over a 10 s window and drops the connection',
    'tls.cert-manager': 'cert-manager writes a Secret; the Route embeds the certificate through openshift-routes',
  },
  'gateway-api': {
    'rate-limit': 'the local rate limit counts per Envoy replica for all clients together, not per client',
    // Gateway API takes a backend's protocol from the Service port's appProtocol
    // (gateway-api site/content/en/guides/user-guides/backend-protocol.md): no route field says it.
    'backend.h2c': "the routes cannot say it: the Service port must declare appProtocol 'kubernetes.io/h2c'",
    'backend.ws': "the routes cannot say it: the Service port must declare appProtocol 'kubernetes.io/ws'",
  },
};

/** Support of a feature for a compile target, taking the Gateway API channel and implementation into account. */
export function supportFor(target: CompileTarget, feature: Feature): Support {
  if (target.dialect === 'gateway-api') {
    const extra = target.implementation ? GATEWAY_IMPLEMENTATION_FEATURES[target.implementation]?.[feature] : undefined;
    if (extra === 'unsupported') return extra; // the implementation lacks it, whatever the channel
    if (target.channel === 'experimental' && GATEWAY_EXPERIMENTAL_FEATURES.includes(feature)) return 'native';
    if (extra) return extra;
  }
  return CAPABILITIES[target.dialect][feature];
}

/** The dialects that can express a feature in some form. */
export function dialectsSupporting(feature: Feature): Dialect[] {
  return DIALECTS.filter((d) => CAPABILITIES[d][feature] !== 'unsupported');
}

/** One use of a feature, and where in the policy it is. */
export interface FeatureUse {
  readonly feature: Feature;
  readonly path: string;
}

/** Every feature a policy uses, with the path of each use, in policy order. */
export function featuresOf(policy: RoutingPolicy): FeatureUse[] {
  const uses: FeatureUse[] = [];
  const use = (feature: Feature, path: string) => uses.push({ feature, path });
  const p = policy.name;
  policy.hosts.forEach((h, i) => {
    if (h.startsWith('*.')) use('host.wildcard', `${p}.hosts[${i}]`);
  });
  if (policy.tls) {
    if (policy.tls.passthrough) use('tls.passthrough', `${p}.tls.passthrough`);
    else {
      use('tls.terminate', `${p}.tls`);
      if (policy.tls.clusterIssuer) use('tls.cert-manager', `${p}.tls.clusterIssuer`);
      if (policy.tls.redirectHttp !== false) use('tls.redirect-http', `${p}.tls.redirectHttp`);
    }
  }
  if (policy.cors) use('cors', `${p}.cors`);
  if (policy.hsts) use('hsts', `${p}.hsts`);
  if (policy.rateLimit) use('rate-limit', `${p}.rateLimit`);
  if (policy.allowSourceRanges) use('ip.allow', `${p}.allowSourceRanges`);
  if (policy.denySourceRanges) use('ip.deny', `${p}.denySourceRanges`);
  policy.rules.forEach((rule, r) => {
    const at = `${p}.rules[${r}]`;
    if (!policy.tls?.passthrough) {
      matchesOf(rule).forEach((m, i) => {
        const path = pathOf(m);
        use(
          path.type === 'Exact' ? 'path.exact' : path.type === 'PathPrefix' ? 'path.prefix' : 'path.regex',
          `${at}.matches[${i}].path`,
        );
        m.headers?.forEach((h, j) => {
          use(
            h.type === 'RegularExpression' ? 'match.header-regex' : 'match.header',
            `${at}.matches[${i}].headers[${j}]`,
          );
        });
        if (m.queryParams) use('match.query', `${at}.matches[${i}].queryParams`);
        if (m.method) use('match.method', `${at}.matches[${i}].method`);
        if (m.cookie) use('match.cookie', `${at}.matches[${i}].cookie`);
      });
    }
    const backends = rule.backends ?? [];
    if (backends.length === 2) use('split.weighted', `${at}.backends`);
    if (backends.length > 2) use('split.weighted-multi', `${at}.backends`);
    backends.forEach((b, i) => {
      if (b.protocol === 'https') use('backend.https', `${at}.backends[${i}].protocol`);
      if (b.protocol === 'grpc') use('backend.grpc', `${at}.backends[${i}].protocol`);
      if (b.protocol === 'h2c') use('backend.h2c', `${at}.backends[${i}].protocol`);
      if (b.protocol === 'ws') use('backend.ws', `${at}.backends[${i}].protocol`);
      if (b.namespace !== undefined && b.namespace !== (policy.namespace ?? 'default')) {
        use('backend.cross-namespace', `${at}.backends[${i}].namespace`);
      }
    });
    if (rule.redirect) {
      use('redirect', `${at}.redirect`);
      if (rule.redirect.path !== undefined) use('redirect.path', `${at}.redirect.path`);
    }
    if (rule.rewrite?.pathPrefix !== undefined) use('rewrite.path-prefix', `${at}.rewrite.pathPrefix`);
    if (rule.rewrite?.fullPath !== undefined) use('rewrite.full-path', `${at}.rewrite.fullPath`);
    if (rule.rewrite?.hostname !== undefined) use('rewrite.hostname', `${at}.rewrite.hostname`);
    for (const [field, feature] of [
      ['requestHeaders', 'headers.request'],
      ['responseHeaders', 'headers.response'],
    ] as const) {
      const modifier = rule[field];
      if (!modifier) continue;
      if (modifier.set || modifier.remove) use(feature, `${at}.${field}`);
      if (modifier.add) use('headers.append', `${at}.${field}.add`);
    }
    const t = rule.timeouts;
    if (t?.request) use('timeouts.request', `${at}.timeouts.request`);
    if (t?.backendRequest) use('timeouts.backend-request', `${at}.timeouts.backendRequest`);
    if (t?.connect) use('timeouts.connect', `${at}.timeouts.connect`);
    if (t?.idle) use('timeouts.idle', `${at}.timeouts.idle`);
    if (rule.retries) use('retries', `${at}.retries`);
    if (rule.mirror) use('mirror', `${at}.mirror`);
    if (rule.sessionAffinity) use('session-affinity', `${at}.sessionAffinity`);
    if (rule.rateLimit) use('rate-limit', `${at}.rateLimit`);
    if (rule.allowSourceRanges) use('ip.allow', `${at}.allowSourceRanges`);
    if (rule.maxBodySize) use('max-body-size', `${at}.maxBodySize`);
  });
  return uses;
}
