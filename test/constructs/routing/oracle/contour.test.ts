import { describe, expect, it } from 'vitest';
import { compileRoutes } from '../../../../constructs/routing/compile';
import { outcomeDifference } from '../../../../constructs/routing/oracle/compare';
import { interpretContour } from '../../../../constructs/routing/oracle/contour';
import { modelOutcome } from '../../../../constructs/routing/oracle/model';
import type { TrafficRequest } from '../../../../constructs/routing/oracle/types';
import type { KubeObject, RoutingPolicy } from '../../../../constructs/routing/types';
import { checkDialect, describeStats } from './harness';
import { requestWith } from './requests';

const request = requestWith({ sourceIp: '203.0.113.9' });

function run(policies: RoutingPolicy[], req: TrafficRequest) {
  const compiled = compileRoutes(policies, { dialect: 'contour' });
  const actual = interpretContour(compiled, req);
  return { compiled, actual, difference: outcomeDifference(modelOutcome(policies, req), actual) };
}

const root = (fqdn: string, routes: unknown[], extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'projectcontour.io/v1',
  kind: 'HTTPProxy',
  metadata: { name: fqdn.replace('*', 'wild'), namespace: 'shop' },
  spec: { virtualhost: { fqdn, ...extra }, routes },
});
const to = (service: string, conditions: unknown[] = []) => ({ conditions, services: [{ name: service, port: 80 }] });
const backendOf = (o: ReturnType<typeof interpretContour>) =>
  o.kind === 'forward' ? o.backends.map((b) => b.service).join(',') : o.kind;

describe('contour oracle: issue 13 cases', () => {
  it('case 15: a wildcard CORS origin admits subdomains (a regex, not an exact origin)', () => {
    const policy: RoutingPolicy = {
      name: 'shop',
      namespace: 'shop',
      hosts: ['a.example.org'],
      cors: { allowOrigins: ['https://*.partner.com', 'https://app.example.org'] },
      rules: [{ backends: [{ service: 'web', port: 80 }] }],
    };
    const { compiled, difference } = run([policy], request());
    expect(difference).toBeUndefined();
    const vhost = compiled.objects.find((o) => (o as any).spec.virtualhost) as any;
    const [wild, exact] = vhost.spec.virtualhost.corsPolicy.allowOrigin as string[];
    expect(exact).toBe('https://app.example.org');
    // Contour matches 'scheme://host[:port]' exactly and anything else as a regex (toCORSPolicy).
    expect(/^https?:\/\/[^/]+$/.test(wild!)).toBe(false);
    const re = new RegExp(wild!);
    expect(['https://a.partner.com', 'https://a.b.partner.com'].every((o) => re.test(o))).toBe(true);
    expect(['https://partner.com', 'https://xpartner.com'].some((o) => re.test(o))).toBe(false);
  });

  it('case 18: retries.attempts 0 means no retry policy (count 0 would be one retry)', () => {
    const policy: RoutingPolicy = {
      name: 'shop',
      namespace: 'shop',
      hosts: ['a.example.org'],
      rules: [{ backends: [{ service: 'web', port: 80 }], retries: { attempts: 0 } }],
    };
    const { actual, difference } = run([policy], request());
    expect(difference).toBeUndefined();
    expect(actual.kind === 'forward' && actual.applied.retries).toBeUndefined();
    const two = { ...policy, rules: [{ ...policy.rules[0]!, retries: { attempts: 2, perTryTimeout: '1s' } }] };
    const retried = run([two], request());
    expect(retried.difference).toBeUndefined();
    expect(retried.actual.kind === 'forward' && retried.actual.applied.retries).toEqual({
      attempts: 2,
      perTryTimeout: 1000,
    });
  });
});

describe('contour oracle: rule order', () => {
  it('refuses equally specific rules that Contour would order by header name instead of rule order', () => {
    const rules = [
      {
        matches: [
          { path: { type: 'PathPrefix' as const, value: '/api' }, headers: [{ name: 'x-canary', value: 'on' }] },
        ],
        backends: [{ service: 'header', port: 80 }],
      },
      {
        matches: [{ path: { type: 'PathPrefix' as const, value: '/api' }, cookie: { name: 'beta', value: '1' } }],
        backends: [{ service: 'cookie', port: 80 }],
      },
    ];
    const policy: RoutingPolicy = { name: 'shop', namespace: 'shop', hosts: ['a.example.org'], rules };
    // 'Cookie' sorts before 'x-canary': the cookie rule would take a request both match.
    expect(() => compileRoutes([policy], { dialect: 'contour' })).toThrow(/not by rule order/);
    const swapped = { ...policy, rules: [rules[1]!, rules[0]!] };
    const both = request({ path: '/api', headers: { 'x-canary': 'on' }, cookies: { beta: '1' } });
    const { actual, difference } = run([swapped], both);
    expect(difference).toBeUndefined();
    expect(backendOf(actual)).toBe('cookie');
  });
});

describe('contour oracle: methods', () => {
  it('matches a method as the :method pseudo-header, ranked before header counts as the model ranks it', () => {
    const policy: RoutingPolicy = {
      name: 'shop',
      namespace: 'shop',
      hosts: ['a.example.org'],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/api' }, headers: [{ name: 'x-canary', value: 'on' }] }],
          backends: [{ service: 'header', port: 80 }],
        },
        {
          matches: [{ path: { type: 'PathPrefix', value: '/api' }, method: 'POST' }],
          backends: [{ service: 'post', port: 80 }],
        },
      ],
    };
    for (const [method, canary, expected] of [
      ['POST', 'on', 'post'],
      ['GET', 'on', 'header'],
      ['GET', undefined, 'no-route'],
    ] as const) {
      const { actual, difference } = run(
        [policy],
        request({ path: '/api', method, headers: canary ? { 'x-canary': canary } : {} }),
      );
      expect(difference).toBeUndefined();
      expect(backendOf(actual)).toBe(expected);
    }
  });
});

describe('contour oracle: regular expressions', () => {
  it('searches a header regex with a top-level alternation as the model does (Envoy matches whole values)', () => {
    const policy: RoutingPolicy = {
      name: 'shop',
      namespace: 'shop',
      hosts: ['a.example.org'],
      rules: [
        {
          matches: [
            {
              path: { type: 'RegularExpression', value: '^/img/.*$' },
              headers: [{ name: 'x-env', value: '^bet|ing$', type: 'RegularExpression' }],
            },
          ],
          backends: [{ service: 'img', port: 80 }],
        },
      ],
    };
    for (const [path, env, hit] of [
      ['/img/cat.png', 'beta', true],
      ['/img/', 'staging', true],
      ['/imgs', 'beta', false],
      ['/img/x', 'alphabet', false],
    ] as const) {
      const { actual, difference } = run([policy], request({ path, headers: { 'x-env': env } }));
      expect(difference).toBeUndefined();
      expect(backendOf(actual)).toBe(hit ? 'img' : 'no-route');
    }
  });
});

describe('contour oracle: controller behaviours', () => {
  it('orders exact, then regex, then prefix, longest first, whatever the manifest order', () => {
    const objects = [
      root('a.example.org', [
        to('root', [{ prefix: '/' }]),
        to('prefix', [{ prefix: '/api' }]),
        to('regex', [{ regex: '/api(/.*)?' }]),
        to('exact', [{ exact: '/api' }]),
      ]),
    ];
    expect(backendOf(interpretContour({ objects }, request({ path: '/api' })))).toBe('exact');
    expect(backendOf(interpretContour({ objects }, request({ path: '/api/x' })))).toBe('regex');
    expect(backendOf(interpretContour({ objects }, request({ path: '/apix' })))).toBe('prefix');
  });

  it('matches prefixes by characters, and more header conditions first on equal paths', () => {
    const objects = [
      root('a.example.org', [
        to('plain', [{ prefix: '/a' }]),
        to('canary', [{ prefix: '/a' }, { header: { name: 'x', exact: '1' } }]),
      ]),
    ];
    expect(backendOf(interpretContour({ objects }, request({ path: '/ab' })))).toBe('plain');
    expect(backendOf(interpretContour({ objects }, request({ path: '/a', headers: { x: '1' } })))).toBe('canary');
  });

  it('keeps the last of two routes with the same conditions', () => {
    const objects = [root('a.example.org', [to('first', [{ exact: '/a' }]), to('second', [{ exact: '/a' }])])];
    expect(backendOf(interpretContour({ objects }, request({ path: '/a' })))).toBe('second');
  });

  it('upgrades plain HTTP only for requests that match a route of a TLS host', () => {
    const objects = [root('a.example.org', [to('web', [{ prefix: '/app' }])], { tls: { secretName: 'cert' } })];
    expect(interpretContour({ objects }, request({ path: '/app' }))).toMatchObject({ kind: 'redirect', status: 301 });
    expect(interpretContour({ objects }, request({ path: '/other' }))).toEqual({ kind: 'no-route' });
  });

  it('counts a retry policy with count 0 as one retry', () => {
    const objects = [root('a.example.org', [{ ...to('web'), retryPolicy: { count: 0 } }])];
    expect(interpretContour({ objects }, request())).toMatchObject({ applied: { retries: { attempts: 1 } } });
  });

  it('gives a wildcard host one label and leaves the exact host its own routes', () => {
    const objects = [root('*.example.org', [to('wild')]), root('a.example.org', [to('exact', [{ prefix: '/x' }])])];
    expect(backendOf(interpretContour({ objects }, request({ host: 'b.example.org' })))).toBe('wild');
    expect(interpretContour({ objects }, request({ host: 'a.b.example.org' }))).toEqual({ kind: 'no-route' });
    expect(interpretContour({ objects }, request())).toEqual({ kind: 'no-route' });
  });

  it('throws on what it does not model', () => {
    const objects = [root('a.example.org', [{ ...to('web'), authPolicy: { disabled: true } }])];
    expect(() => interpretContour({ objects }, request())).toThrow(/authPolicy/);
  });
});

describe('contour oracle: property', () => {
  it('agrees with the model on generated environments', () => {
    const stats = checkDialect('contour', interpretContour);
    console.log(describeStats('contour', stats));
    expect(stats.compared).toBeGreaterThan(0);
  });
});
