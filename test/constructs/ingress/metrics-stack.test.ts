import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ClusterTraits, resolveClusterTraits } from '../../../constructs/cluster/traits';
import { CHARTS } from '../../../constructs/ingress/charts';
import {
  controlPlaneScraping,
  METRICS_DEFAULT_RESOURCES,
  type MetricsStackOptions,
  metricsStack,
} from '../../../constructs/ingress/metrics-stack';
import { expectInvalid } from '../../helpers/errors';
import { restrictedFindings } from './telemetry-checks';

const stack = (cluster: ClusterTraits = { kind: 'eks' }, options: MetricsStackOptions = {}, lokiUrl?: string) =>
  metricsStack(resolveClusterTraits(cluster), options, lokiUrl ? { lokiUrl } : {});
const values = (s: ReturnType<typeof stack>, release = 'kube-prometheus-stack') =>
  s.releases.find((r) => r.name === release)!.values as any;

/** Every key path of a JSON value. */
function paths(value: unknown, at = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => paths(v, `${at}[${i}]`));
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => [`${at}.${k}`, ...paths(v, `${at}.${k}`)]);
  return [];
}

describe('metricsStack', () => {
  it('installs the pinned stack, then the node exporter in its own namespace', () => {
    const s = stack();
    expect(s.releases.map((r) => [r.name, r.namespace, r.chart, r.dependsOn])).toEqual([
      ['kube-prometheus-stack', 'monitoring', CHARTS.kubePrometheusStack, []],
      ['prometheus-node-exporter', 'monitoring-node', CHARTS.prometheusNodeExporter, ['kube-prometheus-stack']],
    ]);
    expect(CHARTS.kubePrometheusStack).toEqual({
      repository: 'https://prometheus-community.github.io/helm-charts',
      name: 'kube-prometheus-stack',
      version: '88.5.3',
    });
    expect(values(s).nodeExporter).toEqual({ enabled: false, forceDeployDashboards: true });
    expect(values(s).crds).toEqual({ enabled: true });
    expect(values(s).kubelet).toEqual({ enabled: true, serviceMonitor: { cAdvisor: true } });
  });

  it('selects monitors, rules and Alertmanager configs of every namespace, keeping per-namespace matching', () => {
    const spec = values(stack()).prometheus.prometheusSpec;
    for (const kind of ['serviceMonitor', 'podMonitor', 'rule', 'probe', 'scrapeConfig']) {
      expect(spec[`${kind}SelectorNilUsesHelmValues`], kind).toBe(false);
      expect(spec[`${kind}NamespaceSelector`], kind).toEqual({});
    }
    expect(values(stack()).alertmanager.alertmanagerSpec).toMatchObject({
      alertmanagerConfigSelector: {},
      alertmanagerConfigNamespaceSelector: {},
      alertmanagerConfigMatcherStrategy: { type: 'OnNamespace' },
    });
  });

  it('turns on the Grafana dashboard sidecar for grafana_dashboard=1 in all namespaces, and no plugin downloads', () => {
    const g = values(stack()).grafana;
    expect(g.sidecar.dashboards).toEqual({
      enabled: true,
      label: 'grafana_dashboard',
      labelValue: '1',
      searchNamespace: 'ALL',
    });
    expect(g.plugins).toEqual([]);
    expect(g['grafana.ini'].plugins).toEqual({ preinstall_disabled: true, plugin_admin_enabled: false });
    expect(g['grafana.ini'].analytics).toEqual({
      check_for_updates: false,
      check_for_plugin_updates: false,
      reporting_enabled: false,
    });
    expect(g.additionalDataSources).toBeUndefined();
    expect(
      stack({ kind: 'eks' }, {}, 'http://loki-gateway.logging.svc.cluster.local').releases[0]!.values,
    ).toMatchObject({
      grafana: {
        additionalDataSources: [{ name: 'Loki', type: 'loki', url: 'http://loki-gateway.logging.svc.cluster.local' }],
      },
    });
  });

  it('defaults: HA replicas with budgets and spread, 15d retention, 50Gi/2Gi of the cluster class, resources', () => {
    const v = values(stack({ kind: 'eks' }));
    expect(v.prometheus.prometheusSpec).toMatchObject({ replicas: 2, retention: '15d' });
    expect(v.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec).toEqual({
      storageClassName: 'gp3',
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '50Gi' } },
    });
    expect(v.alertmanager.alertmanagerSpec.replicas).toBe(3);
    expect(v.alertmanager.alertmanagerSpec.storage.volumeClaimTemplate.spec.resources.requests.storage).toBe('2Gi');
    expect(v.grafana.replicas).toBe(2);
    expect(v.prometheus.podDisruptionBudget).toEqual({ enabled: true, minAvailable: 1 });
    expect(v.alertmanager.podDisruptionBudget).toEqual({ enabled: true, minAvailable: 1 });
    expect(v.grafana.podDisruptionBudget).toEqual({ maxUnavailable: 1 });
    expect(v.prometheus.prometheusSpec.topologySpreadConstraints.map((c: any) => c.topologyKey)).toEqual([
      'topology.kubernetes.io/zone',
      'kubernetes.io/hostname',
    ]);
    expect(v.alertmanager.alertmanagerSpec.topologySpreadConstraints[0].labelSelector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'alertmanager',
      alertmanager: 'kube-prometheus-stack-alertmanager',
    });
    expect(v.prometheus.prometheusSpec.resources).toEqual(METRICS_DEFAULT_RESOURCES.prometheus);
    expect(v.grafana.resources).toEqual(METRICS_DEFAULT_RESOURCES.grafana);
    expect(v.prometheusOperator.resources).toEqual(METRICS_DEFAULT_RESOURCES.operator);
    expect(v['kube-state-metrics'].resources).toEqual(METRICS_DEFAULT_RESOURCES.kubeStateMetrics);
    expect(values(stack(), 'prometheus-node-exporter').resources).toEqual(METRICS_DEFAULT_RESOURCES.nodeExporter);
    expect(stack().warnings.join()).toMatch(/SQLite/);
  });

  it('runs one of each without budgets or spread when highAvailability is false', () => {
    const s = stack({ kind: 'bare-metal' }, { highAvailability: false });
    const v = values(s);
    expect([
      v.prometheus.prometheusSpec.replicas,
      v.alertmanager.alertmanagerSpec.replicas,
      v.grafana.replicas,
    ]).toEqual([1, 1, 1]);
    expect(v.prometheus.podDisruptionBudget.enabled).toBe(false);
    expect(v.grafana.podDisruptionBudget).toBeUndefined();
    expect(v.prometheus.prometheusSpec.topologySpreadConstraints).toEqual([]);
    expect(v.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.storageClassName).toBe('local-path');
    expect(s.warnings).toEqual([
      "metrics: Grafana reads its admin user and password from Secret monitoring/grafana-admin (keys admin-user, admin-password); create it (an ExternalSecret, a sealed Secret) before the release, or Grafana's pods do not start",
    ]);
  });

  it('takes retention, storage, resources and the namespaces from the options, and merges raw values last', () => {
    const v = values(
      stack(
        { kind: 'gke' },
        {
          namespace: 'obs',
          nodeExporterNamespace: 'obs-node',
          retention: '30d',
          storage: { size: '200Gi', storageClass: 'premium-rwo' },
          resources: { prometheus: { requests: { memory: '8Gi' } } },
          values: { prometheus: { prometheusSpec: { retention: '7d' } }, grafana: { replicas: 3 } },
        },
      ),
    );
    expect(v.prometheus.prometheusSpec.retention).toBe('7d');
    expect(v.grafana.replicas).toBe(3);
    expect(v.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec).toMatchObject({
      storageClassName: 'premium-rwo',
      resources: { requests: { storage: '200Gi' } },
    });
    expect(v.prometheus.prometheusSpec.resources).toEqual({
      requests: { cpu: '500m', memory: '8Gi' },
      limits: { memory: '4Gi' },
    });
    expect(stack({ kind: 'gke' }, { namespace: 'obs', nodeExporterNamespace: 'obs-node' }).telemetry).toMatchObject({
      namespace: 'obs',
      nodeExporter: { namespace: 'obs-node', release: 'prometheus-node-exporter' },
    });
  });

  it.each<[ClusterTraits['kind'], boolean]>([
    ['eks', false],
    ['gke', false],
    ['aks', false],
    ['bare-metal', false],
    ['vm', false],
    ['existing', true],
  ])('on %s scrapes etcd, the scheduler, the controller-manager and kube-proxy: %s', (kind, scraped) => {
    const v = values(stack({ kind }));
    for (const component of ['kubeEtcd', 'kubeScheduler', 'kubeControllerManager', 'kubeProxy'])
      expect(v[component], component).toEqual({ enabled: scraped });
    expect(v.kubeDns.enabled).toBe(kind === 'gke');
    expect(v.coreDns.enabled).toBe(kind !== 'gke');
    expect(controlPlaneScraping(resolveClusterTraits({ kind }))).toMatchObject({ kubeEtcd: { enabled: scraped } });
  });

  it('keeps Grafana credentials as a Secret reference only (default grafana-admin), never a password', () => {
    const v = values(stack());
    expect(v.grafana.admin).toEqual({
      existingSecret: 'grafana-admin',
      userKey: 'admin-user',
      passwordKey: 'admin-password',
    });
    const custom = stack({ kind: 'eks' }, { grafana: { admin: { existingSecret: 'ops-grafana', passwordKey: 'pw' } } });
    expect(values(custom).grafana.admin).toEqual({
      existingSecret: 'ops-grafana',
      userKey: 'admin-user',
      passwordKey: 'pw',
    });
    for (const release of stack().releases) {
      const secretish = paths(release.values).filter((p) => /password|secret|token/i.test(p));
      expect(secretish, release.name).toEqual(
        release.name === 'kube-prometheus-stack' ? ['.grafana.admin.existingSecret', '.grafana.admin.passwordKey'] : [],
      );
      expect(JSON.stringify(release.values)).not.toMatch(/adminPassword/);
    }
  });

  it('hardens every component to the restricted profile (the node exporter apart from its host access)', () => {
    const v = values(stack());
    const ne = values(stack(), 'prometheus-node-exporter');
    const pairs: [string, unknown, unknown][] = [
      ['operator', v.prometheusOperator.securityContext, v.prometheusOperator.containerSecurityContext],
      ['kube-state-metrics', v['kube-state-metrics'].securityContext, v['kube-state-metrics'].containerSecurityContext],
      ['grafana', v.grafana.securityContext, v.grafana.containerSecurityContext],
      ['grafana sidecar', v.grafana.securityContext, v.grafana.sidecar.securityContext],
      ['node exporter', ne.securityContext, ne.containerSecurityContext],
      // The operator writes the Prometheus and Alertmanager containers' contexts itself.
      [
        'prometheus',
        v.prometheus.prometheusSpec.securityContext,
        { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
      ],
      [
        'alertmanager',
        v.alertmanager.alertmanagerSpec.securityContext,
        { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
      ],
    ];
    for (const [name, pod, container] of pairs) expect(restrictedFindings(pod, container), name).toEqual([]);
    for (const [name, pod] of pairs)
      expect(pod, name).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(v.prometheusOperator.containerSecurityContext.readOnlyRootFilesystem).toBe(true);
    expect(ne.containerSecurityContext.readOnlyRootFilesystem).toBe(true);
    expect(ne).toMatchObject({ hostNetwork: true, hostPID: true, podLabels: { jobLabel: 'node-exporter' } });
  });

  it('describes where it runs for the code that adds dashboards and policies', () => {
    expect(stack().telemetry).toEqual({
      namespace: 'monitoring',
      release: 'kube-prometheus-stack',
      nodeExporter: { namespace: 'monitoring-node', release: 'prometheus-node-exporter' },
      grafanaDashboardLabel: { grafana_dashboard: '1' },
      prometheusPods: { 'app.kubernetes.io/name': 'prometheus', prometheus: 'kube-prometheus-stack-prometheus' },
      prometheus: { service: 'kube-prometheus-stack-prometheus', port: 9090 },
      alertmanager: {
        pods: { 'app.kubernetes.io/name': 'alertmanager', alertmanager: 'kube-prometheus-stack-alertmanager' },
        service: 'kube-prometheus-stack-alertmanager',
        port: 9093,
        matcherStrategy: 'OnNamespace',
      },
      grafana: {
        pods: { 'app.kubernetes.io/name': 'grafana', 'app.kubernetes.io/instance': 'kube-prometheus-stack' },
        service: 'kube-prometheus-stack-grafana',
        port: 80,
      },
    });
  });

  it.each<[string, MetricsStackOptions, string, RegExp]>([
    ['an unknown option', { retentoin: '1d' } as never, 'metrics.retentoin', /unknown; did you mean `retention`/],
    ['a retention without unit', { retention: '15' }, 'metrics.retention', /positive whole number with one unit/],
    ['a zero retention', { retention: '0d' }, 'metrics.retention', /'metrics.retention' \("0d"\)/],
    ['a negative storage size', { storage: { size: '-5Gi' } }, 'metrics.storage.size', /negative sizes/],
    [
      'a zero Alertmanager volume',
      { storage: { alertmanagerSize: '0' } },
      'metrics.storage.alertmanagerSize',
      /positive Kubernetes quantity/,
    ],
    ['a bad StorageClass', { storage: { storageClass: 'Fast SSD' } }, 'metrics.storage.storageClass', /Fast SSD/],
    ['a bad namespace', { namespace: 'Monitoring' }, 'metrics.namespace', /Monitoring/],
    [
      'one namespace for both',
      { namespace: 'mon', nodeExporterNamespace: 'mon' },
      'metrics.nodeExporterNamespace',
      /must differ/,
    ],
    [
      'a bad memory request',
      { resources: { grafana: { requests: { memory: 'lots' } } } },
      'metrics.resources.grafana.requests.memory',
      /"lots"/,
    ],
    [
      'a bad Secret name',
      { grafana: { admin: { existingSecret: 'Grafana_Admin' } } },
      'metrics.grafana.admin.existingSecret',
      /Grafana_Admin/,
    ],
    [
      'a bad Secret key',
      { grafana: { admin: { passwordKey: 'pass word' } } },
      'metrics.grafana.admin.passwordKey',
      /Secret data key/,
    ],
    [
      'a password instead of a Secret',
      { grafana: { admin: { password: 'hunter2' } } } as never,
      'metrics.grafana.admin.password',
      /unknown/,
    ],
    [
      'a Grafana password in raw values',
      { values: { grafana: { adminPassword: 'hunter2' } } },
      'metrics.values.grafana.adminPassword',
      /plain text.*'metrics.grafana.admin.existingSecret'/,
    ],
    ['null raw values', { values: { grafana: null } } as never, 'metrics.values.grafana', /null/],
  ])('refuses %s, naming the field', (_what, options, property, message) => {
    expectInvalid(() => stack({ kind: 'eks' }, options), property, message);
  });

  it('accepts every well-formed retention and size, and refuses every malformed one (property)', () => {
    const unit = fc.constantFrom('s', 'm', 'h', 'd', 'w', 'y');
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9999 }),
        unit,
        fc.integer({ min: 1, max: 9999 }),
        fc.constantFrom('Mi', 'Gi', 'Ti', 'G'),
        (n, u, size, su) => {
          const v = values(stack({ kind: 'eks' }, { retention: `${n}${u}`, storage: { size: `${size}${su}` } }));
          expect(v.prometheus.prometheusSpec.retention).toBe(`${n}${u}`);
        },
      ),
      { numRuns: 100 },
    );
    fc.assert(
      fc.property(
        fc.string().filter((s) => !/^[1-9]\d*(ms|s|m|h|d|w|y)$/.test(s)),
        (retention) => {
          expect(() => stack({ kind: 'eks' }, { retention })).toThrow(/metrics.retention/);
        },
      ),
      { numRuns: 200 },
    );
  });
});
