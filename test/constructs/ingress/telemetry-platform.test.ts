import { describe, expect, it } from 'vitest';
import type { ClusterTraits } from '../../../constructs/cluster/traits';
import {
  ADDON_NETWORK,
  declaredEdges,
  type Edge,
  policyEdges,
} from '../../../constructs/ingress/addon-network-policies';
import { fluxObjects } from '../../../constructs/ingress/flux';
import {
  type IngressControllerChoice,
  type PlatformAddonsProps,
  platformAddons,
} from '../../../constructs/ingress/platform';
import { POD_SECURITY_EXCEPTION_LABEL } from '../../../constructs/ingress/pod-security-exceptions';
import type { KubeObject } from '../../../constructs/routing/types';
import { expectSchemaValid } from '../../helpers/schema';

const LBC = { clusterName: 'shop', roleArn: 'arn:aws:iam::111122223333:role/lbc' };
const ESO = {
  roleArn: 'arn:aws:iam::111122223333:role/eso',
  awsSecretsManager: { region: 'eu-west-1', storeName: 'aws' },
};
const METALLB = { addresses: ['192.168.50.240-192.168.50.250'] };
const S3 = {
  type: 's3',
  bucket: 'shop-logs',
  region: 'eu-west-1',
  roleArn: 'arn:aws:iam::111122223333:role/loki',
} as const;

function environment(
  cluster: ClusterTraits,
  kind: IngressControllerChoice['kind'],
  extra: Partial<PlatformAddonsProps> = {},
) {
  return platformAddons({
    cluster,
    controller: { kind } as IngressControllerChoice,
    ...(cluster.kind === 'eks' ? { awsLoadBalancerController: LBC, externalSecrets: ESO } : {}),
    ...(cluster.kind === 'bare-metal' || cluster.kind === 'vm' ? { metallb: METALLB } : {}),
    metrics: {},
    logs: cluster.kind === 'eks' ? { storage: S3 } : {},
    ...extra,
  });
}
const names = (a: ReturnType<typeof environment>) => a.releases.map((r) => r.name);
const values = (a: ReturnType<typeof environment>, name: string) =>
  a.releases.find((r) => r.name === name)!.values as any;
const ANYWHERE = '{"ipBlock":{"cidr":"0.0.0.0/0"}}';
const key = (e: Edge) => `${e.direction} ${e.peer} ${e.protocol} ${e.port}`;
const edgesOf = (a: ReturnType<typeof environment>, policy: string) =>
  policyEdges(a.networkPolicies.filter((p) => p.metadata.name === policy)).map(key);
const pods = (labels: Record<string, string>) =>
  `{"namespaceSelector":{},"podSelector":{"matchLabels":${JSON.stringify(labels)}}}`;

describe('platformAddons with the metrics and logs stacks', () => {
  it('installs the metrics stack first, and everything that creates monitors after it', () => {
    const a = environment({ kind: 'eks' }, 'traefik');
    expect(names(a)).toEqual([
      'kube-prometheus-stack',
      'prometheus-node-exporter',
      'aws-load-balancer-controller',
      'cert-manager',
      'external-secrets',
      'loki',
      'alloy',
      'traefik',
    ]);
    for (const release of a.releases.slice(1))
      expect(release.dependsOn, release.name).toContain('kube-prometheus-stack');
    expect(a.releases.find((r) => r.name === 'alloy')!.dependsOn).toEqual(['loki', 'kube-prometheus-stack']);
    // Each release comes after what it depends on.
    a.releases.forEach((r, i) => {
      for (const dep of r.dependsOn) expect(names(a).indexOf(dep), `${r.name} after ${dep}`).toBeLessThan(i);
    });
    const bare = environment({ kind: 'bare-metal' }, 'envoy-gateway');
    expect(names(bare).slice(0, 4)).toEqual([
      'gateway-api-crds',
      'kube-prometheus-stack',
      'prometheus-node-exporter',
      'metallb',
    ]);
    expect(bare.releases.find((r) => r.name === 'metallb')!.dependsOn).toEqual([]);
  });

  it('hands every add-on a cluster with the Prometheus Operator, so they all create monitors', () => {
    const a = environment({ kind: 'eks' }, 'traefik');
    // The controller's own monitors, or its chart's ServiceMonitor.
    const traefikMonitored =
      values(a, 'traefik').metrics?.prometheus?.serviceMonitor?.enabled === true ||
      a.objects.some((o) => /Monitor$/.test(o.kind) && o.metadata.namespace === 'traefik');
    expect(traefikMonitored).toBe(true);
    expect(values(a, 'cert-manager').prometheus.servicemonitor.enabled).toBe(true);
    expect(values(a, 'external-secrets').serviceMonitor.enabled).toBe(true);
    expect(values(a, 'aws-load-balancer-controller').serviceMonitor.enabled).toBe(true);
    expect(values(a, 'loki').monitoring.serviceMonitor.enabled).toBe(true);
    const envoy = environment({ kind: 'gke' }, 'envoy-gateway', { metrics: {}, logs: undefined });
    expect(envoy.objects.some((o) => o.kind === 'PodMonitor')).toBe(true);
    const without = platformAddons({ cluster: { kind: 'gke' }, controller: { kind: 'traefik' } });
    expect(values(without as never, 'traefik').metrics?.prometheus?.serviceMonitor?.enabled ?? false).toBe(false);
    expect(without.objects.some((o) => /Monitor$/.test(o.kind))).toBe(false);
    expect(without.telemetry).toBeUndefined();
  });

  it('gives Grafana Loki as a data source only when both stacks are installed, and describes both', () => {
    const a = environment({ kind: 'eks' }, 'traefik');
    expect(values(a, 'kube-prometheus-stack').grafana.additionalDataSources).toEqual([
      {
        name: 'Loki',
        type: 'loki',
        uid: 'loki',
        access: 'proxy',
        url: 'http://loki-gateway.logging.svc.cluster.local',
        isDefault: false,
      },
    ]);
    expect(a.telemetry?.metrics).toMatchObject({
      namespace: 'monitoring',
      release: 'kube-prometheus-stack',
      grafanaDashboardLabel: { grafana_dashboard: '1' },
      prometheusPods: { 'app.kubernetes.io/name': 'prometheus' },
      alertmanager: { matcherStrategy: 'OnNamespace' },
    });
    expect(a.telemetry?.logs).toMatchObject({ namespace: 'logging', release: 'loki', storage: 's3' });
    const metricsOnly = environment({ kind: 'eks' }, 'traefik', { logs: undefined });
    expect(values(metricsOnly, 'kube-prometheus-stack').grafana.additionalDataSources).toBeUndefined();
    expect(metricsOnly.telemetry).toEqual({ metrics: a.telemetry!.metrics });
    const logsOnly = environment({ kind: 'eks' }, 'traefik', { metrics: undefined });
    expect(Object.keys(logsOnly.telemetry!)).toEqual(['logs']);
    expect(names(logsOnly)).not.toContain('kube-prometheus-stack');
    expect(values(logsOnly, 'loki').monitoring.serviceMonitor.enabled).toBe(false);
    expect(metricsOnly.warnings.join('\n')).toMatch(/SQLite/);
  });

  it('keeps the stacks’ namespaces restricted and gives the node agents recorded privileged exceptions', async () => {
    const a = environment({ kind: 'bare-metal' }, 'envoy-gateway');
    const level = (name: string) =>
      a.namespaces.find((n) => n.metadata.name === name)!.metadata.labels as Record<string, string>;
    expect(level('monitoring')['pod-security.kubernetes.io/enforce']).toBe('restricted');
    expect(level('logging')['pod-security.kubernetes.io/enforce']).toBe('restricted');
    expect(level('monitoring-node')).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'privileged',
      [POD_SECURITY_EXCEPTION_LABEL]: 'prometheus-node-exporter',
    });
    expect(level('logging-agent')).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'privileged',
      [POD_SECURITY_EXCEPTION_LABEL]: 'alloy',
    });
    await expectSchemaValid(a.namespaces);
  });

  it.each<[string, ClusterTraits, IngressControllerChoice['kind']]>([
    ['EKS with Traefik', { kind: 'eks' }, 'traefik'],
    ['bare metal with Envoy Gateway', { kind: 'bare-metal' }, 'envoy-gateway'],
  ])(
    '%s: every stack namespace gets a default deny and exactly its releases’ declared edges',
    async (_, cluster, kind) => {
      const a = environment(cluster, kind, { apiServerCidrs: ['10.0.0.1/32'] });
      // Loki stores in S3 on EKS here, on its volume on bare metal.
      const profileOf = (name: string) => (name === 'loki' && cluster.kind === 'eks' ? 'loki-object-storage' : name);
      for (const namespace of ['monitoring', 'monitoring-node', 'logging', 'logging-agent']) {
        const policies = a.networkPolicies.filter((p) => p.metadata.namespace === namespace);
        expect(policies[0]!.metadata.name).toBe('default-deny');
        const components = a.releases
          .filter((r) => r.namespace === namespace)
          .flatMap((r) => ADDON_NETWORK[profileOf(r.name)]!.components.map((c) => ({ r, c })));
        expect(policies.slice(1).map((p) => p.metadata.name)).toEqual(
          components.map(({ r, c }) => `${r.name}-${c.name}`),
        );
        components.forEach(({ c }, i) => {
          expect((policies[i + 1]!.spec as any).podSelector).toEqual({ matchLabels: c.podLabels });
          expect(policyEdges([policies[i + 1]!])).toEqual(declaredEdges(c.needs, { apiServerCidrs: ['10.0.0.1/32'] }));
        });
      }
      await expectSchemaValid(a.networkPolicies);
    },
  );

  it('lets Prometheus scrape every namespace and the nodes’ kubelet and node exporter, and nothing outside', () => {
    const a = environment({ kind: 'eks' }, 'traefik');
    const prometheus = edgesOf(a, 'kube-prometheus-stack-prometheus');
    expect(prometheus).toContain('egress {"namespaceSelector":{}} TCP *');
    expect(prometheus).toContain(`egress ${ANYWHERE} TCP 10250`);
    expect(prometheus).toContain(`egress ${ANYWHERE} TCP 9100`);
    expect(prometheus.filter((e) => e.startsWith(`egress ${ANYWHERE}`)).sort()).toEqual(
      [10250, 443, 6443, 9100].map((p) => `egress ${ANYWHERE} TCP ${p}`).sort(),
    );
    const scoped = environment({ kind: 'eks' }, 'traefik', {
      nodeCidrs: ['10.0.0.0/16'],
      apiServerCidrs: ['10.0.255.0/28'],
    });
    const scopedEdges = edgesOf(scoped, 'kube-prometheus-stack-prometheus');
    expect(scopedEdges).toContain('egress {"ipBlock":{"cidr":"10.0.0.0/16"}} TCP 9100');
    expect(scopedEdges.some((e) => e.includes(ANYWHERE))).toBe(false);
    // The operator's webhook takes the API server's calls.
    expect(edgesOf(scoped, 'kube-prometheus-stack-operator')).toContain(
      'ingress {"ipBlock":{"cidr":"10.0.255.0/28"}} TCP 10250',
    );
  });

  it('connects Grafana to Prometheus and Loki, the agent to Loki, and keeps Grafana off the internet', () => {
    const a = environment({ kind: 'eks' }, 'traefik');
    const grafana = edgesOf(a, 'kube-prometheus-stack-grafana');
    expect(grafana).toContain('egress {"podSelector":{}} TCP 9090');
    expect(grafana).toContain(`egress ${pods({ 'app.kubernetes.io/name': 'loki' })} TCP 8080`);
    expect(grafana.filter((e) => e.startsWith(`egress ${ANYWHERE}`)).sort()).toEqual([
      `egress ${ANYWHERE} TCP 443`,
      `egress ${ANYWHERE} TCP 6443`,
    ]); // the API server only (its address is unknown here)
    expect(edgesOf(a, 'alloy-agent')).toContain(`egress ${pods({ 'app.kubernetes.io/name': 'loki' })} TCP 8080`);
    const loki = edgesOf(a, 'loki-loki');
    expect(loki).toContain(`ingress ${pods({ 'app.kubernetes.io/name': 'alloy' })} TCP 8080`);
    expect(loki).toContain(`ingress ${pods({ 'app.kubernetes.io/name': 'grafana' })} TCP 8080`);
    expect(loki).toContain(`ingress ${pods({ 'app.kubernetes.io/name': 'prometheus' })} TCP 3100`);
    expect(loki).not.toContain('ingress {"namespaceSelector":{}} TCP 3100');
    // Loki reaches outside the cluster only for its bucket.
    const known = { apiServerCidrs: ['10.0.0.1/32'] };
    const inBucket = edgesOf(environment({ kind: 'eks' }, 'traefik', known), 'loki-loki');
    expect(inBucket.filter((e) => e.startsWith(`egress ${ANYWHERE}`))).toEqual([`egress ${ANYWHERE} TCP 443`]);
    const onVolume = edgesOf(environment({ kind: 'bare-metal' }, 'envoy-gateway', known), 'loki-loki');
    expect(onVolume.some((e) => e.includes(ANYWHERE))).toBe(false);
    const alertmanager = edgesOf(a, 'kube-prometheus-stack-alertmanager');
    expect(alertmanager).toContain('ingress {"podSelector":{}} UDP 9094');
    expect(alertmanager).toContain('egress {"podSelector":{}} UDP 9094');
  });

  it('emits schema-valid Flux sources and releases for the new charts: HTTPS and OCI', async () => {
    const a = environment({ kind: 'eks' }, 'traefik');
    const flux = fluxObjects(a.releases);
    await expectSchemaValid([...flux, ...a.namespaces, ...a.networkPolicies]);
    const source = (kind: string, name: string) =>
      flux.find((o) => o.kind === kind && o.metadata.name === name) as KubeObject & { spec: any };
    expect(source('HelmRepository', 'prometheus-community-github-io').spec.url).toBe(
      'https://prometheus-community.github.io/helm-charts',
    );
    expect(source('HelmRepository', 'grafana-github-io').spec.url).toBe('https://grafana.github.io/helm-charts');
    expect(source('OCIRepository', 'loki-chart').spec).toMatchObject({
      url: 'oci://ghcr.io/grafana-community/helm-charts/loki',
      ref: { tag: '18.11.0' },
    });
    const release = (name: string) =>
      flux.find((o) => o.kind === 'HelmRelease' && o.metadata.name === name) as KubeObject & { spec: any };
    expect(release('kube-prometheus-stack').spec.chart.spec).toMatchObject({
      chart: 'kube-prometheus-stack',
      version: '88.5.3',
    });
    expect(release('prometheus-node-exporter').spec.chart.spec.sourceRef.name).toBe('prometheus-community-github-io');
    expect(release('loki').spec.chartRef).toEqual({
      kind: 'OCIRepository',
      name: 'loki-chart',
      namespace: 'flux-system',
    });
    expect(release('alloy').spec.dependsOn).toEqual([{ name: 'loki' }, { name: 'kube-prometheus-stack' }]);
    expect(release('traefik').spec.dependsOn).toContainEqual({ name: 'kube-prometheus-stack' });
    // One source per repository: the two prometheus-community charts share one.
    expect(
      flux.filter((o) => o.kind === 'HelmRepository' && o.metadata.name === 'prometheus-community-github-io'),
    ).toHaveLength(1);
  });

  it.each<[string, Partial<PlatformAddonsProps>, RegExp]>([
    [
      'an unknown metrics option',
      { metrics: { retentoin: '1d' } as never },
      /`metrics.retentoin`: unknown; did you mean `retention`\?/,
    ],
    ['an unknown logs option', { logs: { storag: {} } as never }, /`logs.storag`: unknown; did you mean `storage`\?/],
    ['a misspelt top-level key', { metric: {} } as never, /`metric`: unknown; did you mean `metrics`\?/],
    [
      'HA logs on a filesystem',
      { logs: { highAvailability: true } },
      /'logs.highAvailability' \(true\) needs object storage/,
    ],
    ['a bad node CIDR', { nodeCidrs: ['10.0.0.0/40'] }, /'nodeCidrs\[0\]'/],
    ['an empty node CIDR list', { nodeCidrs: [] }, /'nodeCidrs' is empty/],
  ])('refuses %s', (_what, extra, message) => {
    expect(() => environment({ kind: 'bare-metal' }, 'envoy-gateway', extra)).toThrow(message);
  });
});
