import { describe, expect, it } from 'vitest';
import { compileRoutes } from '../../../../constructs/routing/compile';
import { UnsupportedFeatureError } from '../../../../constructs/routing/errors';
import { outcomeDifference } from '../../../../constructs/routing/oracle/compare';
import { modelOutcome } from '../../../../constructs/routing/oracle/model';
import { interpretTraefik } from '../../../../constructs/routing/oracle/traefik';
import type { TrafficRequest } from '../../../../constructs/routing/oracle/types';
import type { KubeObject, RoutingPolicy } from '../../../../constructs/routing/types';
import { checkDialect, describeStats } from './harness';
import { requestWith } from './requests';

const request = requestWith({ sourceIp: '203.0.113.9' });

/** The interpreter's outcome for compiled policies, and its difference from the model's. */
function run(policies: RoutingPolicy[], req: TrafficRequest) {
  const compiled = compileRoutes(policies, { dialect: 'traefik' });
  const actual = interpretTraefik(compiled, req);
  return { actual, difference: outcomeDifference(modelOutcome(policies, req), actual) };
}

const route = (match: string, priority: number, service: string) => ({
  kind: 'Rule',
  match,
  priority,
  services: [{ name: service, port: 80 }],
});
const ingressRoute = (name: string, routes: unknown[], entry = 'web'): KubeObject => ({
  apiVersion: 'traefik.io/v1alpha1',
  kind: 'IngressRoute',
  metadata: { name, namespace: 'shop' },
  spec: { entryPoints: [entry], routes },
});
const backendOf = (o: ReturnType<typeof interpretTraefik>) =>
  o.kind === 'forward' ? o.backends.map((b) => b.service).join(',') : o.kind;

describe('traefik oracle: issue 13 cases', () => {
  it('case 8: an exact host beats a wildcard whose rule is longer', () => {
    const policies: RoutingPolicy[] = [
      {
        name: 'wild',
        namespace: 'shop',
        hosts: ['*.example.org'],
        rules: [
          {
            matches: [{ path: { type: 'PathPrefix', value: '/api/long' } }],
            backends: [{ service: 'wild', port: 80 }],
          },
        ],
      },
      {
        name: 'exact',
        namespace: 'shop',
        hosts: ['a.example.org'],
        rules: [
          { matches: [{ path: { type: 'PathPrefix', value: '/app' } }], backends: [{ service: 'exact', port: 80 }] },
        ],
      },
    ];
    // The exact host owns a.example.org: its own rules do not match /api/long, so nothing does.
    for (const path of ['/api/long', '/api/long/x', '/app']) {
      const { difference } = run(policies, request({ path }));
      expect(difference).toBeUndefined();
    }
    expect(run(policies, request({ path: '/api/long/x' })).actual).toEqual({ kind: 'no-route' });
    expect(backendOf(run(policies, request({ path: '/app/x' })).actual)).toBe('exact');
    expect(backendOf(run(policies, request({ host: 'b.example.org', path: '/api/long' })).actual)).toBe('wild');
    // One label only: a.b.example.org is not the wildcard's.
    expect(run(policies, request({ host: 'a.b.example.org', path: '/api/long' })).actual).toEqual({ kind: 'no-route' });
    const catchAll = [policies[0]!, { ...policies[1]!, rules: [{ backends: [{ service: 'exact', port: 80 }] }] }];
    expect(backendOf(run(catchAll, request({ path: '/api/long/x' })).actual)).toBe('exact');
    expect(run(catchAll, request({ path: '/api/long/x' })).difference).toBeUndefined();
  });

  it('case 15: a wildcard CORS origin admits subdomains (regex list)', () => {
    const policy: RoutingPolicy = {
      name: 'shop',
      namespace: 'shop',
      hosts: ['a.example.org'],
      cors: { allowOrigins: ['https://*.partner.com', 'https://app.example.org'] },
      rules: [{ backends: [{ service: 'web', port: 80 }] }],
    };
    const compiled = compileRoutes([policy], { dialect: 'traefik' });
    const headers = compiled.objects.find((o) => o.metadata.name === 'shop-headers') as KubeObject & { spec: any };
    expect(headers.spec.headers.accessControlAllowOriginList).toEqual(['https://app.example.org']);
    const [pattern] = headers.spec.headers.accessControlAllowOriginListRegex as string[];
    const re = new RegExp(pattern!);
    expect(['https://a.partner.com', 'https://a.b.partner.com'].every((o) => re.test(o))).toBe(true);
    expect(['https://partner.com', 'https://evilpartner.com', 'http://a.partner.com'].some((o) => re.test(o))).toBe(
      false,
    );
    expect(run([policy], request()).difference).toBeUndefined();
  });

  it('case 17: retries.perTryTimeout is refused (Traefik has no per-attempt timeout)', () => {
    const policy: RoutingPolicy = {
      name: 'shop',
      hosts: ['a.example.org'],
      rules: [{ backends: [{ service: 'web', port: 80 }], retries: { attempts: 2, perTryTimeout: '1s' } }],
    };
    expect(() => compileRoutes([policy], { dialect: 'traefik' })).toThrow(UnsupportedFeatureError);
    const plain = { ...policy, rules: [{ ...policy.rules[0]!, retries: { attempts: 2 } }] };
    const { actual, difference } = run([plain], request({ method: 'POST' }));
    expect(difference).toBeUndefined();
    expect(actual.kind === 'forward' && actual.applied.retries).toEqual({ attempts: 2 });
  });
});

describe('traefik oracle: compiled behaviours', () => {
  it('refuses a denied client with 403 on its own rule, not by falling through to another rule', () => {
    const policies: RoutingPolicy[] = [
      {
        name: 'shop',
        namespace: 'shop',
        hosts: ['a.example.org'],
        denySourceRanges: ['192.0.2.0/24'],
        rules: [
          { matches: [{ path: { type: 'PathPrefix', value: '/api' } }], backends: [{ service: 'api', port: 80 }] },
        ],
      },
      {
        name: 'wild',
        namespace: 'shop',
        hosts: ['a.example.org'],
        rules: [{ backends: [{ service: 'web', port: 80 }] }],
      },
    ];
    const denied = run(policies, request({ path: '/api/x', sourceIp: '192.0.2.7' }));
    expect(denied.actual).toEqual({ kind: 'denied' });
    expect(denied.difference).toBeUndefined();
    expect(backendOf(run(policies, request({ path: '/api/x' })).actual)).toBe('api');
    expect(backendOf(run(policies, request({ path: '/x', sourceIp: '192.0.2.7' })).actual)).toBe('web');
  });

  it('upgrades every HTTP path of a TLS host, and a wildcard leaves exact hosts to their policies', () => {
    const policies: RoutingPolicy[] = [
      {
        name: 'wild',
        namespace: 'shop',
        hosts: ['*.example.org'],
        tls: { secretName: 'cert' },
        rules: [
          { matches: [{ path: { type: 'PathPrefix', value: '/app' } }], backends: [{ service: 'wild', port: 80 }] },
        ],
      },
      {
        name: 'plain',
        namespace: 'shop',
        hosts: ['a.example.org'],
        rules: [{ backends: [{ service: 'plain', port: 80 }] }],
      },
    ];
    for (const req of [request({ host: 'b.example.org', path: '/nothing' }), request({ path: '/app' })]) {
      expect(run(policies, req).difference).toBeUndefined();
    }
    expect(run(policies, request({ host: 'b.example.org', path: '/x' })).actual).toMatchObject({
      kind: 'redirect',
      status: 301,
    });
    expect(backendOf(run(policies, request({ path: '/app' })).actual)).toBe('plain');
  });

  it('passes an exact SNI host through before any HTTPS router, and terminates the other hosts of the wildcard', () => {
    const policies: RoutingPolicy[] = [
      {
        name: 'tcp',
        namespace: 'shop',
        hosts: ['a.example.org'],
        tls: { passthrough: true },
        rules: [{ backends: [{ service: 'tls', port: 443 }] }],
      },
      {
        name: 'web',
        namespace: 'shop',
        hosts: ['*.example.org'],
        tls: { secretName: 'cert' },
        rules: [{ backends: [{ service: 'web', port: 80 }] }],
      },
    ];
    const through = run(policies, request({ scheme: 'https' }));
    expect(through.actual).toMatchObject({ kind: 'passthrough' });
    expect(through.difference).toBeUndefined();
    expect(backendOf(run(policies, request({ scheme: 'https', host: 'b.example.org' })).actual)).toBe('web');
  });
});

describe('traefik oracle: controller behaviours', () => {
  it('ranks routers by priority alone, host ignored, and by rule length without one', () => {
    const objects = [
      ingressRoute('a', [
        { kind: 'Rule', match: 'Host(`a.example.org`) && PathPrefix(`/`)', services: [{ name: 'exact', port: 80 }] },
      ]),
      ingressRoute('b', [
        {
          kind: 'Rule',
          match: 'Host(`*.example.org`) && PathPrefix(`/api/long`)',
          services: [{ name: 'wild', port: 80 }],
        },
      ]),
    ];
    expect(backendOf(interpretTraefik({ objects }, request({ path: '/api/long' })))).toBe('wild');
    expect(backendOf(interpretTraefik({ objects }, request({ path: '/x' })))).toBe('exact');
  });

  it('matches PathPrefix by characters and wildcard hosts by one label', () => {
    const objects = [ingressRoute('a', [route('Host(`*.example.org`) && PathPrefix(`/api`)', 5, 'api')])];
    expect(backendOf(interpretTraefik({ objects }, request({ path: '/apix' })))).toBe('api');
    expect(interpretTraefik({ objects }, request({ host: 'a.b.example.org', path: '/api' }))).toEqual({
      kind: 'no-route',
    });
  });

  it('refuses to pick between equal priorities that lead to different backends', () => {
    const objects = [ingressRoute('a', [route('PathPrefix(`/`)', 5, 'one'), route('Host(`a.example.org`)', 5, 'two')])];
    expect(() => interpretTraefik({ objects }, request())).toThrow(/tie/);
  });

  it('serves a TLS router on websecure only, and a repeated rule in one IngressRoute replaces the earlier', () => {
    const tls = { ...ingressRoute('t', [route('PathPrefix(`/`)', 1, 'secure')], 'websecure') };
    (tls as any).spec.tls = { secretName: 'cert' };
    const dup = ingressRoute('d', [route('PathPrefix(`/`)', 1, 'first'), route('PathPrefix(`/`)', 1, 'second')]);
    expect(backendOf(interpretTraefik({ objects: [tls, dup] }, request({ scheme: 'https' })))).toBe('secure');
    expect(backendOf(interpretTraefik({ objects: [tls, dup] }, request()))).toBe('second');
  });

  it('redirects with 301 to GET and 308 to other methods when permanent; an unchanged URL is no redirect', () => {
    const mw: KubeObject = {
      apiVersion: 'traefik.io/v1alpha1',
      kind: 'Middleware',
      metadata: { name: 'up', namespace: 'shop' },
      spec: { redirectScheme: { scheme: 'https', permanent: true } },
    };
    const objects = [
      mw,
      ingressRoute('a', [{ ...route('PathPrefix(`/`)', 1, 'noop@internal'), middlewares: [{ name: 'up' }] }]),
    ];
    expect(interpretTraefik({ objects }, request({ path: '/x', query: { q: '1' } }))).toEqual({
      kind: 'redirect',
      status: 301,
      location: 'https://a.example.org/x',
    });
    expect(interpretTraefik({ objects }, request({ method: 'POST' }))).toMatchObject({ status: 308 });
  });

  it('throws on what it does not model', () => {
    const objects = [ingressRoute('a', [route('HeaderRegexp(`x`, `y`) || Weird(`z`)', 1, 'x')])];
    expect(() => interpretTraefik({ objects }, request())).toThrow(/Weird/);
    const odd: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } };
    expect(() => interpretTraefik({ objects: [odd] }, request())).toThrow(/ConfigMap/);
  });
});

describe('traefik oracle: property', () => {
  it('agrees with the model on generated environments', () => {
    const stats = checkDialect('traefik', interpretTraefik);
    console.log(describeStats('traefik', stats));
    expect(stats.compared).toBeGreaterThan(0);
  });
});

describe("traefik: '$' in replacements (issue 14)", () => {
  it("writes a literal '$' of a redirect or rewrite target as '$$', so it never names a capture group", () => {
    const policy: RoutingPolicy = {
      name: 'shop',
      namespace: 'shop',
      hosts: ['a.example.org'],
      acceptApproximations: ['redirect', 'redirect.path'],
      rules: [
        { backends: [{ service: 'web', port: 80 }] },
        { matches: [{ path: { type: 'PathPrefix', value: '/old' } }], redirect: { path: '/price$2', statusCode: 302 } },
        {
          matches: [{ path: { type: 'PathPrefix', value: '/v1' } }],
          rewrite: { pathPrefix: '/$1' },
          backends: [{ service: 'api', port: 80 }],
        },
      ],
    };
    const compiled = compileRoutes([policy], { dialect: 'traefik' });
    const text = JSON.stringify(compiled.objects);
    expect(text).toContain('/price$$2');
    // The literal '$1' doubled, then Traefik's own capture reference for the rest of the path.
    expect(text).toContain(['/$$1', '$', '{1}'].join(''));
    const redirect = interpretTraefik(compiled, request({ path: '/old/x' }));
    expect(redirect).toMatchObject({ kind: 'redirect', location: 'http://a.example.org/price$2' });
    const rewritten = interpretTraefik(compiled, request({ path: '/v1/x' }));
    expect(rewritten).toMatchObject({ kind: 'forward', path: '/$1/x' });
  });
});
