import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRoutes } from '../../../constructs/routing/compile';
import { describeMatch, detectConflicts } from '../../../constructs/routing/conflicts';
import { RouteConflictError } from '../../../constructs/routing/errors';
import type { RouteMatch, RoutingPolicy } from '../../../constructs/routing/types';

function policy(name: string, matches: RouteMatch[] | undefined, extra: Partial<RoutingPolicy> = {}): RoutingPolicy {
  return {
    name,
    hosts: ['shop.example.com'],
    rules: [{ ...(matches ? { matches } : {}), backends: [{ service: name, port: 80 }] }],
    ...extra,
  };
}
const prefix = (value: string): RouteMatch => ({ path: { type: 'PathPrefix', value } });

describe('detectConflicts', () => {
  it('reports two policies claiming the same host and prefix', () => {
    expect(detectConflicts([policy('a', [prefix('/api')]), policy('b', [prefix('/api')])])).toEqual([
      { host: 'shop.example.com', match: 'PathPrefix /api', rules: ['a.rules[0]', 'b.rules[0]'] },
    ]);
  });

  it('treats a missing match as PathPrefix /', () => {
    expect(detectConflicts([policy('a', undefined), policy('b', [prefix('/')])])).toHaveLength(1);
  });

  it('treats /v1 and /v1/ prefixes as the same claim', () => {
    expect(detectConflicts([policy('a', [prefix('/v1')]), policy('b', [prefix('/v1/')])])).toHaveLength(1);
  });

  it.each<[string, RouteMatch, RouteMatch]>([
    ['exact /v1 and prefix /v1', { path: { type: 'Exact', value: '/v1' } }, prefix('/v1')],
    [
      'different header values',
      { headers: [{ name: 'x-env', value: 'a' }] },
      { headers: [{ name: 'x-env', value: 'b' }] },
    ],
    ['a header match and none', { headers: [{ name: 'x-env', value: 'a' }] }, prefix('/')],
    ['different methods', { method: 'GET' }, { method: 'POST' }],
    ['a method and none', { method: 'GET' }, prefix('/')],
    [
      'different query values',
      { queryParams: [{ name: 'v', value: '1' }] },
      { queryParams: [{ name: 'v', value: '2' }] },
    ],
    ['different cookies', { cookie: { name: 'beta', value: '1' } }, { cookie: { name: 'beta', value: '2' } }],
    [
      'exact header and regex header',
      { headers: [{ name: 'x', value: 'a' }] },
      { headers: [{ name: 'x', value: '^a$', type: 'RegularExpression' }] },
    ],
  ])('does not report %s', (_what, a, b) => {
    expect(detectConflicts([policy('a', [a]), policy('b', [b])])).toEqual([]);
  });

  it('matches header names case-insensitively and in any order', () => {
    const a: RouteMatch = {
      headers: [
        { name: 'X-Env', value: 'beta' },
        { name: 'x-team', value: 'red' },
      ],
    };
    const b: RouteMatch = {
      headers: [
        { name: 'x-team', value: 'red' },
        { name: 'x-env', value: 'beta' },
      ],
    };
    expect(detectConflicts([policy('a', [a]), policy('b', [b])])).toEqual([
      {
        host: 'shop.example.com',
        match: 'PathPrefix /, header x-env=beta, header x-team=red',
        rules: ['a.rules[0]', 'b.rules[0]'],
      },
    ]);
  });

  it('keys by host: different hosts and a wildcard beside a precise host do not conflict, the same wildcard does', () => {
    const other = policy('b', [prefix('/')], { hosts: ['other.example.com'] });
    expect(detectConflicts([policy('a', [prefix('/')]), other])).toEqual([]);
    const wildcard = (name: string) => policy(name, [prefix('/')], { hosts: ['*.example.com'] });
    expect(detectConflicts([policy('a', [prefix('/')]), wildcard('b')])).toEqual([]);
    expect(detectConflicts([wildcard('a'), wildcard('b')])).toEqual([
      { host: '*.example.com', match: 'PathPrefix /', rules: ['a.rules[0]', 'b.rules[0]'] },
    ]);
  });

  it('reports two rules of one policy, and every pair of three', () => {
    const twice: RoutingPolicy = {
      name: 'a',
      hosts: ['shop.example.com'],
      rules: [
        { matches: [prefix('/x')], backends: [{ service: 'a', port: 80 }] },
        { matches: [prefix('/x')], backends: [{ service: 'b', port: 80 }] },
      ],
    };
    expect(detectConflicts([twice]).map((c) => c.rules)).toEqual([['a.rules[0]', 'a.rules[1]']]);
    const three = detectConflicts(['a', 'b', 'c'].map((n) => policy(n, [prefix('/')])));
    expect(three.map((c) => c.rules)).toEqual([
      ['a.rules[0]', 'b.rules[0]'],
      ['a.rules[0]', 'c.rules[0]'],
      ['b.rules[0]', 'c.rules[0]'],
    ]);
  });

  it('reports the same host with different TLS settings, and not with the same ones', () => {
    const tls = (name: string, secretName: string) => policy(name, [prefix(`/${name}`)], { tls: { secretName } });
    expect(detectConflicts([tls('a', 's1'), tls('b', 's2')])).toEqual([
      { host: 'shop.example.com', match: 'tls', rules: ['a.tls', 'b.tls'] },
    ]);
    expect(detectConflicts([tls('a', 's1'), tls('b', 's1')])).toEqual([]);
    expect(detectConflicts([tls('a', 's1'), policy('b', [prefix('/b')])])).toHaveLength(1);
  });

  it('describes matches canonically', () => {
    expect(
      describeMatch({
        path: { type: 'Exact', value: '/a' },
        method: 'GET',
        queryParams: [{ name: 'q', value: '^x$', type: 'RegularExpression' }],
        cookie: { name: 'c', value: 'v' },
      }),
    ).toBe('Exact /a, method GET, query q~^x$, cookie c=v');
  });

  it('finds a conflict for every rule of any policy deployed twice under two names', () => {
    const segment = fc.stringMatching(/^[a-z]{1,6}$/);
    const match = fc.record(
      {
        path: fc.record({
          type: fc.constantFrom('Exact' as const, 'PathPrefix' as const),
          value: segment.map((s) => `/${s}`),
        }),
        method: fc.constantFrom('GET' as const, 'POST' as const),
        // Header names are unique within a match (validation refuses repeats).
        headers: fc.uniqueArray(fc.record({ name: segment, value: segment }), {
          minLength: 1,
          maxLength: 2,
          selector: (h) => h.name,
        }),
      },
      { requiredKeys: ['path'] },
    );
    fc.assert(
      fc.property(fc.array(match, { minLength: 1, maxLength: 5 }), (matches) => {
        const a = policy('a', matches);
        const conflicts = detectConflicts([a, { ...a, name: 'b' }]);
        const distinct = new Set(matches.map(describeMatch));
        expect(conflicts.filter((c) => c.match !== 'tls')).toHaveLength(distinct.size);
      }),
    );
  });

  it('makes compileRoutes refuse conflicts with RouteConflictError, listing them', () => {
    const policies = [policy('a', [prefix('/api')]), policy('b', [prefix('/api')])];
    expect(() => compileRoutes(policies, { dialect: 'gateway-api' })).toThrow(RouteConflictError);
    try {
      compileRoutes(policies, { dialect: 'gateway-api' });
    } catch (e) {
      const error = e as RouteConflictError;
      expect(error.conflicts).toEqual(detectConflicts(policies));
      expect(error.path).toBe('a.rules[0]');
      expect(error.message).toMatch(/shop.example.com PathPrefix \/api: a.rules\[0\] and b.rules\[0\]/);
    }
  });

  it('qualifies policy names used in several namespaces (found by the property tests)', () => {
    const a = policy('api', [prefix('/a')], { namespace: 'shop', tls: { secretName: 'cert' } });
    const b = policy('api', [prefix('/b')], { namespace: 'web', tls: { secretName: 'cert' } });
    // One Secret name in two namespaces is two certificates for one host (issue 13: was missed).
    expect(detectConflicts([a, b])).toEqual([
      { host: 'shop.example.com', match: 'tls', rules: ['shop/api.tls', 'web/api.tls'] },
    ]);
  });

  it('accepts two policies whose certificates come from one ClusterIssuer (issue 13: was a false conflict)', () => {
    const a = policy('a', [prefix('/a')], { namespace: 'shop', tls: { clusterIssuer: 'le' } });
    const b = policy('b', [prefix('/b')], { namespace: 'shop', tls: { clusterIssuer: 'le' } });
    const c = policy('c', [prefix('/c')], { namespace: 'web', tls: { clusterIssuer: 'le' } });
    expect(detectConflicts([a, b, c])).toEqual([]);
    const other = policy('d', [prefix('/d')], { namespace: 'shop', tls: { clusterIssuer: 'staging' } });
    expect(detectConflicts([a, other])).toEqual([
      { host: 'shop.example.com', match: 'tls', rules: ['a.tls', 'd.tls'] },
    ]);
  });

  it.each([
    ['^(.*;\\s*)?beta=1(;.*)?$', true],
    ['^(.*;\\s*)?beta=1.*(;.*)?$', false],
    ['^(.*;\\s*)?beta=2(;.*)?$', false],
  ])('sees a Cookie header regex %s as the cookie match it spells: %s (issue 13)', (value, same) => {
    const cookie = policy('a', [{ ...prefix('/api'), cookie: { name: 'beta', value: '1' } }]);
    const header = policy('b', [
      { ...prefix('/api'), headers: [{ name: 'Cookie', value, type: 'RegularExpression' }] },
    ]);
    expect(detectConflicts([cookie, header])).toHaveLength(same ? 1 : 0);
  });
});

describe('detectConflicts: a regular expression that spells one path', () => {
  it.each([
    ['^/a$', 1],
    ['^/api/v1$', 1],
    ['^/a/?$', 0],
    ['^/a.*$', 0],
  ])('Exact /a(/api/v1) beside RegularExpression %s: %d conflict(s) (issue 13, case 13)', (regex, count) => {
    const path = regex.includes('v1') ? '/api/v1' : '/a';
    const exact = policy('a', [{ path: { type: 'Exact', value: path } }]);
    const re = policy('b', [{ path: { type: 'RegularExpression', value: regex } }]);
    expect(detectConflicts([exact, re])).toHaveLength(count);
  });
});

describe('compileRoutes: generated names', () => {
  const named = (policy: string, rule: string, path: string): RoutingPolicy => ({
    name: policy,
    namespace: 'shop',
    hosts: ['x.test'],
    rules: [{ name: rule, matches: [prefix(path)], backends: [{ service: rule, port: 80 }] }],
  });

  it.each(['ingress-nginx', 'haproxy', 'openshift-route'] as const)(
    '%s: refuses policy a-b rule c beside policy a rule b-c, which emit one object (issue 14)',
    (dialect) => {
      expect(() => compileRoutes([named('a-b', 'c', '/one'), named('a', 'b-c', '/two')], { dialect })).toThrow(
        /policies 'a-b' and 'a' both emit .*\/shop\/a-b-c with different contents/,
      );
    },
  );

  it('collapses identical objects and keeps distinct names apart', () => {
    const result = compileRoutes([named('a-b', 'c', '/one'), named('a', 'd', '/two')], { dialect: 'ingress-nginx' });
    const names = result.objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(new Set(names).size).toBe(names.length);
  });
});
