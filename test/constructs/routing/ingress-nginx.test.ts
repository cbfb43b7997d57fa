import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRoutes } from '../../../constructs/routing/compile';
import { ApproximationError, RoutingError, UnsupportedFeatureError } from '../../../constructs/routing/errors';
import { checkNginxHostFlags } from '../../../constructs/routing/ingress-nginx';
import type { KubeObject, RouteRule, RoutingPolicy } from '../../../constructs/routing/types';
import { expectSchemaValid } from '../../helpers/schema';
import { basePolicy, withRule } from './fixtures';

const N = 'nginx.ingress.kubernetes.io/';

async function compile(policies: RoutingPolicy[], ingressClassName?: string) {
  const result = compileRoutes(policies, {
    dialect: 'ingress-nginx',
    ...(ingressClassName ? { ingressClassName } : {}),
  });
  await expectSchemaValid(result.objects);
  const ingress = (name: string) =>
    result.objects.find((o) => o.kind === 'Ingress' && o.metadata.name === name) as
      | (KubeObject & { spec: any; metadata: { annotations?: Record<string, string> } })
      | undefined;
  const annotations = (name = 'shop-web') => ingress(name)?.metadata.annotations ?? {};
  return { ...result, ingress, annotations };
}

function unsupported(policies: RoutingPolicy[]): UnsupportedFeatureError {
  try {
    compileRoutes(policies, { dialect: 'ingress-nginx' });
  } catch (e) {
    expect(e).toBeInstanceOf(UnsupportedFeatureError);
    return e as UnsupportedFeatureError;
  }
  throw new Error('expected UnsupportedFeatureError');
}

const canaryOf = (rule: Partial<RouteRule>): RoutingPolicy => ({
  ...basePolicy(),
  rules: [
    { name: 'web', backends: [{ service: 'web', port: 8080 }] },
    { name: 'beta', backends: [{ service: 'beta', port: 8080 }], ...rule } as RouteRule,
  ],
});

describe('ingress-nginx compiler', () => {
  it('emits one Ingress per rule on the nginx class, and warns that ingress-nginx is retired', async () => {
    const { objects, warnings } = await compile([basePolicy()]);
    expect(objects).toEqual([
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: {
          name: 'shop-web',
          namespace: 'shop',
          labels: { 'app.kubernetes.io/managed-by': 'switchyard', 'switchyard.io/routing-policy': 'shop' },
        },
        spec: {
          ingressClassName: 'nginx',
          rules: [
            {
              host: 'shop.example.com',
              http: {
                paths: [
                  { path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 8080 } } } },
                ],
              },
            },
          ],
        },
      },
    ]);
    expect(warnings[0]).toMatch(/retired in March 2026.*gateway-api/);
  });

  it('uses the given IngressClass, TLS secret and a cert-manager Certificate', async () => {
    const { ingress, objects } = await compile([basePolicy({ tls: { clusterIssuer: 'le' } })], 'internal');
    expect(ingress('shop-web')!.spec.ingressClassName).toBe('internal');
    expect(ingress('shop-web')!.spec.tls).toEqual([{ hosts: ['shop.example.com'], secretName: 'shop-tls' }]);
    expect(objects.find((o) => o.kind === 'Certificate')).toBeDefined();
  });

  it('compiles a weighted split to a canary Ingress with weight and total', async () => {
    const { ingress } = await compile([
      withRule({
        backends: [
          { service: 'v1', port: 80, weight: 80 },
          { service: 'v2', port: 80, weight: 20 },
        ],
      }),
    ]);
    expect(ingress('shop-web')!.spec.rules[0].http.paths[0].backend.service.name).toBe('v1');
    const canary = ingress('shop-web-canary')!;
    expect(canary.metadata.annotations).toEqual({
      [`${N}canary`]: 'true',
      [`${N}canary-weight`]: '20',
      [`${N}canary-weight-total`]: '100',
    });
    expect(canary.spec.rules[0].http.paths[0]).toEqual({
      path: '/',
      pathType: 'Prefix',
      backend: { service: { name: 'v2', port: { number: 80 } } },
    });
  });

  it('refuses three backends, naming the dialects that can split them', () => {
    const error = unsupported([withRule({ backends: ['a', 'b', 'c'].map((service) => ({ service, port: 80 })) })]);
    expect(error.feature).toBe('split.weighted-multi');
    expect(error.path).toBe('shop.rules[0].backends');
    expect(error.supportedBy).toContain('gateway-api');
  });

  it('compiles header and cookie matches to canary Ingresses of the rule they refine', async () => {
    const header = await compile([canaryOf({ matches: [{ headers: [{ name: 'X-Beta', value: 'yes' }] }] })]);
    expect(header.annotations('shop-beta-canary-0')).toEqual({
      [`${N}canary`]: 'true',
      [`${N}canary-by-header`]: 'X-Beta',
      [`${N}canary-by-header-value`]: 'yes',
    });
    const pattern = await compile([
      canaryOf({ matches: [{ headers: [{ name: 'X-Beta', value: '^(a|b)$', type: 'RegularExpression' }] }] }),
    ]);
    expect(pattern.annotations('shop-beta-canary-0')[`${N}canary-by-header-pattern`]).toBe('^(a|b)$');
    const cookie = await compile([canaryOf({ matches: [{ cookie: { name: 'beta', value: 'always' } }] })]);
    expect(cookie.annotations('shop-beta-canary-0')).toEqual({
      [`${N}canary`]: 'true',
      [`${N}canary-by-cookie`]: 'beta',
    });
  });

  it.each<[string, Partial<RouteRule>, string, RegExp]>([
    [
      'a cookie value other than always',
      { matches: [{ cookie: { name: 'beta', value: 'yes' } }] },
      'match.cookie',
      /only routes on the value 'always'/,
    ],
    [
      'two headers',
      {
        matches: [
          {
            headers: [
              { name: 'a', value: '1' },
              { name: 'b', value: '2' },
            ],
          },
        ],
      },
      'match.header',
      /exactly one header or one cookie/,
    ],
    [
      'a header canary with filters',
      { matches: [{ headers: [{ name: 'a', value: '1' }] }], maxBodySize: '1m' },
      'match.header',
      /ignores every annotation/,
    ],
    [
      'a header on a path no rule serves',
      { matches: [{ path: { type: 'PathPrefix', value: '/x' }, headers: [{ name: 'a', value: '1' }] }] },
      'match.header',
      /same path \(\/x\) and no header/,
    ],
  ])('refuses %s', (_what, rule, feature, message) => {
    const error = unsupported([canaryOf(rule)]);
    expect(error.feature).toBe(feature);
    expect(error.message).toMatch(message);
  });

  it('refuses a second canary on the same path', () => {
    const policy: RoutingPolicy = {
      ...basePolicy(),
      rules: [
        {
          name: 'web',
          backends: [
            { service: 'a', port: 80, weight: 9 },
            { service: 'b', port: 80, weight: 1 },
          ],
        },
        { name: 'beta', matches: [{ headers: [{ name: 'x', value: '1' }] }], backends: [{ service: 'c', port: 80 }] },
      ],
    };
    expect(unsupported([policy]).message).toMatch(/one canary per host and path/);
  });

  it('refuses query and method matches', () => {
    expect(unsupported([canaryOf({ matches: [{ queryParams: [{ name: 'q', value: '1' }] }] })]).feature).toBe(
      'match.query',
    );
    expect(unsupported([canaryOf({ matches: [{ method: 'POST' }] })]).feature).toBe('match.method');
  });

  it('turns every path of a regex host into an equivalent case-sensitive regex, and says so', async () => {
    const policy: RoutingPolicy = {
      ...basePolicy(),
      rules: [
        {
          name: 'versions',
          matches: [{ path: { type: 'RegularExpression', value: '^/api/v[0-9]+$' } }],
          backends: [{ service: 'api', port: 80 }],
        },
        {
          name: 'docs',
          matches: [{ path: { type: 'PathPrefix', value: '/docs.v1' } }, { path: { type: 'Exact', value: '/health' } }],
          backends: [{ service: 'docs', port: 80 }],
        },
      ],
    };
    const { ingress, warnings } = await compile([policy, basePolicy({ name: 'other', hosts: ['other.example.com'] })]);
    expect(ingress('shop-versions')!.spec.rules[0].http.paths[0]).toMatchObject({
      path: '/(?-i)api/v[0-9]+$',
      pathType: 'ImplementationSpecific',
    });
    expect(ingress('shop-docs')!.spec.rules[0].http.paths.map((p: { path: string }) => p.path)).toEqual([
      '/(?-i)docs\\.v1(/|$)(.*)',
      '/(?-i)health(?#exact)$',
    ]);
    expect(ingress('shop-docs')!.metadata.annotations![`${N}use-regex`]).toBe('true');
    expect(ingress('other-web')!.metadata.annotations).toBeUndefined();
    expect(warnings.join('\n')).toMatch(
      /as a regular expression \(use-regex is host-wide\); they are written case-sensitive/,
    );
  });

  it('rewrites a prefix with capture groups, keeping the separator only where the request had one', async () => {
    const rewrite = (pathPrefix: string) =>
      compile([withRule({ matches: [{ path: { type: 'PathPrefix', value: '/api' } }], rewrite: { pathPrefix } })]);
    const { ingress } = await rewrite('/v2');
    expect(ingress('shop-web')!.spec.rules[0].http.paths[0].path).toBe('/(?-i)api(/|$)(.*)');
    expect(ingress('shop-web')!.metadata.annotations![`${N}rewrite-target`]).toBe('/v2$1$2');
    expect((await rewrite('/')).ingress('shop-web')!.metadata.annotations![`${N}rewrite-target`]).toBe('/$2');
  });

  it('writes timeouts as whole seconds and refuses a connect timeout over 75s or a fraction of a second', async () => {
    const { annotations, warnings } = await compile([
      withRule({ timeouts: { connect: '2s', idle: '1m' } }, { acceptApproximations: ['timeouts.idle'] }),
    ]);
    expect(annotations()).toMatchObject({
      [`${N}proxy-connect-timeout`]: '2',
      [`${N}proxy-read-timeout`]: '60',
      [`${N}proxy-send-timeout`]: '60',
    });
    expect(warnings.join('\n')).toMatch(/between two reads or writes/);
    expect(unsupported([withRule({ timeouts: { connect: '90s' } })]).message).toMatch(/75s/);
    expect(unsupported([withRule({ timeouts: { connect: '1500ms' } })]).message).toMatch(/whole seconds/);
  });

  it('compiles retries, rate limits, IP lists, CORS, body size and affinity', async () => {
    const { annotations } = await compile([
      withRule(
        {
          retries: { attempts: 2, on: ['gateway-error', 429] },
          maxBodySize: '8m',
          sessionAffinity: { cookieName: 'route', maxAge: '1h' },
        },
        {
          rateLimit: { requestsPerSecond: 10, burst: 30 },
          allowSourceRanges: ['10.0.0.0/8', '2001:db8::/32'],
          denySourceRanges: ['10.9.0.0/16'],
          cors: { allowOrigins: ['https://a.example.com'], allowHeaders: ['X-Api-Key'], maxAge: '10m' },
        },
      ),
    ]);
    expect(annotations()).toEqual({
      [`${N}proxy-next-upstream`]: 'http_429 http_502 http_503 http_504',
      [`${N}proxy-next-upstream-tries`]: '3',
      [`${N}affinity`]: 'cookie',
      [`${N}session-cookie-name`]: 'route',
      [`${N}session-cookie-max-age`]: '3600',
      [`${N}limit-rps`]: '10',
      [`${N}limit-burst-multiplier`]: '3',
      [`${N}allowlist-source-range`]: '10.0.0.0/8,2001:db8::/32',
      [`${N}denylist-source-range`]: '10.9.0.0/16',
      [`${N}enable-cors`]: 'true',
      [`${N}cors-allow-origin`]: 'https://a.example.com',
      [`${N}cors-allow-methods`]: 'GET, HEAD, POST',
      [`${N}cors-allow-headers`]: 'X-Api-Key',
      [`${N}cors-allow-credentials`]: 'false',
      [`${N}cors-max-age`]: '600',
      [`${N}proxy-body-size`]: '8m',
    });
    expect(unsupported([withRule({ retries: { attempts: 1, on: [501] } })]).message).toMatch(/not 501/);
    expect(unsupported([withRule({ retries: { attempts: 1, perTryTimeout: '1s' } })]).message).toMatch(/per-try/);
    expect(unsupported([basePolicy({ rateLimit: { requestsPerSecond: 10, burst: 25 } })]).message).toMatch(
      /multiple of 10/,
    );
    expect(unsupported([basePolicy({ cors: { allowOrigins: ['*'] } })]).message).toMatch(/list allowHeaders/);
  });

  it('compiles redirects to absolute URLs, and scheme-only redirects to force-ssl-redirect', async () => {
    const moved = await compile([
      withRule({ backends: undefined, redirect: { hostname: 'new.example.com', path: '/shop', statusCode: 301 } }),
    ]);
    expect(moved.annotations()).toEqual({
      [`${N}permanent-redirect`]: 'http://new.example.com/shop',
      [`${N}permanent-redirect-code`]: '301',
    });
    const temporary = await compile([withRule({ backends: undefined, redirect: { path: '/x', statusCode: 307 } })]);
    expect(temporary.annotations()).toEqual({
      [`${N}temporal-redirect`]: 'http://shop.example.com/x',
      [`${N}temporal-redirect-code`]: '307',
    });
    const https = await compile([withRule({ backends: undefined, redirect: { scheme: 'https', statusCode: 308 } })]);
    expect(https.annotations()).toEqual({
      [`${N}force-ssl-redirect`]: 'true',
      [`${N}preserve-trailing-slash`]: 'true',
    });
    expect(unsupported([withRule({ backends: undefined, redirect: { hostname: 'new.example.com' } })]).message).toMatch(
      /drop the request path/,
    );
    expect(unsupported([withRule({ backends: undefined, redirect: { scheme: 'https' } })]).message).toMatch(/use 308/);
  });

  it('compiles mirroring to all requests only, HSTS as controller-wide, passthrough with its controller flag', async () => {
    const mirror = await compile([
      withRule({ mirror: { backend: { service: 'shadow', port: 80 } } }, { acceptApproximations: ['mirror'] }),
    ]);
    expect(mirror.annotations()[`${N}mirror-target`]).toBe('http://shadow.shop.svc.cluster.local:80$request_uri');
    expect(
      unsupported([
        withRule(
          { mirror: { backend: { service: 'shadow', port: 80 }, percent: 50 } },
          { acceptApproximations: ['mirror'] },
        ),
      ]).message,
    ).toMatch(/100%/);
    const hsts = await compile([
      basePolicy({ tls: { secretName: 's' }, hsts: { maxAge: '1h' }, acceptApproximations: ['hsts'] }),
    ]);
    expect(hsts.warnings.join('\n')).toMatch(/accepted approximation of 'hsts'/);
    const pass = await compile([basePolicy({ tls: { passthrough: true } })]);
    expect(pass.annotations()[`${N}ssl-passthrough`]).toBe('true');
    expect(pass.warnings.join('\n')).toMatch(/--enable-ssl-passthrough/);
  });

  it('sets backend protocols and turns the HTTPS redirect off when asked', async () => {
    expect(
      (await compile([withRule({ backends: [{ service: 'a', port: 443, protocol: 'https' }] })])).annotations()[
        `${N}backend-protocol`
      ],
    ).toBe('HTTPS');
    expect(
      (await compile([withRule({ backends: [{ service: 'a', port: 9090, protocol: 'grpc' }] })])).annotations()[
        `${N}backend-protocol`
      ],
    ).toBe('GRPC');
    expect(
      (await compile([basePolicy({ tls: { secretName: 's', redirectHttp: false } })])).annotations()[
        `${N}ssl-redirect`
      ],
    ).toBe('false');
  });

  it('asks consent where nginx answers differently: a redirect before the HTTPS upgrade, 403 on unmatched paths', async () => {
    const moved = (extra: Partial<RoutingPolicy> = {}) =>
      basePolicy({
        tls: { secretName: 's' },
        rules: [
          { name: 'web', backends: [{ service: 'web', port: 8080 }] },
          { name: 'old', matches: [{ path: { type: 'PathPrefix', value: '/old' } }], redirect: { path: '/new' } },
        ],
        ...extra,
      });
    expect(() => compileRoutes([moved()], { dialect: 'ingress-nginx' })).toThrow(ApproximationError);
    const accepted = await compile([moved({ acceptApproximations: ['redirect'] })]);
    expect(accepted.annotations('shop-old')[`${N}temporal-redirect`]).toBe('https://shop.example.com/new');
    const listed = (rules: RouteRule[], extra: Partial<RoutingPolicy> = {}) =>
      basePolicy({ allowSourceRanges: ['10.0.0.0/8'], rules, ...extra });
    const api: RouteRule = {
      name: 'api',
      matches: [{ path: { type: 'PathPrefix', value: '/api' } }],
      backends: [{ service: 'api', port: 80 }],
    };
    expect(() => compileRoutes([listed([api])], { dialect: 'ingress-nginx' })).toThrow(/403 on every path/);
    await compile([listed([api], { acceptApproximations: ['ip.allow'] })]);
    await compile([listed([api, { name: 'web', backends: [{ service: 'web', port: 80 }] }])]);
    const other: RouteRule = {
      ...api,
      name: 'other',
      matches: [{ path: { type: 'Exact', value: '/x' } }],
      allowSourceRanges: ['10.1.0.0/16'],
    };
    expect(unsupported([listed([api, other], { acceptApproximations: ['ip.allow'] })]).message).toMatch(
      /list different sources/,
    );
  });

  it('refuses canaries that nginx would attach to a Service port other routes use too', async () => {
    const rule = (name: string, path: string, backends: RouteRule['backends'], extra: Partial<RouteRule> = {}) =>
      ({ name, matches: [{ path: { type: 'PathPrefix', value: path } }], backends, ...extra }) as RouteRule;
    const web = { service: 'web', port: 80 };
    const split = [
      { ...web, weight: 9 },
      { service: 'next', port: 80, weight: 1 },
    ];
    // The split on / would also split /api, which names the same Service port.
    expect(unsupported([basePolicy({ rules: [rule('all', '/', split), rule('api', '/api', [web])] })]).message).toMatch(
      /which shop.rules\[1\] also routes shop.example.com\/api/,
    );
    // A header canary of a rule with two paths covers one of them only.
    const header: RouteRule = {
      name: 'beta',
      matches: [{ headers: [{ name: 'x-beta', value: 'yes' }] }],
      backends: [{ service: 'beta', port: 80 }],
    };
    const twoPaths: RouteRule = {
      name: 'web',
      matches: [{ path: { type: 'PathPrefix', value: '/' } }, { path: { type: 'PathPrefix', value: '/api' } }],
      backends: [web],
    };
    expect(unsupported([basePolicy({ rules: [twoPaths, header] })]).message).toMatch(/would take the canary too/);
    // The canary's Service port serving as a primary elsewhere: creation order decides its role.
    expect(
      unsupported([
        basePolicy({ rules: [rule('all', '/', split), rule('next', '/next', [{ service: 'next', port: 80 }])] }),
      ]).message,
    ).toMatch(/one role per Service port/);
    // Different affinity on one Service port.
    expect(
      unsupported([
        basePolicy({
          rules: [rule('all', '/', [web], { sessionAffinity: { cookieName: 'a' } }), rule('api', '/api', [web])],
        }),
      ]).message,
    ).toMatch(/session affinity per Service port/);
    // The canary is served with the shadowed rule's settings.
    const vhost: RouteRule = {
      ...twoPaths,
      matches: [{ path: { type: 'PathPrefix', value: '/' } }],
      rewrite: { hostname: 'in.test' },
    };
    expect(unsupported([basePolicy({ rules: [vhost, header] })]).message).toMatch(
      /shadows, and shop.rules\[0\] sets rewrite/,
    );
    // Its own port for each route compiles.
    await compile([
      basePolicy({ rules: [rule('all', '/', split), rule('api', '/api', [{ service: 'web', port: 81 }])] }),
    ]);
  });

  it('never emits a snippet annotation', async () => {
    const { FEATURE_EXAMPLES } = await import('./feature-examples');
    for (const policy of Object.values(FEATURE_EXAMPLES)) {
      try {
        const { objects } = compileRoutes([policy], { dialect: 'ingress-nginx' });
        for (const o of objects)
          expect(Object.keys((o.metadata.annotations ?? {}) as object).some((k) => k.includes('snippet'))).toBe(false);
      } catch (e) {
        expect(e).toBeInstanceOf(UnsupportedFeatureError);
      }
    }
  });

  it('checks that host-wide flags agree across Ingresses of a host', () => {
    const ing = (name: string, annotations: Record<string, string>): KubeObject => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name, annotations },
      spec: { rules: [{ host: 'a.example.com' }] },
    });
    expect(() => checkNginxHostFlags([ing('a', { [`${N}use-regex`]: 'true' }), ing('b', {})])).toThrow(RoutingError);
    expect(() => checkNginxHostFlags([ing('a', { [`${N}use-regex`]: 'true' }), ing('b', {})])).toThrow(
      /disagree on nginx.ingress.kubernetes.io\/use-regex for host a.example.com/,
    );
    expect(() =>
      checkNginxHostFlags([ing('a', {}), ing('b', { [`${N}canary`]: 'true', [`${N}use-regex`]: 'true' })]),
    ).not.toThrow();
  });

  it('keeps host-wide flags consistent whatever mix of regex and plain policies share hosts', () => {
    const host = fc.constantFrom('a.example.com', 'b.example.com', 'c.example.com');
    const path = fc.oneof(
      fc.constant({ type: 'PathPrefix' as const, value: '/p' }),
      fc.constant({ type: 'Exact' as const, value: '/e' }),
      fc.constant({ type: 'RegularExpression' as const, value: '^/r[0-9]+$' }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.uniqueArray(host, { minLength: 1, maxLength: 2 }), path), { minLength: 1, maxLength: 5 }),
        (specs) => {
          const policies = specs.map(([hosts, p], i) => ({
            name: `p${i}`,
            hosts,
            rules: [
              {
                matches: [
                  { path: { ...p, value: p.type === 'RegularExpression' ? `^/r${i}[0-9]+$` : `${p.value}${i}` } },
                ],
                backends: [{ service: 'web', port: 80 }],
              },
            ],
          }));
          expect(() => compileRoutes(policies, { dialect: 'ingress-nginx' })).not.toThrow();
        },
      ),
    );
  });
});
