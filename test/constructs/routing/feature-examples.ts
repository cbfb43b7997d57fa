import type { Feature } from '../../../constructs/routing/capabilities';
import type { Dialect, RouteRule, RoutingPolicy } from '../../../constructs/routing/types';

const web = { service: 'web', port: 8080 };
const canary = { service: 'web-canary', port: 8080 };

function policy(rules: RouteRule[], extra: Partial<RoutingPolicy> = {}): RoutingPolicy {
  return { name: 'shop', namespace: 'shop', hosts: ['shop.example.com'], rules, ...extra };
}
const one = (rule: Partial<RouteRule>, extra: Partial<RoutingPolicy> = {}) =>
  policy([{ name: 'main', backends: [web], ...rule } as RouteRule], extra);
/** A header or cookie rule beside the plain rule it refines (the form nginx canaries need). */
const refine = (match: RouteRule['matches']) =>
  policy([
    { name: 'main', backends: [web] },
    { name: 'refined', matches: match, backends: [canary] },
  ]);

/** For every feature, the smallest policy that uses it, in the form the most dialects accept. */
export const FEATURE_EXAMPLES: Readonly<Record<Feature, RoutingPolicy>> = {
  'host.wildcard': one({}, { hosts: ['*.example.com'] }),
  'path.exact': one({ matches: [{ path: { type: 'Exact', value: '/health' } }] }),
  'path.prefix': one({ matches: [{ path: { type: 'PathPrefix', value: '/api' } }] }),
  'path.regex': one({ matches: [{ path: { type: 'RegularExpression', value: '^/api/v[0-9]+/.*$' } }] }),
  'match.header': refine([{ headers: [{ name: 'x-canary', value: 'yes' }] }]),
  'match.header-regex': refine([{ headers: [{ name: 'x-canary', value: '^(yes|true)$', type: 'RegularExpression' }] }]),
  'match.query': refine([{ queryParams: [{ name: 'canary', value: '1' }] }]),
  'match.method': refine([{ method: 'POST' }]),
  'match.cookie': refine([{ cookie: { name: 'canary', value: 'always' } }]),
  'split.weighted': one({
    backends: [
      { ...web, weight: 90 },
      { ...canary, weight: 10 },
    ],
  }),
  'split.weighted-multi': one({
    backends: [
      { ...web, weight: 80 },
      { ...canary, weight: 10 },
      { service: 'web-next', port: 8080, weight: 10 },
    ],
  }),
  redirect: one({ backends: undefined, redirect: { scheme: 'https', statusCode: 308 } }),
  'redirect.path': one({
    backends: undefined,
    redirect: { hostname: 'new.example.com', path: '/shop', statusCode: 301 },
  }),
  'rewrite.path-prefix': one({
    matches: [{ path: { type: 'PathPrefix', value: '/api' } }],
    rewrite: { pathPrefix: '/' },
  }),
  'rewrite.full-path': one({ rewrite: { fullPath: '/index.html' } }),
  'rewrite.hostname': one({ rewrite: { hostname: 'internal.example.com' } }),
  'headers.request': one({ requestHeaders: { set: { 'X-Shop': 'v1' }, remove: ['X-Debug'] } }),
  'headers.response': one({ responseHeaders: { set: { 'Cache-Control': 'no-store' } } }),
  'headers.append': one({ requestHeaders: { add: { 'X-Trace': 'gw' } } }),
  'timeouts.request': one({ timeouts: { request: '30s' } }),
  'timeouts.backend-request': one({ timeouts: { backendRequest: '10s' } }),
  'timeouts.connect': one({ timeouts: { connect: '5s' } }),
  'timeouts.idle': one({ timeouts: { idle: '5m' } }),
  retries: one({ retries: { attempts: 2, on: ['gateway-error'] } }),
  mirror: one({ mirror: { backend: { service: 'shadow', port: 8080 } } }),
  'session-affinity': one({ sessionAffinity: { cookieName: 'route', maxAge: '1h' } }),
  'rate-limit': one({}, { rateLimit: { requestsPerSecond: 20, burst: 40 } }),
  'ip.allow': one({}, { allowSourceRanges: ['10.0.0.0/8', '2001:db8::/32'] }),
  'ip.deny': one({}, { denySourceRanges: ['192.0.2.0/24'] }),
  cors: one({}, { cors: { allowOrigins: ['https://app.example.com'], allowMethods: ['GET', 'POST'], maxAge: '10m' } }),
  hsts: one({}, { tls: { secretName: 'shop-tls' }, hsts: { maxAge: '8760h', includeSubdomains: true } }),
  'max-body-size': one({ maxBodySize: '8m' }),
  'tls.terminate': one({}, { tls: { secretName: 'shop-tls', redirectHttp: false } }),
  'tls.cert-manager': one({}, { tls: { clusterIssuer: 'letsencrypt', redirectHttp: false } }),
  'tls.passthrough': policy([{ name: 'main', backends: [{ service: 'vault', port: 8200 }] }], {
    tls: { passthrough: true },
  }),
  'tls.redirect-http': one({}, { tls: { secretName: 'shop-tls' } }),
  'backend.https': one({ backends: [{ ...web, protocol: 'https' }] }),
  'backend.grpc': one({
    matches: [{ path: { type: 'Exact', value: '/shop.v1.Catalog/List' } }],
    backends: [{ service: 'catalog', port: 9090, protocol: 'grpc' }],
  }),
  'backend.h2c': one({ backends: [{ ...web, protocol: 'h2c' }] }),
  'backend.ws': one({ backends: [{ ...web, protocol: 'ws' }] }),
  'backend.cross-namespace': one({ backends: [{ ...web, namespace: 'storefront' }] }),
};

/** Where a dialect takes a feature only in some shapes, the example in the shape it takes. */
const DIALECT_EXAMPLES: Partial<Record<Dialect, Partial<Record<Feature, RoutingPolicy>>>> = {
  // HAProxy redirects with 301, 302 or 303 and sets headers without removing them.
  // Its persistence cookie has no lifetime, and its rate limit's burst is the rate.
  haproxy: {
    redirect: one({ backends: undefined, redirect: { scheme: 'https', statusCode: 301 } }),
    'headers.request': one({ requestHeaders: { set: { 'X-Shop': 'v1' } } }),
    'session-affinity': one({ sessionAffinity: { cookieName: 'route' } }),
    'rate-limit': one({}, { rateLimit: { requestsPerSecond: 20 } }),
  },
  // Envoy Gateway's local rate limit bucket holds exactly the rate: no burst.
  'gateway-api': {
    'rate-limit': one({}, { rateLimit: { requestsPerSecond: 20 } }),
  },
  // ingress-nginx allows its own header list (Authorization included) unless the policy names one.
  'ingress-nginx': {
    cors: one(
      {},
      { cors: { allowOrigins: ['https://app.example.com'], allowMethods: ['GET'], allowHeaders: ['content-type'] } },
    ),
  },
  // The router's affinity cookie has no lifetime, and it re-encrypts only on Routes that terminate TLS.
  'openshift-route': {
    'session-affinity': one({ sessionAffinity: { cookieName: 'route' } }),
    'backend.https': one(
      { backends: [{ ...web, protocol: 'https' }] },
      { tls: { secretName: 'shop-tls', redirectHttp: false } },
    ),
  },
  // ALB redirects with HTTP_301 or HTTP_302 only, and forwards gRPC only from an HTTPS listener.
  'aws-alb': {
    redirect: one({ backends: undefined, redirect: { scheme: 'https', statusCode: 301 } }),
    'backend.grpc': one(
      {
        matches: [{ path: { type: 'Exact', value: '/shop.v1.Catalog/List' } }],
        backends: [{ service: 'catalog', port: 9090, protocol: 'grpc' }],
      },
      { tls: { secretName: 'shop-tls' } },
    ),
  },
};

/** The example of a feature for a dialect. */
export function exampleFor(feature: Feature, dialect: Dialect): RoutingPolicy {
  return DIALECT_EXAMPLES[dialect]?.[feature] ?? FEATURE_EXAMPLES[feature];
}
