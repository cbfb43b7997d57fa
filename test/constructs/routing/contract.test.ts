import { describe, expect, expectTypeOf, it } from 'vitest';
// The contract is imported from the package root, as users import it.
import {
  type Backend,
  type BackendRef,
  CAPABILITIES,
  type CompileResult,
  type CompileTarget,
  type CorsPolicy,
  compileRoutes,
  type Dialect,
  type Duration,
  detectConflicts,
  type HeaderModifier,
  InvalidRoutingPolicyError,
  type KubeObject,
  type RateLimit,
  type RouteConflict,
  RouteConflictError,
  type RouteMatch,
  type RouteRule,
  RoutingError,
  type RoutingPolicy,
  type Support,
  type TlsPolicy,
  UnsupportedFeatureError,
} from '../../../constructs';

describe('the routing contract (shared/design/routing-api.md)', () => {
  it('accepts a policy that uses every field of the contract', () => {
    const backendRef: BackendRef = { service: 'shadow', port: 8080, namespace: 'shop' };
    const backends: Backend[] = [
      { service: 'web', port: 8080, weight: 3, protocol: 'http' },
      { service: 'web-next', port: 8080, weight: 1, protocol: 'http' },
    ];
    const headers: HeaderModifier = { set: { 'X-A': '1' }, add: { 'X-B': '2' }, remove: ['X-C'] };
    const rateLimit: RateLimit = { requestsPerSecond: 10, burst: 20 };
    const cors: CorsPolicy = {
      allowOrigins: ['https://app.example.com'],
      allowMethods: ['GET'],
      allowHeaders: ['X-A'],
      exposeHeaders: ['X-B'],
      allowCredentials: true,
      maxAge: '10m',
    };
    const tls: TlsPolicy = {
      secretName: 'shop-tls',
      clusterIssuer: 'letsencrypt',
      redirectHttp: true,
      passthrough: false,
    };
    const match: RouteMatch = {
      path: { type: 'PathPrefix', value: '/api' },
      headers: [{ name: 'x-env', value: 'beta', type: 'Exact' }],
      queryParams: [{ name: 'v', value: '^[0-9]+$', type: 'RegularExpression' }],
      method: 'GET',
      cookie: { name: 'beta', value: '1' },
    };
    const duration: Duration = '10s';
    const rule: RouteRule = {
      name: 'api',
      matches: [match],
      backends,
      rewrite: { pathPrefix: '/v2', hostname: 'api.internal' },
      requestHeaders: headers,
      responseHeaders: { set: { 'Cache-Control': 'no-store' } },
      timeouts: { request: '30s', backendRequest: duration, connect: '2s', idle: '5m' },
      retries: {
        attempts: 2,
        perTryTimeout: duration,
        backoff: '100ms',
        on: ['5xx', 'gateway-error', 'reset', 'connect-failure', 429],
      },
      mirror: { backend: backendRef, percent: 10 },
      sessionAffinity: { cookieName: 'route', maxAge: '1h' },
      rateLimit,
      allowSourceRanges: ['10.0.0.0/8'],
      maxBodySize: '8m',
    };
    const redirect: RouteRule = {
      name: 'moved',
      matches: [{ path: { type: 'Exact', value: '/old' } }],
      redirect: { scheme: 'https', hostname: 'new.example.com', path: '/new', port: 443, statusCode: 308 },
    };
    const policy: RoutingPolicy = {
      name: 'shop',
      namespace: 'shop',
      hosts: ['shop.example.com', '*.shop.example.com'],
      tls,
      rules: [rule, redirect],
      cors,
      allowSourceRanges: ['10.0.0.0/8', '2001:db8::/32'],
      denySourceRanges: ['10.9.0.0/16'],
      rateLimit,
      hsts: { maxAge: '8760h', includeSubdomains: true, preload: false },
      acceptApproximations: ['rate-limit'],
    };
    const dialect: Dialect = 'gateway-api';
    const target: CompileTarget = {
      dialect,
      gateway: { name: 'public', namespace: 'gateway-system', httpListener: 'http', httpsListener: 'https' },
      implementation: 'envoy-gateway',
      ingressClassName: 'unused',
    };
    // Every field validates; the features this target lacks are refused with the typed error.
    expect(() => compileRoutes([policy], target)).toThrow(UnsupportedFeatureError);
    expect(() => compileRoutes([policy], { ...target, channel: 'experimental' })).toThrow(
      /shop.rules\[0\].maxBodySize: gateway-api cannot express 'max-body-size'/,
    );
    // Envoy Gateway's bucket holds exactly the rate: a burst above it is refused, so drop it here.
    const exact = { requestsPerSecond: rateLimit.requestsPerSecond };
    const withoutBodyLimit = {
      ...policy,
      rateLimit: exact,
      rules: [{ ...rule, maxBodySize: undefined, ...(rule.rateLimit ? { rateLimit: exact } : {}) }, redirect],
    };
    const result: CompileResult = compileRoutes([withoutBodyLimit], { ...target, channel: 'experimental' });
    const objects: readonly KubeObject[] = result.objects;
    expect(objects.length).toBeGreaterThan(0);
    const conflicts: readonly RouteConflict[] = detectConflicts([policy]);
    expect(conflicts).toEqual([]);
  });

  it('exports the errors with their fields and the capability matrix', () => {
    expect(new InvalidRoutingPolicyError('a.b', 'm')).toBeInstanceOf(RoutingError);
    const unsupported = new UnsupportedFeatureError('a.b', 'mirror', 'aws-alb', ['gateway-api']);
    expect([unsupported.path, unsupported.feature, unsupported.dialect, unsupported.supportedBy]).toEqual([
      'a.b',
      'mirror',
      'aws-alb',
      ['gateway-api'],
    ]);
    expect(unsupported).toBeInstanceOf(RoutingError);
    const conflict = new RouteConflictError([
      { host: 'h', match: 'PathPrefix /', rules: ['a.rules[0]', 'b.rules[0]'] },
    ]);
    expect(conflict.conflicts).toHaveLength(1);
    expect(conflict).toBeInstanceOf(RoutingError);
    expectTypeOf(CAPABILITIES).toMatchTypeOf<Readonly<Record<Dialect, Readonly<Record<string, Support>>>>>();
    expect(Object.keys(CAPABILITIES)).toEqual([
      'gateway-api',
      'ingress-nginx',
      'traefik',
      'haproxy',
      'contour',
      'aws-alb',
      'openshift-route',
    ]);
  });
});
