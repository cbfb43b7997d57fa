import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidRoutingPolicyError } from '../../../constructs/routing/errors';
import {
  describeSlo,
  parseRoutingSnapshot,
  type RoutingSnapshot,
  renderRouteMap,
  renderRouteTable,
  routeTable,
} from '../../../constructs/routing/route-map';
import type { CompileTarget, RoutingPolicy } from '../../../constructs/routing/types';
import { basePolicy, withRule } from './fixtures';

const GATEWAY: CompileTarget = { dialect: 'gateway-api', implementation: 'envoy-gateway' };

const SHOP: RoutingPolicy = basePolicy({
  hosts: ['shop.example.com', 'www.example.com'],
  tls: { clusterIssuer: 'letsencrypt' },
  hsts: { maxAge: '365d' } as never,
  rules: [
    {
      name: 'canary',
      matches: [
        { path: { type: 'PathPrefix', value: '/api' }, method: 'POST', headers: [{ name: 'x-canary', value: '1' }] },
        {
          path: { type: 'Exact', value: '/health' },
          queryParams: [{ name: 'v', value: '^2', type: 'RegularExpression' }],
        },
      ],
      backends: [
        { service: 'api', port: 8080, weight: 3 },
        { service: 'api-next', port: 8080, weight: 1, namespace: 'next' },
      ],
    },
    {
      name: 'old',
      matches: [{ path: { type: 'PathPrefix', value: '/old' } }],
      redirect: { scheme: 'https', path: '/new', statusCode: 301 },
    },
  ],
});

describe('routeTable', () => {
  it('has one row per host and rule, with matches, weighted backends, features and dialect', () => {
    const rows = routeTable([SHOP], GATEWAY);
    expect(rows.map((r) => `${r.host} ${r.route}`)).toEqual([
      'shop.example.com shop/canary',
      'www.example.com shop/canary',
      'shop.example.com shop/old',
      'www.example.com shop/old',
    ]);
    expect(rows[0]).toEqual({
      host: 'shop.example.com',
      route: 'shop/canary',
      match: 'PathPrefix /api & POST & header x-canary=1 | Exact /health & query v~^2',
      backends: [
        { to: 'shop/api:8080', percent: 75 },
        { to: 'next/api-next:8080', percent: 25 },
      ],
      features: [
        'backend.cross-namespace',
        'hsts',
        'match.header',
        'match.method',
        'match.query',
        'path.exact',
        'path.prefix',
        'split.weighted',
        'tls.cert-manager',
        'tls.redirect-http',
        'tls.terminate',
      ],
      slo: '',
      dialect: 'gateway-api',
    });
    expect(rows[2]!.backends).toEqual([{ to: 'redirect https:///new 301', percent: 100 }]);
    expect(rows[2]!.features).toContain('redirect.path');
  });

  it('applies the documented defaults: PathPrefix /, weight 1, the policy namespace, redirect 302', () => {
    const rows = routeTable(
      [
        basePolicy({
          namespace: undefined,
          rules: [
            {
              backends: [
                { service: 'a', port: 80 },
                { service: 'b', port: 80 },
              ],
            },
          ],
        }),
        withRule({ name: 'r', backends: undefined, redirect: {} }, { name: 'moved' }),
      ],
      { dialect: 'traefik' },
    );
    expect(rows[0]).toMatchObject({
      route: 'shop/0',
      match: 'PathPrefix /',
      backends: [
        { to: 'default/a:80', percent: 50 },
        { to: 'default/b:80', percent: 50 },
      ],
      dialect: 'traefik',
    });
    expect(rows[1]!.backends).toEqual([{ to: 'redirect (same URL) 302', percent: 100 }]);
  });

  it('shows a passthrough policy as SNI routing and zero-weight backends as 0%', () => {
    const rows = routeTable(
      [
        withRule(
          {
            backends: [
              { service: 'db', port: 5432, weight: 1 },
              { service: 'db-next', port: 5432, weight: 0 },
            ],
          },
          { tls: { passthrough: true } },
        ),
      ],
      GATEWAY,
    );
    expect(rows[0]!.match).toBe('TLS passthrough (SNI)');
    expect(rows[0]!.backends.map((b) => b.percent)).toEqual([100, 0]);
    expect(rows[0]!.features).toContain('tls.passthrough');
  });

  it('gives every forwarding rule shares that add up to 100%, and no nonzero weight 0% (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 6 }), (weights) => {
        fc.pre(weights.some((w) => w > 0));
        const backends = weights.map((weight, i) => ({ service: `s${i}`, port: 80, weight }));
        const [row] = routeTable([withRule({ backends })], GATEWAY);
        const sum = row!.backends.reduce((s, b) => s + b.percent, 0);
        expect(Math.abs(sum - 100)).toBeLessThanOrEqual(0.015 * weights.length + 1e-9);
        row!.backends.forEach((b, i) => {
          expect(b.percent === 0).toBe(weights[i] === 0);
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe('renderRouteTable', () => {
  it('aligns columns under a header, one line per row', () => {
    const text = renderRouteTable(routeTable([basePolicy()], GATEWAY));
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^HOST\s+ROUTE\s+MATCH\s+BACKENDS\s+FEATURES\s+SLO\s+DIALECT$/);
    expect(lines[1]).toMatch(
      /^shop\.example\.com\s+shop\/web\s+PathPrefix \/\s+shop\/web:8080 100%\s+path\.prefix\s+-\s+gateway-api$/,
    );
    expect(lines[1]!.indexOf('shop/web')).toBe(lines[0]!.indexOf('ROUTE'));
  });
});

describe('describeSlo', () => {
  it('is empty without an objective', () => expect(describeSlo(undefined)).toBe(''));
  it('names availability, latency and the window, 30 days by default', () => {
    expect(describeSlo({ availability: 99.9 })).toBe('99.9% (30d)');
    expect(describeSlo({ latency: { percentile: 99, threshold: '300ms' }, window: '7d' })).toBe('p99 < 300ms (7d)');
    expect(describeSlo({ availability: 99.5, latency: { percentile: 95, threshold: '1s' } })).toBe(
      '99.5% / p95 < 1s (30d)',
    );
  });
  it("shows a rule's own objective over its policy's, and none on a redirect", () => {
    const policy: RoutingPolicy = {
      ...SHOP,
      slo: { availability: 99 },
      rules: [
        { ...SHOP.rules[0]!, slo: { availability: 99.95 } },
        ...SHOP.rules.slice(1),
        { name: 'plain', backends: [{ service: 'api', port: 8080 }] },
      ],
    };
    const rows = routeTable([policy], GATEWAY).filter((r) => r.host === 'shop.example.com');
    expect(rows.map((r) => [r.route, r.slo])).toEqual([
      ['shop/canary', '99.95% (30d)'],
      ['shop/old', ''],
      ['shop/plain', '99% (30d)'],
    ]);
    expect(renderRouteMap({ environment: 'prod', target: GATEWAY, policies: [policy] })).toContain('| 99.95% (30d) |');
  });
});

describe('renderRouteMap', () => {
  const snapshot: RoutingSnapshot = { environment: 'prod', target: GATEWAY, policies: [SHOP] };

  it('writes the table and a Mermaid flowchart hosts -> rules -> services with weights on the edges', () => {
    const doc = renderRouteMap(snapshot);
    expect(doc).toMatch(/^# Routes: prod\n/);
    expect(doc).toContain('Dialect: `gateway-api` (envoy-gateway). 4 route(s) over 2 host(s).');
    expect(doc).toContain(
      '| shop.example.com | shop/canary | PathPrefix /api & POST & header x-canary=1 \\| Exact /health & query v~^2 |',
    );
    const mermaid = doc.slice(doc.indexOf('```mermaid'), doc.lastIndexOf('```'));
    const lines = mermaid.split('\n').slice(2, -1);
    expect(lines.filter((l) => l.includes('(["'))).toHaveLength(2); // two hosts
    expect(lines.filter((l) => l.includes('[("'))).toHaveLength(2); // two services, declared once each
    expect(lines.filter((l) => l.includes('{{"'))).toHaveLength(1); // one redirect
    expect(lines).toContain('  r1 -->|75%| s2');
    expect(lines).toContain('  r1 -->|25%| s3');
    expect(lines.filter((l) => l.includes('-->'))).toHaveLength(2 + 2 + 3); // host->rule edges, rule->target edges
    expect(lines.find((l) => l.startsWith('  r1['))).toBe(
      '  r1["shop/canary<br/>PathPrefix /api & POST & header x-canary=1 | Exact /health & query v~^2"]',
    );
  });

  it('escapes quotes and angle brackets in labels so Mermaid cannot break out of them', () => {
    const doc = renderRouteMap({
      ...snapshot,
      policies: [withRule({ matches: [{ path: { type: 'RegularExpression', value: '/a"<b>' } }] })],
    });
    expect(doc).toContain('Regex /a#quot;#lt;b#gt;');
    expect(doc).not.toMatch(/\["[^\n]*"[^\n]*"\]/);
  });
});

describe('parseRoutingSnapshot', () => {
  const good = JSON.stringify({ environment: 'dev', target: { dialect: 'traefik' }, policies: [basePolicy()] });

  it('reads a snapshot synth wrote', () => {
    expect(parseRoutingSnapshot(good, 'dist/dev/routing.json').policies[0]!.name).toBe('shop');
  });

  it.each([
    ['{', /dist\/x\/routing.json: not JSON .*re-run synth/],
    ['null', /expected an object/],
    [
      JSON.stringify({ target: { dialect: 'traefik' }, policies: [] }),
      /'environment' must be a non-empty string, got undefined/,
    ],
    [
      JSON.stringify({ environment: 'x', target: { dialect: 'nginx' }, policies: [] }),
      /'target.dialect' must be one of gateway-api, .*got "nginx"/,
    ],
    [
      JSON.stringify({ environment: 'x', target: { dialect: 'traefik' }, policies: {} }),
      /'policies' must be an array, got \{\}/,
    ],
    [
      JSON.stringify({
        environment: 'x',
        target: { dialect: 'traefik' },
        policies: [basePolicy({ hosts: ['Bad_Host'] })],
      }),
      /dist\/x\/routing.json: .*shop\.hosts\[0\]/,
    ],
    [
      JSON.stringify({ environment: 'x', target: { dialect: 'traefik' }, policies: [], polices: [] }),
      /unknown key 'polices': did you mean 'policies'\?/,
    ],
    [
      JSON.stringify({ environment: 'x', target: { dialect: 'traefik', ingresClassName: 'a' }, policies: [] }),
      /target\.ingresClassName.*ingressClassName/,
    ],
    [
      JSON.stringify({
        environment: 'x',
        target: { dialect: 'traefik' },
        policies: [{ ...basePolicy(), denySourceRange: [] }],
      }),
      /denySourceRange.*denySourceRanges/,
    ],
  ])('refuses %s with an error naming the file and field', (text, message) => {
    expect(() => parseRoutingSnapshot(text, 'dist/x/routing.json')).toThrow(message);
    expect(() => parseRoutingSnapshot(text, 'dist/x/routing.json')).toThrow(InvalidRoutingPolicyError);
  });
});
