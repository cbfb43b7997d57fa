import { describe, expect, it } from 'vitest';
import { compileRoutes } from '../../../constructs/routing/compile';
import { InvalidRoutingPolicyError } from '../../../constructs/routing/errors';
import { gatewayCertificateRefs } from '../../../constructs/routing/gateway-api-support';
import type { CompileTarget, KubeObject, RoutingPolicy } from '../../../constructs/routing/types';
import { expectSchemaValid } from '../../helpers/schema';
import { basePolicy, withRule } from './fixtures';

const TARGET: CompileTarget = { dialect: 'gateway-api', gateway: { name: 'public', namespace: 'gateway-system' } };
const parent = (sectionName: string) => ({
  group: 'gateway.networking.k8s.io',
  kind: 'Gateway',
  name: 'public',
  namespace: 'gateway-system',
  sectionName,
});

async function compile(policies: RoutingPolicy[], target: CompileTarget = TARGET) {
  const result = compileRoutes(policies, target);
  await expectSchemaValid(result.objects);
  const find = (kind: string, name?: string) =>
    result.objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name)) as
      | (KubeObject & { spec: any })
      | undefined;
  const rule = (name = 'web', route = 'shop') =>
    find('HTTPRoute', route)!.spec.rules.find((r: { name: string }) => r.name === name);
  return { ...result, find, rule };
}

describe('Gateway API compiler', () => {
  it('emits one HTTPRoute on the HTTP listener for a plain policy, with explicit weights and labels', async () => {
    const { objects, find } = await compile([basePolicy()]);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['HTTPRoute/shop']);
    expect(find('HTTPRoute')).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: {
        name: 'shop',
        namespace: 'shop',
        labels: { 'app.kubernetes.io/managed-by': 'switchyard', 'switchyard.io/routing-policy': 'shop' },
      },
      spec: {
        parentRefs: [parent('http')],
        hostnames: ['shop.example.com'],
        rules: [
          {
            name: 'web',
            matches: [{ path: { type: 'PathPrefix', value: '/' } }],
            backendRefs: [{ name: 'web', port: 8080, weight: 1 }],
          },
        ],
      },
    });
  });

  it('defaults the Gateway to switchyard in gateway-system, and the namespace to default', async () => {
    const { find } = await compile([basePolicy({ namespace: undefined })], { dialect: 'gateway-api' });
    expect(find('HTTPRoute')!.metadata.namespace).toBe('default');
    expect(find('HTTPRoute')!.spec.parentRefs).toEqual([{ ...parent('http'), name: 'switchyard' }]);
  });

  it('attaches TLS routes to the HTTPS listener and redirects HTTP with 301 on the HTTP listener', async () => {
    const { find } = await compile([basePolicy({ tls: { secretName: 'shop-tls' } })]);
    expect(find('HTTPRoute', 'shop')!.spec.parentRefs).toEqual([parent('https')]);
    expect(find('HTTPRoute', 'shop-https-redirect')!.spec).toEqual({
      parentRefs: [parent('http')],
      hostnames: ['shop.example.com'],
      rules: [
        {
          name: 'to-https',
          filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }],
        },
      ],
    });
    expect(find('ReferenceGrant')!.spec).toEqual({
      from: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'gateway-system' }],
      to: [{ group: '', kind: 'Secret', name: 'shop-tls' }],
    });
  });

  it('serves both listeners when redirectHttp is false, and needs no ReferenceGrant inside the Gateway namespace', async () => {
    const { find } = await compile([
      basePolicy({ namespace: 'gateway-system', tls: { secretName: 'shop-tls', redirectHttp: false } }),
    ]);
    expect(find('HTTPRoute', 'shop')!.spec.parentRefs).toEqual([parent('https'), parent('http')]);
    expect(find('HTTPRoute', 'shop-https-redirect')).toBeUndefined();
    expect(find('ReferenceGrant')).toBeUndefined();
  });

  it('emits a cert-manager Certificate for a ClusterIssuer and lists the Secret for the Gateway', async () => {
    const policy = basePolicy({ tls: { clusterIssuer: 'letsencrypt' } });
    const { find } = await compile([policy]);
    expect(find('Certificate')!.spec).toEqual({
      secretName: 'shop-tls',
      dnsNames: ['shop.example.com'],
      issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'letsencrypt' },
    });
    expect(gatewayCertificateRefs([policy, basePolicy({ name: 'plain' })])).toEqual([
      { kind: 'Secret', name: 'shop-tls', namespace: 'shop' },
    ]);
  });

  it('compiles header, query, method and cookie matches', async () => {
    const { rule } = await compile([
      withRule({
        matches: [
          {
            path: { type: 'Exact', value: '/a' },
            headers: [{ name: 'X-Env', value: 'beta' }],
            queryParams: [{ name: 'v', value: '^[0-9]+$', type: 'RegularExpression' }],
            method: 'POST',
          },
          { cookie: { name: 'canary', value: 'on' } },
        ],
      }),
    ]);
    expect(rule().matches).toEqual([
      {
        path: { type: 'Exact', value: '/a' },
        headers: [{ type: 'Exact', name: 'X-Env', value: 'beta' }],
        queryParams: [{ type: 'RegularExpression', name: 'v', value: '^[0-9]+$' }],
        method: 'POST',
      },
      {
        path: { type: 'PathPrefix', value: '/' },
        headers: [{ type: 'RegularExpression', name: 'Cookie', value: '^(.*;\\s*)?canary=on(;.*)?$' }],
      },
    ]);
    const cookie = new RegExp(rule().matches[1].headers[0].value);
    expect(['canary=on', 'a=1; canary=on', 'canary=on; b=2'].every((c) => cookie.test(c))).toBe(true);
    expect(['canary=one', 'xcanary=on', 'canary=o'].some((c) => cookie.test(c))).toBe(false);
  });

  it('compiles a weighted split with every weight explicit, including 0', async () => {
    const { rule } = await compile([
      withRule({
        backends: [
          { service: 'v1', port: 80, weight: 100 },
          { service: 'v2', port: 80, weight: 0 },
        ],
      }),
    ]);
    expect(rule().backendRefs).toEqual([
      { name: 'v1', port: 80, weight: 100 },
      { name: 'v2', port: 80, weight: 0 },
    ]);
  });

  it('compiles redirects (302 by default) and rewrites', async () => {
    const { rule } = await compile([
      {
        ...basePolicy(),
        rules: [
          {
            name: 'moved',
            matches: [{ path: { type: 'PathPrefix', value: '/old' } }],
            redirect: { scheme: 'https', hostname: 'new.example.com', port: 8443, path: '/new' },
          },
          {
            name: 'api',
            matches: [{ path: { type: 'PathPrefix', value: '/api' } }],
            rewrite: { pathPrefix: '/', hostname: 'api.internal' },
            backends: [{ service: 'api', port: 80 }],
          },
          { name: 'spa', rewrite: { fullPath: '/index.html' }, backends: [{ service: 'web', port: 80 }] },
        ],
      },
    ]);
    expect(rule('moved').filters).toEqual([
      {
        type: 'RequestRedirect',
        requestRedirect: {
          scheme: 'https',
          hostname: 'new.example.com',
          path: { type: 'ReplaceFullPath', replaceFullPath: '/new' },
          port: 8443,
          statusCode: 302,
        },
      },
    ]);
    expect(rule('moved').backendRefs).toBeUndefined();
    expect(rule('api').filters).toEqual([
      {
        type: 'URLRewrite',
        urlRewrite: { hostname: 'api.internal', path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } },
      },
    ]);
    expect(rule('spa').filters).toEqual([
      { type: 'URLRewrite', urlRewrite: { path: { type: 'ReplaceFullPath', replaceFullPath: '/index.html' } } },
    ]);
  });

  it('compiles header modifiers, HSTS, mirroring, timeouts and CORS', async () => {
    const { rule } = await compile([
      withRule(
        {
          requestHeaders: { set: { 'X-A': '1' }, add: { 'X-B': '2' }, remove: ['X-C'] },
          responseHeaders: { remove: ['Server'] },
          mirror: { backend: { service: 'shadow', port: 80 }, percent: 10 },
          timeouts: { request: '30s', backendRequest: '10s' },
        },
        {
          tls: { secretName: 'shop-tls' },
          hsts: { maxAge: '8760h', includeSubdomains: true, preload: true },
          cors: { allowOrigins: ['https://a.example.com'], allowCredentials: true, maxAge: '10m' },
        },
      ),
    ]);
    expect(rule().filters).toEqual([
      {
        type: 'RequestHeaderModifier',
        requestHeaderModifier: {
          set: [{ name: 'X-A', value: '1' }],
          add: [{ name: 'X-B', value: '2' }],
          remove: ['X-C'],
        },
      },
      {
        type: 'ResponseHeaderModifier',
        responseHeaderModifier: {
          set: [{ name: 'Strict-Transport-Security', value: 'max-age=31536000; includeSubDomains; preload' }],
          remove: ['Server'],
        },
      },
      { type: 'RequestMirror', requestMirror: { backendRef: { name: 'shadow', port: 80 }, percent: 10 } },
      {
        type: 'CORS',
        cors: {
          allowOrigins: ['https://a.example.com'],
          allowMethods: ['GET', 'HEAD', 'POST'],
          allowCredentials: true,
          maxAge: 600,
        },
      },
    ]);
    expect(rule().timeouts).toEqual({ request: '30s', backendRequest: '10s' });
  });

  it('refuses HSTS twice', async () => {
    const policy = withRule(
      { responseHeaders: { set: { 'strict-transport-security': 'max-age=1' } } },
      { tls: { secretName: 's' }, hsts: { maxAge: '1h' } },
    );
    expect(() => compileRoutes([policy], TARGET)).toThrow(InvalidRoutingPolicyError);
    expect(() => compileRoutes([policy], TARGET)).toThrow(
      /shop.rules\[0\].responseHeaders.set sets Strict-Transport-Security/,
    );
  });

  it('grants cross-namespace backends with a ReferenceGrant in the backend namespace', async () => {
    const { find, rule } = await compile([
      withRule({
        backends: [
          { service: 'catalog', port: 80, namespace: 'catalog' },
          { service: 'web', port: 80 },
        ],
      }),
    ]);
    expect(rule().backendRefs).toEqual([
      { name: 'catalog', port: 80, namespace: 'catalog', weight: 1 },
      { name: 'web', port: 80, weight: 1 },
    ]);
    expect(find('ReferenceGrant')).toMatchObject({
      metadata: { name: 'shop-shop-backends', namespace: 'catalog' },
      spec: {
        from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'shop' }],
        to: [{ group: '', kind: 'Service', name: 'catalog' }],
      },
    });
  });

  it('adds a BackendTLSPolicy for HTTPS backends and warns what it trusts', async () => {
    const { find, warnings } = await compile([
      withRule({ backends: [{ service: 'secure', port: 443, protocol: 'https' }] }),
    ]);
    expect(find('BackendTLSPolicy')!.spec).toEqual({
      targetRefs: [{ group: '', kind: 'Service', name: 'secure' }],
      validation: { hostname: 'secure.shop.svc', wellKnownCACertificates: 'System' },
    });
    expect(warnings.join('\n')).toMatch(/trusts the system CAs/);
  });

  it('routes gRPC backends with a GRPCRoute matching whole methods, and refuses what it cannot express', async () => {
    const policy: RoutingPolicy = {
      ...basePolicy(),
      rules: [
        {
          name: 'list',
          matches: [
            { path: { type: 'Exact', value: '/shop.v1.Catalog/List' }, headers: [{ name: 'x-tenant', value: 'a' }] },
          ],
          backends: [{ service: 'catalog', port: 9090, protocol: 'grpc' }],
        },
        { name: 'any', backends: [{ service: 'cart', port: 9090, protocol: 'grpc' }] },
      ],
    };
    const { find } = await compile([policy]);
    expect(find('GRPCRoute', 'shop-grpc')!.spec.rules).toEqual([
      {
        name: 'list',
        matches: [
          {
            method: { type: 'Exact', service: 'shop.v1.Catalog', method: 'List' },
            headers: [{ type: 'Exact', name: 'x-tenant', value: 'a' }],
          },
        ],
        backendRefs: [{ name: 'catalog', port: 9090, weight: 1 }],
      },
      { name: 'any', backendRefs: [{ name: 'cart', port: 9090, weight: 1 }] },
    ]);
    expect(find('HTTPRoute')).toBeUndefined();
    const bad = withRule({ backends: [{ service: 'c', port: 9090, protocol: 'grpc' }], timeouts: { request: '1s' } });
    expect(() => compileRoutes([bad], TARGET)).toThrow(/not available for gRPC backends/);
    const prefix = withRule({
      matches: [{ path: { type: 'PathPrefix', value: '/shop.v1.Cart' } }],
      backends: [{ service: 'c', port: 9090, protocol: 'grpc' }],
    });
    expect(() => compileRoutes([prefix], TARGET)).toThrow(/matches one method or all of them/);
    const mixed: RoutingPolicy = {
      ...policy,
      rules: [
        ...policy.rules,
        {
          name: 'web',
          matches: [{ path: { type: 'PathPrefix', value: '/web' } }],
          backends: [{ service: 'web', port: 80 }],
        },
      ],
    };
    expect(() => compileRoutes([mixed], TARGET)).toThrow(/accepts only one of the two routes/);
  });

  it('routes TLS passthrough with a TLSRoute on the passthrough listener', async () => {
    const { objects } = await compile([
      basePolicy({ tls: { passthrough: true }, rules: [{ backends: [{ service: 'vault', port: 8200 }] }] }),
    ]);
    expect(objects).toEqual([
      expect.objectContaining({
        kind: 'TLSRoute',
        spec: {
          parentRefs: [parent('tls-passthrough')],
          hostnames: ['shop.example.com'],
          rules: [{ name: 'rule-0', backendRefs: [{ name: 'vault', port: 8200, weight: 1 }] }],
        },
      }),
    ]);
  });

  it('emits retries and session persistence on the experimental channel only', async () => {
    const policy = withRule({
      retries: { attempts: 3, backoff: '100ms', perTryTimeout: '2s', on: ['5xx', 429] },
      sessionAffinity: { cookieName: 'route', maxAge: '1h' },
    });
    expect(() => compileRoutes([policy], TARGET)).toThrow(/experimental channel only/);
    const { rule } = await compile([policy], { ...TARGET, channel: 'experimental' });
    expect(rule().retry).toEqual({ attempts: 3, backoff: '100ms', codes: [429, 500, 502, 503, 504] });
    expect(rule().timeouts).toEqual({ backendRequest: '2s' });
    expect(rule().sessionPersistence).toEqual({
      type: 'Cookie',
      sessionName: 'route',
      absoluteTimeout: '1h',
      cookieConfig: { lifetimeType: 'Permanent' },
    });
  });

  it('expresses rate limits, IP lists and connect timeouts as Envoy Gateway policies, rule sections included', async () => {
    const policy: RoutingPolicy = {
      ...basePolicy({
        rateLimit: { requestsPerSecond: 50 },
        acceptApproximations: ['rate-limit'],
        allowSourceRanges: ['10.0.0.0/8'],
        denySourceRanges: ['10.9.0.0/16'],
      }),
      rules: [
        { name: 'web', backends: [{ service: 'web', port: 80 }] },
        {
          name: 'admin',
          matches: [{ path: { type: 'PathPrefix', value: '/admin' } }],
          allowSourceRanges: ['10.1.0.0/16'],
          timeouts: { connect: '2s' },
          backends: [{ service: 'admin', port: 80 }],
        },
      ],
    };
    const { find, warnings } = await compile([policy], { ...TARGET, implementation: 'envoy-gateway' });
    const route = { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'shop' };
    expect(find('BackendTrafficPolicy', 'shop-traffic')!.spec).toEqual({
      targetRefs: [route],
      rateLimit: { type: 'Local', local: { rules: [{ limit: { requests: 50, unit: 'Second' } }] } },
    });
    expect(find('SecurityPolicy', 'shop-access')!.spec).toEqual({
      targetRefs: [route],
      authorization: {
        defaultAction: 'Deny',
        rules: [
          { name: 'deny-listed', action: 'Deny', principal: { clientCIDRs: ['10.9.0.0/16'] } },
          { name: 'allow-listed', action: 'Allow', principal: { clientCIDRs: ['10.0.0.0/8'] } },
        ],
      },
    });
    // The rule-level policy replaces the route-level one for its section, so it carries the inherited limit.
    expect(find('BackendTrafficPolicy', 'shop-admin-traffic')!.spec).toEqual({
      targetRefs: [{ ...route, sectionName: 'admin' }],
      rateLimit: { type: 'Local', local: { rules: [{ limit: { requests: 50, unit: 'Second' } }] } },
      timeout: { tcp: { connectTimeout: '2s' } },
    });
    expect(find('SecurityPolicy', 'shop-admin-access')!.spec.authorization.rules[1].principal.clientCIDRs).toEqual([
      '10.1.0.0/16',
    ]);
    expect(warnings.join('\n')).toMatch(/per Envoy replica/);
  });

  it('expresses rate limits, allow lists and body size as Traefik Middlewares referenced by ExtensionRef', async () => {
    const policy = withRule(
      { maxBodySize: '1m' },
      { rateLimit: { requestsPerSecond: 5, burst: 10 }, allowSourceRanges: ['10.0.0.0/8'] },
    );
    const { find, rule } = await compile([policy], { ...TARGET, implementation: 'traefik' });
    expect(rule().filters).toEqual(
      ['shop-rate-limit', 'shop-allow', 'shop-web-body-size'].map((name) => ({
        type: 'ExtensionRef',
        extensionRef: { group: 'traefik.io', kind: 'Middleware', name },
      })),
    );
    expect(find('Middleware', 'shop-rate-limit')!.spec).toEqual({ rateLimit: { average: 5, period: '1s', burst: 10 } });
    expect(find('Middleware', 'shop-allow')!.spec).toEqual({ ipAllowList: { sourceRange: ['10.0.0.0/8'] } });
    expect(find('Middleware', 'shop-web-body-size')!.spec).toEqual({ buffering: { maxRequestBodyBytes: 1048576 } });
  });

  it('splits a policy over routes of at most 16 rules and refuses more than 16 hosts', async () => {
    const rules = Array.from({ length: 20 }, (_, i) => ({
      name: `r${i}`,
      matches: [{ path: { type: 'PathPrefix' as const, value: `/p${i}` } }],
      backends: [{ service: 'web', port: 80 }],
    }));
    const { objects } = await compile([basePolicy({ rules })]);
    expect(objects.map((o) => [o.metadata.name, (o.spec as { rules: unknown[] }).rules.length])).toEqual([
      ['shop', 16],
      ['shop-2', 4],
    ]);
    const hosts = Array.from({ length: 17 }, (_, i) => `h${i}.example.com`);
    expect(() => compileRoutes([basePolicy({ hosts })], TARGET)).toThrow(/at most 16: split the policy/);
  });

  it('keeps generated names within 63 characters, stable and distinct', async () => {
    const long = 'a'.repeat(60);
    const { objects } = await compile([basePolicy({ name: long, tls: { clusterIssuer: 'x' } })]);
    const names = objects.map((o) => o.metadata.name);
    expect(names.every((n) => n.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(n))).toBe(true);
    expect(new Set(names.map((n, i) => `${objects[i]!.kind}/${n}`)).size).toBe(names.length);
    expect(
      compileRoutes([basePolicy({ name: long, tls: { clusterIssuer: 'x' } })], TARGET).objects.map(
        (o) => o.metadata.name,
      ),
    ).toEqual(names);
  });

  it('attaches implementation policies to gRPC routes too (regressions found by the property tests)', async () => {
    const grpcOnly = withRule(
      { backends: [{ service: 'catalog', port: 9090, protocol: 'grpc' }] },
      { denySourceRanges: ['192.0.2.0/24'], rateLimit: { requestsPerSecond: 5 }, acceptApproximations: ['rate-limit'] },
    );
    const envoy = await compile([grpcOnly], { ...TARGET, implementation: 'envoy-gateway' });
    expect(envoy.find('SecurityPolicy')!.spec.targetRefs).toEqual([
      { group: 'gateway.networking.k8s.io', kind: 'GRPCRoute', name: 'shop-grpc' },
    ]);
    // Traefik's Gateway provider matches GRPCRoute methods with an unanchored regex ordered by rule length.
    const noDeny = { ...grpcOnly, denySourceRanges: undefined };
    expect(() => compileRoutes([noDeny], { ...TARGET, implementation: 'traefik' })).toThrow(
      /traefik's Gateway API provider does not implement it/,
    );
  });

  it('emits one BackendTLSPolicy per HTTPS Service, however many policies route to it', async () => {
    const https = { service: 'secure', port: 443, namespace: 'shared', protocol: 'https' as const };
    const { objects } = await compile([
      withRule({ backends: [https] }),
      withRule({ backends: [https] }, { name: 'admin', hosts: ['admin.example.com'], namespace: 'admin' }),
    ]);
    expect(
      objects.filter((o) => o.kind === 'BackendTLSPolicy').map((o) => `${o.metadata.namespace}/${o.metadata.name}`),
    ).toEqual(['shared/secure-backend-tls']);
  });
});
