import { describe, expect, it } from 'vitest';
import { compileRoutes } from '../../../constructs/routing/compile';
import { UnsupportedFeatureError } from '../../../constructs/routing/errors';
import { clientIpAny, hostConditions, literal, matchRule, precedence } from '../../../constructs/routing/traefik-rules';
import type { KubeObject, RoutingPolicy } from '../../../constructs/routing/types';
import { expectSchemaValid } from '../../helpers/schema';
import { basePolicy, withRule } from './fixtures';

async function compile(policies: RoutingPolicy[]) {
  const result = compileRoutes(policies, { dialect: 'traefik' });
  await expectSchemaValid(result.objects);
  const find = (kind: string, name: string) =>
    result.objects.find((o) => o.kind === kind && o.metadata.name === name) as (KubeObject & { spec: any }) | undefined;
  const routes = (name = 'shop') => find('IngressRoute', name)!.spec.routes as any[];
  return { ...result, find, routes };
}

/** Applies a Traefik replacePathRegex the way Traefik does (Go's ${1} is JavaScript's $1). */
function rewrite(spec: { regex: string; replacement: string }, path: string): string {
  return path.replace(new RegExp(spec.regex), spec.replacement.replace(/\$\{(\d+)\}/g, '$$$1'));
}

describe('Traefik compiler', () => {
  it('emits an IngressRoute on the web entry point with a segment-safe prefix and an explicit priority', async () => {
    const { objects, routes } = await compile([
      withRule({ matches: [{ path: { type: 'PathPrefix', value: '/api/' } }] }),
    ]);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['IngressRoute/shop']);
    expect(routes()).toEqual([
      {
        kind: 'Rule',
        match: 'Host(`shop.example.com`) && (Path(`/api`) || PathPrefix(`/api/`))',
        priority: precedence({ path: { type: 'PathPrefix', value: '/api' } }),
        services: [{ name: 'web', port: 8080 }],
      },
    ]);
  });

  it('ranks routes by Gateway API precedence, not by rule length', () => {
    const exact = precedence({ path: { type: 'Exact', value: '/a' } });
    const longPrefix = precedence({ path: { type: 'PathPrefix', value: '/a/very/long/prefix' } });
    const prefix = precedence({ path: { type: 'PathPrefix', value: '/a' } });
    const withHeader = precedence({ path: { type: 'PathPrefix', value: '/a' }, headers: [{ name: 'x', value: '1' }] });
    const withMethod = precedence({ path: { type: 'PathPrefix', value: '/a' }, method: 'GET' });
    const regex = precedence({ path: { type: 'RegularExpression', value: '^/a/.*$' } });
    expect(exact).toBeGreaterThan(longPrefix);
    expect(longPrefix).toBeGreaterThan(withMethod);
    expect(withMethod).toBeGreaterThan(withHeader);
    expect(withHeader).toBeGreaterThan(prefix);
    expect(prefix).toBeGreaterThan(regex);
    expect(Math.max(exact, longPrefix)).toBeLessThan(Number.MAX_SAFE_INTEGER);
    // Ties break by rule order, then match order; a deny companion outranks its own route only.
    const path = { type: 'PathPrefix' as const, value: '/a' };
    expect(precedence({ path }, 0)).toBeGreaterThan(precedence({ path }, 1));
    expect(precedence({ path }, 0, 0)).toBeGreaterThan(precedence({ path }, 0, 1));
    expect(precedence({ path }, 1, 0, true)).toBe(precedence({ path }, 1) + 1);
    expect(precedence({ path }, 0)).toBeGreaterThan(precedence({ path }, 1, 0, true));
  });

  it('writes header, query, method, cookie and deny-list matchers', () => {
    const policy = basePolicy({ hosts: ['a.example.com', '*.example.com'] });
    expect(hostConditions(policy, [policy])).toEqual([
      'Host(`a.example.com`)',
      'HostRegexp(`(?i)^[^.]+\\.example\\.com$`) && !Host(`a.example.com`)',
    ]);
    expect(
      matchRule(
        hostConditions(policy, [policy])[1]!,
        {
          path: { type: 'Exact', value: '/x' },
          headers: [
            { name: 'X-Env', value: 'b`eta' },
            { name: 'x-re', value: '^a$', type: 'RegularExpression' },
          ],
          queryParams: [{ name: 'q', value: '1' }],
          method: 'POST',
          cookie: { name: 'c', value: 'v.1' },
        },
        [clientIpAny(['10.0.0.0/8', '192.0.2.0/24'])],
      ),
    ).toBe(
      '(HostRegexp(`(?i)^[^.]+\\.example\\.com$`) && !Host(`a.example.com`)) && Path(`/x`) && Header(`X-Env`, "b`eta") && HeaderRegexp(`x-re`, `^a$`) && Query(`q`, `1`) && Method(`POST`) && HeaderRegexp(`Cookie`, `(^|;\\s*)c=v\\.1(;|$)`) && (ClientIP(`10.0.0.0/8`) || ClientIP(`192.0.2.0/24`))',
    );
    expect(literal('a`b')).toBe('"a`b"');
  });

  it('serves TLS on websecure with the Secret, and redirects web to HTTPS', async () => {
    const { find, objects } = await compile([basePolicy({ tls: { clusterIssuer: 'le' } })]);
    expect(find('IngressRoute', 'shop')!.spec).toMatchObject({
      entryPoints: ['websecure'],
      tls: { secretName: 'shop-tls' },
    });
    expect(find('IngressRoute', 'shop-http')!.spec).toMatchObject({
      entryPoints: ['web'],
      routes: [
        {
          services: [{ name: 'noop@internal', kind: 'TraefikService' }],
          middlewares: [{ name: 'shop-https-redirect' }],
        },
      ],
    });
    expect(find('Middleware', 'shop-https-redirect')!.spec).toEqual({
      redirectScheme: { scheme: 'https', permanent: true },
    });
    expect(objects.some((o) => o.kind === 'Certificate')).toBe(true);
    const plain = await compile([basePolicy({ tls: { secretName: 's', redirectHttp: false } })]);
    expect(plain.find('IngressRoute', 'shop-http')!.spec.routes).toEqual(
      plain.find('IngressRoute', 'shop')!.spec.routes,
    );
  });

  it('splits by weight, and keeps a sticky split sticky at both levels with a TraefikService', async () => {
    const split = await compile([
      withRule({
        backends: [
          { service: 'v1', port: 80, weight: 9 },
          { service: 'v2', port: 80, weight: 1 },
        ],
      }),
    ]);
    expect(split.routes()[0].services).toEqual([
      { name: 'v1', port: 80, weight: 9 },
      { name: 'v2', port: 80, weight: 1 },
    ]);
    const sticky = await compile([
      withRule({
        backends: [
          { service: 'v1', port: 80, weight: 9 },
          { service: 'v2', port: 80, weight: 1 },
        ],
        sessionAffinity: { cookieName: 'route', maxAge: '1h' },
      }),
    ]);
    expect(sticky.routes()[0].services).toEqual([{ name: 'shop-web-split', kind: 'TraefikService' }]);
    expect(sticky.find('TraefikService', 'shop-web-split')!.spec.weighted.sticky).toEqual({
      cookie: { name: 'route', secure: false, httpOnly: true, maxAge: 3600 },
    });
  });

  it('mirrors through a TraefikService with the percent', async () => {
    const { routes, find } = await compile([
      withRule({ mirror: { backend: { service: 'shadow', port: 80 }, percent: 10 } }),
    ]);
    expect(routes()[0].services).toEqual([{ name: 'shop-web-mirror', kind: 'TraefikService' }]);
    expect(find('TraefikService', 'shop-web-mirror')!.spec).toEqual({
      mirroring: { name: 'web', port: 8080, mirrorBody: true, mirrors: [{ name: 'shadow', port: 80, percent: 10 }] },
    });
  });

  it('sets backend timeouts and TLS verification in a ServersTransport, and warns about the request timeout', async () => {
    const { routes, find, warnings } = await compile([
      withRule(
        {
          backends: [{ service: 'web', port: 443, protocol: 'https' }],
          timeouts: { request: '30s', connect: '2s', backendRequest: '10s', idle: '1m30s' },
        },
        { acceptApproximations: ['timeouts.request', 'timeouts.backend-request', 'timeouts.idle'] },
      ),
    ]);
    expect(routes()[0].services).toEqual([
      { name: 'web', port: 443, scheme: 'https', serversTransport: 'shop-web-transport' },
    ]);
    expect(find('ServersTransport', 'shop-web-transport')!.spec).toEqual({
      forwardingTimeouts: { dialTimeout: '2000ms', responseHeaderTimeout: '10000ms', idleConnTimeout: '90000ms' },
      serverName: 'web.shop.svc',
    });
    expect(warnings.join('\n')).toMatch(
      /timeouts.request: Traefik sets the request timeout per entry point.*accepted approximation of 'timeouts.request'/,
    );
  });

  it('chains middlewares: allow list, rate limit, CORS/HSTS headers, then the rule’s own', async () => {
    const policy = withRule(
      {
        requestHeaders: { set: { 'X-A': '1' }, remove: ['X-B'] },
        rewrite: { hostname: 'internal' },
        retries: { attempts: 2, backoff: '100ms', on: ['gateway-error', 429] },
        maxBodySize: '1m',
      },
      {
        allowSourceRanges: ['10.0.0.0/8'],
        rateLimit: { requestsPerSecond: 5 },
        cors: { allowOrigins: ['https://a.example.com'] },
      },
    );
    const { routes, find } = await compile([policy]);
    expect(routes()[0].middlewares.map((m: { name: string }) => m.name)).toEqual([
      'shop-allow',
      'shop-rate-limit',
      'shop-headers',
      'shop-web-headers',
      'shop-web-retry',
      'shop-web-body-size',
    ]);
    expect(find('Middleware', 'shop-web-headers')!.spec).toEqual({
      headers: { customRequestHeaders: { 'X-A': '1', 'X-B': '', Host: 'internal' } },
    });
    expect(find('Middleware', 'shop-web-retry')!.spec).toEqual({
      retry: {
        attempts: 3,
        initialInterval: '100ms',
        status: ['502-504', '429'],
        disableRetryOnNetworkError: true,
        retryNonIdempotentMethod: true,
      },
    });
    expect(find('Middleware', 'shop-rate-limit')!.spec).toEqual({ rateLimit: { average: 5, period: '1s', burst: 5 } });
  });

  it('rewrites a prefix exactly as Gateway ReplacePrefixMatch does', async () => {
    const to = async (pathPrefix: string) =>
      (
        await compile([
          withRule({ matches: [{ path: { type: 'PathPrefix', value: '/api' } }], rewrite: { pathPrefix } }),
        ])
      ).find('Middleware', 'shop-web-rewrite')!.spec.replacePathRegex;
    const v2 = await to('/v2');
    expect(['/api', '/api/', '/api/x/y'].map((p) => rewrite(v2, p))).toEqual(['/v2', '/v2/', '/v2/x/y']);
    const root = await to('/');
    expect(['/api', '/api/x'].map((p) => rewrite(root, p))).toEqual(['/', '/x']);
  });

  it('redirects with redirectScheme or a URL-rewriting redirectRegex, and refuses 303', async () => {
    const accept = { acceptApproximations: ['redirect' as const, 'redirect.path' as const] };
    const scheme = await compile([
      withRule({ backends: undefined, redirect: { scheme: 'https', statusCode: 301 } }, accept),
    ]);
    expect(scheme.find('Middleware', 'shop-web-redirect')!.spec).toEqual({
      redirectScheme: { scheme: 'https', permanent: true },
    });
    expect(scheme.routes()[0].services).toEqual([{ name: 'noop@internal', kind: 'TraefikService' }]);
    const moved = await compile([
      withRule(
        { backends: undefined, redirect: { hostname: 'new.example.com', path: '/shop', statusCode: 302 } },
        accept,
      ),
    ]);
    const spec = moved.find('Middleware', 'shop-web-redirect')!.spec.redirectRegex;
    expect(spec.permanent).toBe(false);
    expect(rewrite(spec, 'https://shop.example.com:8443/old/x?q=1')).toBe('https://new.example.com:8443/shop?q=1');
    expect(() =>
      compileRoutes([withRule({ backends: undefined, redirect: { scheme: 'https', statusCode: 303 } }, accept)], {
        dialect: 'traefik',
      }),
    ).toThrow(UnsupportedFeatureError);
  });

  it('refuses appending headers', () => {
    expect(() =>
      compileRoutes([withRule({ requestHeaders: { add: { 'X-A': '1' } } })], { dialect: 'traefik' }),
    ).toThrow(/traefik cannot express 'headers.append'/);
  });

  it('passes TLS through with an IngressRouteTCP matching SNI', async () => {
    const { objects } = await compile([
      basePolicy({ tls: { passthrough: true }, rules: [{ backends: [{ service: 'vault', port: 8200 }] }] }),
    ]);
    expect(objects).toEqual([
      expect.objectContaining({
        kind: 'IngressRouteTCP',
        spec: {
          entryPoints: ['websecure'],
          routes: [{ match: 'HostSNI(`shop.example.com`)', services: [{ name: 'vault', port: 8200, weight: 1 }] }],
          tls: { passthrough: true },
        },
      }),
    ]);
  });

  it('uses the entry points the target names', async () => {
    const { objects } = compileRoutes([basePolicy()], { dialect: 'traefik', traefik: { webEntryPoint: 'http' } });
    expect((objects[0]!.spec as any).entryPoints).toEqual(['http']);
  });
});
