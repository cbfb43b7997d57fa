import { describe, expect, it } from 'vitest';
import { type ClusterTraits, resolveClusterTraits } from '../../../constructs/cluster/traits';
import { InvalidPropertyError } from '../../../constructs/core/validate';
import { fluxObjects } from '../../../constructs/ingress/flux';
import {
  type IngressControllerChoice,
  orderReleases,
  type PlatformAddonsProps,
  platformAddons,
} from '../../../constructs/ingress/platform';
import { deepMerge, type ReleaseSpec, validateRelease } from '../../../constructs/ingress/release';
import { expectSchemaValid } from '../../helpers/schema';

const LBC = { clusterName: 'shop', roleArn: 'arn:aws:iam::111122223333:role/lbc' };
const METALLB = { addresses: ['192.168.50.240-192.168.50.250'] };

function addons(cluster: ClusterTraits, controller: IngressControllerChoice, extra: Partial<PlatformAddonsProps> = {}) {
  const needs = resolveClusterTraits(cluster);
  return platformAddons({
    cluster,
    controller,
    ...(needs.loadBalancer === 'metallb' ? { metallb: METALLB } : {}),
    ...(needs.kind === 'eks' && needs.loadBalancer === 'cloud' ? { awsLoadBalancerController: LBC } : {}),
    ...extra,
  });
}
const values = (a: ReturnType<typeof addons>, name: string) => a.releases.find((r) => r.name === name)!.values as any;
const proxy = (a: ReturnType<typeof addons>) =>
  (a.objects.find((o) => o.kind === 'EnvoyProxy')!.spec as any).provider.kubernetes;

describe('cluster traits', () => {
  it.each<[ClusterTraits, object]>([
    [
      { kind: 'eks' },
      {
        loadBalancer: 'cloud',
        multiZone: true,
        internalLoadBalancer: false,
        prometheusOperator: false,
        openshift: false,
      },
    ],
    [{ kind: 'bare-metal' }, { loadBalancer: 'metallb', multiZone: false }],
    [{ kind: 'vm' }, { loadBalancer: 'metallb' }],
    [{ kind: 'existing' }, { loadBalancer: 'none', multiZone: false }],
  ])('resolves the defaults of %j', (traits, expected) => {
    expect(resolveClusterTraits(traits)).toMatchObject(expected);
  });

  it('refuses a cloud load balancer on bare metal and an unknown kind', () => {
    expect(() => resolveClusterTraits({ kind: 'bare-metal', loadBalancer: 'cloud' })).toThrow(/needs a cloud cluster/);
    expect(() => resolveClusterTraits({ kind: 'mainframe' as 'vm' })).toThrow(/must be one of bare-metal/);
  });
});

describe('platformAddons', () => {
  it('installs Envoy Gateway on bare metal with MetalLB, cert-manager and the Gateway API CRDs, in order', async () => {
    const a = addons(
      { kind: 'bare-metal' },
      { kind: 'envoy-gateway' },
      { certManager: { issuers: [{ name: 'le', email: 'ops@example.com' }] } },
    );
    expect(a.releases.map((r) => [r.name, r.chart.name, r.chart.version, r.dependsOn])).toEqual([
      ['gateway-api-crds', 'gateway-crds-helm', 'v1.10.0', []],
      ['metallb', 'metallb', '0.15.2', []],
      ['cert-manager', 'cert-manager', 'v1.19.1', ['gateway-api-crds']],
      ['envoy-gateway', 'gateway-helm', 'v1.10.0', ['gateway-api-crds', 'metallb']],
    ]);
    expect(a.target).toEqual({
      dialect: 'gateway-api',
      implementation: 'envoy-gateway',
      gateway: { name: 'public', namespace: 'gateway-system' },
    });
    // The add-on namespaces' NetworkPolicies come first (intended: every platform namespace is locked down).
    expect(a.objects.slice(0, a.networkPolicies.length)).toEqual(a.networkPolicies);
    expect(a.objects.slice(a.networkPolicies.length).map((o) => o.kind)).toEqual([
      'IPAddressPool',
      'L2Advertisement',
      'ClusterIssuer',
      'EnvoyProxy',
      'GatewayClass',
      'Gateway',
    ]);
    expect(values(a, 'gateway-api-crds')).toEqual({
      crds: { gatewayAPI: { enabled: true, channel: 'standard' }, envoyGateway: { enabled: true } },
    });
    expect(values(a, 'cert-manager').config).toMatchObject({ enableGatewayAPI: true });
    expect(a.releases.find((r) => r.name === 'envoy-gateway')!.skipCrds).toBe(true);
    const issuer = a.objects.find((o) => o.kind === 'ClusterIssuer')!.spec as any;
    expect(issuer.acme.solvers).toEqual([
      {
        http01: {
          gatewayHTTPRoute: { parentRefs: [{ name: 'public', namespace: 'gateway-system', kind: 'Gateway' }] },
        },
      },
    ]);
    expect(a.namespaces.find((n) => n.metadata.name === 'metallb-system')!.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'privileged',
    });
    await expectSchemaValid([...a.namespaces, ...a.objects, ...fluxObjects(a.releases)]);
  });

  it('gives the Envoy data plane HA defaults: autoscaling from 2, a disruption budget, spread over nodes, client IPs kept', () => {
    const k = proxy(addons({ kind: 'bare-metal' }, { kind: 'envoy-gateway' }));
    expect(k.envoyHpa).toMatchObject({ minReplicas: 2, maxReplicas: 10 });
    expect(k.envoyPDB).toEqual({ maxUnavailable: 1 });
    expect(k.envoyService).toEqual({ type: 'LoadBalancer', externalTrafficPolicy: 'Local' });
    expect(k.envoyDeployment.pod.topologySpreadConstraints.map((c: { topologyKey: string }) => c.topologyKey)).toEqual([
      'kubernetes.io/hostname',
    ]);
  });

  it.each<[ClusterTraits, Record<string, string>]>([
    [
      { kind: 'eks' },
      {
        'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
        'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
        'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
      },
    ],
    [
      { kind: 'eks', internalLoadBalancer: true },
      { 'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal' },
    ],
    [{ kind: 'gke' }, { 'cloud.google.com/l4-rbs': 'enabled' }],
    [{ kind: 'gke', internalLoadBalancer: true }, { 'networking.gke.io/load-balancer-type': 'Internal' }],
    [
      { kind: 'aks', internalLoadBalancer: true },
      { 'service.beta.kubernetes.io/azure-load-balancer-internal': 'true' },
    ],
  ])('annotates the load balancer for %j and spreads over zones', (cluster, annotations) => {
    const k = proxy(addons(cluster, { kind: 'envoy-gateway' }));
    expect(k.envoyService.annotations).toMatchObject(annotations);
    expect(k.envoyDeployment.pod.topologySpreadConstraints.map((c: { topologyKey: string }) => c.topologyKey)).toEqual([
      'topology.kubernetes.io/zone',
      'kubernetes.io/hostname',
    ]);
  });

  it('installs the AWS Load Balancer Controller on EKS, without its Service takeover webhook, before the controller', () => {
    const a = addons({ kind: 'eks', prometheusOperator: true }, { kind: 'envoy-gateway' });
    expect(values(a, 'aws-load-balancer-controller')).toMatchObject({
      clusterName: 'shop',
      enableServiceMutatorWebhook: false,
      ingressClassConfig: { default: false },
      serviceAccount: { annotations: { 'eks.amazonaws.com/role-arn': LBC.roleArn } },
      serviceMonitor: { enabled: true },
    });
    expect(a.releases.find((r) => r.name === 'envoy-gateway')!.dependsOn).toContain('aws-load-balancer-controller');
  });

  it('falls back to a NodePort, and says so, where the cluster has no load balancer', () => {
    const a = addons({ kind: 'existing' }, { kind: 'envoy-gateway' });
    expect(proxy(a).envoyService.type).toBe('NodePort');
    expect(a.warnings.join('\n')).toMatch(/no load balancer/);
  });

  it.each<[IngressControllerChoice['kind'], string, (v: any) => unknown, string]>([
    [
      'traefik',
      'traefik',
      (v) => [v.ingressClass, v.podDisruptionBudget, v.service.spec, v.deployment.replicas],
      'traefik',
    ],
    [
      'haproxy',
      'haproxy',
      (v) => [
        v.controller.ingressClassResource,
        v.controller.PodDisruptionBudget,
        v.controller.service.type,
        v.controller.replicaCount,
      ],
      'haproxy',
    ],
    [
      'contour',
      'contour',
      (v) => [v.contour.ingressClass, v.envoy.pdb, v.envoy.service.externalTrafficPolicy, v.envoy.replicaCount],
      'contour',
    ],
    [
      'ingress-nginx',
      'ingress-nginx',
      (v) => [
        v.controller.ingressClassResource.default,
        v.controller.minAvailable,
        v.controller.allowSnippetAnnotations,
        v.controller.replicaCount,
      ],
      'nginx',
    ],
  ])(
    'configures %s with its own non-default class, a disruption budget and exposure',
    (kind, release, pick, className) => {
      const a = addons({ kind: 'gke' }, { kind });
      expect(a.target).toEqual({ dialect: kind, ingressClassName: className });
      const picked = pick(values(a, release));
      expect(JSON.stringify(picked)).not.toMatch(/"default":true|isDefaultClass":true/);
      expect(picked).toMatchSnapshot();
      expect(a.releases.some((r) => r.name === 'gateway-api-crds')).toBe(false);
      expect((a.objects.find((o) => o.kind === 'ClusterIssuer')?.spec as any)?.acme.solvers).toBeUndefined(); // no issuers asked for
    },
  );

  it('warns that ingress-nginx is retired and marks its release deprecated', () => {
    const a = addons({ kind: 'aks' }, { kind: 'ingress-nginx' });
    expect(a.releases.find((r) => r.name === 'ingress-nginx')!.deprecation).toMatch(/retired upstream in March 2026/);
    expect(a.warnings.join('\n')).toMatch(/retired/);
    expect(values(a, 'ingress-nginx').controller.service.annotations).toMatchObject({
      'service.beta.kubernetes.io/azure-load-balancer-health-probe-request-path': '/healthz',
    });
  });

  it('scrapes the Envoy Gateway controller and proxies only where the Prometheus Operator runs', async () => {
    expect(addons({ kind: 'gke' }, { kind: 'envoy-gateway' }).objects.some((o) => /Monitor$/.test(o.kind))).toBe(false);
    const monitored = addons({ kind: 'gke', prometheusOperator: true }, { kind: 'envoy-gateway' });
    const monitors = monitored.objects.filter((o) => /Monitor$/.test(o.kind)) as any[];
    expect(monitors.map((m) => [m.kind, m.metadata.name])).toEqual([
      ['ServiceMonitor', 'envoy-gateway-controller'],
      ['PodMonitor', 'envoy-gateway-proxy'],
    ]);
    expect(monitors[1].spec.podMetricsEndpoints).toEqual([
      { port: 'metrics', path: '/stats/prometheus', interval: '30s' },
    ]);
    await expectSchemaValid(monitored.objects);
  });

  it.each(['traefik', 'haproxy', 'contour', 'ingress-nginx'] as const)(
    'scrapes %s with its own monitors where the Prometheus Operator runs, never the chart ServiceMonitor',
    async (kind) => {
      for (const prometheusOperator of [false, true]) {
        const a = addons({ kind: 'gke', prometheusOperator }, { kind });
        const monitors = a.objects.filter((o) => /Monitor$/.test(o.kind));
        expect(monitors.length > 0).toBe(prometheusOperator);
        // Every chart's ServiceMonitor/PodMonitor switch is off, whatever the cluster.
        const switches = JSON.stringify(values(a, kind)).match(
          /"(serviceMonitor|podMonitor)":\{"enabled":(true|false)/g,
        );
        expect(switches?.length).toBeGreaterThan(0);
        expect(switches!.every((m) => m.endsWith('false'))).toBe(true);
        if (prometheusOperator) await expectSchemaValid(a.objects);
      }
    },
  );

  it('merges raw values last, over what Switchyard sets', () => {
    const a = addons(
      { kind: 'gke' },
      { kind: 'traefik', replicas: 3, values: { deployment: { replicas: 5 }, logs: { general: { level: 'DEBUG' } } } },
    );
    expect(values(a, 'traefik').deployment).toEqual({ replicas: 5 });
    expect(values(a, 'traefik').logs).toEqual({ general: { level: 'DEBUG' } });
    expect(values(a, 'traefik').autoscaling.minReplicas).toBe(3);
  });

  it.each<[string, () => unknown, RegExp]>([
    [
      'MetalLB missing on bare metal',
      () => platformAddons({ cluster: { kind: 'bare-metal' }, controller: { kind: 'envoy-gateway' } }),
      /'metallb' is required/,
    ],
    [
      'MetalLB on EKS',
      () =>
        platformAddons({
          cluster: { kind: 'eks' },
          controller: { kind: 'envoy-gateway' },
          metallb: METALLB,
          awsLoadBalancerController: LBC,
        }),
      /'metallb' is set, but the cluster's load balancer is 'cloud'/,
    ],
    [
      'no AWS LBC on EKS',
      () => platformAddons({ cluster: { kind: 'eks' }, controller: { kind: 'envoy-gateway' } }),
      /'awsLoadBalancerController' is required on EKS/,
    ],
    [
      'a bad role ARN',
      () =>
        addons({ kind: 'eks' }, { kind: 'envoy-gateway' }, { awsLoadBalancerController: { ...LBC, roleArn: 'lbc' } }),
      /must be an IAM role ARN/,
    ],
    [
      'a bad MetalLB range',
      () => addons({ kind: 'vm' }, { kind: 'envoy-gateway' }, { metallb: { addresses: ['10.0.0.1-nope'] } }),
      /'addresses\[0\]'/,
    ],
    [
      'an empty MetalLB pool',
      () => addons({ kind: 'vm' }, { kind: 'envoy-gateway' }, { metallb: { addresses: [] } }),
      /'addresses' is empty/,
    ],
    [
      'an unknown option',
      () => addons({ kind: 'gke' }, { kind: 'traefik', replica: 3 } as never),
      /`controller.replica`: unknown; did you mean `replicas`\?/,
    ],
    [
      'maxReplicas below replicas',
      () => addons({ kind: 'gke' }, { kind: 'contour', replicas: 4, maxReplicas: 2 }),
      /'maxReplicas' \(2\) must be at least 'replicas' \(4\)/,
    ],
    [
      'a bad class name',
      () => addons({ kind: 'gke' }, { kind: 'haproxy', ingressClassName: 'HA' }),
      /'ingressClassName'/,
    ],
    [
      'a bad issuer e-mail',
      () =>
        addons({ kind: 'gke' }, { kind: 'traefik' }, { certManager: { issuers: [{ name: 'le', email: 'nobody' }] } }),
      /e-mail address/,
    ],
    [
      'an unknown controller',
      () => addons({ kind: 'gke' }, { kind: 'nginx-plus' } as never),
      /must be envoy-gateway, traefik/,
    ],
  ])('refuses %s with a typed error naming the field', (_what, build, message) => {
    expect(build).toThrow(InvalidPropertyError);
    expect(build).toThrow(message);
  });

  it('emits schema-valid Flux sources and releases for every controller', async () => {
    for (const kind of ['envoy-gateway', 'traefik', 'haproxy', 'contour', 'ingress-nginx'] as const) {
      const a = addons({ kind: 'eks' }, { kind });
      const flux = fluxObjects(a.releases);
      await expectSchemaValid([...flux, ...a.objects, ...a.namespaces]);
      const oci = flux.filter((o) => o.kind === 'OCIRepository');
      for (const release of flux.filter((o) => o.kind === 'HelmRelease') as any[]) {
        expect(release.spec.chartRef ?? release.spec.chart).toBeDefined();
        if (release.spec.chartRef) expect(oci.map((o) => o.metadata.name)).toContain(release.spec.chartRef.name);
      }
    }
  });
});

describe('releases', () => {
  const base: ReleaseSpec = {
    name: 'x',
    namespace: 'x',
    chart: { repository: 'https://charts.example.com', name: 'x', version: '1.0.0' },
    values: {},
    dependsOn: [],
    skipCrds: false,
    awaitsLoadBalancer: false,
    timeoutSeconds: 60,
  };

  it('deep-merges objects and replaces arrays and scalars', () => {
    expect(deepMerge({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3] }, e: 2 })).toEqual({
      a: { b: 1, c: [3] },
      d: 1,
      e: 2,
    });
  });

  it.each<[Partial<ReleaseSpec>, RegExp]>([
    [{ name: 'a'.repeat(54) }, /longer than 53/],
    [{ name: 'Bad' }, /DNS-1123 label/],
    [{ chart: { ...base.chart, repository: 'http://insecure.example.com' } }, /must start with https:\/\/ or oci:\/\//],
    [{ chart: { ...base.chart, version: '^1.0.0' } }, /exact version/],
  ])('rejects %j', (patch, message) => {
    expect(() => validateRelease({ ...base, ...patch })).toThrow(message);
  });

  it('refuses circular dependencies', () => {
    expect(() =>
      orderReleases([
        { ...base, name: 'a', dependsOn: ['b'] },
        { ...base, name: 'b', dependsOn: ['a'] },
      ]),
    ).toThrow(/cycle: a -> b -> a/);
  });
});
