/**
 * The declarative shapes of the workload constructs' props, for the strict input layer (core/strict.ts):
 * unknown keys refused with the nearest key suggested, exact types, `null` refused, dense arrays only.
 * `shapeOf<T>()` ties each shape's keys to its interface at compile time. Leaf checks reuse the messages
 * of the constructs' own checks where the property names agree; the constructs still judge the values.
 * Pure.
 */
import { CLUSTER_TRAITS_SPEC } from '../cluster/schema';
import { arr, bool, num, opt, rec, req, shapeOf, str, strings } from '../core/strict';
import { checkIntegerInRange } from '../core/validate';
import type { TrafficSource } from '../ingress/envoy-gateway';
import { POLICY_SPEC } from '../routing/schema';
import type { ExternalSecretProps, RemoteSecretKey } from './external-secret';
import type { NamespaceNetworkPolicyProps } from './network-policies';
import type { ScheduledJobProps } from './scheduled-job';
import type { StatefulAppProps, StatefulVolumeProps } from './stateful-app';
import type { AutoscalingProps, MetricsProps, PersistentVolumeProps, WebAppProps } from './web-app';
import type { ResourceRange, SecretKeyReference, ServiceDependency, WorkloadEndpoint, WorkloadProps } from './workload';

const int = (min: number, max: number) => num((v) => checkIntegerInRange(v, min, max));
const PORT = int(1, 65535);

const range = (min: number) =>
  shapeOf<ResourceRange>()({ request: req(int(min, 1_000_000)), limit: req(int(min, 1_000_000)) });

const SERVICE_DEPENDENCY = shapeOf<ServiceDependency>()({
  service: req(str()),
  port: req(PORT),
  namespace: opt(str()),
});

const WORKLOAD_FIELDS = {
  image: req(str()),
  name: opt(str()),
  namespace: opt(str()),
  cpuMillis: opt(range(1)),
  memoryMebibytes: opt(range(4)),
  ephemeralStorageGibibytes: opt(range(1)),
  env: opt(rec(str())),
  secretEnv: opt(rec(shapeOf<SecretKeyReference>()({ secret: req(str()), key: req(str()) }))),
  cluster: opt(CLUSTER_TRAITS_SPEC),
  priorityClassName: opt(str()),
  partOf: opt(str()),
  dependencies: opt(arr(SERVICE_DEPENDENCY)),
} as const;

/** The shape of {@link WorkloadProps}. */
export const WORKLOAD_PROPS_SPEC = shapeOf<WorkloadProps>()(WORKLOAD_FIELDS);

/** The shape of {@link WebAppProps}. */
export const WEB_APP_PROPS_SPEC = shapeOf<WebAppProps>()({
  ...WORKLOAD_FIELDS,
  port: opt(PORT),
  replicas: opt(int(0, 1000)),
  healthPath: opt(str()),
  disruptionBudget: opt(bool),
  autoscaling: opt(
    shapeOf<AutoscalingProps>()({
      minReplicas: opt(num()),
      maxReplicas: req(num()),
      cpuUtilization: opt(num()),
    }),
  ),
  persistentVolume: opt(
    shapeOf<PersistentVolumeProps>()({
      sizeGibibytes: req(num()),
      mountPath: req(str()),
      storageClass: opt(str()),
      accessMode: opt(str()),
    }),
  ),
  metrics: opt(shapeOf<MetricsProps>()({ path: opt(str()) })),
});

/** The shape of {@link StatefulAppProps}. */
export const STATEFUL_APP_PROPS_SPEC = shapeOf<StatefulAppProps>()({
  ...WORKLOAD_FIELDS,
  port: req(PORT),
  volume: req(
    shapeOf<StatefulVolumeProps>()({
      sizeGibibytes: req(int(1, 65536)),
      mountPath: req(str()),
      storageClass: opt(str()),
    }),
  ),
  replicas: opt(int(1, 100)),
  healthPath: opt(str()),
  metricsPath: opt(str()),
  args: opt(strings),
});

/** The shape of {@link ScheduledJobProps}. */
export const SCHEDULED_JOB_PROPS_SPEC = shapeOf<ScheduledJobProps>()({
  ...WORKLOAD_FIELDS,
  schedule: req(str()),
  command: opt(strings),
  args: opt(strings),
  timeZone: opt(str()),
  timeoutSeconds: opt(int(1, 7 * 24 * 3600)),
  retries: opt(int(0, 10)),
});

/** The shape of {@link ExternalSecretProps}. */
export const EXTERNAL_SECRET_PROPS_SPEC = shapeOf<ExternalSecretProps>()({
  name: req(str()),
  namespace: req(str()),
  store: req(shapeOf<ExternalSecretProps['store']>()({ name: req(str()), kind: opt(str()) })),
  data: req(rec(shapeOf<RemoteSecretKey>()({ remoteKey: req(str()), property: opt(str()) }))),
  refreshInterval: opt(str()),
});

/** The shape of a {@link TrafficSource}: a namespace and the labels of its pods. */
export const TRAFFIC_SOURCE_SPEC = shapeOf<TrafficSource>()({ namespace: req(str()), podLabels: req(rec(str())) });

/** The shape of {@link WorkloadEndpoint} (what `WebApp.endpoint` and the others hold). */
export const WORKLOAD_ENDPOINT_SPEC = shapeOf<WorkloadEndpoint>()({
  name: req(str()),
  namespace: opt(str()),
  selector: req(rec(str())),
  ports: req(arr(PORT)),
  dependencies: req(arr(SERVICE_DEPENDENCY)),
  metricsPorts: opt(arr(PORT)),
});

/** The shape of {@link NamespaceNetworkPolicyProps}. */
export const NAMESPACE_NETWORK_POLICY_PROPS_SPEC = shapeOf<NamespaceNetworkPolicyProps>()({
  namespace: req(str()),
  workloads: req(arr(WORKLOAD_ENDPOINT_SPEC)),
  routes: opt(arr(POLICY_SPEC)),
  proxy: opt(TRAFFIC_SOURCE_SPEC),
  dns: opt(TRAFFIC_SOURCE_SPEC),
  scraper: opt(TRAFFIC_SOURCE_SPEC),
});
