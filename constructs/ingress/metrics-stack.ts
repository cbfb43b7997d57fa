/**
 * The metrics stack as pure data: the Prometheus Operator with Prometheus, Alertmanager, Grafana and
 * kube-state-metrics (chart kube-prometheus-stack), cAdvisor through the kubelet's ServiceMonitor, and the
 * node exporter as a release of its own. The node exporter needs the host's network, PID namespace and root
 * filesystem, which Pod Security `restricted` (and `baseline`) refuse; in its own namespace it takes a
 * recorded `privileged` exception, and the stack's namespace stays `restricted`. The stack's rules and
 * dashboards keep working for it (its ServiceMonitor keeps the `node-exporter` job name they query).
 * Value paths are those of kube-prometheus-stack's values.yaml (version in CHARTS). Pure.
 */
import type { ResolvedClusterTraits } from '../cluster/traits';
import { assertProps } from '../core/strict';
import { assertDnsSubdomain, InvalidPropertyError, show } from '../core/validate';
import { CHARTS } from './charts';
import { topologySpread } from './exposure';
import { deepMerge, type ReleaseSpec, validateRelease } from './release';
import { assertResolvedTraits, METRICS_STACK_OPTIONS_SPEC } from './schema';
import {
  assertDuration,
  assertNoSecretValues,
  assertQuantity,
  type ComponentResources,
  HARDENED_CONTAINER,
  hardenedPod,
  resolveResources,
  stackNamespaces,
} from './telemetry-values';

/** The Secret holding Grafana's admin user and password, created out of band (External Secrets, sealed). */
export interface GrafanaAdminSecret {
  /** @default 'grafana-admin' */
  readonly existingSecret?: string;
  /** @default 'admin-user' */
  readonly userKey?: string;
  /** @default 'admin-password' */
  readonly passwordKey?: string;
}

/** Options of {@link metricsStack}. */
export interface MetricsStackOptions {
  /** Namespace of the stack (Pod Security `restricted`). @default 'monitoring' */
  readonly namespace?: string;
  /** Namespace of the node exporter (Pod Security `privileged`, recorded exception). @default 'monitoring-node' */
  readonly nodeExporterNamespace?: string;
  /** How long Prometheus keeps samples, a Prometheus duration like '15d'. @default '15d' */
  readonly retention?: string;
  /** Persistent volumes of Prometheus and Alertmanager. @default - 50Gi and 2Gi of the cluster's StorageClass */
  readonly storage?: {
    /** Per Prometheus replica. @default '50Gi' */
    readonly size?: string;
    /** Per Alertmanager replica. @default '2Gi' */
    readonly alertmanagerSize?: string;
    /** @default - the cluster's `storageClass` (the cluster default when that is '') */
    readonly storageClass?: string;
  };
  /**
   * 2 Prometheus, 3 Alertmanager and 2 Grafana replicas, each with a disruption budget and spread over
   * nodes (and zones); `false` runs one of each.
   * @default true
   */
  readonly highAvailability?: boolean;
  /** Per component. @default - see METRICS_DEFAULT_RESOURCES */
  readonly resources?: {
    readonly prometheus?: ComponentResources;
    readonly alertmanager?: ComponentResources;
    readonly grafana?: ComponentResources;
    readonly operator?: ComponentResources;
    readonly kubeStateMetrics?: ComponentResources;
    readonly nodeExporter?: ComponentResources;
  };
  /** Grafana's admin credentials, only ever as a Secret reference. @default { existingSecret: 'grafana-admin' } */
  readonly grafana?: { readonly admin?: GrafanaAdminSecret };
  /** Raw kube-prometheus-stack values, deep-merged last. @default {} */
  readonly values?: Readonly<Record<string, unknown>>;
  /** Raw prometheus-node-exporter values, deep-merged last. @default {} */
  readonly nodeExporterValues?: Readonly<Record<string, unknown>>;
}

/** Where the metrics stack runs and how other code finds and selects it. */
export interface MetricsTelemetry {
  readonly namespace: string;
  readonly release: string;
  readonly nodeExporter: { readonly namespace: string; readonly release: string };
  /** Label that makes the Grafana sidecar load a ConfigMap as a dashboard (from any namespace). */
  readonly grafanaDashboardLabel: { readonly grafana_dashboard: '1' };
  /** Labels of the Prometheus pods (NetworkPolicy peers of what they scrape). */
  readonly prometheusPods: Readonly<Record<string, string>>;
  /** The Prometheus Service (in `namespace`). */
  readonly prometheus: { readonly service: string; readonly port: number };
  /** Alertmanager: pods, Service, and how AlertmanagerConfigs of any namespace are matched. */
  readonly alertmanager: {
    readonly pods: Readonly<Record<string, string>>;
    readonly service: string;
    readonly port: number;
    /** 'OnNamespace': an AlertmanagerConfig only routes alerts of its own namespace. */
    readonly matcherStrategy: 'OnNamespace';
  };
  readonly grafana: {
    readonly pods: Readonly<Record<string, string>>;
    readonly service: string;
    readonly port: number;
  };
}

/** The stack's releases and its description. */
export interface MetricsStack {
  readonly releases: readonly ReleaseSpec[];
  readonly telemetry: MetricsTelemetry;
  readonly warnings: readonly string[];
}

/** What {@link metricsStack} needs from the rest of the platform. */
export interface MetricsStackContext {
  /** Loki's query URL, when the logs stack is installed: Grafana gets it as a data source. */
  readonly lokiUrl?: string;
}

/** The stack's release name; the chart's object names derive from it (fullname 'kube-prometheus-stack'). */
export const METRICS_RELEASE = 'kube-prometheus-stack';
/** The node exporter's release name (the key of its Pod Security exception and network profile). */
export const NODE_EXPORTER_RELEASE = 'prometheus-node-exporter';
const CR = METRICS_RELEASE; // fullname: the release name contains the chart name, so it is used as is

/** Default requests and memory limits (no CPU limits: throttling Prometheus loses scrapes). */
export const METRICS_DEFAULT_RESOURCES = {
  prometheus: { requests: { cpu: '500m', memory: '2Gi' }, limits: { memory: '4Gi' } },
  alertmanager: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '256Mi' } },
  grafana: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } },
  operator: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
  kubeStateMetrics: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '256Mi' } },
  nodeExporter: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '128Mi' } },
} as const satisfies Record<string, ComponentResources>;

/**
 * Which control-plane components Prometheus scrapes. Managed control planes (EKS, GKE, AKS) expose no etcd,
 * scheduler or controller-manager endpoint, and their kube-proxy serves metrics on 127.0.0.1:10249 only (or
 * is absent, as with GKE Dataplane V2). k3s (bare-metal and vm here) runs them all in the k3s process bound
 * to 127.0.0.1, and Switchyard's k3s configuration does not expose them, so scraping them would only raise
 * TargetDown alerts. On an existing cluster nothing is known: the chart's defaults (all on) stay, and
 * `values` turns off what the cluster does not expose.
 */
export function controlPlaneScraping(cluster: ResolvedClusterTraits): Record<string, { enabled: boolean }> {
  const known = cluster.kind !== 'existing';
  const off = { enabled: !known };
  return {
    kubeEtcd: off,
    kubeScheduler: off,
    kubeControllerManager: off,
    kubeProxy: off,
    // GKE runs kube-dns; the others run CoreDNS (labelled k8s-app=kube-dns too).
    coreDns: { enabled: cluster.kind !== 'gke' },
    kubeDns: { enabled: cluster.kind === 'gke' },
  };
}

const volume = (size: string, storageClass: string) => ({
  volumeClaimTemplate: {
    spec: {
      ...(storageClass ? { storageClassName: storageClass } : {}),
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: size } },
    },
  },
});

/** The metrics stack's releases (the stack, then the node exporter) and the description other code uses. */
export function metricsStack(
  cluster: ResolvedClusterTraits,
  options: MetricsStackOptions = {},
  context: MetricsStackContext = {},
): MetricsStack {
  assertResolvedTraits(cluster);
  assertProps(options, METRICS_STACK_OPTIONS_SPEC, 'metrics', 'metrics');
  const [namespace, nodeNamespace] = stackNamespaces(
    ['metrics.namespace', 'metrics.nodeExporterNamespace'],
    [options.namespace ?? 'monitoring', options.nodeExporterNamespace ?? 'monitoring-node'],
    'the node exporter',
  );
  const retention = options.retention ?? '15d';
  assertDuration('metrics.retention', retention);
  const size = options.storage?.size ?? '50Gi';
  const alertmanagerSize = options.storage?.alertmanagerSize ?? '2Gi';
  assertQuantity('metrics.storage.size', size);
  assertQuantity('metrics.storage.alertmanagerSize', alertmanagerSize);
  const storageClass = options.storage?.storageClass ?? cluster.storageClass;
  if (storageClass) assertDnsSubdomain('metrics.storage.storageClass', storageClass);
  const admin = {
    existingSecret: options.grafana?.admin?.existingSecret ?? 'grafana-admin',
    userKey: options.grafana?.admin?.userKey ?? 'admin-user',
    passwordKey: options.grafana?.admin?.passwordKey ?? 'admin-password',
  };
  assertDnsSubdomain('metrics.grafana.admin.existingSecret', admin.existingSecret);
  for (const key of ['userKey', 'passwordKey'] as const)
    if (!/^[-._a-zA-Z0-9]+$/.test(admin[key]))
      throw new InvalidPropertyError(
        `metrics.grafana.admin.${key}`,
        `'metrics.grafana.admin.${key}' (${show(admin[key])}) must be a Secret data key (letters, digits, '-', '_', '.')`,
      );
  assertNoSecretValues(
    'metrics.values',
    options.values,
    ['grafana.adminPassword', 'grafana.admin.password'],
    `Grafana reads its credentials from the Secret 'metrics.grafana.admin.existingSecret' names`,
  );
  const res = (name: keyof typeof METRICS_DEFAULT_RESOURCES) =>
    resolveResources(`metrics.resources.${name}`, METRICS_DEFAULT_RESOURCES[name], options.resources?.[name]);
  const ha = options.highAvailability ?? true;
  const pdb = (enabled: boolean) => ({ enabled, minAvailable: 1 });
  const spread = (labels: Record<string, string>) => (ha ? topologySpread(cluster, labels) : []);
  const prometheusPods = { 'app.kubernetes.io/name': 'prometheus', prometheus: `${CR}-prometheus` };
  const alertmanagerPods = { 'app.kubernetes.io/name': 'alertmanager', alertmanager: `${CR}-alertmanager` };
  const grafanaPods = { 'app.kubernetes.io/name': 'grafana', 'app.kubernetes.io/instance': METRICS_RELEASE };
  // Every namespace's monitors, rules and configs: a nil or {} selector then selects all, not the release's.
  const everywhere = {
    serviceMonitorSelectorNilUsesHelmValues: false,
    podMonitorSelectorNilUsesHelmValues: false,
    ruleSelectorNilUsesHelmValues: false,
    probeSelectorNilUsesHelmValues: false,
    scrapeConfigSelectorNilUsesHelmValues: false,
    serviceMonitorNamespaceSelector: {},
    podMonitorNamespaceSelector: {},
    ruleNamespaceSelector: {},
    probeNamespaceSelector: {},
    scrapeConfigNamespaceSelector: {},
  };
  const stackValues: Record<string, unknown> = {
    crds: { enabled: true },
    ...controlPlaneScraping(cluster),
    // cAdvisor comes through the kubelet ServiceMonitor (kubelet.serviceMonitor.cAdvisor).
    kubelet: { enabled: true, serviceMonitor: { cAdvisor: true } },
    // The node exporter is its own release (below); its dashboards stay (nodeExporter.forceDeployDashboards).
    nodeExporter: { enabled: false, forceDeployDashboards: true },
    prometheusOperator: {
      securityContext: hardenedPod(65534),
      containerSecurityContext: HARDENED_CONTAINER,
      resources: res('operator'),
      admissionWebhooks: { patch: { securityContext: hardenedPod(2000) } },
    },
    prometheus: {
      podDisruptionBudget: pdb(ha),
      prometheusSpec: {
        ...everywhere,
        replicas: ha ? 2 : 1,
        retention,
        storageSpec: volume(size, storageClass),
        resources: res('prometheus'),
        // The operator hardens its containers itself (read-only root, no escalation, ALL dropped).
        securityContext: hardenedPod(1000, 2000),
        topologySpreadConstraints: spread(prometheusPods),
      },
    },
    alertmanager: {
      podDisruptionBudget: pdb(ha),
      alertmanagerSpec: {
        replicas: ha ? 3 : 1,
        storage: volume(alertmanagerSize, storageClass),
        resources: res('alertmanager'),
        securityContext: hardenedPod(1000, 2000),
        topologySpreadConstraints: spread(alertmanagerPods),
        // AlertmanagerConfigs of every namespace, each matching only its own namespace's alerts.
        alertmanagerConfigSelector: {},
        alertmanagerConfigNamespaceSelector: {},
        alertmanagerConfigMatcherStrategy: { type: 'OnNamespace' },
      },
    },
    'kube-state-metrics': {
      resources: res('kubeStateMetrics'),
      securityContext: hardenedPod(65534),
      containerSecurityContext: HARDENED_CONTAINER,
    },
    grafana: {
      replicas: ha ? 2 : 1,
      ...(ha ? { podDisruptionBudget: { maxUnavailable: 1 } } : {}),
      topologySpreadConstraints: spread(grafanaPods),
      resources: res('grafana'),
      // Credentials from the Secret only (grafana chart admin.*): no password in the values.
      admin,
      securityContext: hardenedPod(472),
      // Grafana writes beside its mounted data path (plugins, caches), so its root stays writable.
      containerSecurityContext: { ...HARDENED_CONTAINER, readOnlyRootFilesystem: false },
      initChownData: { enabled: false },
      testFramework: { enabled: false },
      // No plugin downloads, no update checks, no usage reports: Grafana needs no internet.
      plugins: [],
      'grafana.ini': {
        analytics: { check_for_updates: false, check_for_plugin_updates: false, reporting_enabled: false },
        plugins: { preinstall_disabled: true, plugin_admin_enabled: false },
        news: { news_feed_enabled: false },
      },
      sidecar: {
        securityContext: HARDENED_CONTAINER,
        dashboards: { enabled: true, label: 'grafana_dashboard', labelValue: '1', searchNamespace: 'ALL' },
      },
      ...(context.lokiUrl
        ? {
            additionalDataSources: [
              { name: 'Loki', type: 'loki', uid: 'loki', access: 'proxy', url: context.lokiUrl, isDefault: false },
            ],
          }
        : {}),
    },
  };
  const release = validateRelease({
    name: METRICS_RELEASE,
    namespace,
    chart: CHARTS.kubePrometheusStack,
    values: deepMerge(stackValues, options.values),
    timeoutSeconds: 900,
  });
  const nodeExporter = validateRelease({
    name: NODE_EXPORTER_RELEASE,
    namespace: nodeNamespace,
    chart: CHARTS.prometheusNodeExporter,
    values: deepMerge(
      {
        // The stack's node rules and dashboards select job="node-exporter".
        podLabels: { jobLabel: 'node-exporter' },
        service: { portName: 'http-metrics', labels: { jobLabel: 'node-exporter' } },
        prometheus: { monitor: { enabled: true, jobLabel: 'jobLabel' } },
        extraArgs: [
          '--collector.filesystem.mount-points-exclude=^/(dev|proc|run/containerd/.+|sys|var/lib/(docker|kubelet)/.+)($|/)',
          '--collector.filesystem.fs-types-exclude=^(autofs|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|mqueue|nsfs|overlay|proc|procfs|pstore|securityfs|squashfs|sysfs|tracefs)$',
        ],
        // Host network, PID namespace and root filesystem (read-only) are what it measures; nothing else.
        hostNetwork: true,
        hostPID: true,
        securityContext: hardenedPod(65534),
        containerSecurityContext: HARDENED_CONTAINER,
        resources: res('nodeExporter'),
      },
      options.nodeExporterValues,
    ),
    dependsOn: [METRICS_RELEASE],
  });
  const warnings = [
    `metrics: Grafana reads its admin user and password from Secret ${namespace}/${admin.existingSecret} (keys ${admin.userKey}, ${admin.passwordKey}); create it (an ExternalSecret, a sealed Secret) before the release, or Grafana's pods do not start`,
    ...(ha
      ? [
          "metrics: Grafana runs 2 replicas, each with its own SQLite database: provisioned dashboards and data sources agree, but logins and changes made in the UI do not; point grafana.ini.database at a shared database through 'metrics.values'",
        ]
      : []),
  ];
  return {
    releases: [release, nodeExporter],
    telemetry: {
      namespace,
      release: METRICS_RELEASE,
      nodeExporter: { namespace: nodeNamespace, release: NODE_EXPORTER_RELEASE },
      grafanaDashboardLabel: { grafana_dashboard: '1' },
      prometheusPods,
      prometheus: { service: `${CR}-prometheus`, port: 9090 },
      alertmanager: {
        pods: alertmanagerPods,
        service: `${CR}-alertmanager`,
        port: 9093,
        matcherStrategy: 'OnNamespace',
      },
      grafana: { pods: grafanaPods, service: `${CR}-grafana`, port: 80 },
    },
    warnings,
  };
}
