import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRoutes } from '../../../../constructs/routing/compile';
import { RouteConflictError, RoutingError, UnsupportedFeatureError } from '../../../../constructs/routing/errors';
import { outcomeDifference } from '../../../../constructs/routing/oracle/compare';
import { interpretIngressNginx } from '../../../../constructs/routing/oracle/ingress-nginx';
import { modelOutcome } from '../../../../constructs/routing/oracle/model';
import type { TrafficOutcome, TrafficRequest } from '../../../../constructs/routing/oracle/types';
import type { KubeObject, RoutingPolicy } from '../../../../constructs/routing/types';
import { environments, requestsFor } from './arbitraries';
import { checkDialect, describeStats, modelChecker } from './harness';
import { requestWith } from './requests';

const N = 'nginx.ingress.kubernetes.io/';

const request = requestWith({});

/** Compiles for ingress-nginx and requires the interpreter to give the model's outcome for each request. */
const expectModel = modelChecker('ingress-nginx', interpretIngressNginx);

const policy = (over: Partial<RoutingPolicy>): RoutingPolicy => ({
  name: 'p0',
  namespace: 'shop',
  hosts: ['a.example.org'],
  rules: [{ backends: [{ service: 'web', port: 80 }] }],
  ...over,
});

/** A hand-written Ingress: one host, the given paths to Service ports. */
function ing(
  name: string,
  paths: [string, 'Exact' | 'Prefix' | 'ImplementationSpecific', string][],
  annotations: Record<string, string> = {},
  extra: { host?: string; tls?: boolean } = {},
): KubeObject {
  const host = extra.host ?? 'a.example.org';
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: 'shop', annotations },
    spec: {
      ...(extra.tls ? { tls: [{ hosts: [host], secretName: 'cert' }] } : {}),
      rules: [
        {
          host,
          http: {
            paths: paths.map(([path, pathType, service]) => ({
              path,
              pathType,
              backend: { service: { name: service, port: { number: 80 } } },
            })),
          },
        },
      ],
    },
  };
}

const run = (objects: KubeObject[], over: Partial<TrafficRequest> = {}): TrafficOutcome =>
  interpretIngressNginx({ objects }, request(over));
const to = (o: TrafficOutcome) =>
  o.kind === 'forward' || o.kind === 'passthrough'
    ? o.backends.map((b) => `${b.service}:${b.weight}`).join(' ')
    : o.kind;

describe('ingress-nginx oracle: the issue 13 cases', () => {
  it('case 2: weights 1:1, 3:1 and 0:5 reach the backends exactly (canary-weight-total scaled past the Lua floor of 100)', () => {
    for (const [a, b] of [
      [1, 1],
      [3, 1],
      [0, 5],
      [1, 2],
    ] as const) {
      expectModel(
        [
          policy({
            rules: [
              {
                backends: [
                  { service: 'v1', port: 80, weight: a },
                  { service: 'v2', port: 80, weight: b },
                ],
              },
            ],
          }),
        ],
        [request({ path: '/x' })],
      );
    }
  });

  it('case 3: Exact /api/v1 beats PathPrefix /api in regex mode', () => {
    expectModel(
      [
        policy({
          rules: [
            { matches: [{ path: { type: 'PathPrefix', value: '/api' } }], backends: [{ service: 'api', port: 80 }] },
            { matches: [{ path: { type: 'Exact', value: '/api/v1' } }], backends: [{ service: 'v1', port: 80 }] },
            {
              matches: [{ path: { type: 'RegularExpression', value: '^/img/.*$' } }],
              backends: [{ service: 'img', port: 80 }],
            },
            { backends: [{ service: 'web', port: 80 }] },
          ],
        }),
      ],
      ['/api/v1', '/api/v1/x', '/api', '/apix', '/', '/API/v1', '/Api'].map((path) => request({ path })),
    );
  });

  it('case 11: a split behind TLS passthrough is refused (the SSL proxy ignores canaries)', () => {
    const split = policy({
      tls: { passthrough: true },
      rules: [
        {
          backends: [
            { service: 'v1', port: 443, weight: 9 },
            { service: 'v2', port: 443, weight: 1 },
          ],
        },
      ],
    });
    expect(() => compileRoutes([split], { dialect: 'ingress-nginx' })).toThrow(UnsupportedFeatureError);
    expect(() => compileRoutes([split], { dialect: 'ingress-nginx' })).toThrow(/ignores canaries/);
    expectModel(
      [policy({ tls: { passthrough: true }, rules: [{ backends: [{ service: 'tls', port: 443 }] }] })],
      [request({ scheme: 'https' })],
    );
  });

  it('case 13: Exact /a and RegularExpression ^/a$ in two policies are a conflict; a regex that overlaps /a sorts after it', () => {
    const exact = policy({
      rules: [{ matches: [{ path: { type: 'Exact', value: '/a' } }], backends: [{ service: 'exact', port: 80 }] }],
    });
    const regexPolicy = (value: string) =>
      policy({
        name: 'p1',
        rules: [
          { matches: [{ path: { type: 'RegularExpression', value } }], backends: [{ service: 'regex', port: 80 }] },
          { backends: [{ service: 'web', port: 80 }] },
        ],
      });
    // '^/a$' claims exactly what Exact '/a' claims: the conflict detector refuses the pair for every dialect.
    expect(() => compileRoutes([exact, regexPolicy('^/a$')], { dialect: 'ingress-nginx' })).toThrow(RouteConflictError);
    const policies = [exact, regexPolicy('^/a/?$')];
    const compiled = compileRoutes(policies, { dialect: 'ingress-nginx' });
    // The model leaves '/a' to the controller (a regex competes); nginx must still answer it one way,
    // whatever the creation order of the Ingresses: the Exact location sorts first.
    const reversed = { objects: [...compiled.objects].reverse() };
    expect(to(interpretIngressNginx(compiled, request({ path: '/a' })))).toBe('exact:1');
    expect(to(interpretIngressNginx(reversed, request({ path: '/a' })))).toBe('exact:1');
    expectModel(
      policies,
      ['/', '/b', '/a/x'].map((path) => request({ path })),
    );
  });

  it('regex mode keeps longest-prefix order between rewritten and plain prefixes', () => {
    expectModel(
      [
        policy({
          rules: [
            { matches: [{ path: { type: 'PathPrefix', value: '/api/v1' } }], backends: [{ service: 'v1', port: 80 }] },
            {
              matches: [{ path: { type: 'PathPrefix', value: '/api' } }],
              rewrite: { pathPrefix: '/v2' },
              backends: [{ service: 'api', port: 80 }],
            },
            { backends: [{ service: 'web', port: 80 }] },
          ],
        }),
      ],
      ['/api/v1/x', '/api/v1', '/api/x', '/api'].map((path) => request({ path })),
    );
  });

  it('header and cookie canaries route as the model says (header rules over the split, cookie only on always)', () => {
    const web = { service: 'web', port: 80 };
    expectModel(
      [
        policy({
          rules: [
            { backends: [web] },
            {
              matches: [{ headers: [{ name: 'X-Canary', value: 'on' }] }],
              backends: [{ service: 'canary', port: 80 }],
            },
          ],
        }),
      ],
      ([{}, { 'x-canary': 'on' }, { 'x-canary': 'off' }] as Record<string, string>[]).map((headers) =>
        request({ headers }),
      ),
    );
    expectModel(
      [
        policy({
          rules: [
            { backends: [web] },
            { matches: [{ cookie: { name: 'beta', value: 'always' } }], backends: [{ service: 'beta', port: 80 }] },
          ],
        }),
      ],
      ([{}, { beta: 'always' }, { beta: 'never' }, { beta: '1' }] as Record<string, string>[]).map((cookies) =>
        request({ cookies }),
      ),
    );
  });

  it('case 19: a prefix rewrite of /old to /new sends /old as /new, not /new/', () => {
    expectModel(
      [
        policy({
          rules: [
            {
              matches: [{ path: { type: 'PathPrefix', value: '/old' } }],
              rewrite: { pathPrefix: '/new' },
              backends: [{ service: 'web', port: 80 }],
            },
            { backends: [{ service: 'web', port: 80 }] },
          ],
        }),
      ],
      ['/old', '/old/', '/old/page', '/oldx', '/', '/OLD/page'].map((path) => request({ path })),
    );
  });
});

describe('ingress-nginx oracle: controller behaviours on hand-written objects', () => {
  it('regex mode: locations sorted longest first, the first regex that matches wins', () => {
    const objects = [
      ing('short', [['/api(/|$)', 'ImplementationSpecific', 'api']], { [`${N}use-regex`]: 'true' }),
      ing('long', [['/api/v1$', 'ImplementationSpecific', 'v1']], { [`${N}use-regex`]: 'true' }),
    ];
    // controller.go: '/api(/|$)' (9) sorts before '/api/v1$' (8), so it takes /api/v1.
    expect(to(run(objects, { path: '/api/v1' }))).toBe('api:1');
    expect(to(run(objects, { path: '/API/V1' }))).toBe('api:1'); // ~* is case-insensitive
  });

  it('the default root location: an ImplementationSpecific / loses to it in regex mode, and it carries the oldest Ingress', () => {
    const regex = { [`${N}use-regex`]: 'true' };
    expect(run([ing('all', [['/', 'ImplementationSpecific', 'web']], regex)]).kind).toBe('no-route');
    expect(to(run([ing('all', [['/', 'Prefix', 'web']], regex)]))).toBe('web:1');
    const moved = ing('moved', [['/old', 'Prefix', 'web']], { [`${N}permanent-redirect`]: 'https://b.example.org/x' });
    expect(run([moved], { path: '/elsewhere' })).toEqual({
      kind: 'redirect',
      status: 301,
      location: 'https://b.example.org/x',
    });
  });

  it('plain mode: a Prefix /api/ does not match /api; Exact wins over Prefix; longest prefix otherwise', () => {
    expect(run([ing('x', [['/api/', 'Prefix', 'api']])], { path: '/api' }).kind).toBe('no-route');
    const objects = [
      ing('x', [
        ['/api', 'Prefix', 'api'],
        ['/api', 'Exact', 'exact'],
        ['/api/v1', 'Prefix', 'v1'],
      ]),
    ];
    expect(to(run(objects, { path: '/api' }))).toBe('exact:1');
    expect(to(run(objects, { path: '/api/v1/x' }))).toBe('v1:1');
    expect(run(objects, { path: '/apix' }).kind).toBe('no-route');
  });

  it('canary precedence: header, then cookie, then weight; never; a total up to 100 counts as 100', () => {
    const canary = (a: Record<string, string>) => [
      ing('main', [['/', 'Prefix', 'web']]),
      ing('beta', [['/', 'Prefix', 'beta']], { [`${N}canary`]: 'true', ...a }),
    ];
    const all = canary({
      [`${N}canary-by-header`]: 'X-Beta',
      [`${N}canary-by-cookie`]: 'beta',
      [`${N}canary-weight`]: '1',
      [`${N}canary-weight-total`]: '2',
    });
    expect(to(run(all))).toBe('beta:1 web:99');
    expect(to(run(all, { headers: { 'x-beta': 'always' }, cookies: { beta: 'never' } }))).toBe('beta:1');
    expect(to(run(all, { headers: { 'x-beta': 'never' }, cookies: { beta: 'always' } }))).toBe('web:1');
    expect(to(run(all, { headers: { 'x-beta': 'other' }, cookies: { beta: 'always' } }))).toBe('beta:1');
    const valued = canary({ [`${N}canary-by-header`]: 'X-Beta', [`${N}canary-by-header-value`]: 'yes' });
    expect(to(run(valued, { headers: { 'x-beta': 'always' } }))).toBe('web:1');
    expect(to(run(canary({ [`${N}canary-weight`]: '50', [`${N}canary-weight-total`]: '150' })))).toBe('beta:1 web:2');
  });

  it('a canary belongs to the Service port: every location routed to it takes the canary', () => {
    const objects = [
      ing('main', [['/', 'Prefix', 'web']]),
      ing('api', [['/api', 'Prefix', 'web']]),
      ing('beta', [['/', 'Prefix', 'beta']], { [`${N}canary`]: 'true', [`${N}canary-weight`]: '50' }),
    ];
    expect(to(run(objects, { path: '/api/x' }))).toBe('beta:1 web:1');
  });

  it('servers: one-label wildcards; HTTPS redirect drops a trailing slash; a rule redirect answers before it', () => {
    const wild = [ing('w', [['/', 'Prefix', 'web']], {}, { host: '*.example.org' })];
    expect(to(run(wild, { host: 'x.example.org' }))).toBe('web:1');
    expect(run(wild, { host: 'c.d.example.org' }).kind).toBe('no-route');
    const tls = [ing('t', [['/', 'Prefix', 'web']], {}, { tls: true })];
    expect(run(tls, { path: '/api/' })).toMatchObject({ location: 'https://a.example.org/api', status: 308 });
    const kept = [ing('t', [['/', 'Prefix', 'web']], { [`${N}preserve-trailing-slash`]: 'true' }, { tls: true })];
    expect(run(kept, { path: '/api/' })).toMatchObject({ location: 'https://a.example.org/api/' });
    const moved = [
      ing('m', [['/', 'Prefix', 'web']], { [`${N}temporal-redirect`]: 'https://b.example.org/x' }, { tls: true }),
    ];
    expect(run(moved)).toEqual({ kind: 'redirect', status: 302, location: 'https://b.example.org/x' });
  });

  it('passthrough: the root location backend by exact SNI, never its canary; plain HTTP still served', () => {
    const objects = [
      ing('p', [['/', 'Prefix', 'tls']], { [`${N}ssl-passthrough`]: 'true' }),
      ing('c', [['/', 'Prefix', 'beta']], { [`${N}canary`]: 'true', [`${N}canary-weight`]: '100' }),
    ];
    expect(run(objects, { scheme: 'https' })).toEqual({
      kind: 'passthrough',
      backends: [{ namespace: 'shop', service: 'tls', port: 80, weight: 1 }],
    });
    expect(to(run(objects))).toBe('beta:1');
  });

  it('source lists: deny entries first, then the allow list', () => {
    const objects = [
      ing('x', [['/', 'Prefix', 'web']], {
        [`${N}allowlist-source-range`]: '10.0.0.0/8',
        [`${N}denylist-source-range`]: '10.1.0.0/16',
      }),
    ];
    expect(run(objects, { sourceIp: '10.1.2.3' }).kind).toBe('denied');
    expect(run(objects, { sourceIp: '10.2.0.1' }).kind).toBe('forward');
    expect(run(objects, { sourceIp: '192.0.2.1' }).kind).toBe('denied');
  });

  it('throws on what it does not model, and on creation-order dependence', () => {
    expect(() => run([ing('x', [['/', 'Prefix', 'web']], { [`${N}server-snippet`]: 'return 200;' })])).toThrow(
      /server-snippet is not modelled/,
    );
    expect(() => run([{ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' } }])).toThrow(/not modelled/);
    expect(() => run([ing('a', [['/x', 'Prefix', 'a']]), ing('b', [['/x', 'Prefix', 'b']])], { path: '/x' })).toThrow(
      /creation order/,
    );
  });
});

/**
 * The generated environments without what nginx refuses outright (query and method matches, header
 * changes, mirrors, per-try timeouts, h2c, cross-namespace backends, three-way splits), so canaries,
 * regex hosts, rewrites and redirects compile more often.
 */
function nginxShaped(p: RoutingPolicy): RoutingPolicy {
  return {
    ...p,
    rules: p.rules.map(({ requestHeaders: _q, responseHeaders: _s, mirror: _m, ...r }) => ({
      ...r,
      ...(r.matches ? { matches: r.matches.map(({ queryParams: _p, method: _v, ...m }) => m) } : {}),
      ...(r.backends
        ? {
            backends: r.backends.slice(0, 2).map(({ namespace: _n, protocol, ...b }) => ({
              ...b,
              ...(protocol === 'https' || protocol === 'grpc' ? { protocol } : {}),
            })),
          }
        : {}),
      ...(r.retries ? { retries: { attempts: r.retries.attempts } } : {}),
    })),
  };
}

describe('ingress-nginx oracle: property', () => {
  it('agrees with the model on nginx-shaped environments (or refuses with a typed error)', () => {
    const shaped = environments.map((ps) => ps.map(nginxShaped));
    let compiled = 0;
    let compared = 0;
    fc.assert(
      fc.property(
        shaped.chain((ps) => fc.tuple(fc.constant(ps), fc.array(requestsFor(ps), { minLength: 6, maxLength: 10 }))),
        ([policies, requests]) => {
          let objects: ReturnType<typeof compileRoutes>;
          try {
            objects = compileRoutes(policies, { dialect: 'ingress-nginx' });
          } catch (error) {
            if (error instanceof RoutingError) return;
            throw error;
          }
          compiled++;
          for (const r of requests) {
            const expected = modelOutcome(policies, r);
            if (expected.kind === 'unspecified') continue;
            const diff = outcomeDifference(expected, interpretIngressNginx(objects, r));
            if (diff) throw new Error(`${JSON.stringify(r)}\n${diff}`);
            compared++;
          }
        },
      ),
      { numRuns: Number(process.env.ORACLE_RUNS ?? 250) },
    );
    console.log(`ingress-nginx (nginx-shaped): ${compiled} compiled, ${compared} requests agree`);
    expect(compared).toBeGreaterThan(0);
  });

  it('agrees with the model on generated environments (or refuses with a typed error)', () => {
    const stats = checkDialect('ingress-nginx', interpretIngressNginx);
    console.log(describeStats('ingress-nginx', stats));
    expect(stats.compared).toBeGreaterThan(0);
  });
});

describe('ingress-nginx: characters nginx interprets in targets (issue 14)', () => {
  const shop = (rule: RoutingPolicy['rules'][number]): RoutingPolicy => ({
    name: 'shop',
    namespace: 'shop',
    hosts: ['a.example.org'],
    rules: [{ backends: [{ service: 'web', port: 80 }] }, rule],
  });
  const old = { path: { type: 'PathPrefix' as const, value: '/old' } };

  it.each([
    ['redirect.path', { matches: [old], redirect: { path: '/new$http_cookie' } }, /redirect\.path.*"\$"/],
    ['redirect.path', { matches: [old], redirect: { path: '/a;b' } }, /redirect\.path.*";"/],
    [
      'rewrite.fullPath',
      { matches: [old], rewrite: { fullPath: '/x$1' }, backends: [{ service: 'api', port: 80 }] },
      /rewrite\.fullPath/,
    ],
    [
      'rewrite.pathPrefix',
      { matches: [old], rewrite: { pathPrefix: '/n;' }, backends: [{ service: 'api', port: 80 }] },
      /rewrite\.pathPrefix/,
    ],
  ])('refuses %s with a character nginx would read', (_field, rule, message) => {
    expect(() => compileRoutes([shop(rule as RoutingPolicy['rules'][number])], { dialect: 'ingress-nginx' })).toThrow(
      message,
    );
  });

  it('keeps a plain target', () => {
    expect(() =>
      compileRoutes([shop({ matches: [old], redirect: { path: '/new-page_1.html' } })], { dialect: 'ingress-nginx' }),
    ).not.toThrow();
  });
});
