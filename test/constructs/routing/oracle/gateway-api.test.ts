import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRoutes } from '../../../../constructs/routing/compile';
import { InvalidRoutingPolicyError, RoutingError } from '../../../../constructs/routing/errors';
import { outcomeDifference } from '../../../../constructs/routing/oracle/compare';
import {
  gatewayApiInterpreter,
  interpretGatewayApi,
  interpretGatewayApiEnvoy,
  interpretGatewayApiTraefik,
} from '../../../../constructs/routing/oracle/gateway-api';
import { type ModelOutcome, modelOutcome } from '../../../../constructs/routing/oracle/model';
import type { TrafficOutcome, TrafficRequest } from '../../../../constructs/routing/oracle/types';
import type { CompileTarget, KubeObject, RoutingPolicy } from '../../../../constructs/routing/types';
import { scenarios } from './arbitraries';
import { checkDialect, describeStats } from './harness';
import { requestWith } from './requests';

const TARGET: CompileTarget = { dialect: 'gateway-api' };
const EG: CompileTarget = { dialect: 'gateway-api', channel: 'experimental', implementation: 'envoy-gateway' };

const req = requestWith({ scheme: 'https', host: 'shop.example.com' });

/** Compiles, interprets each request, and requires the model's outcome. */
function agree(policies: RoutingPolicy[], requests: TrafficRequest[], target: CompileTarget = TARGET) {
  const compiled = compileRoutes(policies, target);
  for (const r of requests) {
    const expected = modelOutcome(policies, r);
    expect(expected.kind).not.toBe('unspecified');
    expect(outcomeDifference(expected, interpretGatewayApi(compiled, r)), `${r.scheme}://${r.host}${r.path}`).toBe(
      undefined,
    );
  }
  return compiled;
}

const grpc = (service: string) => [{ service, port: 9090, protocol: 'grpc' as const }];

describe('gateway-api oracle: issue 13 cases', () => {
  it('case 7: gRPC PathPrefix /shop.Cart/Get vs /shop.Cart/Delete: methods kept (Exact), a prefix refused', () => {
    const byPath = (type: 'Exact' | 'PathPrefix'): RoutingPolicy => ({
      name: 'shop',
      namespace: 'shop',
      hosts: ['grpc.example.com'],
      rules: [
        { name: 'read', matches: [{ path: { type, value: '/shop.Cart/Get' } }], backends: grpc('read') },
        { name: 'write', matches: [{ path: { type, value: '/shop.Cart/Delete' } }], backends: grpc('write') },
      ],
    });
    const call = (path: string) => req({ scheme: 'http', host: 'grpc.example.com', path, method: 'POST' });
    // A PathPrefix also claims '/shop.Cart/Get/x', which no GRPCRoute can: refused, with the fix.
    expect(() => compileRoutes([byPath('PathPrefix')], TARGET)).toThrow(InvalidRoutingPolicyError);
    expect(() => compileRoutes([byPath('PathPrefix')], TARGET)).toThrow(/use Exact '\/<package.Service>\/<Method>'/);
    const compiled = agree(
      [byPath('Exact')],
      [call('/shop.Cart/Get'), call('/shop.Cart/Delete'), call('/shop.Cart/List')],
    );
    const outcome = interpretGatewayApi(compiled, call('/shop.Cart/Delete'));
    expect(outcome.kind === 'forward' && outcome.backends.map((b) => b.service)).toEqual(['write']);
    // Envoy Gateway makes a service-only match the path-separated prefix '/shop.Cart': exact there.
    const service: RoutingPolicy = {
      ...byPath('Exact'),
      rules: [
        byPath('Exact').rules[0]!,
        { name: 'cart', matches: [{ path: { type: 'PathPrefix', value: '/shop.Cart' } }], backends: grpc('cart') },
      ],
    };
    expect(() => compileRoutes([service], TARGET)).toThrow(/matches one method or all of them/);
    expect(() => compileRoutes([byPath('PathPrefix')], EG)).toThrow(InvalidRoutingPolicyError);
    const onEnvoy = compileRoutes([service], EG);
    for (const path of ['/shop.Cart/Get', '/shop.Cart/Delete', '/shop.Cart', '/shop.Cart/Get/x', '/shop.Cartx/Get']) {
      const r = call(path);
      expect(outcomeDifference(modelOutcome([service], r), interpretGatewayApiEnvoy(onEnvoy, r)), path).toBeUndefined();
    }
  });

  it('case 14: gRPC rule with mirror.percent keeps the percent', () => {
    const policy: RoutingPolicy = {
      name: 'shop',
      namespace: 'shop',
      hosts: ['grpc.example.com'],
      rules: [{ backends: grpc('cart'), mirror: { backend: { service: 'shadow', port: 9090 }, percent: 10 } }],
    };
    const compiled = agree([policy], [req({ scheme: 'http', host: 'grpc.example.com', path: '/shop.Cart/Get' })], EG);
    const outcome = interpretGatewayApi(compiled, req({ scheme: 'http', host: 'grpc.example.com', path: '/a/b' }));
    expect(outcome.kind === 'forward' && outcome.applied.mirror?.percent).toBe(10);
  });

  it('case 14: policy hsts on gRPC routes is sent (HTTPS), policy cors on gRPC routes is refused', () => {
    const policy: RoutingPolicy = {
      name: 'shop',
      namespace: 'shop',
      hosts: ['grpc.example.com'],
      tls: { secretName: 'grpc-tls' },
      hsts: { maxAge: '8760h', includeSubdomains: true },
      rules: [{ backends: grpc('cart') }],
    };
    const compiled = agree([policy], [req({ host: 'grpc.example.com', path: '/shop.Cart/Get' })]);
    const outcome = interpretGatewayApi(compiled, req({ host: 'grpc.example.com', path: '/shop.Cart/Get' }));
    expect(outcome.kind === 'forward' && outcome.applied.hsts).toEqual({
      maxAge: 31536000,
      includeSubdomains: true,
      preload: false,
    });
    const cors = { ...policy, cors: { allowOrigins: ['https://app.example.com'] } };
    expect(() => compileRoutes([cors], TARGET)).toThrow(InvalidRoutingPolicyError);
    expect(() => compileRoutes([cors], TARGET)).toThrow(/GRPCRoute has no CORS filter/);
  });

  it('case 14: HSTS with redirectHttp false is sent over HTTPS only (one route per listener)', () => {
    const policy: RoutingPolicy = {
      name: 'shop',
      namespace: 'shop',
      hosts: ['shop.example.com'],
      tls: { secretName: 'shop-tls', redirectHttp: false },
      hsts: { maxAge: '1h' },
      rules: [{ name: 'web', backends: [{ service: 'web', port: 80 }] }],
    };
    const compiled = agree([policy], [req(), req({ scheme: 'http' })]);
    const http = interpretGatewayApi(compiled, req({ scheme: 'http' }));
    expect(http.kind === 'forward' && http.applied.hsts).toBeUndefined();
    const routes = compiled.objects.filter((o) => o.kind === 'HTTPRoute') as (KubeObject & { spec: any })[];
    expect(
      routes.map((r) => [r.metadata.name, r.spec.parentRefs.map((p: { sectionName: string }) => p.sectionName)]),
    ).toEqual([
      ['shop', ['https']],
      ['shop-http', ['http']],
    ]);
  });
});

describe('gateway-api oracle: cross-policy checks', () => {
  it('the https-redirect route answers HTTP before any rule, source lists included (Envoy Gateway)', () => {
    const policy: RoutingPolicy = {
      name: 'shop',
      namespace: 'shop',
      hosts: ['shop.example.com'],
      tls: { secretName: 'shop-tls' },
      allowSourceRanges: ['10.0.0.0/8'],
      rules: [
        {
          name: 'api',
          matches: [{ path: { type: 'Exact', value: '/api' } }],
          backends: [{ service: 'api', port: 80 }],
        },
        { name: 'web', backends: [{ service: 'web', port: 80 }] },
      ],
    };
    agree(
      [policy],
      [req({ scheme: 'http', path: '/api', sourceIp: '192.0.2.1' }), req({ path: '/api', sourceIp: '192.0.2.1' })],
      EG,
    );
  });

  it('a strictly more specific rule of another policy on a shared host wins; an exact host beats a wildcard', () => {
    const a: RoutingPolicy = {
      name: 'a',
      namespace: 'shop',
      hosts: ['shop.example.com'],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/api' } }], backends: [{ service: 'a', port: 80 }] }],
    };
    const b: RoutingPolicy = {
      name: 'b',
      namespace: 'admin',
      hosts: ['shop.example.com'],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/api' }, headers: [{ name: 'x-admin', value: '1' }] }],
          backends: [{ service: 'b', port: 80 }],
        },
        { matches: [{ path: { type: 'Exact', value: '/api/v1' } }], backends: [{ service: 'b1', port: 80 }] },
      ],
    };
    const wild: RoutingPolicy = {
      name: 'wild',
      namespace: 'shop',
      hosts: ['*.example.com'],
      rules: [{ backends: [{ service: 'wild', port: 80 }] }],
    };
    const http = (path: string, headers: Record<string, string> = {}) => req({ scheme: 'http', path, headers });
    agree(
      [a, b, wild],
      [
        http('/api/x'),
        http('/api/x', { 'x-admin': '1' }),
        http('/api/v1'),
        http('/'),
        req({ scheme: 'http', host: 'x.example.com', path: '/api' }),
      ],
    );
    // '/' on shop.example.com: no rule of the exact host matches, and the wildcard's rules do not compete.
    expect(interpretGatewayApi(compileRoutes([a, b, wild], TARGET), http('/'))).toEqual({ kind: 'no-route' });
  });

  it('a cross-namespace backend without ReferenceGrant gets 500s; with the compiled grant it is reached', () => {
    const policy: RoutingPolicy = {
      name: 'shop',
      namespace: 'shop',
      hosts: ['shop.example.com'],
      rules: [{ backends: [{ service: 'catalog', port: 80, namespace: 'catalog' }] }],
    };
    const compiled = agree([policy], [req({ scheme: 'http' })]);
    const withoutGrant = { objects: compiled.objects.filter((o) => o.kind !== 'ReferenceGrant') };
    const outcome = interpretGatewayApi(withoutGrant, req({ scheme: 'http' }));
    expect(outcome.kind === 'forward' && outcome.backends).toEqual([
      { namespace: '', service: 'http-500 (catalog/catalog without ReferenceGrant)', port: 0, weight: 1 },
    ]);
    // A mirror to another namespace is granted too; without the grant it is not configured at all.
    const mirrored: RoutingPolicy = {
      ...policy,
      rules: [
        {
          backends: [{ service: 'web', port: 80 }],
          mirror: { backend: { service: 'shadow', port: 80, namespace: 'qa' } },
        },
      ],
    };
    const withMirror = agree([mirrored], [req({ scheme: 'http' })]);
    const ungranted = interpretGatewayApi(
      { objects: withMirror.objects.filter((o) => o.kind !== 'ReferenceGrant') },
      req({ scheme: 'http' }),
    );
    expect(ungranted.kind === 'forward' && ungranted.applied.mirror).toBeUndefined();
  });

  it('refuses an HTTPRoute and a GRPCRoute on intersecting hosts of one listener (only one would be accepted)', () => {
    const web: RoutingPolicy = {
      name: 'web',
      namespace: 'shop',
      hosts: ['*.example.com'],
      rules: [{ backends: [{ service: 'web', port: 80 }] }],
    };
    const rpc: RoutingPolicy = {
      name: 'rpc',
      namespace: 'shop',
      hosts: ['grpc.example.com'],
      rules: [{ backends: grpc('cart') }],
    };
    expect(() => compileRoutes([web, rpc], TARGET)).toThrow(/accepts only one of the two routes/);
    // The interpreter applies the rule: the older route, then '{namespace}/{name}', is accepted; here
    // 'shop/rpc-grpc' sorts before 'shop/web', so every HTTP request of '*.example.com' gets 404s.
    const objects = [...compileRoutes([web], TARGET).objects, ...compileRoutes([rpc], TARGET).objects];
    expect(interpretGatewayApi({ objects }, req({ scheme: 'http', host: 'x.example.com', path: '/' }))).toEqual({
      kind: 'no-route',
    });
    const call = interpretGatewayApi({ objects }, req({ scheme: 'http', host: 'grpc.example.com', path: '/a/b' }));
    expect(call.kind === 'forward' && call.backends[0]?.protocol).toBe('grpc');
  });

  it('refuses a Service reached over HTTPS and in plain text (the BackendTLSPolicy covers every route)', () => {
    const policy: RoutingPolicy = {
      name: 'shop',
      namespace: 'shop',
      hosts: ['shop.example.com'],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/s' } }],
          backends: [{ service: 'web', port: 443, protocol: 'https' }],
        },
        { backends: [{ service: 'web', port: 80 }] },
      ],
    };
    expect(() => compileRoutes([policy], TARGET)).toThrow(/reached over HTTPS by shop.rules\[0\].backends\[0\]/);
  });
});

describe('gateway-api oracle: Envoy Gateway implementation', () => {
  it('orders a method as one more header and Exact headers before regexes, so disagreeing pairs are refused', () => {
    const policy: RoutingPolicy = {
      name: 'shop',
      namespace: 'shop',
      hosts: ['shop.example.com'],
      rules: [
        {
          matches: [{ headers: [{ name: 'x-env', value: '^b.*$', type: 'RegularExpression' }] }],
          backends: [{ service: 'regex', port: 80 }],
        },
        { matches: [{ headers: [{ name: 'x-env', value: 'beta' }] }], backends: [{ service: 'exact', port: 80 }] },
      ],
    };
    const spec = compileRoutes([policy], TARGET);
    const beta = req({ scheme: 'http', headers: { 'x-env': 'beta' } });
    const served = (o: TrafficOutcome) => (o.kind === 'forward' ? o.backends.map((b) => b.service) : o.kind);
    expect(served(interpretGatewayApi(spec, beta))).toEqual(['regex']); // the spec: the earlier rule
    expect(served(interpretGatewayApiEnvoy(spec, beta))).toEqual(['exact']); // sort.go: more Exact header matches
    expect(() => compileRoutes([policy], EG)).toThrow(/Envoy Gateway orders routes by counting a method as a header/);
    const method: RoutingPolicy = {
      ...policy,
      rules: [
        { matches: [{ headers: [{ name: 'x-env', value: 'beta' }] }], backends: [{ service: 'header', port: 80 }] },
        { matches: [{ method: 'GET' }], backends: [{ service: 'get', port: 80 }] },
      ],
    };
    // The spec puts a method before any header; Envoy Gateway ties them and keeps the rule order.
    expect(served(interpretGatewayApiEnvoy(compileRoutes([method], TARGET), beta))).toEqual(['header']);
    expect(() => compileRoutes([method], EG)).toThrow(InvalidRoutingPolicyError);
  });
});

describe('gateway-api oracle: Traefik implementation', () => {
  const TRAEFIK: CompileTarget = { dialect: 'gateway-api', implementation: 'traefik' };
  const api = (rules: RoutingPolicy['rules'], over: Partial<RoutingPolicy> = {}): RoutingPolicy => ({
    name: 'shop',
    namespace: 'shop',
    hosts: ['shop.example.com'],
    rules,
    ...over,
  });
  const prefix = (value: string) => ({ path: { type: 'PathPrefix' as const, value } });

  it("ranks by Traefik's priority (a method beats a longer prefix), so such pairs are refused", () => {
    const policy = api([
      { matches: [{ ...prefix('/api'), method: 'POST' }], backends: [{ service: 'post', port: 80 }] },
      { matches: [prefix('/api/v1')], backends: [{ service: 'v1', port: 80 }] },
    ]);
    const spec = compileRoutes([policy], TARGET);
    const post = req({ scheme: 'http', path: '/api/v1', method: 'POST' });
    const served = (o: TrafficOutcome) => (o.kind === 'forward' ? o.backends.map((b) => b.service) : o.kind);
    expect(served(interpretGatewayApi(spec, post))).toEqual(['v1']);
    expect(served(interpretGatewayApiTraefik(spec, post))).toEqual(['post']);
    expect(() => compileRoutes([policy], TRAEFIK)).toThrow(/Traefik's Gateway provider orders routes by one priority/);
    // Disjoint matches are fine.
    agreeOn(api([{ matches: [{ ...prefix('/api'), method: 'POST' }], backends: [{ service: 'post', port: 80 }] }]));
  });

  it("lets a wildcard policy's rules compete on another policy's host, so that overlap is refused", () => {
    const exact = api([{ backends: [{ service: 'exact', port: 80 }] }]);
    const wild = api([{ matches: [prefix('/api/long')], backends: [{ service: 'wild', port: 80 }] }], {
      name: 'wild',
      hosts: ['*.example.com'],
    });
    const objects = compileRoutes([exact, wild], TARGET);
    const r = req({ scheme: 'http', path: '/api/long' });
    expect(outcomeDifference(modelOutcome([exact, wild], r), interpretGatewayApiTraefik(objects, r))).toMatch(/wild/);
    expect(() => compileRoutes([exact, wild], TRAEFIK)).toThrow(/covers 'shop.example.com' of shop/);
  });

  it('answers 500 for filters its provider lacks and ignores rule timeouts, which are therefore refused', () => {
    const mirrored = api([
      { backends: [{ service: 'web', port: 80 }], mirror: { backend: { service: 's', port: 80 } } },
    ]);
    const outcome = interpretGatewayApiTraefik(compileRoutes([mirrored], TARGET), req({ scheme: 'http' }));
    expect(outcome.kind === 'forward' && outcome.backends[0]!.service).toMatch(/^http-500/);
    expect(() => compileRoutes([mirrored], TRAEFIK)).toThrow(/does not implement it/);
    const timed = api([{ backends: [{ service: 'web', port: 80 }], timeouts: { request: '5s' } }]);
    const t = interpretGatewayApiTraefik(compileRoutes([timed], TARGET), req({ scheme: 'http' }));
    expect(t.kind === 'forward' && t.applied.timeouts).toBeUndefined();
    expect(() => compileRoutes([timed], TRAEFIK)).toThrow(/does not implement it/);
  });

  function agreeOn(policy: RoutingPolicy) {
    const compiled = compileRoutes([policy], TRAEFIK);
    for (const path of ['/api', '/api/v1', '/']) {
      for (const method of ['GET', 'POST'] as const) {
        const r = req({ scheme: 'http', path, method });
        expect(outcomeDifference(modelOutcome([policy], r), interpretGatewayApiTraefik(compiled, r))).toBeUndefined();
      }
    }
  }
});

describe('gateway-api oracle: interpreter behaviours on hand-written objects', () => {
  const route = (name: string, spec: Record<string, unknown>, kind = 'HTTPRoute', namespace = 'shop'): KubeObject => ({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind,
    metadata: { name, namespace },
    spec: {
      parentRefs: [{ name: 'switchyard', namespace: 'gateway-system', sectionName: 'http' }],
      hostnames: ['shop.example.com'],
      ...spec,
    },
  });
  const to = (service: string, extra: Record<string, unknown> = {}) => ({
    backendRefs: [{ name: service, port: 80 }],
    ...extra,
  });
  const served = (o: TrafficOutcome) => (o.kind === 'forward' ? o.backends.map((b) => b.service) : o.kind);
  const http = (path: string, over: Partial<TrafficRequest> = {}) => req({ scheme: 'http', path, ...over });

  it('orders Exact > longest prefix > method > headers > query, then oldest route, then namespace/name, then rule order', () => {
    const objects = [
      route('b', {
        rules: [
          to('prefix', { matches: [{ path: { type: 'PathPrefix', value: '/api' } }] }),
          to('method', { matches: [{ path: { type: 'PathPrefix', value: '/api' }, method: 'POST' }] }),
          to('header', {
            matches: [{ path: { type: 'PathPrefix', value: '/api' }, headers: [{ name: 'X', value: '1' }] }],
          }),
          to('exact', { matches: [{ path: { type: 'Exact', value: '/api/v1' } }] }),
          to('longer', { matches: [{ path: { type: 'PathPrefix', value: '/api/v1/' } }] }),
        ],
      }),
      route('a', { rules: [to('a-prefix', { matches: [{ path: { type: 'PathPrefix', value: '/api' } }] })] }),
    ];
    expect(served(interpretGatewayApi({ objects }, http('/api/x')))).toEqual(['a-prefix']); // 'shop/a' < 'shop/b'
    expect(served(interpretGatewayApi({ objects }, http('/api/x', { method: 'POST', headers: { x: '1' } })))).toEqual([
      'method',
    ]);
    expect(served(interpretGatewayApi({ objects }, http('/api/x', { headers: { x: '1' } })))).toEqual(['header']);
    expect(served(interpretGatewayApi({ objects }, http('/api/v1', { method: 'POST' })))).toEqual(['exact']);
    expect(served(interpretGatewayApi({ objects }, http('/api/v1/x', { method: 'POST' })))).toEqual(['longer']);
    expect(served(interpretGatewayApi({ objects }, http('/apix')))).toBe('no-route');
    const older = objects.map((o) =>
      o.metadata.name === 'b' ? { ...o, metadata: { ...o.metadata, creationTimestamp: '2026-01-01T00:00:00Z' } } : o,
    );
    expect(
      served(
        interpretGatewayApi(
          {
            objects: older.map((o) =>
              o.metadata.name === 'a'
                ? { ...o, metadata: { ...o.metadata, creationTimestamp: '2026-02-01T00:00:00Z' } }
                : o,
            ),
          },
          http('/api/x'),
        ),
      ),
    ).toEqual(['prefix']);
  });

  it('attaches by parentRef: another Gateway or a listener the route kind may not use is ignored', () => {
    const other = {
      ...route('x', { rules: [to('x')] }),
      spec: {
        parentRefs: [{ name: 'other', namespace: 'gateway-system' }],
        hostnames: ['shop.example.com'],
        rules: [to('x')],
      },
    };
    expect(interpretGatewayApi({ objects: [other] }, http('/'))).toEqual({ kind: 'no-route' });
    const onTls = {
      ...route('t', {}),
      spec: {
        parentRefs: [{ name: 'switchyard', namespace: 'gateway-system', sectionName: 'tls-passthrough' }],
        rules: [to('t')],
      },
    };
    expect(interpretGatewayApi({ objects: [onTls] }, req())).toEqual({ kind: 'no-route' });
  });

  it("attaches to the target's Gateway and listener names, which the interpreter is given", () => {
    const policy: RoutingPolicy = {
      name: 'shop',
      namespace: 'shop',
      hosts: ['shop.example.com'],
      tls: { secretName: 'shop-tls' },
      rules: [{ backends: [{ service: 'web', port: 80 }] }],
    };
    const gateway = { name: 'edge', namespace: 'infra', httpListener: 'web', httpsListener: 'websecure' };
    const compiled = compileRoutes([policy], { dialect: 'gateway-api', gateway });
    const edge = gatewayApiInterpreter({
      name: 'edge',
      namespace: 'infra',
      http: 'web',
      https: 'websecure',
      tlsPassthrough: 'tls',
    });
    expect(served(edge(compiled, req()))).toEqual(['web']);
    expect(edge(compiled, req({ scheme: 'http' }))).toMatchObject({ kind: 'redirect', httpsUpgrade: true });
    expect(interpretGatewayApi(compiled, req())).toEqual({ kind: 'no-route' }); // not attached to 'switchyard'
  });

  it('redirects with the spec port rules, rewrites prefixes segment-wise, reads percent mirrors and HSTS', () => {
    const objects = [
      route('r', {
        rules: [
          {
            matches: [{ path: { type: 'PathPrefix', value: '/old' } }],
            filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', port: 8443, statusCode: 301 } }],
          },
          to('new', {
            matches: [{ path: { type: 'PathPrefix', value: '/v1' } }],
            filters: [
              { type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/v2' } } },
              {
                type: 'RequestMirror',
                requestMirror: { backendRef: { name: 'shadow', port: 80 }, fraction: { numerator: 1, denominator: 4 } },
              },
              {
                type: 'ResponseHeaderModifier',
                responseHeaderModifier: { set: [{ name: 'Strict-Transport-Security', value: 'max-age=60; preload' }] },
              },
            ],
          }),
        ],
      }),
    ];
    expect(interpretGatewayApi({ objects }, http('/old/a'))).toEqual({
      kind: 'redirect',
      status: 301,
      location: 'https://shop.example.com:8443/old/a',
    });
    expect(interpretGatewayApi({ objects }, http('/v1/x'))).toEqual({
      kind: 'forward',
      backends: [{ namespace: 'shop', service: 'new', port: 80, weight: 1 }],
      path: '/v2/x',
      host: 'shop.example.com',
      applied: {
        mirror: { namespace: 'shop', service: 'shadow', port: 80, percent: 25 },
        hsts: { maxAge: 60, includeSubdomains: false, preload: true },
      },
    });
  });

  it('applies Envoy Gateway policies: a rule-level SecurityPolicy replaces the route-level one, first rule wins', () => {
    const sp = (name: string, sectionName: string | undefined, rules: unknown[], defaultAction: string) => ({
      apiVersion: 'gateway.envoyproxy.io/v1alpha1',
      kind: 'SecurityPolicy',
      metadata: { name, namespace: 'shop' },
      spec: {
        targetRefs: [
          { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'r', ...(sectionName ? { sectionName } : {}) },
        ],
        authorization: { defaultAction, rules },
      },
    });
    const cidr = (action: string, c: string) => ({ action, principal: { clientCIDRs: [c] } });
    const objects = [
      route('r', {
        rules: [
          { name: 'open', ...to('open') },
          { name: 'admin', ...to('admin', { matches: [{ path: { value: '/admin' } }] }) },
        ],
      }),
      sp('all', undefined, [cidr('Deny', '10.9.0.0/16'), cidr('Allow', '10.0.0.0/8')], 'Deny'),
      sp('admin', 'admin', [cidr('Allow', '10.1.0.0/16')], 'Deny'),
    ];
    expect(interpretGatewayApi({ objects }, http('/', { sourceIp: '10.9.1.1' }))).toEqual({ kind: 'denied' });
    expect(served(interpretGatewayApi({ objects }, http('/', { sourceIp: '10.2.1.1' })))).toEqual(['open']);
    expect(interpretGatewayApi({ objects }, http('/admin', { sourceIp: '10.2.1.1' }))).toEqual({ kind: 'denied' });
    expect(served(interpretGatewayApi({ objects }, http('/admin', { sourceIp: '10.1.1.1' })))).toEqual(['admin']);
  });

  it('throws on objects and fields it does not model', () => {
    const odd = route('r', { rules: [to('x', { filters: [{ type: 'ExternalAuth', externalAuth: {} }] })] });
    expect(() => interpretGatewayApi({ objects: [odd] }, http('/'))).toThrow(/ExternalAuth is not modelled/);
    const kind = { apiVersion: 'gateway.networking.k8s.io/v1alpha2', kind: 'TCPRoute', metadata: { name: 't' } };
    expect(() => interpretGatewayApi({ objects: [kind] }, http('/'))).toThrow(/TCPRoute is not modelled/);
  });
});

/**
 * The model reports retries.perTryTimeout and timeouts.backendRequest separately; Gateway API has one
 * per-attempt timeout (timeouts.backendRequest), so an object cannot tell which the policy set. Until
 * the model normalizes them (asked of the lead), expected outcomes are normalized here, and only here:
 * with a retry, each is the other's default.
 */
function perAttemptNormalized(expected: ModelOutcome): ModelOutcome {
  if (expected.kind !== 'forward' || !expected.applied.retries) return expected;
  const attempt = expected.applied.timeouts?.backendRequest ?? expected.applied.retries.perTryTimeout;
  if (attempt === undefined) return expected;
  return {
    ...expected,
    applied: {
      ...expected.applied,
      timeouts: { ...expected.applied.timeouts, backendRequest: attempt },
      retries: { ...expected.applied.retries, perTryTimeout: attempt },
    },
  };
}

describe('gateway-api oracle: property', () => {
  for (const [target, interpret] of [
    [{}, interpretGatewayApi],
    [{ implementation: 'traefik' }, interpretGatewayApiTraefik],
  ] as const) {
    it(`agrees with the model on generated environments (${JSON.stringify(target)})`, () => {
      const stats = checkDialect('gateway-api', interpret, { target });
      console.log(describeStats(`gateway-api ${JSON.stringify(target)}`, stats));
      expect(stats.compared).toBeGreaterThan(0);
    });
  }

  it('agrees with the model on generated environments (experimental channel, envoy-gateway; per-attempt timeout normalized)', () => {
    let compared = 0;
    fc.assert(
      fc.property(scenarios, ([policies, requests]) => {
        let compiled: ReturnType<typeof compileRoutes>;
        try {
          compiled = compileRoutes(policies, EG);
        } catch (error) {
          if (error instanceof RoutingError) return;
          throw error;
        }
        for (const r of requests) {
          const diff = outcomeDifference(
            perAttemptNormalized(modelOutcome(policies, r)),
            interpretGatewayApiEnvoy(compiled, r),
          );
          if (diff) throw new Error(`${JSON.stringify(r)}\n${diff}`);
          compared++;
        }
      }),
      { numRuns: Number(process.env.ORACLE_RUNS ?? 250) },
    );
    expect(compared).toBeGreaterThan(0);
  });
});
