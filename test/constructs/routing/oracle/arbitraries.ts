/**
 * fast-check generators for the traffic oracle: small environments of routing policies drawn from a
 * shared vocabulary (so hosts, paths, headers and backends collide often) and requests aimed at them.
 */
import fc from 'fast-check';
import type { TrafficRequest } from '../../../../constructs/routing/oracle/types';
import type {
  Backend,
  RouteMatch,
  RouteRewrite,
  RouteRule,
  RouteSlo,
  RoutingPolicy,
  TlsPolicy,
} from '../../../../constructs/routing/types';

/** `arb` about `percent`% of the time, otherwise undefined. */
function sometimes<T>(arb: fc.Arbitrary<T>, percent: number): fc.Arbitrary<T | undefined> {
  return fc.oneof({ arbitrary: fc.constant(undefined), weight: 100 - percent }, { arbitrary: arb, weight: percent });
}

/** Drops undefined fields: the strict layer refuses an explicit `undefined` nowhere, but keep inputs clean. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

const pathMatch = fc.oneof(
  {
    arbitrary: fc.record({
      type: fc.constant('PathPrefix' as const),
      value: fc.constantFrom('/', '/api', '/api/v1', '/static/', '/old'),
    }),
    weight: 6,
  },
  {
    arbitrary: fc.record({
      type: fc.constant('Exact' as const),
      value: fc.constantFrom('/api', '/api/v1', '/healthz', '/a'),
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      type: fc.constant('RegularExpression' as const),
      value: fc.constantFrom('^/a$', '^/api/v[0-9]+$', '^/img/.*$'),
    }),
    weight: 1,
  },
);

const headerMatch = fc.oneof(
  fc.record({ name: fc.constantFrom('x-canary', 'X-Canary'), value: fc.constantFrom('on', 'off') }),
  fc.record({
    name: fc.constant('x-canary'),
    value: fc.constant('^o.*$'),
    type: fc.constant('RegularExpression' as const),
  }),
);

const match: fc.Arbitrary<RouteMatch> = fc
  .record({
    path: sometimes(pathMatch, 90),
    headers: sometimes(fc.tuple(headerMatch), 15),
    queryParams: sometimes(fc.tuple(fc.record({ name: fc.constant('v'), value: fc.constantFrom('1', '2') })), 10),
    method: sometimes(fc.constantFrom('GET' as const, 'POST' as const), 10),
    cookie: sometimes(fc.record({ name: fc.constant('beta'), value: fc.constantFrom('0', '1') }), 8),
  })
  .map(compact);

/**
 * A service level objective: availability, latency (thresholds on and off the controllers' histogram
 * buckets) or both, over the default or another whole-day window. No compiler reads it.
 */
export const slo: fc.Arbitrary<RouteSlo> = fc
  .record({
    availability: sometimes(fc.constantFrom(99, 99.5, 99.9, 99.95, 99.99, 99.999), 70),
    latency: sometimes(
      fc.record({
        percentile: fc.constantFrom(50, 90, 95, 99, 99.9),
        threshold: fc.constantFrom('100ms', '250ms', '300ms', '500ms', '1s', '1200ms', '5s', '10s', '2m'),
      }),
      50,
    ),
    window: sometimes(fc.constantFrom('30d', '28d', '7d', '1d', '90d'), 40),
  })
  .map((s) => compact(s.availability === undefined && s.latency === undefined ? { ...s, availability: 99.9 } : s));

const backend: fc.Arbitrary<Backend> = fc
  .record({
    service: fc.constantFrom('web', 'api', 'canary'),
    port: fc.constantFrom(80, 8080),
    weight: sometimes(fc.integer({ min: 0, max: 5 }), 50),
    namespace: sometimes(fc.constant('web'), 5),
  })
  .map(compact);

/** One to three distinct backends, one protocol per rule (the model refuses mixed protocols). */
const backends = fc
  .tuple(
    fc.uniqueArray(backend, { minLength: 1, maxLength: 3, selector: (b) => `${b.namespace}/${b.service}:${b.port}` }),
    sometimes(fc.constantFrom('https' as const, 'grpc' as const, 'h2c' as const, 'ws' as const), 8),
  )
  .map(([list, protocol]) => {
    const weighted = list.some((b) => (b.weight ?? 1) > 0) ? list : [{ ...list[0]!, weight: 1 }, ...list.slice(1)];
    return protocol ? weighted.map((b) => ({ ...b, protocol })) : weighted;
  });

const forwardRule: fc.Arbitrary<RouteRule> = fc
  .record({
    matches: sometimes(fc.array(match, { minLength: 1, maxLength: 2 }), 85),
    backends,
    rewrite: sometimes(
      fc.oneof<fc.Arbitrary<RouteRewrite>[]>(
        fc.constant({ pathPrefix: '/v2' }),
        fc.constant({ pathPrefix: '/' }),
        fc.constant({ fullPath: '/new' }),
        fc.constant({ hostname: 'internal.test' }),
      ),
      10,
    ),
    requestHeaders: sometimes(
      fc.constantFrom({ set: { 'x-env': 'test' } }, { add: { 'x-trace': 'on' }, remove: ['x-debug'] }),
      8,
    ),
    responseHeaders: sometimes(fc.constant({ set: { 'x-frame-options': 'DENY' }, remove: ['server'] }), 8),
    timeouts: sometimes(
      fc.oneof(
        fc.constant({ request: '10s' }),
        fc.constant({ backendRequest: '2s' }),
        fc.constant({ connect: '1s' }),
        fc.constant({ idle: '30s' }),
      ),
      8,
    ),
    retries: sometimes(
      fc
        .record({ attempts: fc.integer({ min: 0, max: 3 }), perTryTimeout: sometimes(fc.constant('1s'), 30) })
        .map(compact),
      8,
    ),
    mirror: sometimes(
      fc
        .record({
          backend: fc.constant({ service: 'shadow', port: 80 }),
          percent: sometimes(fc.constantFrom(10, 100), 50),
        })
        .map(compact),
      5,
    ),
    sessionAffinity: sometimes(
      fc.record({ cookieName: fc.constant('sticky'), maxAge: sometimes(fc.constant('1h'), 50) }).map(compact),
      5,
    ),
    rateLimit: sometimes(
      fc.record({ requestsPerSecond: fc.constantFrom(10, 50), burst: sometimes(fc.constant(20), 50) }).map(compact),
      5,
    ),
    allowSourceRanges: sometimes(fc.constant(['10.0.0.0/8']), 8),
    maxBodySize: sometimes(fc.constant('1m'), 5),
    slo: sometimes(slo, 15),
  })
  .map((r) => {
    // A prefix rewrite replaces the one PathPrefix it matched: otherwise rewrite the whole path.
    const single = r.matches?.length === 1 && r.matches[0]!.path?.type === 'PathPrefix';
    if (r.rewrite?.pathPrefix !== undefined && !single) return compact({ ...r, rewrite: { fullPath: '/new' } });
    return compact(r);
  });

const redirectRule: fc.Arbitrary<RouteRule> = fc
  .record({
    matches: sometimes(fc.array(match, { minLength: 1, maxLength: 2 }), 80),
    redirect: fc
      .record({
        scheme: sometimes(fc.constant('https' as const), 40),
        hostname: sometimes(fc.constant('www.example.org'), 40),
        path: sometimes(fc.constant('/moved'), 40),
        port: sometimes(fc.constantFrom(443, 8443), 20),
        statusCode: sometimes(fc.constantFrom(301 as const, 308 as const), 50),
      })
      .map(compact),
  })
  .map(compact);

const rule = fc.oneof({ arbitrary: forwardRule, weight: 9 }, { arbitrary: redirectRule, weight: 1 });

const tls: fc.Arbitrary<TlsPolicy | undefined> = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 7 },
  { arbitrary: fc.constant({ secretName: 'cert' }), weight: 4 },
  { arbitrary: fc.constant({ clusterIssuer: 'letsencrypt' }), weight: 2 },
  { arbitrary: fc.constant({ secretName: 'cert', redirectHttp: false }), weight: 2 },
  { arbitrary: fc.constant({ passthrough: true }), weight: 2 },
);

const HOSTS = ['a.example.org', 'b.example.org', '*.example.org', 'api.test'];

const policy = (name: string): fc.Arbitrary<RoutingPolicy> =>
  fc
    .record({
      namespace: fc.oneof({ arbitrary: fc.constant('shop'), weight: 4 }, { arbitrary: fc.constant('web'), weight: 1 }),
      hosts: fc.uniqueArray(fc.constantFrom(...HOSTS), { minLength: 1, maxLength: 2 }),
      tls,
      rules: fc.array(rule, { minLength: 1, maxLength: 3 }),
      cors: sometimes(
        fc
          .record({
            allowOrigins: fc.constant(['https://app.example.org']),
            allowMethods: sometimes(fc.constant(['GET', 'PUT']), 50),
            exposeHeaders: sometimes(fc.constant(['x-trace']), 30),
            allowCredentials: sometimes(fc.constant(true), 30),
            maxAge: sometimes(fc.constant('1m'), 30),
          })
          .map(compact),
        5,
      ),
      hsts: sometimes(
        fc.record({ maxAge: fc.constant('8760h'), includeSubdomains: sometimes(fc.constant(true), 50) }).map(compact),
        5,
      ),
      allowSourceRanges: sometimes(fc.constant(['10.0.0.0/8', '2001:db8::/32']), 6),
      denySourceRanges: sometimes(fc.constant(['192.0.2.0/24']), 6),
      rateLimit: sometimes(fc.constant({ requestsPerSecond: 100 }), 4),
      slo: sometimes(slo, 20),
    })
    .map(({ tls: t, ...rest }) => {
      // HSTS needs TLS, and a policy's slo a rule it applies to (validation says so): keep the case instead of wasting it.
      const applies = rest.rules.some((r) => r.backends !== undefined && r.slo === undefined);
      const p = compact({
        name,
        ...rest,
        tls: t,
        hsts: t ? rest.hsts : undefined,
        slo: applies ? rest.slo : undefined,
      }) as RoutingPolicy;
      // Passthrough rules carry backends only; keep such policies valid instead of wasting the case.
      if (!t?.passthrough) return p;
      const hosts = p.hosts.map((h) => (h.startsWith('*.') ? 'tls.example.org' : h));
      const rules = [
        { backends: (p.rules[0]!.backends ?? [{ service: 'tls', port: 443 }]).map(({ protocol: _, ...b }) => b) },
      ];
      return compact({ name, namespace: p.namespace, hosts: [...new Set(hosts)], tls: t, rules });
    });

/** One to three policies drawn from the shared vocabulary. */
const generalEnvironments: fc.Arbitrary<RoutingPolicy[]> = fc
  .oneof(
    { arbitrary: fc.constant(1), weight: 3 },
    { arbitrary: fc.constant(2), weight: 2 },
    { arbitrary: fc.constant(3), weight: 1 },
  )
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => policy(`p${i}`))));

/**
 * The canary shape real platforms use, which the Ingress dialects build from canary objects: a rule
 * on a path, a header- or cookie-selected rule on the same path, and sometimes a catch-all.
 */
const canaryEnvironments: fc.Arbitrary<RoutingPolicy[]> = fc
  .record({
    path: fc.constantFrom('/', '/api'),
    selector: fc.oneof(
      fc.constant({ headers: [{ name: 'x-canary', value: 'on' }] }),
      fc.constant({ headers: [{ name: 'x-canary', value: '^o.*$', type: 'RegularExpression' as const }] }),
      fc.constant({ cookie: { name: 'beta', value: '1' } }),
      // ingress-nginx's canary-by-cookie takes exactly the value 'always'.
      fc.constant({ cookie: { name: 'beta', value: 'always' } }),
      fc.constant({ method: 'POST' as const }),
    ),
    base: fc.constantFrom<Partial<RouteRule>>(
      {},
      { rewrite: { pathPrefix: '/v2' } },
      { rewrite: { hostname: 'internal.test' } },
      { responseHeaders: { set: { 'x-frame-options': 'DENY' } } },
      { timeouts: { backendRequest: '2s' } },
      { backends: [{ service: 'web', port: 80, protocol: 'ws' as const }] },
    ),
    catchAll: fc.boolean(),
    tls: fc.constantFrom<TlsPolicy | undefined>(undefined, { secretName: 'cert' }),
    cors: fc.constantFrom(undefined, { allowOrigins: ['https://app.example.org'], allowHeaders: ['x-trace'] }),
  })
  .map(({ path, selector, base, catchAll, tls: t, cors }) => {
    const at = { path: { type: 'PathPrefix' as const, value: path } };
    const rules: RouteRule[] = [
      { matches: [at], backends: [{ service: 'web', port: 80 }], ...base },
      { matches: [{ ...at, ...selector }], backends: [{ service: 'canary', port: 80 }] },
    ];
    if (catchAll && path !== '/') rules.push({ backends: [{ service: 'root', port: 80 }] });
    return [compact({ name: 'p0', namespace: 'shop', hosts: ['a.example.org'], tls: t, cors, rules })];
  });

/** A gRPC service: whole-method matches (a host serves gRPC or HTTP, not both). */
const grpcEnvironments: fc.Arbitrary<RoutingPolicy[]> = fc
  .record({
    method: fc.constantFrom<RouteMatch['path']>(
      { type: 'Exact', value: '/shop.Cart/Get' },
      { type: 'Exact', value: '/shop.Cart/List' },
    ),
    split: fc.boolean(),
    tls: fc.constantFrom<TlsPolicy | undefined>(undefined, { secretName: 'cert' }),
    timeouts: fc.constantFrom(undefined, { request: '10s' }),
  })
  .map(({ method, split, tls: t, timeouts }) => [
    compact({
      name: 'p0',
      namespace: 'shop',
      hosts: ['api.test'],
      tls: t,
      rules: [
        compact({
          matches: [{ path: method }],
          backends: [
            { service: 'cart', port: 9090, protocol: 'grpc' as const, ...(split ? { weight: 3 } : {}) },
            ...(split ? [{ service: 'cart-next', port: 9090, protocol: 'grpc' as const, weight: 1 }] : []),
          ],
          timeouts,
        }),
        {
          matches: [{ path: { type: 'Exact' as const, value: '/shop.Cart/Delete' } }],
          backends: [{ service: 'cart-admin', port: 9090, protocol: 'grpc' as const }],
        },
      ],
    }),
  ]);

/** One environment: the general vocabulary, the canary shape, or a gRPC service. */
export const environments: fc.Arbitrary<RoutingPolicy[]> = fc.oneof(
  { arbitrary: generalEnvironments, weight: 8 },
  { arbitrary: canaryEnvironments, weight: 2 },
  { arbitrary: grpcEnvironments, weight: 1 },
);

const OTHER_HOSTS = ['a.example.org', 'x.example.org', 'c.d.example.org', 'tls.example.org', 'other.test'];

/** Requests aimed at an environment's hosts and the path vocabulary, with near misses ('/apix', deeper names). */
export const requestsFor = (policies: readonly RoutingPolicy[]): fc.Arbitrary<TrafficRequest> => {
  const name = (h: string) => (h.startsWith('*.') ? `x${h.slice(1)}` : h);
  const tlsHosts = new Set(policies.filter((p) => p.tls).flatMap((p) => p.hosts.map(name)));
  const own = [...new Set(policies.flatMap((p) => p.hosts).map(name))];
  const host = fc.oneof(
    { arbitrary: fc.constantFrom(...own), weight: 4 },
    { arbitrary: fc.constantFrom(...OTHER_HOSTS), weight: 1 },
  );
  // Mostly the scheme the host serves, sometimes the other one (redirects, HTTPS to a plain host).
  return host.chain((h) => {
    const https = tlsHosts.has(h) ? 3 : 1;
    const scheme = fc.oneof(
      { arbitrary: fc.constant('https' as const), weight: https },
      { arbitrary: fc.constant('http' as const), weight: 4 - https },
    );
    return requestWith(fc.constant(h), scheme);
  });
};

const requestWith = (
  host: fc.Arbitrary<string>,
  scheme = fc.constantFrom('http' as const, 'https' as const),
): fc.Arbitrary<TrafficRequest> =>
  fc
    .record({
      scheme,
      host,
      path: fc.constantFrom(
        '/',
        '/api',
        '/api/',
        '/api/v1',
        '/api/v1/x',
        '/apix',
        '/healthz',
        '/a',
        '/static',
        '/static/app.js',
        '/old',
        '/old/page',
        '/img/cat.png',
        '/api/v2',
        '/shop.Cart/Get',
        '/shop.Cart/Delete',
      ),
      method: fc.constantFrom('GET' as const, 'POST' as const, 'PUT' as const),
      canary: fc.constantFrom(undefined, 'on', 'off'),
      version: fc.constantFrom(undefined, '1', '2'),
      beta: fc.constantFrom(undefined, '0', '1', 'always'),
      sourceIp: fc.constantFrom('10.1.2.3', '192.0.2.7', '203.0.113.9', '2001:db8::5'),
    })
    .map(
      ({ canary, version, beta, ...r }): TrafficRequest => ({
        ...r,
        headers: canary ? { 'x-canary': canary } : {},
        query: version ? { v: version } : {},
        cookies: beta ? { beta } : {},
      }),
    );

/** Requests over the whole host vocabulary. */
export const requests: fc.Arbitrary<TrafficRequest> = requestWith(
  fc.constantFrom('b.example.org', 'api.test', ...OTHER_HOSTS),
);

/** An environment with requests aimed at it. */
export const scenarios: fc.Arbitrary<[RoutingPolicy[], TrafficRequest[]]> = environments.chain((policies) =>
  fc.tuple(fc.constant(policies), fc.array(requestsFor(policies), { minLength: 6, maxLength: 10 })),
);
