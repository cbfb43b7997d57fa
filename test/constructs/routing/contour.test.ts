import { describe, expect, it } from 'vitest';
import { SchemaRegistry } from '../../../constructs/guardrails/schema';
import { compileRoutes } from '../../../constructs/routing/compile';
import { UnsupportedFeatureError } from '../../../constructs/routing/errors';
import type { KubeObject, RoutingPolicy } from '../../../constructs/routing/types';
import { expectSchemaValid } from '../../helpers/schema';
import { basePolicy, withRule } from './fixtures';

async function compile(policies: RoutingPolicy[]) {
  const result = compileRoutes(policies, { dialect: 'contour' });
  await expectSchemaValid(result.objects);
  const find = (name: string, namespace?: string) =>
    result.objects.find(
      (o) => o.kind === 'HTTPProxy' && o.metadata.name === name && (!namespace || o.metadata.namespace === namespace),
    ) as (KubeObject & { spec: any }) | undefined;
  return { ...result, find };
}

describe('Contour compiler', () => {
  it('emits a root per FQDN including a child with the routes, prefixes made segment-safe', async () => {
    const { objects, find } = await compile([withRule({ matches: [{ path: { type: 'PathPrefix', value: '/api' } }] })]);
    expect(objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'HTTPProxy/shop/shop',
      'HTTPProxy/shop/shop-example-com-vhost',
    ]);
    expect(find('shop-example-com-vhost')!.spec).toEqual({
      virtualhost: { fqdn: 'shop.example.com' },
      includes: [{ name: 'shop', namespace: 'shop' }],
    });
    // One regex route: Contour's prefix matches characters, and an exact '/api' would share its key
    // with an Exact rule's route (the later one wins) and outrank every longer prefix.
    expect(find('shop')!.spec.routes).toEqual([
      { conditions: [{ regex: '/api(/.*)?' }], services: [{ name: 'web', port: 8080, weight: 1 }] },
    ]);
  });

  it('merges policies sharing a host into one root with includes, and refuses disagreeing CORS', async () => {
    const a = withRule({ matches: [{ path: { type: 'PathPrefix', value: '/a' } }] });
    const b = {
      ...withRule({ matches: [{ path: { type: 'PathPrefix', value: '/b' } }] }),
      name: 'other',
      namespace: 'team-b',
    };
    const { find } = await compile([a, b]);
    expect(find('shop-example-com-vhost')!.spec.includes).toEqual([
      { name: 'shop', namespace: 'shop' },
      { name: 'other', namespace: 'team-b' },
    ]);
    expect(() =>
      compileRoutes([{ ...a, cors: { allowOrigins: ['https://x.example.com'] } }, b], { dialect: 'contour' }),
    ).toThrow(/Contour sets CORS per virtual host/);
  });

  it('serves TLS on the root with CORS, redirects HTTP (Contour does it), or permits insecure when asked', async () => {
    const tls = await compile([
      withRule({}, { tls: { clusterIssuer: 'le' }, cors: { allowOrigins: ['https://a.example.com'], maxAge: '10m' } }),
    ]);
    expect(tls.find('shop-example-com-vhost')!.spec.virtualhost).toEqual({
      fqdn: 'shop.example.com',
      tls: { secretName: 'shop-tls' },
      corsPolicy: { allowOrigin: ['https://a.example.com'], allowMethods: ['GET', 'HEAD', 'POST'], maxAge: '600s' },
    });
    expect(tls.find('shop')!.spec.routes[0].permitInsecure).toBeUndefined();
    expect(tls.objects.some((o) => o.kind === 'Certificate')).toBe(true);
    const insecure = await compile([withRule({}, { tls: { secretName: 's', redirectHttp: false } })]);
    expect(insecure.find('shop')!.spec.routes[0].permitInsecure).toBe(true);
  });

  it('emits every weight, mirrors with weight as the percent, and matches headers, query and cookies', async () => {
    const { find } = await compile([
      withRule({
        matches: [
          {
            path: { type: 'Exact', value: '/x' },
            headers: [{ name: 'x-env', value: 'beta' }],
            queryParams: [{ name: 'v', value: '^[0-9]$', type: 'RegularExpression' }],
            cookie: { name: 'c', value: '1' },
          },
        ],
        backends: [
          { service: 'v1', port: 80, weight: 100 },
          { service: 'v2', port: 80, weight: 0 },
        ],
        mirror: { backend: { service: 'shadow', port: 80 } },
      }),
    ]);
    const [route] = find('shop')!.spec.routes;
    expect(route.conditions).toEqual([
      { exact: '/x' },
      { header: { name: 'x-env', exact: 'beta' } },
      { queryParameter: { name: 'v', regex: '^[0-9]$' } },
      { header: { name: 'Cookie', regex: '(.*;\\s*)?c=1(;.*)?' } },
    ]);
    expect(route.services).toEqual([
      { name: 'v1', port: 80, weight: 100 },
      { name: 'v2', port: 80, weight: 0 },
      { name: 'shadow', port: 80, mirror: true, weight: 100 },
    ]);
  });

  it('compiles timeouts, retries, affinity, rate limits, IP lists, headers, HSTS and redirects', async () => {
    const { find, warnings } = await compile([
      {
        ...basePolicy({
          tls: { secretName: 's' },
          hsts: { maxAge: '1h' },
          rateLimit: { requestsPerSecond: 10, burst: 5 },
          acceptApproximations: ['rate-limit', 'session-affinity'],
        }),
        rules: [
          {
            name: 'api',
            allowSourceRanges: ['10.0.0.0/8'],
            matches: [{ path: { type: 'PathPrefix', value: '/api' } }],
            backends: [{ service: 'api', port: 80 }],
            timeouts: { request: '30s', idle: '5m' },
            retries: { attempts: 2, perTryTimeout: '5s', on: ['5xx', 503] },
            sessionAffinity: { cookieName: 'route' },
            requestHeaders: { set: { 'X-A': '1' }, remove: ['X-B'] },
            rewrite: { hostname: 'api.internal' },
          },
          {
            name: 'old',
            matches: [{ path: { type: 'Exact', value: '/old' } }],
            redirect: { path: '/new', statusCode: 308 },
          },
        ],
      },
    ]);
    const [api, old] = find('shop')!.spec.routes;
    expect(api).toMatchObject({
      timeoutPolicy: { response: '30000ms', idle: '300000ms' },
      retryPolicy: {
        count: 2,
        perTryTimeout: '5000ms',
        retryOn: ['5xx', 'retriable-status-codes'],
        retriableStatusCodes: [503],
      },
      loadBalancerPolicy: { strategy: 'Cookie' },
      requestHeadersPolicy: {
        set: [
          { name: 'X-A', value: '1' },
          { name: 'Host', value: 'api.internal' },
        ],
        remove: ['X-B'],
      },
      responseHeadersPolicy: { set: [{ name: 'Strict-Transport-Security', value: 'max-age=3600' }] },
      rateLimitPolicy: { local: { requests: 10, unit: 'second', burst: 5, responseStatusCode: 429 } },
      ipAllowPolicy: [{ source: 'Peer', cidr: '10.0.0.0/8' }],
    });
    expect(old).toMatchObject({
      conditions: [{ exact: '/old' }],
      requestRedirectPolicy: { path: '/new', statusCode: 308 },
    });
    expect(old.services).toBeUndefined();
    expect(warnings.join('\n')).toMatch(/X-Contour-Session-Affinity/);
    // Contour refuses a route with both IP lists: the allowed clients less the denied ones instead.
    const both = basePolicy({ allowSourceRanges: ['10.0.0.0/8', '2001:db8::/32'], denySourceRanges: ['10.64.0.0/10'] });
    const [route] = compileRoutes([both], { dialect: 'contour' }).objects.flatMap((o) => (o as any).spec.routes ?? []);
    expect(route.ipDenyPolicy).toBeUndefined();
    expect(route.ipAllowPolicy.map((p: { cidr: string }) => p.cidr)).toEqual([
      '10.0.0.0/10',
      '10.128.0.0/9',
      '2001:db8:0:0:0:0:0:0/32',
    ]);
    const none = basePolicy({ allowSourceRanges: ['10.1.0.0/16'], denySourceRanges: ['10.0.0.0/8'] });
    const [closed] = compileRoutes([none], { dialect: 'contour' }).objects.flatMap((o) => (o as any).spec.routes ?? []);
    expect(closed.ipDenyPolicy.map((p: { cidr: string }) => p.cidr)).toEqual(['0.0.0.0/0', '::/0']);
    // Redirect routes get no IP filter at all.
    const redirect = withRule(
      { backends: undefined, redirect: { path: '/new' } },
      { denySourceRanges: ['10.9.0.0/16'] },
    );
    expect(() => compileRoutes([redirect], { dialect: 'contour' })).toThrow(/forwarding routes only/);
  });

  it('rewrites a prefix on the prefix route and says the bare path is not rewritten', async () => {
    const { find, warnings } = await compile([
      withRule(
        { matches: [{ path: { type: 'PathPrefix', value: '/api' } }], rewrite: { pathPrefix: '/v2' } },
        { acceptApproximations: ['rewrite.path-prefix'] },
      ),
    ]);
    const [exact, prefix] = find('shop')!.spec.routes;
    expect(exact.pathRewritePolicy).toBeUndefined();
    expect(prefix.pathRewritePolicy).toEqual({ replacePrefix: [{ replacement: '/v2/' }] });
    expect(warnings.join('\n')).toMatch(/\/api itself reaches the backend unrewritten/);
  });

  it('matches a method with the :method pseudo-header', async () => {
    const { find } = await compile([
      withRule({ matches: [{ path: { type: 'Exact', value: '/orders' }, method: 'POST' }] }),
    ]);
    expect(find('shop')!.spec.routes[0].conditions).toEqual([
      { exact: '/orders' },
      { header: { name: ':method', exact: 'POST' } },
    ]);
  });

  it('routes to another namespace through a child proxy there', async () => {
    const { objects } = await compile([
      withRule({ backends: [{ service: 'catalog', port: 80, namespace: 'catalog' }] }),
    ]);
    expect(objects.find((o) => o.metadata.namespace === 'catalog')!.metadata.name).toBe('shop-shop');
    expect(() =>
      compileRoutes(
        [
          withRule({
            backends: [
              { service: 'a', port: 80, namespace: 'x' },
              { service: 'b', port: 80 },
            ],
          }),
        ],
        { dialect: 'contour' },
      ),
    ).toThrow(UnsupportedFeatureError);
  });

  it('passes TLS through with a tcpproxy on the root', async () => {
    const { objects } = await compile([
      basePolicy({ tls: { passthrough: true }, rules: [{ backends: [{ service: 'vault', port: 8200 }] }] }),
    ]);
    expect((objects[0] as any).spec).toEqual({
      virtualhost: { fqdn: 'shop.example.com', tls: { passthrough: true } },
      tcpproxy: { services: [{ name: 'vault', port: 8200, weight: 1 }] },
    });
  });
});

describe('the HTTPProxy model', () => {
  const registry = new SchemaRegistry();
  const valid = {
    apiVersion: 'projectcontour.io/v1',
    kind: 'HTTPProxy',
    metadata: { name: 'a' },
    spec: { routes: [{ conditions: [{ prefix: '/' }], services: [{ name: 's', port: 80 }] }] },
  };

  it('accepts a valid proxy and rejects unknown fields, bad enums and broken rules', async () => {
    expect(await registry.validate([valid])).toEqual([]);
    const messages = async (spec: unknown) => (await registry.validate([{ ...valid, spec }])).map((f) => f.message);
    expect(await messages({ routes: [{ services: [{ name: 's', port: 80, protocol: 'http2' }] }] })).toEqual([
      '/spec/routes/0/services/0/protocol must be one of h2, h2c, tls',
    ]);
    expect(await messages({ routes: [{ services: [{ name: 's', port: 80, wieght: 1 }] }] })).toEqual([
      '/spec/routes/0/services/0/wieght is not a field of this object',
    ]);
    expect(await messages({ routes: [{ conditions: [{ prefix: '/a', exact: '/b' }] }] })).toEqual([
      '/spec/routes/0/conditions: each condition sets exactly one of prefix, exact, regex, header, queryParameter',
    ]);
    expect(await messages({ routes: [{ conditions: [{ prefix: '/a' }, { exact: '/b' }] }] })).toEqual([
      '/spec/routes/0/conditions may hold at most one prefix, exact or regex condition',
    ]);
    expect(await messages({ virtualhost: { fqdn: 'a.example.com' } })).toEqual([
      '/spec needs routes, includes or a tcpproxy',
    ]);
    expect(await messages({ routes: [{ rateLimitPolicy: { local: { requests: 0, unit: 'day' } } }] })).toEqual([
      '/spec/routes/0/rateLimitPolicy/local/requests must be >= 1',
      '/spec/routes/0/rateLimitPolicy/local/unit must be one of second, minute, hour',
    ]);
  });
});
