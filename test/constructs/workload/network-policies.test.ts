import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RoutingPolicy } from '../../../constructs/routing';
import { externalSecret } from '../../../constructs/workload/external-secret';
import { namespaceNetworkPolicies } from '../../../constructs/workload/network-policies';
import type { WorkloadEndpoint } from '../../../constructs/workload/workload';
import { expectInvalid } from '../../helpers/errors';
import { expectSchemaValid } from '../../helpers/schema';

const endpoint = (
  name: string,
  ports: number[],
  dependencies: WorkloadEndpoint['dependencies'] = [],
): WorkloadEndpoint => ({
  name,
  selector: { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name },
  ports,
  dependencies,
});
const PROXY = {
  namespace: 'envoy-gateway-system',
  podLabels: { 'gateway.envoyproxy.io/owning-gateway-name': 'public' },
};
const ROUTES: RoutingPolicy[] = [
  {
    name: 'shop',
    namespace: 'shop',
    hosts: ['shop.example.com'],
    rules: [
      {
        backends: [
          { service: 'web', port: 8080, weight: 90 },
          { service: 'web-canary', port: 8080, weight: 10 },
        ],
      },
    ],
  },
];
const WORKLOADS = [
  endpoint('web', [8080], [{ service: 'api', port: 9000 }]),
  endpoint('web-canary', [8080], [{ service: 'api', port: 9000 }]),
  endpoint(
    'api',
    [9000],
    [
      { service: 'cache', port: 6379 },
      { service: 'payments', port: 443, namespace: 'billing' },
    ],
  ),
  endpoint('cache', [6379]),
  endpoint('report', [], [{ service: 'api', port: 9000 }]),
];

type Policy = {
  metadata: { name: string };
  spec: { podSelector: any; policyTypes: string[]; ingress?: any[]; egress?: any[] };
};
const policies = () =>
  namespaceNetworkPolicies({
    namespace: 'shop',
    workloads: WORKLOADS,
    routes: ROUTES,
    proxy: PROXY,
  }) as unknown as Policy[];
const named = (name: string) => policies().find((p) => p.metadata.name === name)!;
const DNS = {
  to: [
    {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
      podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
    },
  ],
  ports: [
    { protocol: 'UDP', port: 53 },
    { protocol: 'TCP', port: 53 },
  ],
};
const local = (name: string) => ({
  podSelector: { matchLabels: { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name } },
});

describe('namespaceNetworkPolicies', () => {
  it('denies all traffic by default, then writes one policy per workload, all schema-valid', async () => {
    const all = policies();
    expect(all.map((p) => p.metadata.name)).toEqual(['default-deny', 'web', 'web-canary', 'api', 'cache', 'report']);
    expect(all[0]!.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    for (const p of all.slice(1)) {
      expect(p.spec.podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/name': p.metadata.name } });
      expect(p.spec.policyTypes).toEqual(['Ingress', 'Egress']);
      expect(p.spec.egress![0]).toEqual(DNS);
    }
    await expectSchemaValid(all);
  });

  it('lets the ingress proxies reach exactly the routed backends on their ports', () => {
    const fromProxy = {
      from: [
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'envoy-gateway-system' } },
          podSelector: { matchLabels: PROXY.podLabels },
        },
      ],
      ports: [{ protocol: 'TCP', port: 8080 }],
    };
    expect(named('web').spec.ingress).toEqual([fromProxy]);
    expect(named('web-canary').spec.ingress).toEqual([fromProxy]);
    expect(JSON.stringify(named('api').spec.ingress)).not.toContain('envoy-gateway-system');
  });

  it('opens a dependency both ways: egress from the caller, ingress to the callee, on the declared port', () => {
    expect(named('api').spec.ingress).toEqual([
      { from: [local('report')], ports: [{ protocol: 'TCP', port: 9000 }] },
      { from: [local('web')], ports: [{ protocol: 'TCP', port: 9000 }] },
      { from: [local('web-canary')], ports: [{ protocol: 'TCP', port: 9000 }] },
    ]);
    expect(named('api').spec.egress).toEqual([
      DNS,
      {
        to: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'billing' } },
            podSelector: { matchLabels: { 'app.kubernetes.io/name': 'payments' } },
          },
        ],
        ports: [{ protocol: 'TCP', port: 443 }],
      },
      {
        to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'cache' } } }],
        ports: [{ protocol: 'TCP', port: 6379 }],
      },
    ]);
    expect(named('cache').spec.ingress).toEqual([{ from: [local('api')], ports: [{ protocol: 'TCP', port: 6379 }] }]);
    expect(named('cache').spec.egress).toEqual([DNS]);
    expect(named('report').spec.ingress).toEqual([]);
  });

  it('allows nothing that no route or dependency asks for, for any dependency graph', () => {
    const names = ['a', 'b', 'c', 'd'];
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...names), fc.constantFrom(...names), fc.integer({ min: 1, max: 65535 })), {
          maxLength: 8,
        }),
        (edges) => {
          const workloads = names.map((n) =>
            endpoint(
              n,
              [80],
              edges.filter(([from]) => from === n).map(([, to, port]) => ({ service: to, port })),
            ),
          );
          const result = namespaceNetworkPolicies({ namespace: 'ns', workloads }) as unknown as Policy[];
          for (const p of result.slice(1)) {
            const allowedIn = (p.spec.ingress ?? []).flatMap((r) =>
              r.from.flatMap((f: any) =>
                r.ports.map((port: any) => `${f.podSelector.matchLabels['app.kubernetes.io/name']}:${port.port}`),
              ),
            );
            const expected = edges
              .filter(([, to]) => to === p.metadata.name)
              .map(([from, , port]) => `${from}:${port}`);
            expect(new Set(allowedIn)).toEqual(new Set(expected));
            const allowedOut = (p.spec.egress ?? [])
              .slice(1)
              .flatMap((r) =>
                r.to.flatMap((t: any) =>
                  r.ports.map((port: any) => `${t.podSelector.matchLabels['app.kubernetes.io/name']}:${port.port}`),
                ),
              );
            const out = edges.filter(([from]) => from === p.metadata.name).map(([, to, port]) => `${to}:${port}`);
            expect(new Set(allowedOut)).toEqual(new Set(out));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects routes to unknown Services and routes without a proxy, naming the field', () => {
    expectInvalid(
      () =>
        namespaceNetworkPolicies({
          namespace: 'shop',
          workloads: [endpoint('api', [9000])],
          routes: ROUTES,
          proxy: PROXY,
        }),
      'routes',
      /route 'shop' sends traffic to Service 'web', which is not one of the workloads of namespace 'shop'/,
    );
    expectInvalid(
      () => namespaceNetworkPolicies({ namespace: 'shop', workloads: WORKLOADS, routes: ROUTES }),
      'proxy',
      /'proxy' is required/,
    );
    expectInvalid(() => namespaceNetworkPolicies({ namespace: 'Shop', workloads: [] }), 'namespace', /DNS-1123/);
  });
});

describe('externalSecret', () => {
  it('references keys in a ClusterSecretStore, owning the Secret it creates, schema-valid', async () => {
    const object = externalSecret({
      name: 'shop-db',
      namespace: 'shop',
      store: { name: 'aws-secrets-manager' },
      data: { password: { remoteKey: 'prod/shop/db', property: 'password' } },
    });
    expect(object).toEqual({
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: 'shop-db', namespace: 'shop', labels: { 'app.kubernetes.io/managed-by': 'switchyard' } },
      spec: {
        secretStoreRef: { name: 'aws-secrets-manager', kind: 'ClusterSecretStore' },
        refreshInterval: '1h',
        target: { name: 'shop-db', creationPolicy: 'Owner' },
        data: [{ secretKey: 'password', remoteRef: { key: 'prod/shop/db', property: 'password' } }],
      },
    });
    await expectSchemaValid([object]);
  });

  it('rejects an empty data map, a bad key, an empty remote key and a bad interval', () => {
    const base = { name: 'x', namespace: 'shop', store: { name: 'vault' } };
    expectInvalid(() => externalSecret({ ...base, data: {} }), 'data', /empty/);
    expectInvalid(
      () => externalSecret({ ...base, data: { 'a b': { remoteKey: 'k' } } }),
      'data.a b',
      /not a valid Secret key/,
    );
    expectInvalid(
      () => externalSecret({ ...base, data: { a: { remoteKey: ' ' } } }),
      'data.a.remoteKey',
      /name the secret/,
    );
    expectInvalid(
      () => externalSecret({ ...base, data: { a: { remoteKey: 'k' } }, refreshInterval: 'hourly' }),
      'refreshInterval',
      /duration/,
    );
  });
});

describe('namespaceNetworkPolicies: metrics scraping', () => {
  const SCRAPER = { namespace: 'monitoring', podLabels: { 'app.kubernetes.io/name': 'prometheus' } };
  const withMetrics = [{ ...endpoint('web', [8080]), metricsPorts: [8080] }, endpoint('cache', [6379])];
  const build = (scraper?: typeof SCRAPER) =>
    namespaceNetworkPolicies({
      namespace: 'shop',
      workloads: withMetrics,
      ...(scraper ? { scraper } : {}),
    }) as unknown as Policy[];

  it("lets the scraper reach a workload's metrics ports, and no other workload", async () => {
    const out = build(SCRAPER);
    const web = out.find((p) => p.metadata.name === 'web')!;
    expect(web.spec.ingress).toEqual([
      {
        from: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
            podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
          },
        ],
        ports: [{ protocol: 'TCP', port: 8080 }],
      },
    ]);
    expect(out.find((p) => p.metadata.name === 'cache')!.spec.ingress).toEqual([]);
    await expectSchemaValid(out);
  });

  it('opens nothing for metrics without a scraper (the default)', () => {
    expect(build().find((p) => p.metadata.name === 'web')!.spec.ingress).toEqual([]);
  });

  it('refuses a malformed scraper or metrics port, naming the field', () => {
    expectInvalid(
      () =>
        namespaceNetworkPolicies({
          namespace: 'shop',
          workloads: withMetrics,
          scraper: { namespace: 'monitoring' } as never,
        }),
      'scraper.podLabels',
      /undefined/,
    );
    expectInvalid(
      () =>
        namespaceNetworkPolicies({
          namespace: 'shop',
          workloads: [{ ...endpoint('web', [8080]), metricsPorts: [70000] }],
        }),
      'workloads[0].metricsPorts[0]',
      /70000/,
    );
  });
});
