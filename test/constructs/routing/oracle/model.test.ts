import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { outcomeDifference } from '../../../../constructs/routing/oracle/compare';
import { modelOutcome } from '../../../../constructs/routing/oracle/model';
import type { TrafficRequest } from '../../../../constructs/routing/oracle/types';
import type { RoutingPolicy } from '../../../../constructs/routing/types';
import { validatePolicies } from '../../../../constructs/routing/validate';
import { scenarios } from './arbitraries';
import { requestWith } from './requests';

const req = requestWith({});

const web = (service: string, extra: object = {}) => ({ backends: [{ service, port: 80 }], ...extra });

const shop: RoutingPolicy = {
  name: 'shop',
  namespace: 'shop',
  hosts: ['a.example.org', '*.example.org'],
  rules: [
    web('root'),
    web('api', { matches: [{ path: { type: 'PathPrefix', value: '/api' } }] }),
    web('health', { matches: [{ path: { type: 'Exact', value: '/api/healthz' } }] }),
    web('canary', {
      matches: [{ path: { type: 'PathPrefix', value: '/api' }, headers: [{ name: 'X-Canary', value: 'on' }] }],
    }),
    web('post', { matches: [{ path: { type: 'PathPrefix', value: '/api' }, method: 'POST' }] }),
  ],
};

const serviceOf = (policies: readonly RoutingPolicy[], r: TrafficRequest) => {
  const o = modelOutcome(policies, r);
  return o.kind === 'forward' ? o.backends.map((b) => b.service).join(',') : o.kind;
};

describe('modelOutcome: precedence', () => {
  it('prefers Exact, then the longest prefix, then method, then headers; prefixes match whole segments', () => {
    expect(serviceOf([shop], req({ path: '/api/healthz' }))).toBe('health');
    expect(serviceOf([shop], req({ path: '/api/x' }))).toBe('api');
    expect(serviceOf([shop], req({ path: '/apix' }))).toBe('root');
    expect(serviceOf([shop], req({ path: '/api', headers: { 'x-canary': 'on' } }))).toBe('canary');
    // A method match outranks a header match (Gateway API precedence order).
    expect(serviceOf([shop], req({ path: '/api', method: 'POST', headers: { 'x-canary': 'on' } }))).toBe('post');
  });

  it('lets the exact host beat the wildcard and leaves deeper names unspecified', () => {
    const other: RoutingPolicy = { name: 'b', namespace: 'shop', hosts: ['b.example.org'], rules: [web('b')] };
    expect(serviceOf([shop, other], req({ host: 'b.example.org', path: '/api' }))).toBe('b');
    expect(serviceOf([shop, other], req({ host: 'c.example.org', path: '/api' }))).toBe('api');
    expect(modelOutcome([shop], req({ host: 'x.c.example.org' })).kind).toBe('unspecified');
    expect(modelOutcome([shop], req({ host: 'example.org' }))).toEqual({ kind: 'no-route' });
  });

  it('breaks ties inside a policy by rule order, leaves ties across policies and regex races unspecified', () => {
    const first: RoutingPolicy = {
      name: 'first',
      hosts: ['t.test'],
      rules: [
        web('one', { matches: [{ path: { type: 'PathPrefix', value: '/x' }, headers: [{ name: 'a', value: '1' }] }] }),
        web('two', { matches: [{ path: { type: 'PathPrefix', value: '/x' }, headers: [{ name: 'b', value: '1' }] }] }),
      ],
    };
    const both = req({ host: 't.test', path: '/x', headers: { a: '1', b: '1' } });
    expect(serviceOf([first], both)).toBe('one');
    const second: RoutingPolicy = {
      name: 'second',
      hosts: ['t.test'],
      rules: [
        web('three', {
          matches: [{ path: { type: 'PathPrefix', value: '/x' }, headers: [{ name: 'c', value: '1' }] }],
        }),
      ],
    };
    expect(modelOutcome([first, second], { ...both, headers: { a: '1', c: '1' } }).kind).toBe('unspecified');
    const regex: RoutingPolicy = {
      name: 'regex',
      hosts: ['r.test'],
      rules: [web('re', { matches: [{ path: { type: 'RegularExpression', value: '^/x.*$' } }] }), web('root')],
    };
    expect(modelOutcome([regex], req({ host: 'r.test', path: '/x' })).kind).toBe('unspecified');
    expect(serviceOf([regex], req({ host: 'r.test', path: '/y' }))).toBe('root');
  });
});

describe('modelOutcome: schemes, sources, actions', () => {
  const tls: RoutingPolicy = {
    name: 'tls',
    hosts: ['s.test'],
    tls: { secretName: 'cert' },
    hsts: { maxAge: '8760h' },
    allowSourceRanges: ['10.0.0.0/8'],
    rules: [
      web('app', { timeouts: { request: '1m30s' }, retries: { attempts: 0 } }),
      { matches: [{ path: { type: 'PathPrefix', value: '/old' } }], redirect: { hostname: 'n.test', port: 443 } },
    ],
  };

  it('upgrades HTTP to HTTPS before checking the client address', () => {
    expect(modelOutcome([tls], req({ host: 's.test', path: '/p', sourceIp: '192.0.2.1' }))).toEqual({
      kind: 'redirect',
      status: 301,
      location: 'https://s.test/p',
      httpsUpgrade: true,
      afterUpgrade: 'denied',
    });
    expect(modelOutcome([tls], req({ scheme: 'https', host: 's.test', sourceIp: '192.0.2.1' }))).toEqual({
      kind: 'denied',
      rule: 'tls.rules[0]',
    });
  });

  it('applies HSTS on HTTPS, resolves durations, drops zero retries, defaults the redirect to 302', () => {
    const o = modelOutcome([tls], req({ scheme: 'https', host: 's.test', path: '/p' }));
    expect(o).toMatchObject({
      kind: 'forward',
      path: '/p',
      host: 's.test',
      applied: {
        hsts: { maxAge: 31_536_000, includeSubdomains: false, preload: false },
        timeouts: { request: 90_000 },
      },
    });
    expect(o.kind === 'forward' ? o.applied.retries : 'not forwarded').toBeUndefined();
    expect(modelOutcome([tls], req({ scheme: 'https', host: 's.test', path: '/old/x' }))).toEqual({
      kind: 'redirect',
      status: 302,
      location: 'https://n.test/old/x',
      rule: 'tls.rules[1]',
    });
  });

  it('rewrites the matched prefix segment-wise and reduces weights to an exact distribution', () => {
    const p: RoutingPolicy = {
      name: 'rw',
      hosts: ['w.test'],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/old' } }],
          rewrite: { pathPrefix: '/new', hostname: 'up.test' },
          backends: [
            { service: 'a', port: 80, weight: 4 },
            { service: 'b', port: 80, weight: 2 },
            { service: 'c', port: 80, weight: 0 },
          ],
        },
      ],
    };
    expect(modelOutcome([p], req({ host: 'w.test', path: '/old' }))).toMatchObject({ path: '/new', host: 'up.test' });
    const o = modelOutcome([p], req({ host: 'w.test', path: '/old/x' }));
    expect(o).toMatchObject({
      path: '/new/x',
      backends: [
        { namespace: 'default', service: 'a', port: 80, weight: 2 },
        { namespace: 'default', service: 'b', port: 80, weight: 1 },
      ],
    });
  });

  it('passes TLS through to the first rule and leaves plain HTTP to a passthrough host unspecified', () => {
    const p: RoutingPolicy = { name: 'pt', hosts: ['p.test'], tls: { passthrough: true }, rules: [web('tls')] };
    expect(modelOutcome([p], req({ scheme: 'https', host: 'p.test' }))).toEqual({
      kind: 'passthrough',
      backends: [{ namespace: 'default', service: 'tls', port: 80, weight: 1 }],
      rule: 'pt.rules[0]',
    });
    expect(modelOutcome([p], req({ host: 'p.test' })).kind).toBe('unspecified');
  });
});

describe('outcomeDifference', () => {
  it('accepts 301 or 308 for the HTTPS upgrade only, and ignores the rule label', () => {
    const up = { kind: 'redirect', status: 301, location: 'https://h/p', httpsUpgrade: true } as const;
    expect(outcomeDifference(up, { kind: 'redirect', status: 308, location: 'https://h/p' })).toBeUndefined();
    expect(outcomeDifference(up, { kind: 'redirect', status: 302, location: 'https://h/p' })).toMatch(/status 302/);
    expect(outcomeDifference({ ...up, httpsUpgrade: undefined }, { ...up, status: 308 })).toMatch(/status/);
    const fwd = { kind: 'forward', backends: [], path: '/', host: 'h', applied: {} } as const;
    expect(outcomeDifference(fwd, { ...fwd, rule: 'x' })).toBeUndefined();
    expect(outcomeDifference(fwd, { ...fwd, applied: { maxBodySize: 1 } })).toMatch(/maxBodySize/);
  });
});

describe('modelOutcome: properties', () => {
  it('is total over valid environments: never throws, and forwards only to the rule backends it names', () => {
    fc.assert(
      fc.property(scenarios, ([policies, requests]) => {
        try {
          validatePolicies(policies);
        } catch {
          return;
        }
        for (const r of requests) {
          const o = modelOutcome(policies, r);
          if (o.kind === 'forward' || o.kind === 'passthrough') {
            const total = o.backends.reduce((s, b) => s + b.weight, 0);
            expect(total).toBeGreaterThan(0);
            expect(o.backends.every((b) => Number.isInteger(b.weight) && b.weight > 0)).toBe(true);
          }
          if (o.kind === 'forward' && r.scheme === 'http') expect(o.applied.hsts).toBeUndefined();
        }
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 300) },
    );
  });
});

describe('modelOutcome: the HTTPS upgrade of a request HTTPS would refuse', () => {
  it('records the refusal, and outcomeDifference accepts it answered over HTTP directly', () => {
    const p: RoutingPolicy = {
      name: 'tls',
      hosts: ['s.test'],
      tls: { secretName: 'cert' },
      denySourceRanges: ['192.0.2.0/24'],
      rules: [web('api', { matches: [{ path: { type: 'PathPrefix', value: '/api' } }] })],
    };
    const unmatched = modelOutcome([p], req({ host: 's.test', path: '/x' }));
    expect(unmatched).toMatchObject({ kind: 'redirect', httpsUpgrade: true, afterUpgrade: 'no-route' });
    expect(outcomeDifference(unmatched, { kind: 'no-route' })).toBeUndefined();
    expect(outcomeDifference(unmatched, { kind: 'denied' })).toMatch(/expected/);
    const denied = modelOutcome([p], req({ host: 's.test', path: '/api', sourceIp: '192.0.2.9' }));
    expect(denied).toMatchObject({ afterUpgrade: 'denied' });
    const served = modelOutcome([p], req({ host: 's.test', path: '/api' }));
    expect(served).not.toHaveProperty('afterUpgrade');
    expect(outcomeDifference(served, { kind: 'no-route' })).toMatch(/expected/);
  });
});
