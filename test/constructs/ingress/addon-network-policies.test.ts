import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ClusterTraits } from '../../../constructs/cluster/traits';
import {
  ADDON_NETWORK,
  addonNetworkPolicies,
  addonNetworkProfile,
  componentPolicy,
  declaredEdges,
  type Edge,
  type NetworkNeed,
  policyEdges,
} from '../../../constructs/ingress/addon-network-policies';
import { type IngressControllerChoice, platformAddons } from '../../../constructs/ingress/platform';
import type { KubeObject } from '../../../constructs/routing/types';
import { expectInvalid } from '../../helpers/errors';
import { expectSchemaValid } from '../../helpers/schema';

const LBC = { clusterName: 'shop', roleArn: 'arn:aws:iam::111122223333:role/lbc' };
const ESO = {
  roleArn: 'arn:aws:iam::111122223333:role/eso',
  awsSecretsManager: { region: 'eu-west-1', storeName: 'aws' },
};
const METALLB = { addresses: ['192.168.50.240-192.168.50.250'] };

const KINDS = ['envoy-gateway', 'traefik', 'haproxy', 'contour', 'ingress-nginx'] as const;
function environment(cluster: ClusterTraits, kind: (typeof KINDS)[number], apiServerCidrs?: string[]) {
  return platformAddons({
    cluster,
    controller: { kind } as IngressControllerChoice,
    ...(cluster.kind === 'eks' ? { awsLoadBalancerController: LBC, externalSecrets: ESO } : { metallb: METALLB }),
    ...(apiServerCidrs ? { apiServerCidrs } : {}),
  });
}
const DEV_API = ['192.168.50.10/32'];
const ENVIRONMENTS = KINDS.flatMap((kind) => [
  [`${kind} on bare metal`, environment({ kind: 'bare-metal' }, kind, DEV_API), DEV_API] as const,
  [`${kind} on EKS`, environment({ kind: 'eks' }, kind), undefined] as const,
]);

/** Independent of the compiler: what each need must allow, written out by hand. */
const API_PEER = (cidr: string) => `{"ipBlock":{"cidr":"${cidr}"}}`;
const ANYWHERE = '{"ipBlock":{"cidr":"0.0.0.0/0"}}';
const CLUSTER = '{"namespaceSelector":{}}';
const SAME_NAMESPACE = '{"podSelector":{}}';
const KUBE_DNS =
  '{"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"kube-system"}},"podSelector":{"matchLabels":{"k8s-app":"kube-dns"}}}';
const PODS_ANYWHERE = (labels: Record<string, string>) =>
  `{"namespaceSelector":{},"podSelector":{"matchLabels":{${Object.keys(labels)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${JSON.stringify(labels[k])}`)
    .join(',')}}}}`;
function expected(need: NetworkNeed, cidrs: readonly string[], nodes: readonly string[] = ['0.0.0.0/0']): Edge[] {
  const e = (
    direction: Edge['direction'],
    peers: string[],
    ports: (number | '*')[],
    protocol: Edge['protocol'] = 'TCP',
  ) => peers.flatMap((peer) => ports.map((port): Edge => ({ direction, peer, protocol, port })));
  const api = cidrs.map(API_PEER);
  switch (need.kind) {
    case 'api-server':
      return e('egress', api, [443, 6443]);
    case 'webhook':
      return e('ingress', api, [need.port]);
    case 'internet':
      return e('egress', [ANYWHERE], [...need.ports]);
    case 'dns':
      return [...e('egress', [KUBE_DNS], [53], 'UDP'), ...e('egress', [KUBE_DNS], [53])];
    case 'metrics':
      return e('ingress', [CLUSTER], [need.port]);
    case 'data-plane':
      return e('ingress', [ANYWHERE], [...need.ports]);
    case 'backends':
      return e('egress', [CLUSTER], ['*']);
    case 'from-namespace':
      return e('ingress', [SAME_NAMESPACE], [...need.ports], need.protocol);
    case 'to-namespace':
      return e('egress', [SAME_NAMESPACE], [...need.ports], need.protocol);
    case 'scrape':
      return e('egress', [CLUSTER], ['*']);
    case 'nodes':
      return e('egress', nodes.map(API_PEER), [...need.ports]);
    case 'clients':
      return e('ingress', [CLUSTER], [...need.ports]);
    case 'from-pods':
      return e('ingress', [PODS_ANYWHERE(need.podLabels)], [...need.ports]);
    case 'to-pods':
      return e('egress', [PODS_ANYWHERE(need.podLabels)], [...need.ports]);
  }
}
const key = (e: Edge) => `${e.direction} ${e.peer} ${e.protocol} ${e.port}`;
const edgeSet = (edges: readonly Edge[]) => new Set(edges.map(key));

const port = fc.integer({ min: 1, max: 65535 });
const ports = fc.array(port, { minLength: 1, maxLength: 4 });
const need: fc.Arbitrary<NetworkNeed> = fc.oneof(
  fc.constant({ kind: 'api-server' as const }),
  port.map((p) => ({ kind: 'webhook' as const, port: p })),
  ports.map((p) => ({ kind: 'internet' as const, ports: p, reason: 'test' })),
  fc.constant({ kind: 'dns' as const }),
  port.map((p) => ({ kind: 'metrics' as const, port: p })),
  ports.map((p) => ({ kind: 'data-plane' as const, ports: p })),
  fc.constant({ kind: 'backends' as const }),
  fc
    .tuple(ports, fc.constantFrom(undefined, 'TCP' as const, 'UDP' as const))
    .map(([p, protocol]) => ({ kind: 'from-namespace' as const, ports: p, ...(protocol ? { protocol } : {}) })),
  fc
    .tuple(ports, fc.constantFrom(undefined, 'TCP' as const, 'UDP' as const))
    .map(([p, protocol]) => ({ kind: 'to-namespace' as const, ports: p, ...(protocol ? { protocol } : {}) })),
  fc.constant({ kind: 'scrape' as const }),
  ports.map((p) => ({ kind: 'nodes' as const, ports: p })),
  ports.map((p) => ({ kind: 'clients' as const, ports: p })),
  fc
    .tuple(fc.dictionary(fc.constantFrom('app', 'app.kubernetes.io/name', 'tier'), fc.constantFrom('a', 'b')), ports)
    .map(([podLabels, p]) => ({ kind: 'from-pods' as const, podLabels, ports: p })),
  fc
    .tuple(fc.dictionary(fc.constantFrom('app', 'app.kubernetes.io/name', 'tier'), fc.constantFrom('a', 'b')), ports)
    .map(([podLabels, p]) => ({ kind: 'to-pods' as const, podLabels, ports: p })),
);
const cidrs = fc.option(
  fc.uniqueArray(
    fc.tuple(fc.integer({ min: 1, max: 223 }), fc.integer({ min: 0, max: 255 })).map(([a, b]) => `${a}.${b}.0.0/16`),
    { minLength: 1, maxLength: 3 },
  ),
  { nil: undefined },
);

describe('add-on NetworkPolicies', () => {
  it('allows exactly the declared edges, for any needs and API server CIDRs (property)', () => {
    fc.assert(
      fc.property(fc.array(need, { maxLength: 8 }), cidrs, cidrs, (needs, apiServerCidrs, nodeCidrs) => {
        const context = { apiServerCidrs, nodeCidrs };
        const policy = componentPolicy('addon', 'ns', { name: 'pods', podLabels: {}, needs }, context);
        const allowed = policyEdges([policy]);
        const want = needs.flatMap((n) => expected(n, apiServerCidrs ?? ['0.0.0.0/0'], nodeCidrs));
        expect(edgeSet(allowed)).toEqual(edgeSet(want));
        expect(allowed).toEqual(declaredEdges(needs, context));
      }),
      { numRuns: 300 },
    );
  });

  it.each(ENVIRONMENTS)(
    '%s: every namespace gets a default deny and exactly its releases’ declared edges',
    async (_, a, apiServerCidrs) => {
      const byNamespace = new Map<string, KubeObject[]>();
      for (const p of a.networkPolicies) {
        expect(p.kind).toBe('NetworkPolicy');
        byNamespace.set(p.metadata.namespace!, [...(byNamespace.get(p.metadata.namespace!) ?? []), p]);
      }
      expect([...byNamespace.keys()].sort()).toEqual(a.namespaces.map((n) => n.metadata.name).sort());
      for (const [namespace, policies] of byNamespace) {
        expect(policies[0]).toMatchObject({
          metadata: { name: 'default-deny', namespace },
          spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
        });
        expect((policies[0]!.spec as Record<string, unknown>).ingress).toBeUndefined();
        const releases = a.releases.filter((r) => r.namespace === namespace);
        const components = releases.flatMap((r) => ADDON_NETWORK[r.name]!.components.map((c) => ({ r, c })));
        // One allow policy per declared component, selecting its pods, allowing exactly its declared edges.
        expect(policies.slice(1).map((p) => p.metadata.name)).toEqual(
          components.map(({ r, c }) => `${r.name}-${c.name}`),
        );
        components.forEach(({ c }, i) => {
          const selector = (policies[i + 1]!.spec as any).podSelector;
          expect(selector).toEqual(Object.keys(c.podLabels).length ? { matchLabels: c.podLabels } : {});
          expect(policyEdges([policies[i + 1]!])).toEqual(declaredEdges(c.needs, { apiServerCidrs }));
          const want = c.needs.flatMap((n) => expected(n, apiServerCidrs ?? ['0.0.0.0/0']));
          expect(edgeSet(policyEdges([policies[i + 1]!]))).toEqual(edgeSet(want));
        });
      }
      expect(a.objects.slice(0, a.networkPolicies.length)).toEqual(a.networkPolicies);
      await expectSchemaValid(a.networkPolicies);
    },
  );

  it('uses the API server CIDRs when given, and any address on 443 and 6443 when not', () => {
    const known = environment({ kind: 'bare-metal' }, 'envoy-gateway', ['192.168.50.10/32', '192.168.50.11/32']);
    const unknown = environment({ kind: 'eks' }, 'envoy-gateway');
    const apiEdges = (a: typeof known) =>
      policyEdges(a.networkPolicies.filter((p) => p.metadata.name === 'cert-manager-pods')).filter(
        (e) => e.direction === 'egress' && (e.port === 6443 || e.port === 443) && e.peer !== ANYWHERE,
      );
    expect(apiEdges(known).map((e) => `${e.peer}:${e.port}`)).toEqual([
      `${API_PEER('192.168.50.10/32')}:443`,
      `${API_PEER('192.168.50.10/32')}:6443`,
      `${API_PEER('192.168.50.11/32')}:443`,
      `${API_PEER('192.168.50.11/32')}:6443`,
    ]);
    // Unknown: 0.0.0.0/0, but only on the API server's ports (and the ACME ports cert-manager declares).
    const egress = policyEdges(unknown.networkPolicies.filter((p) => p.metadata.name === 'cert-manager-pods')).filter(
      (e) => e.direction === 'egress' && e.peer === ANYWHERE,
    );
    expect(egress.map((e) => e.port).sort()).toEqual([443, 6443, 80]);
    const webhook = policyEdges(known.networkPolicies.filter((p) => p.metadata.name === 'cert-manager-pods')).filter(
      (e) => e.direction === 'ingress' && e.port === 10250,
    );
    expect(webhook.map((e) => e.peer)).toEqual([API_PEER('192.168.50.10/32'), API_PEER('192.168.50.11/32')]);
  });

  it('lets the Envoy proxies take traffic from anywhere and reach the backends and the controller’s xDS', () => {
    const a = environment({ kind: 'eks' }, 'envoy-gateway');
    const proxies = a.networkPolicies.find((p) => p.metadata.name === 'envoy-gateway-proxies')!;
    expect((proxies.spec as any).podSelector).toEqual({
      matchLabels: { 'app.kubernetes.io/component': 'proxy', 'app.kubernetes.io/managed-by': 'envoy-gateway' },
    });
    const edges = policyEdges([proxies]).map(key);
    for (const p of [80, 443, 10080, 10443]) expect(edges).toContain(`ingress ${ANYWHERE} TCP ${p}`);
    expect(edges).toContain(`egress ${CLUSTER} TCP *`);
    expect(edges).toContain(`egress ${SAME_NAMESPACE} TCP 18000`);
    const controller = policyEdges(a.networkPolicies.filter((p) => p.metadata.name === 'envoy-gateway-controller'));
    expect(controller.map(key)).toContain(`ingress ${SAME_NAMESPACE} TCP 18000`);
    expect(controller.map(key)).not.toContain(`ingress ${ANYWHERE} TCP 443`);
  });

  it('gives the Gateway namespace (no pods) the default deny only, and leaves kube-system alone', () => {
    const a = environment({ kind: 'eks' }, 'envoy-gateway');
    expect(
      a.networkPolicies.filter((p) => p.metadata.namespace === 'gateway-system').map((p) => p.metadata.name),
    ).toEqual(['default-deny']);
    expect(a.networkPolicies.some((p) => p.metadata.namespace === 'kube-system')).toBe(false);
    expect(addonNetworkProfile('aws-load-balancer-controller').components[0]!.needs).toContainEqual({
      kind: 'webhook',
      port: 9443,
    });
  });

  it('records that the MetalLB speaker and the node exporter run on the host network, beyond NetworkPolicy', () => {
    expect(ADDON_NETWORK.metallb!.hostNetwork).toMatch(/host network.*NetworkPolicy does not apply/);
    expect(ADDON_NETWORK['prometheus-node-exporter']!.hostNetwork).toMatch(
      /host network.*NetworkPolicy does not apply/,
    );
    expect(
      Object.entries(ADDON_NETWORK)
        .filter(([, p]) => p.hostNetwork)
        .map(([n]) => n),
    ).toEqual(['metallb', 'prometheus-node-exporter']);
  });

  it('declares needs for every release the catalog can install', () => {
    const names = new Set(ENVIRONMENTS.flatMap(([, a]) => a.releases.map((r) => r.name)));
    for (const name of names) expect(ADDON_NETWORK[name], name).toBeDefined();
  });

  it('rejects bad CIDRs, ports, unknown releases and needs', () => {
    expectInvalid(() => addonNetworkPolicies(['a'], [], { apiServerCidrs: [] }), 'apiServerCidrs', /is empty/);
    expectInvalid(
      () => addonNetworkPolicies(['a'], [], { apiServerCidrs: ['10.0.0.0/33'] }),
      'apiServerCidrs[0]',
      /10\.0\.0\.0\/33/,
    );
    expectInvalid(
      () => addonNetworkPolicies(['a'], [{ name: 'mystery', namespace: 'a' }]),
      'release',
      /declares no network needs: add it to ADDON_NETWORK/,
    );
    expectInvalid(
      () => componentPolicy('x', 'a', { name: 'p', podLabels: {}, needs: [{ kind: 'webhook', port: 70000 }] }),
      'webhook.port[0]',
      /70000.*from 1 to 65535/,
    );
    expectInvalid(
      () => componentPolicy('x', 'a', { name: 'p', podLabels: {}, needs: [{ kind: 'telepathy' } as never] }),
      'needs[].kind',
      /"telepathy".*is not a network need/,
    );
  });
});
