import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidPropertyError, show } from '../../../constructs/core/validate';
import { compileRoutes } from '../../../constructs/routing/compile';
import { detectConflicts } from '../../../constructs/routing/conflicts';
import { InvalidRoutingPolicyError, RoutingError } from '../../../constructs/routing/errors';
import type { CompileTarget, RoutingPolicy } from '../../../constructs/routing/types';
import { validatePolicies } from '../../../constructs/routing/validate';
import {
  addKeyAt,
  exoticValue,
  FUZZ_RUNS,
  get,
  misspell,
  objectPositions,
  positions,
  renameAt,
  replaceAt,
  type Step,
  typeOf,
} from './mutate';

/** A valid policy that uses nearly every key of the contract. */
const RICH: RoutingPolicy = {
  name: 'shop',
  namespace: 'shop',
  hosts: ['shop.example.com', 'www.example.com'],
  tls: { clusterIssuer: 'letsencrypt', redirectHttp: true },
  hsts: { maxAge: '1h', includeSubdomains: true, preload: false },
  cors: {
    allowOrigins: ['https://app.example.com'],
    allowMethods: ['GET'],
    allowHeaders: ['x-a'],
    exposeHeaders: ['x-b'],
    allowCredentials: true,
    maxAge: '10s',
  },
  allowSourceRanges: ['10.0.0.0/8'],
  denySourceRanges: ['10.1.0.0/16'],
  rateLimit: { requestsPerSecond: 10, burst: 5 },
  slo: { availability: 99.9, latency: { percentile: 99, threshold: '250ms' }, window: '30d' },
  rules: [
    {
      name: 'api',
      matches: [
        {
          path: { type: 'PathPrefix', value: '/api' },
          headers: [{ name: 'x-env', value: 'beta', type: 'Exact' }],
          queryParams: [{ name: 'q', value: '1' }],
          method: 'GET',
          cookie: { name: 'c', value: 'v' },
        },
      ],
      backends: [
        { service: 'api', port: 8080, weight: 90, protocol: 'http' },
        { service: 'api-canary', port: 8080, weight: 10, namespace: 'shop' },
      ],
      requestHeaders: { set: { 'x-a': '1' }, add: { 'x-b': '2' }, remove: ['x-c'] },
      responseHeaders: { set: { 'x-d': '1' } },
      timeouts: { request: '10s', backendRequest: '5s', connect: '1s', idle: '60s' },
      retries: { attempts: 2, perTryTimeout: '2s', backoff: '100ms', on: ['5xx', 503] },
      mirror: { backend: { service: 'shadow', port: 80 }, percent: 10 },
      sessionAffinity: { cookieName: 'sticky', maxAge: '1h' },
      rateLimit: { requestsPerSecond: 5 },
      allowSourceRanges: ['10.2.0.0/16'],
      maxBodySize: '8m',
      slo: { availability: 99.5, window: '7d' },
    },
    {
      name: 'old',
      matches: [{ path: { type: 'Exact', value: '/old' } }],
      redirect: { scheme: 'https', hostname: 'new.example.com', path: '/new', port: 443, statusCode: 301 },
    },
    {
      name: 'web',
      matches: [{ path: { type: 'PathPrefix', value: '/web' } }],
      backends: [{ service: 'web', port: 80 }],
      rewrite: { pathPrefix: '/', hostname: 'web.internal' },
    },
  ],
};

const TARGET: CompileTarget = {
  dialect: 'gateway-api',
  gateway: {
    name: 'public',
    namespace: 'gw',
    httpListener: 'http',
    httpsListener: 'https',
    tlsPassthroughListener: 't',
  },
  implementation: 'envoy-gateway',
  channel: 'experimental',
  traefik: { webEntryPoint: 'web', websecureEntryPoint: 'websecure' },
  alb: { groupName: 'g', scheme: 'internal', certificateArns: ['arn:aws:acm:eu-west-1:123456789012:certificate/x'] },
  ingressClassName: 'nginx',
};

/** Maps of header names: any key is valid there, so no unknown-key mutation applies. */
const isFreeMap = (path: readonly Step[]) => path.length > 0 && ['set', 'add'].includes(String(path[path.length - 1]));
const POLICY_POSITIONS = positions(RICH);
const POLICY_OBJECTS = objectPositions(RICH).filter((p) => !isFreeMap(p));
const TARGET_POSITIONS = positions(TARGET);
const TARGET_OBJECTS = objectPositions(TARGET);

/** Every thrown error is a typed one: never a TypeError or RangeError. */
function typedOnly(run: () => unknown): Error | undefined {
  try {
    run();
    return undefined;
  } catch (e) {
    if (!(e instanceof RoutingError || e instanceof InvalidPropertyError)) throw e;
    return e;
  }
}

const entryPoints: [string, (p: unknown, t: unknown) => unknown][] = [
  ['validatePolicies', (p) => validatePolicies(p as RoutingPolicy[])],
  ['detectConflicts', (p) => detectConflicts(p as RoutingPolicy[])],
  ['compileRoutes', (p, t) => compileRoutes(p as RoutingPolicy[], t as CompileTarget)],
];

describe('strict routing input (property tests)', () => {
  it('the rich policy and target are valid', () => {
    expect(() => validatePolicies([RICH])).not.toThrow();
    // The rich policy uses features no single dialect has all of: compiling may refuse, but only typed.
    typedOnly(() => compileRoutes([RICH], TARGET));
  });

  it.each(entryPoints)('%s: arbitrary JSON and exotic values crash nothing', (_name, run) => {
    fc.assert(
      fc.property(
        fc.oneof(fc.jsonValue(), exoticValue, fc.array(fc.jsonValue())),
        fc.oneof(fc.jsonValue(), exoticValue),
        (p, t) => {
          typedOnly(() => run(p, t));
          typedOnly(() => run([p], TARGET));
          typedOnly(() => run([RICH], t));
        },
      ),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('a value of another type at any position of a policy is refused with a typed error naming a path', () => {
    fc.assert(
      fc.property(fc.constantFrom(...POLICY_POSITIONS), fc.oneof(exoticValue, fc.jsonValue()), (path, replacement) => {
        const original = get(RICH, path);
        const mutated = replaceAt(RICH, path, replacement);
        const error = typedOnly(() => validatePolicies([mutated]));
        if (typeOf(replacement) !== typeOf(original) || typeof replacement === 'symbol') {
          expect(error, `${path.join('.')} = ${show(replacement)} accepted`).toBeInstanceOf(InvalidRoutingPolicyError);
        }
        for (const [, run] of entryPoints) typedOnly(() => run([mutated], TARGET));
      }),
      { numRuns: FUZZ_RUNS * 4 },
    );
  });

  it('an unknown or misspelled key at any object of a policy is refused, with the nearest key suggested', () => {
    fc.assert(
      fc.property(fc.constantFrom(...POLICY_OBJECTS), fc.nat(), fc.nat(), fc.jsonValue(), (path, at, how, item) => {
        const object = get(RICH, path) as Record<string, unknown>;
        const keys = Object.keys(object);
        const key = keys[at % keys.length]!;
        const typo = misspell(key, at, how);
        if (!keys.includes(typo)) {
          const error = typedOnly(() => validatePolicies([renameAt(RICH, path, key, typo)]));
          expect(error).toBeInstanceOf(InvalidRoutingPolicyError);
          expect(error?.message).toContain(`: unknown; did you mean \`${key}\`?`);
        }
        const added = typedOnly(() => validatePolicies([addKeyAt(RICH, path, 'zzUnknownKey', item)]));
        expect(added?.message).toMatch(/`[^`]*zzUnknownKey`: unknown/);
      }),
      { numRuns: FUZZ_RUNS * 2 },
    );
  });

  it('a wrong type, unknown or misspelled key anywhere in a compile target is a typed error', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...TARGET_POSITIONS),
        exoticValue,
        fc.constantFrom(...TARGET_OBJECTS),
        (path, bad, at) => {
          const original = get(TARGET, path);
          const error = typedOnly(() => compileRoutes([RICH], replaceAt(TARGET, path, bad)));
          if (typeOf(bad) !== typeOf(original)) expect(error).toBeInstanceOf(RoutingError);
          const added = typedOnly(() => compileRoutes([RICH], addKeyAt(TARGET, at, 'dialekt', 1)));
          expect(added).toBeInstanceOf(InvalidRoutingPolicyError);
        },
      ),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('the review findings are refused', () => {
    const denyTypo = { ...RICH, denySourceRange: ['10.0.0.0/8'] };
    expect(() => validatePolicies([denyTypo as RoutingPolicy])).toThrow(
      '`shop.denySourceRange`: unknown; did you mean `denySourceRanges`?',
    );
    expect(() => validatePolicies([{ ...RICH, tls: { passthrough: 'yes' } } as unknown as RoutingPolicy])).toThrow(
      /shop\.tls\.passthrough \("yes"\) must be true or false/,
    );
    expect(() =>
      validatePolicies([{ ...RICH, tls: { clusterIssuer: 'x', redirectHttp: 'false' } } as unknown as RoutingPolicy]),
    ).toThrow(/shop\.tls\.redirectHttp/);
    expect(() => compileRoutes([RICH], null as unknown as CompileTarget)).toThrow(InvalidRoutingPolicyError);
    expect(() => validatePolicies([{ ...RICH, rateLimit: null } as unknown as RoutingPolicy])).toThrow(
      /shop\.rateLimit \(null\) must be an object/,
    );
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point
    expect(() => validatePolicies([{ ...RICH, hosts: ['a.example.com', , 'b.example.com'] } as RoutingPolicy])).toThrow(
      /shop\.hosts\[1\].*hole/,
    );
    expect(() => detectConflicts([{ ...RICH, rules: 'x' } as unknown as RoutingPolicy])).toThrow(
      InvalidRoutingPolicyError,
    );
  });
});
