import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatSchemaFindings } from '../../../constructs/guardrails/schema';
import { FEATURES, featuresOf } from '../../../constructs/routing/capabilities';
import { compileRoutes } from '../../../constructs/routing/compile';
import { RoutingError } from '../../../constructs/routing/errors';
import type { RouteSlo, RoutingPolicy } from '../../../constructs/routing/types';
import { schemas } from '../../helpers/schema';
import { environments, slo as sloArb } from './oracle/arbitraries';
import { tailor } from './oracle/tailor';
import { TEST_TARGETS } from './targets';

const segment = fc.constantFrom('api', 'shop', 'v1', 'static', 'a.b');
const path = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      type: fc.constant('PathPrefix' as const),
      value: fc.array(segment, { maxLength: 3 }).map((s) => `/${s.join('/')}`),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('Exact' as const),
      value: fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => `/${s.join('/')}`),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('RegularExpression' as const),
      value: fc.constantFrom('^/api/v[0-9]+$', '^/static/.*$', '^/(a|b)$'),
    }),
  },
);
const match = fc
  .tuple(
    path,
    fc.oneof(
      { weight: 6, arbitrary: fc.constant({}) },
      {
        weight: 1,
        arbitrary: fc.record({
          headers: fc.uniqueArray(
            fc.record({ name: fc.constantFrom('x-env', 'X-Team'), value: fc.constantFrom('beta', 'red') }),
            { minLength: 1, maxLength: 2, selector: (h) => h.name },
          ),
        }),
      },
      { weight: 1, arbitrary: fc.record({ queryParams: fc.constant([{ name: 'v', value: '1' }]) }) },
      { weight: 1, arbitrary: fc.record({ method: fc.constantFrom('GET' as const, 'POST' as const) }) },
      {
        weight: 1,
        arbitrary: fc.record({
          cookie: fc.record({ name: fc.constant('canary'), value: fc.constantFrom('always', 'on') }),
        }),
      },
    ),
  )
  .map(([p, extra]) => ({ path: p, ...extra }));
const backend = fc.record({
  service: fc.constantFrom('web', 'web-canary', 'api', 'catalog'),
  port: fc.constantFrom(80, 8080),
  weight: fc.integer({ min: 1, max: 100 }),
  // Mostly the policy's own namespace; now and then another one (a cross-namespace reference).
  namespace: fc.constantFrom(undefined, undefined, undefined, undefined, undefined, undefined, undefined, 'catalog'),
});
const protocol = fc.constantFrom(undefined, undefined, undefined, 'https' as const, 'grpc' as const, 'ws' as const);
const someOf = <T>(items: T[]) =>
  fc.oneof(
    { weight: 2, arbitrary: fc.constant([] as T[]) },
    { weight: 1, arbitrary: fc.subarray(items, { minLength: 1, maxLength: 2 }) },
  );
const ruleExtras = someOf([
  { rewrite: { fullPath: '/index.html' } },
  { rewrite: { hostname: 'internal.example.com' } },
  { requestHeaders: { set: { 'X-A': '1' }, remove: ['X-B'] } },
  { responseHeaders: { set: { 'Cache-Control': 'no-store' } } },
  { timeouts: { request: '30s', backendRequest: '500ms' } },
  { timeouts: { connect: '1s', idle: '1m30s' } },
  { retries: { attempts: 2 } },
  { mirror: { backend: { service: 'shadow', port: 80 }, percent: 10 } },
  { mirror: { backend: { service: 'shadow', port: 80 } } },
  { sessionAffinity: { cookieName: 'route' } },
  { rateLimit: { requestsPerSecond: 20 } },
  { allowSourceRanges: ['10.0.0.0/8'] },
  { maxBodySize: '1m' },
]);
const forwarding = fc
  .tuple(
    fc.record(
      {
        name: fc.constantFrom('main', 'canary', 'legacy', 'api'),
        matches: fc.array(match, { minLength: 1, maxLength: 2 }),
      },
      { requiredKeys: ['name'] },
    ),
    fc.tuple(
      fc.oneof(
        { weight: 3, arbitrary: fc.uniqueArray(backend, { minLength: 1, maxLength: 1 }) },
        {
          weight: 2,
          arbitrary: fc.uniqueArray(backend, {
            minLength: 2,
            maxLength: 3,
            selector: (b) => `${b.service}:${b.port}:${b.namespace}`,
          }),
        },
      ),
      protocol,
    ),
    ruleExtras,
  )
  .map(([base, [list, p], extras]) =>
    Object.assign({ ...base, backends: p ? list.map((b) => ({ ...b, protocol: p })) : list }, ...extras),
  );
const redirecting = fc.record(
  {
    name: fc.constantFrom('moved', 'old'),
    matches: fc.array(match, { minLength: 1, maxLength: 2 }),
    redirect: fc.record(
      {
        scheme: fc.constantFrom('http' as const, 'https' as const),
        hostname: fc.constant('new.example.com'),
        path: fc.constant('/new'),
        statusCode: fc.constantFrom(301 as const, 302 as const, 308 as const),
      },
      { requiredKeys: ['scheme'] },
    ),
  },
  { requiredKeys: ['redirect'] },
);
const policy = fc
  .record(
    {
      name: fc.constantFrom('shop', 'api', 'x'.repeat(63)),
      namespace: fc.constantFrom('shop', 'gateway-system'),
      hosts: fc.uniqueArray(fc.constantFrom('shop.example.com', 'api.example.com', '*.example.com'), {
        minLength: 1,
        maxLength: 2,
      }),
      tls: fc.oneof(
        { weight: 3, arbitrary: fc.record({ secretName: fc.constant('shop-tls') }) },
        { weight: 3, arbitrary: fc.record({ clusterIssuer: fc.constant('le'), redirectHttp: fc.boolean() }) },
        { weight: 1, arbitrary: fc.constant({ passthrough: true }) },
      ),
      rules: fc.array(fc.oneof({ weight: 4, arbitrary: forwarding }, { weight: 1, arbitrary: redirecting }), {
        minLength: 1,
        maxLength: 3,
      }),
      extras: someOf<Partial<RoutingPolicy>>([
        { cors: { allowOrigins: ['https://app.example.com'] } },
        { rateLimit: { requestsPerSecond: 5 } },
        { allowSourceRanges: ['10.0.0.0/8'] },
        { denySourceRanges: ['192.0.2.0/24'] },
      ]),
    },
    { requiredKeys: ['name', 'hosts', 'rules', 'extras'] },
  )
  .map(({ extras, ...p }): RoutingPolicy => {
    Object.assign(p, ...extras);
    // Shape generated policies into mostly valid ones: unique rule names, passthrough routed by SNI only.
    const rules = p.rules.map((r, i) => ({ ...r, name: `${r.name}-${i}` }));
    if (p.tls && 'passthrough' in p.tls) {
      const first = rules.find((r) => 'backends' in r) as
        | { backends: RoutingPolicy['rules'][number]['backends'] }
        | undefined;
      return {
        name: p.name,
        namespace: p.namespace,
        hosts: [...p.hosts.filter((h) => !h.startsWith('*.')), 'tls.example.com'],
        tls: p.tls,
        rules: [{ backends: first?.backends ?? [{ service: 'vault', port: 8200 }] }],
      };
    }
    return { ...p, rules } as RoutingPolicy;
  });
/** Gives every policy and rule its own path space, so conflicts stay the exception they are in practice. */
function spreadPaths(list: RoutingPolicy[]): RoutingPolicy[] {
  const tlsOfHost = new Map<string, RoutingPolicy['tls']>();
  return list.map((p, i) => ({
    ...p,
    // Passthrough policies get a host of their own; policies sharing a host agree on its TLS (disagreement is a conflict, tested on its own).
    ...(() => {
      if (p.tls?.passthrough) return { hosts: [`tls${i}.example.com`], tls: p.tls };
      const shared = p.hosts.find((h) => tlsOfHost.has(h));
      const tls = shared ? tlsOfHost.get(shared) : p.tls;
      for (const h of p.hosts) tlsOfHost.set(h, tls);
      return tls ? { tls } : { tls: undefined };
    })(),
    rules: p.rules.map((r, j) =>
      i + j > 0 && !r.matches && !p.tls?.passthrough
        ? { ...r, matches: [{ path: { type: 'PathPrefix' as const, value: `/p${i}r${j}` } }] }
        : r.matches
          ? {
              ...r,
              matches: r.matches.map((m) => {
                const path = m.path!;
                const value =
                  path.type === 'RegularExpression'
                    ? path.value.replace('^/', `^/p${i}r${j}/`)
                    : `/p${i}r${j}${path.value === '/' ? '' : path.value}`;
                return { ...m, path: { ...path, value } };
              }),
            }
          : r,
    ),
  }));
}
const policies = fc
  .uniqueArray(policy, { minLength: 1, maxLength: 3, selector: (p) => `${p.namespace}/${p.name}` })
  .map(spreadPaths);

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

describe.each(TEST_TARGETS.map((t) => [JSON.stringify(t), t] as const))(
  'compileRoutes over generated policies, %s',
  (_name, target) => {
    it('throws only typed errors, never mutates its input, is deterministic, and emits schema-valid objects with short valid names', async () => {
      let compiled = 0;
      const errors = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(policies, fc.boolean(), async (generated, tailored) => {
          // Half the environments are tailored to the target, so many compile and their output is checked.
          const input = tailored ? tailor(generated, target) : generated;
          const before = JSON.stringify(input);
          let result: ReturnType<typeof compileRoutes>;
          try {
            result = compileRoutes(deepFreeze(input), target);
          } catch (e) {
            if (!(e instanceof RoutingError)) throw e;
            const key =
              e.constructor.name +
              ((e as { feature?: string }).feature ? `:${(e as { feature?: string }).feature}` : '');
            errors.set(key, (errors.get(key) ?? 0) + 1);
            return;
          }
          compiled++;
          expect(JSON.stringify(input)).toBe(before);
          expect(compileRoutes(input, target)).toEqual(result);
          for (const o of result.objects) {
            expect(o.metadata.name.length, o.metadata.name).toBeLessThanOrEqual(63);
            expect(o.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
          }
          const keys = result.objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`);
          expect(new Set(keys).size, 'object identities are unique').toBe(keys.length);
          expect(formatSchemaFindings(await schemas.validate(result.objects))).toBe('');
        }),
        { numRuns: 500 },
      );
      // Guard against a vacuous property: a good share of generated environments must compile.
      expect(compiled, `compiled ${compiled}; errors ${JSON.stringify([...errors])}`).toBeGreaterThan(30);
    });
  },
);

/** Objectives on every other rule with backends, and on the policy when a rule is left for it (validation says so). */
function withSlos(list: readonly RoutingPolicy[], slos: readonly RouteSlo[]): RoutingPolicy[] {
  return list.map((p, i) => {
    if (p.tls?.passthrough) return p;
    const rules = p.rules.map((r, j) => (r.backends && j % 2 === 1 ? { ...r, slo: slos[(i + j) % slos.length]! } : r));
    const covered = rules.some((r) => r.backends && !r.slo);
    const { slo: _own, ...rest } = p;
    return { ...rest, rules, ...(covered ? { slo: slos[i % slos.length]! } : {}) };
  });
}

function withoutSlos(list: readonly RoutingPolicy[]): RoutingPolicy[] {
  return list.map(({ slo: _p, ...p }) => ({ ...p, rules: p.rules.map(({ slo: _r, ...r }) => r) }));
}

describe('an slo is not a routing feature', () => {
  it('is in no capability, and adds no feature use', () => {
    const policy: RoutingPolicy = {
      name: 'shop',
      hosts: ['shop.example.com'],
      slo: { availability: 99.9 },
      rules: [{ backends: [{ service: 'web', port: 80 }], slo: { latency: { percentile: 99, threshold: '250ms' } } }],
    };
    expect(Object.keys(FEATURES).filter((f) => f.includes('slo'))).toEqual([]);
    const { slo: _p, ...bare } = policy;
    expect(featuresOf(policy)).toEqual(featuresOf({ ...bare, rules: [{ backends: policy.rules[0]!.backends }] }));
  });

  it.each(TEST_TARGETS.map((t) => [JSON.stringify(t), t] as const))(
    '%s: policies with SLOs compile to the same objects and warnings as without, or fail the same way',
    (_name, target) => {
      let compiled = 0;
      fc.assert(
        fc.property(
          environments,
          fc.array(sloArb, { minLength: 1, maxLength: 3 }),
          fc.boolean(),
          (env, slos, tailored) => {
            const bare = withoutSlos(env);
            const plain = tailored ? withoutSlos(tailor(bare, target)) : bare;
            const run = (policies: readonly RoutingPolicy[]) => {
              try {
                return compileRoutes(policies, target);
              } catch (e) {
                if (!(e instanceof RoutingError)) throw e;
                return `${e.constructor.name}: ${e.message}`;
              }
            };
            const without = run(plain);
            if (typeof without !== 'string') compiled++;
            expect(run(withSlos(plain, slos))).toEqual(without);
          },
        ),
        { numRuns: 150 },
      );
      expect(compiled).toBeGreaterThan(10);
    },
  );
});
