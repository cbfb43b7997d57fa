import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidRoutingPolicyError } from '../../../constructs/routing/errors';
import type { RoutingPolicy } from '../../../constructs/routing/types';
import { validatePolicies } from '../../../constructs/routing/validate';
import { basePolicy, withRule } from './fixtures';

function errorOf(policies: unknown): InvalidRoutingPolicyError {
  try {
    validatePolicies(policies as RoutingPolicy[]);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidRoutingPolicyError);
    return e as InvalidRoutingPolicyError;
  }
  throw new Error('expected validatePolicies to throw');
}

const cases: [string, unknown, string, RegExp][] = [
  ['policy name', basePolicy({ name: 'Shop' }), 'policies[0].name', /DNS-1123 label/],
  ['namespace', basePolicy({ namespace: 'a_b' }), 'shop.namespace', /DNS-1123 label/],
  ['no hosts', basePolicy({ hosts: [] }), 'shop.hosts', /at least 1 item/],
  ['uppercase host', basePolicy({ hosts: ['Shop.example.com'] }), 'shop.hosts[0]', /lowercase/],
  ['bare wildcard', basePolicy({ hosts: ['*'] }), 'shop.hosts[0]', /bare '\*'/],
  ['duplicate host', basePolicy({ hosts: ['a.example.com', 'a.example.com'] }), 'shop.hosts[1]', /repeats a host/],
  ['TLS without a certificate source', basePolicy({ tls: {} }), 'shop.tls', /needs 'secretName'.*or 'clusterIssuer'/],
  ['TLS secret name', basePolicy({ tls: { secretName: 'Bad' } }), 'shop.tls.secretName', /DNS-1123 subdomain/],
  [
    'passthrough with a certificate',
    basePolicy({ tls: { passthrough: true, secretName: 's' } }),
    'shop.tls.passthrough',
    /cannot be combined/,
  ],
  [
    'passthrough with matches',
    withRule({ matches: [{ path: { type: 'Exact', value: '/' } }] }, { tls: { passthrough: true } }),
    'shop.rules[0]',
    /may only list backends/,
  ],
  [
    'passthrough with CORS',
    basePolicy({ tls: { passthrough: true }, cors: { allowOrigins: ['*'] } }),
    'shop.cors',
    /passthrough hides/,
  ],
  ['no rules', basePolicy({ rules: [] }), 'shop.rules', /at least 1 item/],
  ['rule name', withRule({ name: 'Web' }), 'shop.rules[0].name', /DNS-1123 label/],
  [
    'duplicate rule names',
    basePolicy({
      rules: [
        { name: 'a', backends: [{ service: 'a', port: 1 }] },
        { name: 'a', backends: [{ service: 'b', port: 1 }] },
      ],
    }),
    'shop.rules[1]',
    /repeats a rule name/,
  ],
  [
    'relative path',
    withRule({ matches: [{ path: { type: 'PathPrefix', value: 'api' } }] }),
    'shop.rules[0].matches[0].path.value',
    /start with '\/'/,
  ],
  [
    'path type',
    withRule({ matches: [{ path: { type: 'Prefix' as 'PathPrefix', value: '/' } }] }),
    'shop.rules[0].matches[0].path.type',
    /'Exact', 'PathPrefix' or 'RegularExpression'/,
  ],
  [
    'unanchored regex',
    withRule({ matches: [{ path: { type: 'RegularExpression', value: '/api/.*' } }] }),
    'shop.rules[0].matches[0].path.value',
    /anchored explicitly/,
  ],
  [
    'lookahead',
    withRule({ matches: [{ path: { type: 'RegularExpression', value: '^/a(?=b)$' } }] }),
    'shop.rules[0].matches[0].path.value',
    /lookarounds/,
  ],
  [
    'regex not from /',
    withRule({ matches: [{ path: { type: 'RegularExpression', value: '^api$' } }] }),
    'shop.rules[0].matches[0].path.value',
    /start with '\^\/'/,
  ],
  [
    'header name',
    withRule({ matches: [{ headers: [{ name: 'X Env', value: 'a' }] }] }),
    'shop.rules[0].matches[0].headers[0].name',
    /RFC 7230 token/,
  ],
  [
    'header regex',
    withRule({ matches: [{ headers: [{ name: 'x', value: 'a(', type: 'RegularExpression' }] }] }),
    'shop.rules[0].matches[0].headers[0].value',
    /does not compile|anchored/,
  ],
  [
    'duplicate header names',
    withRule({
      matches: [
        {
          headers: [
            { name: 'X-A', value: '1' },
            { name: 'x-a', value: '2' },
          ],
        },
      ],
    }),
    'shop.rules[0].matches[0].headers[1]',
    /repeats a header name/,
  ],
  [
    'method',
    withRule({ matches: [{ method: 'FETCH' as 'GET' }] }),
    'shop.rules[0].matches[0].method',
    /must be one of GET/,
  ],
  [
    'cookie value',
    withRule({ matches: [{ cookie: { name: 'beta', value: 'a b' } }] }),
    'shop.rules[0].matches[0].cookie.value',
    /RFC 6265/,
  ],
  [
    'neither backends nor redirect',
    withRule({ backends: undefined }),
    'shop.rules[0].backends',
    /required unless 'redirect'/,
  ],
  [
    'backends and redirect',
    withRule({ redirect: { scheme: 'https' } }),
    'shop.rules[0].redirect',
    /cannot be combined with 'backends'/,
  ],
  [
    'weight',
    withRule({ backends: [{ service: 'web', port: 80, weight: -1 }] }),
    'shop.rules[0].backends[0].weight',
    /from 0 to 1000000/,
  ],
  [
    'fractional weight',
    withRule({ backends: [{ service: 'web', port: 80, weight: 1.5 }] }),
    'shop.rules[0].backends[0].weight',
    /integer/,
  ],
  [
    'all weights zero',
    withRule({
      backends: [
        { service: 'a', port: 80, weight: 0 },
        { service: 'b', port: 80, weight: 0 },
      ],
    }),
    'shop.rules[0].backends',
    /every weight 0/,
  ],
  ['port', withRule({ backends: [{ service: 'web', port: 0 }] }), 'shop.rules[0].backends[0].port', /from 1 to 65535/],
  [
    'service name',
    withRule({ backends: [{ service: '1web', port: 80 }] }),
    'shop.rules[0].backends[0].service',
    /start with a lowercase letter/,
  ],
  [
    'duplicate backend',
    withRule({
      backends: [
        { service: 'web', port: 80 },
        { service: 'web', port: 80 },
      ],
    }),
    'shop.rules[0].backends[1]',
    /repeats a backend/,
  ],
  [
    'mixed protocols',
    withRule({
      backends: [
        { service: 'a', port: 80, protocol: 'grpc' },
        { service: 'b', port: 80 },
      ],
    }),
    'shop.rules[0].backends',
    /mixes backend protocols/,
  ],
  [
    'too many backends',
    withRule({ backends: Array.from({ length: 17 }, (_, i) => ({ service: `s${i}`, port: 80 })) }),
    'shop.rules[0].backends',
    /at most 16/,
  ],
  [
    'redirect code',
    withRule({ backends: undefined, redirect: { scheme: 'https', statusCode: 300 as 301 } }),
    'shop.rules[0].redirect.statusCode',
    /301, 302, 303, 307 or 308/,
  ],
  ['empty redirect', withRule({ backends: undefined, redirect: {} }), 'shop.rules[0].redirect', /would loop/],
  [
    'wildcard redirect host',
    withRule({ backends: undefined, redirect: { hostname: '*.example.com' } }),
    'shop.rules[0].redirect.hostname',
    /without a wildcard/,
  ],
  [
    'redirect with rewrite',
    withRule({ backends: undefined, redirect: { scheme: 'https' }, rewrite: { fullPath: '/' } }),
    'shop.rules[0].rewrite',
    /only applies to forwarded/,
  ],
  [
    'prefix rewrite without prefix match',
    withRule({ matches: [{ path: { type: 'Exact', value: '/a' } }], rewrite: { pathPrefix: '/b' } }),
    'shop.rules[0].rewrite.pathPrefix',
    /exactly one match with a PathPrefix/,
  ],
  ['both rewrites', withRule({ rewrite: { pathPrefix: '/', fullPath: '/' } }), 'shop.rules[0].rewrite', /keep one/],
  [
    'header set and removed',
    withRule({ requestHeaders: { set: { 'X-A': '1' }, remove: ['x-a'] } }),
    'shop.rules[0].requestHeaders.remove[0]',
    /either changed or removed/,
  ],
  [
    'header value with CRLF',
    withRule({ responseHeaders: { set: { 'X-A': 'a\r\nb' } } }),
    'shop.rules[0].responseHeaders.set.X-A',
    /control characters/,
  ],
  [
    'duration',
    withRule({ timeouts: { request: '10 seconds' } }),
    'shop.rules[0].timeouts.request',
    /Gateway API duration/,
  ],
  [
    'backend timeout above request',
    withRule({ timeouts: { request: '5s', backendRequest: '10s' } }),
    'shop.rules[0].timeouts.backendRequest',
    /must not exceed timeouts.request \(5s\)/,
  ],
  ['retry attempts', withRule({ retries: { attempts: 11 } }), 'shop.rules[0].retries.attempts', /from 0 to 10/],
  ['retry condition', withRule({ retries: { attempts: 2, on: [302] } }), 'shop.rules[0].retries.on[0]', /400-599/],
  [
    'mirror percent',
    withRule({ mirror: { backend: { service: 'shadow', port: 80 }, percent: 0 } }),
    'shop.rules[0].mirror.percent',
    /from 1 to 100/,
  ],
  [
    'affinity cookie',
    withRule({ sessionAffinity: { cookieName: 'a b' } }),
    'shop.rules[0].sessionAffinity.cookieName',
    /RFC 7230 token/,
  ],
  ['rate', basePolicy({ rateLimit: { requestsPerSecond: 0 } }), 'shop.rateLimit.requestsPerSecond', /from 1 to/],
  ['CIDR', basePolicy({ allowSourceRanges: ['10.0.0.1'] }), 'shop.allowSourceRanges[0]', /did you mean "10.0.0.1\/32"/],
  ['deny CIDR', basePolicy({ denySourceRanges: ['10.0.0.1/8'] }), 'shop.denySourceRanges[0]', /host bits set/],
  ['rule CIDR', withRule({ allowSourceRanges: ['nope'] }), 'shop.rules[0].allowSourceRanges[0]', /must be a CIDR/],
  ['body size', withRule({ maxBodySize: '8MB' }), 'shop.rules[0].maxBodySize', /positive size/],
  [
    'CORS wildcard with others',
    basePolicy({ cors: { allowOrigins: ['*', 'https://a.example.com'] } }),
    'shop.cors.allowOrigins',
    /mixes '\*'/,
  ],
  [
    'CORS wildcard with credentials',
    basePolicy({ cors: { allowOrigins: ['*'], allowCredentials: true } }),
    'shop.cors.allowCredentials',
    /browsers refuse/,
  ],
  [
    'CORS origin',
    basePolicy({ cors: { allowOrigins: ['example.com'] } }),
    'shop.cors.allowOrigins[0]',
    /scheme:\/\/host/,
  ],
  ['HSTS without TLS', basePolicy({ hsts: { maxAge: '1h' } }), 'shop.hsts', /needs 'tls'/],
  ['duplicate policy names', [basePolicy(), basePolicy()], 'policies[1]', /repeats a policy name/],
  ['SLO without an objective', withRule({ slo: {} }), 'shop.rules[0].slo', /sets no objective/],
  ['SLO of 100%', basePolicy({ slo: { availability: 100 } }), 'shop.slo.availability', /below 100.*no error budget/],
  ['SLO below 50%', withRule({ slo: { availability: 42 } }), 'shop.rules[0].slo.availability', /from 50 to below 100/],
  [
    'SLO with 4 decimals',
    withRule({ slo: { availability: 99.9999 } }),
    'shop.rules[0].slo.availability',
    /at most 3 decimals/,
  ],
  [
    'latency percentile',
    withRule({ slo: { latency: { percentile: 100, threshold: '250ms' } } }),
    'shop.rules[0].slo.latency.percentile',
    /from 50 to below 100/,
  ],
  [
    'latency threshold format',
    withRule({ slo: { latency: { percentile: 99, threshold: '0.25s' } } }),
    'shop.rules[0].slo.latency.threshold',
    /Gateway API duration/,
  ],
  [
    'zero latency threshold',
    withRule({ slo: { latency: { percentile: 99, threshold: '0ms' } } }),
    'shop.rules[0].slo.latency.threshold',
    /must be above 0/,
  ],
  [
    'SLO window in hours',
    withRule({ slo: { availability: 99, window: '720h' } }),
    'shop.rules[0].slo.window',
    /whole days/,
  ],
  ['SLO window of 91 days', basePolicy({ slo: { availability: 99, window: '91d' } }), 'shop.slo.window', /1d to 90d/],
  ['SLO window 0d', withRule({ slo: { availability: 99, window: '0d' } }), 'shop.rules[0].slo.window', /1d to 90d/],
  [
    'SLO window 07d',
    withRule({ slo: { availability: 99, window: '07d' } }),
    'shop.rules[0].slo.window',
    /leading zeros/,
  ],
  [
    'SLO on a redirect',
    basePolicy({
      rules: [
        { name: 'web', backends: [{ service: 'web', port: 80 }] },
        { name: 'old', redirect: { path: '/new' }, slo: { availability: 99.9 } },
      ],
    }),
    'shop.rules[1].slo',
    /nothing to measure on a redirect rule/,
  ],
  [
    'policy SLO covering no rule',
    basePolicy({ slo: { availability: 99.9 }, rules: [{ name: 'old', redirect: { path: '/new' } }] }),
    'shop.slo',
    /applies to no rule/,
  ],
  [
    'policy SLO with passthrough',
    basePolicy({ tls: { passthrough: true }, slo: { availability: 99.9 } }),
    'shop.slo',
    /passthrough hides/,
  ],
  [
    'SLO type',
    withRule({ slo: { availability: '99.9' as unknown as number } }),
    'shop.rules[0].slo.availability',
    /must be a number/,
  ],
  ['not an array', { name: 'x' }, 'policies', /must be an array/],
];

describe('validatePolicies', () => {
  it('accepts a valid policy', () => {
    expect(() => validatePolicies([basePolicy()])).not.toThrow();
  });

  it.each(cases)('rejects a bad %s, naming the field, the value and the fix', (_what, input, path, message) => {
    const error = errorOf(Array.isArray(input) || !(input as { hosts?: unknown }).hosts ? input : [input]);
    expect(error.path).toBe(path);
    expect(error.message.startsWith(`${path} (`)).toBe(true);
    expect(error.message).toMatch(message);
  });

  it('accepts service level objectives on a policy and on rules with backends', () => {
    const slo = { availability: 99.95, latency: { percentile: 99, threshold: '250ms' }, window: '28d' };
    expect(() => validatePolicies([basePolicy({ slo })])).not.toThrow();
    expect(() => validatePolicies([withRule({ slo: { latency: { percentile: 50, threshold: '1s' } } })])).not.toThrow();
    for (const availability of [50, 99.999, 99.5, 99.99])
      expect(() => validatePolicies([withRule({ slo: { availability, window: '90d' } })])).not.toThrow();
    expect(errorOf([withRule({ slo: { availabilty: 99.9 } as never })]).message).toBe(
      '`shop.rules[0].slo.availabilty`: unknown; did you mean `availability`?',
    );
  });

  it('accepts the same policy name in two namespaces', () => {
    expect(() => validatePolicies([basePolicy(), basePolicy({ namespace: 'other' })])).not.toThrow();
  });

  it('throws only InvalidRoutingPolicyError on structurally wrong input, never a TypeError', () => {
    const anyValue = fc.oneof(
      fc.constant(undefined),
      fc.constant(null),
      fc.integer(),
      fc.string(),
      fc.boolean(),
      fc.array(fc.anything(), { maxLength: 2 }),
      fc.object({ maxDepth: 1 }),
    );
    const number = fc.oneof(fc.double(), fc.constantFrom(99.9, 50, 100, 1e-300, -0), anyValue);
    const sloLike = fc.record(
      {
        availability: number,
        latency: fc.oneof(anyValue, fc.record({ percentile: number, threshold: anyValue }, { requiredKeys: [] })),
        window: fc.oneof(anyValue, fc.constantFrom('30d', '0d', '99d', 'd', '1.5d')),
      },
      { requiredKeys: [] },
    );
    const rule = fc.record(
      {
        name: anyValue,
        matches: fc.oneof(
          anyValue,
          fc.array(
            fc.record(
              { path: anyValue, headers: anyValue, queryParams: anyValue, method: anyValue, cookie: anyValue },
              { requiredKeys: [] },
            ),
            { maxLength: 2 },
          ),
        ),
        backends: fc.oneof(
          anyValue,
          fc.array(
            fc.record(
              { service: anyValue, port: anyValue, weight: anyValue, protocol: anyValue, namespace: anyValue },
              { requiredKeys: [] },
            ),
            { maxLength: 2 },
          ),
        ),
        redirect: anyValue,
        rewrite: anyValue,
        requestHeaders: anyValue,
        responseHeaders: anyValue,
        timeouts: anyValue,
        retries: anyValue,
        mirror: anyValue,
        sessionAffinity: anyValue,
        rateLimit: anyValue,
        allowSourceRanges: anyValue,
        maxBodySize: anyValue,
        slo: fc.oneof(anyValue, sloLike),
      },
      { requiredKeys: [] },
    );
    const policy = fc.record(
      {
        name: fc.oneof(fc.constant('shop'), anyValue),
        namespace: anyValue,
        hosts: fc.oneof(fc.constant(['shop.example.com']), anyValue),
        tls: anyValue,
        rules: fc.oneof(fc.array(rule, { maxLength: 2 }), anyValue),
        cors: anyValue,
        allowSourceRanges: anyValue,
        denySourceRanges: anyValue,
        rateLimit: anyValue,
        hsts: anyValue,
        slo: fc.oneof(anyValue, sloLike),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(fc.array(fc.oneof(policy, anyValue), { maxLength: 2 }), anyValue), (input) => {
        try {
          validatePolicies(input as RoutingPolicy[]);
        } catch (e) {
          if (!(e instanceof InvalidRoutingPolicyError)) throw e;
        }
      }),
      { numRuns: 3000 },
    );
  });
});
