import { describe, expect, it } from 'vitest';
import { resolveClusterTraits } from '../../../constructs/cluster/traits';
import { addonNetworkPolicies } from '../../../constructs/ingress/addon-network-policies';
import { certManager, metallb } from '../../../constructs/ingress/addons';
import { envoyGateway } from '../../../constructs/ingress/envoy-gateway';
import { fluxObjects } from '../../../constructs/ingress/flux';
import { buildGateway } from '../../../constructs/ingress/gateway';
import { traefik } from '../../../constructs/ingress/ingress-controllers';
import { orderReleases, type PlatformAddonsProps, platformAddons } from '../../../constructs/ingress/platform';
import { assertUniqueObjects } from '../../../constructs/ingress/unique-objects';
import { fuzzTarget, lastIs } from './harness';

const VALUES = { replicaCount: 3, nested: { list: [1, 'a', true], empty: {} } };
const ISSUERS = [{ name: 'letsencrypt', email: 'ops@example.com', server: 'https://acme.example.com/directory' }];

const EKS_PLATFORM = {
  cluster: { kind: 'eks', loadBalancer: 'cloud', multiZone: true, prometheusOperator: true, zones: ['eu-west-1a'] },
  controller: {
    kind: 'envoy-gateway',
    namespace: 'envoy-gateway-system',
    replicas: 2,
    maxReplicas: 4,
    preserveClientIp: true,
    values: VALUES,
    gatewayClassName: 'envoy',
    gateway: { name: 'public', namespace: 'gateway-system' },
    certificateRefs: [{ name: 'shop-tls', namespace: 'shop', kind: 'Secret' }],
    tlsPassthrough: true,
  },
  certManager: { issuers: ISSUERS, namespace: 'cert-manager', values: VALUES },
  awsLoadBalancerController: {
    clusterName: 'shop',
    roleArn: 'arn:aws:iam::111122223333:role/lbc',
    region: 'eu-west-1',
    vpcId: 'vpc-123',
    values: VALUES,
  },
  externalSecrets: {
    awsSecretsManager: { region: 'eu-west-1', storeName: 'aws' },
    roleArn: 'arn:aws:iam::111122223333:role/eso',
    values: VALUES,
  },
  gatewayApiChannel: 'experimental',
  apiServerCidrs: ['10.0.0.0/16'],
};

const METAL_PLATFORM = {
  cluster: { kind: 'bare-metal', loadBalancer: 'metallb' },
  controller: { kind: 'traefik', namespace: 'traefik', replicas: 2, ingressClassName: 'traefik' },
  certManager: false,
  metallb: {
    addresses: ['192.168.50.240-192.168.50.250', '10.9.0.0/28'],
    advertisement: { mode: 'bgp', myAsn: 64500, peerAsn: 64501, peerAddress: '192.168.50.1' },
    namespace: 'metallb-system',
  },
};

const GKE = resolveClusterTraits({ kind: 'gke', prometheusOperator: true });
const RELEASES = platformAddons(EKS_PLATFORM as PlatformAddonsProps).releases;

/** Raw chart values take any plain data; maps whose keys are the user's. */
const FREE_VALUES = lastIs('values');
const FREE_KEYS = lastIs('values', 'podLabels');

describe('strict add-on options (property tests)', () => {
  fuzzTarget({
    name: 'platformAddons (EKS, Envoy Gateway)',
    rich: EKS_PLATFORM,
    run: (p) => platformAddons(p as never),
    freeKeys: FREE_KEYS,
    freeValues: FREE_VALUES,
    // false or cert-manager options.
    alternatives: lastIs('certManager'),
  });
  fuzzTarget({
    name: 'platformAddons (bare metal, Traefik, MetalLB BGP)',
    rich: METAL_PLATFORM,
    run: (p) => platformAddons(p as never),
    alternatives: lastIs('certManager'),
  });
  fuzzTarget({
    name: 'certManager',
    rich: EKS_PLATFORM.certManager,
    run: (o) => certManager(GKE, { ingressClassName: 'nginx' }, o as never),
    freeKeys: FREE_KEYS,
    freeValues: FREE_VALUES,
  });
  fuzzTarget({
    name: 'certManager solver',
    rich: { gateway: { name: 'public', namespace: 'gateway-system' } },
    run: (s) => certManager(GKE, s as never, {}),
  });
  fuzzTarget({ name: 'metallb', rich: METAL_PLATFORM.metallb, run: (o) => metallb(o as never) });
  const { kind: _e, ...envoyOptions } = EKS_PLATFORM.controller;
  fuzzTarget({
    name: 'envoyGateway',
    rich: envoyOptions,
    run: (o) => envoyGateway(GKE, o as never),
    freeKeys: FREE_KEYS,
    freeValues: FREE_VALUES,
  });
  fuzzTarget({
    name: 'traefik',
    rich: {
      namespace: 'traefik',
      replicas: 2,
      maxReplicas: 3,
      preserveClientIp: false,
      ingressClassName: 'web',
      values: VALUES,
    },
    run: (o) => traefik(GKE, o as never),
    freeKeys: FREE_KEYS,
    freeValues: FREE_VALUES,
  });
  fuzzTarget({ name: 'controller cluster traits', rich: GKE, run: (c) => traefik(c as never, {}) });
  fuzzTarget({
    name: 'buildGateway',
    rich: {
      name: 'public',
      namespace: 'gw',
      gatewayClassName: 'envoy',
      certificateRefs: [{ name: 'a', namespace: 'shop' }],
      tlsPassthrough: true,
    },
    run: (o) => buildGateway(o as never),
  });
  fuzzTarget({
    name: 'fluxObjects',
    rich: { namespace: 'flux-system', interval: '5m' },
    run: (o) => fluxObjects(RELEASES, o as never),
  });

  fuzzTarget({
    name: 'addonNetworkPolicies context',
    rich: { apiServerCidrs: ['10.0.0.0/16'], dns: { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } } },
    run: (c) =>
      addonNetworkPolicies(['cert-manager'], [{ name: 'cert-manager', namespace: 'cert-manager' }], c as never),
    freeKeys: FREE_KEYS,
  });
  fuzzTarget({
    name: 'assertUniqueObjects',
    rich: [
      {
        source: 'routes',
        objects: [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'a', namespace: 'shop' } }],
      },
      { source: 'apps', objects: [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'a' } }] },
    ],
    run: (s) => assertUniqueObjects(s as never),
    // Kubernetes objects carry any keys; only their identity is checked.
    freeKeys: (p) => (p.length >= 3 && p[p.length - 2] === 'objects') || p[p.length - 1] === 'metadata',
    freeValues: (p) => p.length >= 4 && p[p.length - 3] === 'objects' && p[p.length - 1] !== 'metadata',
  });
  it('orderReleases takes the catalog releases only', () => {
    expect(orderReleases(RELEASES).map((r) => r.name)).toContain('envoy-gateway');
    for (const bad of [null, [null], [{ name: 'a' }], [{ name: 'a', namespace: 'b', dependsOn: [1] }], 'x']) {
      expect(() => orderReleases(bad as never)).toThrow(/'releases(\[0\])?' .* must be/);
    }
  });

  it('refuses the review findings with typed errors naming the field', () => {
    const eks = (extra: object) => () => platformAddons({ ...EKS_PLATFORM, ...extra } as never);
    expect(eks({ certManager: true })).toThrow(/'certManager' \(true\) must be cert-manager options or false/);
    expect(eks({ certManager: { issuer: [] } })).toThrow('`certManager.issuer`: unknown; did you mean `issuers`?');
    expect(eks({ controller: { kind: 'envoy-gateway', tlsPassthrough: 'yes' } })).toThrow(
      /'controller.tlsPassthrough' \("yes"\) must be true or false/,
    );
    expect(eks({ controller: { kind: 'envoy-gateway', values: { a: null } } })).toThrow(
      /'controller.values.a' \(null\) is null: leave the key out instead/,
    );
    expect(eks({ apiServerCidrs: null })).toThrow(/'apiServerCidrs' \(null\) must be an array/);
    expect(() => metallb({ addresses: ['10.0.0.0/28'], advertisement: { mode: 'bgp' } } as never)).toThrow(
      /'advertisement.myAsn' \(undefined\) must be a number/,
    );
    expect(() => metallb({ addresses: ['10.0.0.0/28'], advertisement: { mode: 'arp' } } as never)).toThrow(
      /'advertisement.mode' \("arp"\) must be one of "l2", "bgp"/,
    );
  });
});
