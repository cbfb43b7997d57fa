/**
 * The logs stack as pure data: Loki (the grafana-community chart, monolithic mode) as the log store and
 * Grafana Alloy as the node agent. Alloy over Fluent Bit: one agent that speaks Loki's push API natively,
 * discovers pods through the API server for their labels and parses JSON in the pipeline, from the same
 * project as Loki; Fluent Bit would need its Loki output plus Lua or parsers for the same result. Promtail
 * is deprecated (end of life in favour of Alloy), so it is not an option.
 *
 * Storage, honestly: a filesystem store lives on one replica's volume, so it runs one Loki replica and no
 * high availability; several replicas need object storage (S3, GCS, Azure Blob), which they share. The
 * agent reads /var/log/pods through a hostPath, which Pod Security `restricted` and `baseline` refuse: it
 * runs in a namespace of its own with a recorded `privileged` exception; Loki's namespace stays restricted.
 * Value paths are those of the loki chart's values.yaml and the alloy chart's (versions in CHARTS). Pure.
 */
import type { ResolvedClusterTraits } from '../cluster/traits';
import { assertProps } from '../core/strict';
import { assertDnsLabel, assertDnsSubdomain, InvalidPropertyError, isIamRoleArn, show } from '../core/validate';
import { alloyPipeline } from './alloy-pipeline';
import { CHARTS } from './charts';
import { topologySpread } from './exposure';
import { deepMerge, type ReleaseSpec, validateRelease } from './release';
import { assertResolvedTraits, LOGS_STACK_OPTIONS_SPEC } from './schema';
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

/** Where Loki keeps chunks and indexes. */
export type LokiStorage =
  /** A volume of the single Loki replica: no high availability. */
  | { readonly type: 'filesystem' }
  /** An S3 bucket, read and written with the Loki service account's IRSA role. */
  | { readonly type: 's3'; readonly bucket: string; readonly region: string; readonly roleArn: string }
  /** A GCS bucket, through GKE Workload Identity as the given Google service account. */
  | { readonly type: 'gcs'; readonly bucket: string; readonly serviceAccount: string }
  /** An Azure Blob container, through Azure Workload Identity (federated token) as the given client. */
  | { readonly type: 'azure'; readonly accountName: string; readonly container: string; readonly clientId: string };

/** Options of {@link logsStack}. */
export interface LogsStackOptions {
  /** Namespace of Loki (Pod Security `restricted`). @default 'logging' */
  readonly namespace?: string;
  /** Namespace of the Alloy agent (Pod Security `privileged`, recorded exception). @default 'logging-agent' */
  readonly agentNamespace?: string;
  /** How long logs are kept: hours, days or weeks, a whole number of days. @default '14d' */
  readonly retention?: string;
  /** @default { type: 'filesystem' } */
  readonly storage?: LokiStorage;
  /** Size and class of each Loki replica's volume (WAL, and the chunks with filesystem storage). @default - 20Gi of the cluster's StorageClass */
  readonly volume?: { readonly size?: string; readonly storageClass?: string };
  /**
   * Three Loki replicas (replication factor 3) and two gateways, with disruption budgets and spread;
   * needs object storage.
   * @default - true with object storage, false with filesystem storage
   */
  readonly highAvailability?: boolean;
  /** @default - see LOGS_DEFAULT_RESOURCES */
  readonly resources?: {
    readonly loki?: ComponentResources;
    readonly gateway?: ComponentResources;
    readonly agent?: ComponentResources;
  };
  /** Raw loki chart values, deep-merged last. @default {} */
  readonly values?: Readonly<Record<string, unknown>>;
  /** Raw alloy chart values, deep-merged last. @default {} */
  readonly agentValues?: Readonly<Record<string, unknown>>;
}

/** Where the logs stack runs and how other code reaches it. */
export interface LogsTelemetry {
  readonly namespace: string;
  readonly release: string;
  readonly storage: LokiStorage['type'];
  /** Loki's gateway: the push URL agents use and the URL Grafana queries. */
  readonly pushUrl: string;
  readonly queryUrl: string;
  /** Labels of the Loki pods (gateway included). */
  readonly lokiPods: Readonly<Record<string, string>>;
  readonly agent: {
    readonly namespace: string;
    readonly release: string;
    readonly pods: Readonly<Record<string, string>>;
  };
  /** The labels every log stream carries. */
  readonly streamLabels: readonly string[];
}

/** The stack's releases and its description. */
export interface LogsStack {
  readonly releases: readonly ReleaseSpec[];
  readonly telemetry: LogsTelemetry;
  /** The `ADDON_NETWORK` profile of Loki's release: internet egress only with object storage. */
  readonly networkProfile: 'loki' | 'loki-object-storage';
}

/** Loki's release name (its service account 'loki' is what an IRSA role for the bucket trusts). */
export const LOKI_RELEASE = 'loki';
/** The agent's release name (the key of its Pod Security exception and network profile). */
export const ALLOY_RELEASE = 'alloy';

/** Default requests and memory limits. */
export const LOGS_DEFAULT_RESOURCES = {
  loki: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '2Gi' } },
  gateway: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '128Mi' } },
  agent: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
} as const satisfies Record<string, ComponentResources>;

/** Retention in hours: Loki's compactor deletes by whole index periods (24h). */
function retentionHours(retention: string): number {
  assertDuration('logs.retention', retention, 'h, d or w');
  const [, n, unit] = /^(\d+)(\w+)$/.exec(retention)!;
  const hours = Number(n) * ({ h: 1, d: 24, w: 168 } as Record<string, number | undefined>)[unit!]!;
  if (Number.isNaN(hours) || hours % 24 !== 0)
    throw new InvalidPropertyError(
      'logs.retention',
      `'logs.retention' (${show(retention)}) must be a whole number of days in h, d or w (Loki deletes by 24h index periods), like '14d'`,
    );
  return hours;
}

function storageValues(storage: LokiStorage): {
  loki: Record<string, unknown>;
  serviceAccount?: unknown;
  pods?: unknown;
} {
  switch (storage.type) {
    case 'filesystem':
      return { loki: { type: 'filesystem' } };
    case 's3':
      if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(storage.bucket))
        throw new InvalidPropertyError(
          'logs.storage.bucket',
          `'logs.storage.bucket' (${show(storage.bucket)}) must be an S3 bucket name`,
        );
      if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(storage.region))
        throw new InvalidPropertyError(
          'logs.storage.region',
          `'logs.storage.region' (${show(storage.region)}) must be an AWS region like eu-west-1`,
        );
      if (!isIamRoleArn(storage.roleArn))
        throw new InvalidPropertyError(
          'logs.storage.roleArn',
          `'logs.storage.roleArn' (${show(storage.roleArn)}) must be an IAM role ARN (IRSA)`,
        );
      // No keys: the SDK takes the IRSA web identity of the service account.
      return {
        loki: { type: 's3', bucketNames: buckets(storage.bucket), s3: { region: storage.region } },
        serviceAccount: { annotations: { 'eks.amazonaws.com/role-arn': storage.roleArn } },
      };
    case 'gcs':
      if (!/^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/.test(storage.bucket))
        throw new InvalidPropertyError(
          'logs.storage.bucket',
          `'logs.storage.bucket' (${show(storage.bucket)}) must be a GCS bucket name`,
        );
      if (!/^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z0-9-]+\.iam\.gserviceaccount\.com$/.test(storage.serviceAccount))
        throw new InvalidPropertyError(
          'logs.storage.serviceAccount',
          `'logs.storage.serviceAccount' (${show(storage.serviceAccount)}) must be a Google service account e-mail like loki@project.iam.gserviceaccount.com`,
        );
      return {
        loki: { type: 'gcs', bucketNames: buckets(storage.bucket) },
        serviceAccount: { annotations: { 'iam.gke.io/gcp-service-account': storage.serviceAccount } },
      };
    case 'azure':
      if (!/^[a-z0-9]{3,24}$/.test(storage.accountName))
        throw new InvalidPropertyError(
          'logs.storage.accountName',
          `'logs.storage.accountName' (${show(storage.accountName)}) must be an Azure storage account name`,
        );
      assertDnsLabel('logs.storage.container', storage.container);
      if (!/^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$/.test(storage.clientId))
        throw new InvalidPropertyError(
          'logs.storage.clientId',
          `'logs.storage.clientId' (${show(storage.clientId)}) must be the managed identity's client id (a GUID)`,
        );
      return {
        loki: {
          type: 'azure',
          bucketNames: buckets(storage.container),
          azure: { accountName: storage.accountName, useFederatedToken: true },
        },
        serviceAccount: { annotations: { 'azure.workload.identity/client-id': storage.clientId } },
        pods: { 'azure.workload.identity/use': 'true' },
      };
    default:
      throw new InvalidPropertyError(
        'logs.storage.type',
        `'logs.storage.type' (${show((storage as { type: unknown }).type)}) must be filesystem, s3, gcs or azure`,
      );
  }
}
const buckets = (name: string) => ({ chunks: name, ruler: name, admin: name });

/** Loki's release, then the agent's, and the description other code uses. */
export function logsStack(cluster: ResolvedClusterTraits, options: LogsStackOptions = {}): LogsStack {
  assertResolvedTraits(cluster);
  assertProps(options, LOGS_STACK_OPTIONS_SPEC, 'logs', 'logs');
  const [namespace, agentNamespace] = stackNamespaces(
    ['logs.namespace', 'logs.agentNamespace'],
    [options.namespace ?? 'logging', options.agentNamespace ?? 'logging-agent'],
    'the agent',
  );
  const hours = retentionHours(options.retention ?? '14d');
  const storage = options.storage ?? { type: 'filesystem' };
  const objectStore = storage.type !== 'filesystem';
  const ha = options.highAvailability ?? objectStore;
  if (ha && !objectStore)
    throw new InvalidPropertyError(
      'logs.highAvailability',
      "'logs.highAvailability' (true) needs object storage: a filesystem store lives on one replica's volume; set 'logs.storage' to { type: 's3', bucket, region, roleArn } (or gcs, azure), or set 'logs.highAvailability' to false",
    );
  const stored = storageValues(storage);
  assertNoSecretValues(
    'logs.values',
    options.values,
    [
      'loki.storage.s3.accessKeyId',
      'loki.storage.s3.secretAccessKey',
      'loki.storage.azure.accountKey',
      'loki.storage.azure.connectionString',
      'loki.storage.object_store.s3.access_key_id',
      'loki.storage.object_store.s3.secret_access_key',
      'loki.storage.object_store.azure.account_key',
    ],
    "Loki authenticates with its service account's workload identity ('logs.storage' roleArn, serviceAccount or clientId)",
  );
  const size = options.volume?.size ?? '20Gi';
  assertQuantity('logs.volume.size', size);
  const storageClass = options.volume?.storageClass ?? cluster.storageClass;
  if (storageClass) assertDnsSubdomain('logs.volume.storageClass', storageClass);
  const res = (name: keyof typeof LOGS_DEFAULT_RESOURCES) =>
    resolveResources(`logs.resources.${name}`, LOGS_DEFAULT_RESOURCES[name], options.resources?.[name]);
  const lokiPods = { 'app.kubernetes.io/name': 'loki', 'app.kubernetes.io/instance': LOKI_RELEASE };
  const spread = (component: string) =>
    ha ? topologySpread(cluster, { ...lokiPods, 'app.kubernetes.io/component': component }) : [];
  const budget = ha ? { podDisruptionBudget: { enabled: true, maxUnavailable: 1 } } : {};
  const gateway = `http://loki-gateway.${namespace}.svc.cluster.local`;
  const schemaStore = storage.type === 'filesystem' ? 'filesystem' : storage.type;
  const loki = validateRelease({
    name: LOKI_RELEASE,
    namespace,
    chart: CHARTS.loki,
    values: deepMerge(
      {
        deploymentMode: 'Monolithic',
        loki: {
          // One tenant: the platform's; no X-Scope-OrgID needed.
          auth_enabled: false,
          commonConfig: { replication_factor: ha ? 3 : 1 },
          storage: stored.loki,
          schemaConfig: {
            configs: [
              {
                from: '2024-04-01',
                store: 'tsdb',
                object_store: schemaStore,
                schema: 'v13',
                index: { prefix: 'index_', period: '24h' },
              },
            ],
          },
          limits_config: { retention_period: `${hours}h`, allow_structured_metadata: true },
          compactor: { retention_enabled: true, delete_request_store: schemaStore },
          analytics: { reporting_enabled: false },
          podSecurityContext: hardenedPod(10001),
          containerSecurityContext: HARDENED_CONTAINER,
          ...(stored.pods ? { podLabels: stored.pods } : {}),
        },
        ...(stored.serviceAccount ? { serviceAccount: stored.serviceAccount } : {}),
        singleBinary: {
          replicas: ha ? 3 : 1,
          resources: res('loki'),
          persistence: { enabled: true, size, ...(storageClass ? { storageClass } : {}) },
          topologySpreadConstraints: spread('single-binary'),
          ...budget,
        },
        // Monolithic only: the chart refuses simple-scalable replicas beside it.
        read: { replicas: 0 },
        write: { replicas: 0 },
        backend: { replicas: 0 },
        gateway: {
          replicas: ha ? 2 : 1,
          resources: res('gateway'),
          podSecurityContext: hardenedPod(101),
          containerSecurityContext: HARDENED_CONTAINER,
          topologySpreadConstraints: spread('gateway'),
          ...budget,
        },
        // Memcached caches reserve gigabytes by default; the canary and the Helm test pod are for trials.
        chunksCache: { enabled: false },
        resultsCache: { enabled: false },
        lokiCanary: { enabled: false },
        test: { enabled: false },
        monitoring: { serviceMonitor: { enabled: cluster.prometheusOperator } },
      },
      options.values,
    ),
    timeoutSeconds: 900,
  });
  const pushUrl = `${gateway}/loki/api/v1/push`;
  const agentPods = { 'app.kubernetes.io/name': 'alloy', 'app.kubernetes.io/instance': ALLOY_RELEASE };
  const agent = validateRelease({
    name: ALLOY_RELEASE,
    namespace: agentNamespace,
    chart: CHARTS.alloy,
    values: deepMerge(
      {
        crds: { create: false },
        global: { podSecurityContext: { seccompProfile: { type: 'RuntimeDefault' } } },
        alloy: {
          configMap: { create: true, content: alloyPipeline(pushUrl) },
          // Positions on the host, so a restarted agent resumes where it stopped.
          storagePath: '/var/lib/alloy',
          enableReporting: false,
          mounts: {
            varlog: true,
            extra: [{ name: 'positions', mountPath: '/var/lib/alloy' }],
          },
          // Root only to read the root-owned pod logs; no capabilities, no escalation, read-only root.
          securityContext: { ...HARDENED_CONTAINER, runAsUser: 0, runAsNonRoot: false },
          resources: res('agent'),
        },
        controller: {
          type: 'daemonset',
          // Every node's logs, the tainted ones included.
          tolerations: [{ operator: 'Exists' }],
          volumes: {
            extra: [{ name: 'positions', hostPath: { path: '/var/lib/alloy-switchyard', type: 'DirectoryOrCreate' } }],
          },
        },
        serviceMonitor: { enabled: cluster.prometheusOperator },
      },
      options.agentValues,
    ),
    dependsOn: [LOKI_RELEASE],
  });
  return {
    networkProfile: objectStore ? 'loki-object-storage' : 'loki',
    releases: [loki, agent],
    telemetry: {
      namespace,
      release: LOKI_RELEASE,
      storage: storage.type,
      pushUrl,
      queryUrl: gateway,
      lokiPods,
      agent: { namespace: agentNamespace, release: ALLOY_RELEASE, pods: agentPods },
      streamLabels: ['namespace', 'pod', 'container', 'level'],
    },
  };
}
