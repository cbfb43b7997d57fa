/**
 * What every Switchyard workload shares: the common properties and their checks, the standard labels,
 * the hardened container (Pod Security Standards restricted, resources, a writable /tmp on a read-only
 * root), configuration from a ConfigMap and secrets by reference only, and the pod-level patches
 * cdk8s-plus-27 cannot express (seccomp, dropped capabilities, topology spread, anti-affinity, OpenShift).
 */
import { ApiObject, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import type { Construct, IConstruct } from 'constructs';
import { type ClusterTraits, type ResolvedClusterTraits, resolveClusterTraits } from '../cluster/traits';
import {
  assertDnsLabel,
  assertIntegerInRange,
  assertPinnedImage,
  InvalidPropertyError,
  parseImage,
  show,
} from '../core/validate';
import { topologySpread } from '../ingress/exposure';

/** A request and a limit. */
export interface ResourceRange {
  readonly request: number;
  readonly limit: number;
}

/** A key of a Kubernetes Secret (created by an ExternalSecret, a sealed secret or by hand; never by Switchyard). */
export interface SecretKeyReference {
  /** Name of the Secret in the workload's namespace. */
  readonly secret: string;
  /** Key within it. */
  readonly key: string;
}

/** A Service the workload calls; its NetworkPolicy allows exactly these. */
export interface ServiceDependency {
  /** Name of the Service (and of the workload behind it, for Switchyard workloads). */
  readonly service: string;
  /** Port the workload connects to. */
  readonly port: number;
  /** @default - the workload's namespace */
  readonly namespace?: string;
}

/** Properties every Switchyard workload takes. */
export interface WorkloadProps {
  /** Container image, pinned by tag or digest (`registry/app:1.2.3` or `registry/app@sha256:...`). */
  readonly image: string;
  /**
   * Name of the workload and of the objects it creates (DNS label).
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Namespace of the objects.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /**
   * CPU request and limit in millicores.
   * @default { request: 100, limit: 500 }
   */
  readonly cpuMillis?: ResourceRange;
  /**
   * Memory request and limit in MiB.
   * @default { request: 128, limit: 256 }
   */
  readonly memoryMebibytes?: ResourceRange;
  /**
   * Ephemeral storage (logs, /tmp) request and limit in GiB.
   * @default { request: 1, limit: 2 }
   */
  readonly ephemeralStorageGibibytes?: ResourceRange;
  /**
   * Plain configuration, as environment variables from a ConfigMap named `<name>-config`. Secrets are
   * refused here: pass them in `secretEnv`.
   * @default {}
   */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Environment variables read from Secrets by reference; the values never appear in manifests.
   * @default {}
   */
  readonly secretEnv?: Readonly<Record<string, SecretKeyReference>>;
  /**
   * The cluster it runs on: OpenShift leaves `runAsUser` to the restricted-v2 SCC, several zones spread
   * pods over zones, the Prometheus Operator gets a ServiceMonitor.
   * @default { kind: 'existing' } (single zone, not OpenShift, no Prometheus Operator)
   */
  readonly cluster?: ClusterTraits;
  /**
   * PriorityClass of the pods (it must exist on the cluster).
   * @default - none (the cluster's default priority)
   */
  readonly priorityClassName?: string;
  /**
   * The application this workload belongs to (`app.kubernetes.io/part-of`).
   * @default - none
   */
  readonly partOf?: string;
  /**
   * Services this workload calls; its NetworkPolicy allows egress to exactly these (and DNS).
   * @default []
   */
  readonly dependencies?: readonly ServiceDependency[];
}

/** The user and group pods run as, outside OpenShift (which assigns one from the namespace's range). */
export const WORKLOAD_UID = 10001;

// Names Polaris and the guardrails treat as secret material (sensitiveContainerEnvVar).
const SECRET_NAME = /(password|passwd|secret|token|api[_-]?key|private[_-]?key|credential)/i;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The common properties with every default resolved. */
export interface ResolvedWorkload {
  readonly name: string;
  readonly namespace?: string;
  readonly image: string;
  readonly cluster: ResolvedClusterTraits;
  readonly cpu: ResourceRange;
  readonly memory: ResourceRange;
  readonly ephemeral: ResourceRange;
  readonly env: Readonly<Record<string, string>>;
  readonly secretEnv: Readonly<Record<string, SecretKeyReference>>;
  readonly dependencies: readonly ServiceDependency[];
  readonly priorityClassName?: string;
  /** Selector labels: name and instance (stable across versions). */
  readonly selector: Readonly<Record<string, string>>;
  /** Every standard label: selector, version, component, part-of, managed-by. */
  readonly labels: Readonly<Record<string, string>>;
}

function checkRange(property: string, range: ResourceRange, min: number): void {
  assertIntegerInRange(`${property}.request`, range.request, min, 1_000_000);
  assertIntegerInRange(`${property}.limit`, range.limit, min, 1_000_000);
  if (range.request > range.limit) {
    throw new InvalidPropertyError(
      `${property}.request`,
      `'${property}.request' (${range.request}) must not exceed '${property}.limit' (${range.limit}): raise the limit or lower the request`,
    );
  }
}

/** Checks the common properties, naming the property, and resolves their defaults once. */
export function resolveWorkload(id: string, props: WorkloadProps, component: string): ResolvedWorkload {
  const name = props.name ?? id;
  assertDnsLabel('name', name);
  if (props.namespace !== undefined) assertDnsLabel('namespace', props.namespace);
  assertPinnedImage('image', props.image);
  const cpu = props.cpuMillis ?? { request: 100, limit: 500 };
  const memory = props.memoryMebibytes ?? { request: 128, limit: 256 };
  const ephemeral = props.ephemeralStorageGibibytes ?? { request: 1, limit: 2 };
  checkRange('cpuMillis', cpu, 1);
  checkRange('memoryMebibytes', memory, 4);
  checkRange('ephemeralStorageGibibytes', ephemeral, 1);
  const env = props.env ?? {};
  for (const [key, value] of Object.entries(env)) {
    if (!ENV_NAME.test(key)) {
      throw new InvalidPropertyError(`env.${key}`, `'env' key ${show(key)} must be a C identifier like LOG_LEVEL`);
    }
    if (SECRET_NAME.test(key)) {
      throw new InvalidPropertyError(
        `env.${key}`,
        `'env.${key}' looks like a secret, and env values land in a ConfigMap in plain text: reference a Secret in 'secretEnv' instead`,
      );
    }
    if (typeof value !== 'string') throw new InvalidPropertyError(`env.${key}`, `'env.${key}' must be a string`);
  }
  const secretEnv = props.secretEnv ?? {};
  for (const [key, ref] of Object.entries(secretEnv)) {
    if (!ENV_NAME.test(key)) {
      throw new InvalidPropertyError(`secretEnv.${key}`, `'secretEnv' key ${show(key)} must be a C identifier`);
    }
    if (key in env) throw new InvalidPropertyError(`secretEnv.${key}`, `'${key}' is set in both 'env' and 'secretEnv'`);
    assertDnsLabel(`secretEnv.${key}.secret`, ref?.secret);
    if (typeof ref.key !== 'string' || !/^[-._a-zA-Z0-9]+$/.test(ref.key)) {
      throw new InvalidPropertyError(
        `secretEnv.${key}.key`,
        `'secretEnv.${key}.key' (${show(ref.key)}) must be a Secret key`,
      );
    }
  }
  if (props.priorityClassName !== undefined) assertDnsLabel('priorityClassName', props.priorityClassName);
  if (props.partOf !== undefined) assertDnsLabel('partOf', props.partOf);
  const dependencies = props.dependencies ?? [];
  for (const [i, dep] of dependencies.entries()) {
    assertDnsLabel(`dependencies[${i}].service`, dep.service);
    assertIntegerInRange(`dependencies[${i}].port`, dep.port, 1, 65535);
    if (dep.namespace !== undefined) assertDnsLabel(`dependencies[${i}].namespace`, dep.namespace);
  }
  const selector = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name };
  const image = parseImage(props.image);
  const version: Record<string, string> =
    image.tag && /^[\w.-]{1,63}$/.test(image.tag) ? { 'app.kubernetes.io/version': image.tag } : {};
  return {
    name,
    namespace: props.namespace,
    image: props.image,
    cluster: resolveClusterTraits(props.cluster ?? { kind: 'existing' }),
    cpu,
    memory,
    ephemeral,
    env,
    secretEnv,
    dependencies,
    ...(props.priorityClassName ? { priorityClassName: props.priorityClassName } : {}),
    selector,
    labels: {
      ...selector,
      ...version,
      'app.kubernetes.io/component': component,
      ...(props.partOf ? { 'app.kubernetes.io/part-of': props.partOf } : {}),
      'app.kubernetes.io/managed-by': 'switchyard',
    },
  };
}

/** Metadata of the workload's objects. */
export function workloadMetadata(w: ResolvedWorkload): {
  name: string;
  namespace?: string;
  labels: Record<string, string>;
} {
  return { name: w.name, ...(w.namespace ? { namespace: w.namespace } : {}), labels: { ...w.labels } };
}

/** The ServiceAccount pods run as, with no API token mounted. */
export function workloadServiceAccount(scope: Construct, w: ResolvedWorkload): kplus.ServiceAccount {
  return new kplus.ServiceAccount(scope, 'ServiceAccount', { metadata: workloadMetadata(w), automountToken: false });
}

/** What every workload's pods share: their ServiceAccount (no token), labels and security context. */
export function workloadPodProps(scope: Construct, w: ResolvedWorkload) {
  return {
    serviceAccount: workloadServiceAccount(scope, w),
    automountServiceAccountToken: false,
    podMetadata: { labels: { ...w.labels } },
    securityContext: podSecurityContext(w),
  };
}

/** A PodDisruptionBudget letting node drains evict one of the workload's pods at a time. */
export function workloadDisruptionBudget(scope: Construct, w: ResolvedWorkload): ApiObject {
  return new ApiObject(scope, 'DisruptionBudget', {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: workloadMetadata(w),
    spec: { maxUnavailable: 1, selector: { matchLabels: { ...w.selector } } },
  });
}

/**
 * Points a Service at the workload's own selector labels, not cdk8s-plus's address label, so Services,
 * NetworkPolicies and monitors all select the same pods.
 */
export function selectWorkloadPods(service: kplus.Service, w: ResolvedWorkload): void {
  ApiObject.of(service).addJsonPatch(JsonPatch.replace('/spec/selector', { ...w.selector }));
}

/** Checks an HTTP probe path, naming the property. */
export function assertHttpPath(property: string, value: string): void {
  if (typeof value !== 'string' || !value.startsWith('/')) {
    throw new InvalidPropertyError(property, `'${property}' (${show(value)}) must start with /`);
  }
}

/** Checks where a volume is mounted: an absolute path, and neither the root nor the /tmp emptyDir. */
export function assertMountPath(property: string, value: string): void {
  if (typeof value !== 'string' || !value.startsWith('/') || value === '/' || value === '/tmp') {
    throw new InvalidPropertyError(
      property,
      `'${property}' (${show(value)}) must be an absolute path other than / and /tmp`,
    );
  }
}

/** Pod security context: non-root; a fixed UID except on OpenShift, whose SCC assigns one. */
export function podSecurityContext(w: ResolvedWorkload): kplus.PodSecurityContextProps {
  return w.cluster.openshift
    ? { ensureNonRoot: true }
    : { ensureNonRoot: true, user: WORKLOAD_UID, group: WORKLOAD_UID, fsGroup: WORKLOAD_UID };
}

/**
 * The app container: restricted security context, requests and limits (ephemeral storage included),
 * env from the ConfigMap and from Secret references, and an emptyDir at /tmp since the root is read-only.
 */
export function workloadContainer(
  scope: Construct,
  w: ResolvedWorkload,
  extra: Omit<kplus.ContainerProps, 'image' | 'securityContext' | 'resources'>,
): kplus.ContainerProps {
  const config = Object.keys(w.env).length
    ? new kplus.ConfigMap(scope, 'Config', {
        metadata: { ...workloadMetadata(w), name: `${w.name}-config` },
        data: { ...w.env },
      })
    : undefined;
  const secretValues = Object.fromEntries(
    Object.entries(w.secretEnv).map(([key, ref]) => [
      key,
      kplus.EnvValue.fromSecretValue({
        secret: kplus.Secret.fromSecretName(scope, `Secret-${key}`, ref.secret),
        key: ref.key,
      }),
    ]),
  );
  // Counted against the container's ephemeral-storage limit.
  const tmp = kplus.Volume.fromEmptyDir(scope, 'Tmp', 'tmp');
  return {
    name: 'app',
    ...extra,
    image: w.image,
    imagePullPolicy: kplus.ImagePullPolicy.ALWAYS,
    securityContext: {
      ensureNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      ...(w.cluster.openshift ? {} : { user: WORKLOAD_UID, group: WORKLOAD_UID }),
    },
    resources: {
      cpu: { request: kplus.Cpu.millis(w.cpu.request), limit: kplus.Cpu.millis(w.cpu.limit) },
      memory: { request: Size.mebibytes(w.memory.request), limit: Size.mebibytes(w.memory.limit) },
      ephemeralStorage: { request: Size.gibibytes(w.ephemeral.request), limit: Size.gibibytes(w.ephemeral.limit) },
    },
    ...(config ? { envFrom: [kplus.Env.fromConfigMap(config)] } : {}),
    ...(Object.keys(secretValues).length ? { envVariables: { ...extra.envVariables, ...secretValues } } : {}),
    volumeMounts: [...(extra.volumeMounts ?? []), { path: '/tmp', volume: tmp }],
  };
}

/**
 * Applies what cdk8s-plus-27 cannot express to the pod spec at `podPath` (e.g. '/spec/template/spec'):
 * the RuntimeDefault seccomp profile, `drop: [ALL]` on every container, and, for long-running pods,
 * topology spread plus a preferred anti-affinity on the node.
 */
export function hardenPodSpec(object: IConstruct, podPath: string, w: ResolvedWorkload, spread: boolean): void {
  const patches = [
    JsonPatch.add(`${podPath}/securityContext/seccompProfile`, { type: 'RuntimeDefault' }),
    // Switchyard workloads run one container.
    JsonPatch.add(`${podPath}/containers/0/securityContext/capabilities`, { drop: ['ALL'] }),
  ];
  if (w.priorityClassName) patches.push(JsonPatch.add(`${podPath}/priorityClassName`, w.priorityClassName));
  if (spread) {
    patches.push(
      // Soft spread over nodes (and zones on multi-zone clusters), as the ingress controllers get.
      JsonPatch.add(`${podPath}/topologySpreadConstraints`, topologySpread(w.cluster, w.selector)),
      JsonPatch.add(`${podPath}/affinity`, {
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 100,
              podAffinityTerm: {
                topologyKey: 'kubernetes.io/hostname',
                labelSelector: { matchLabels: { ...w.selector } },
              },
            },
          ],
        },
      }),
    );
  }
  ApiObject.of(object).addJsonPatch(...patches);
}

/** A ServiceMonitor scraping the workload's Service, when the cluster runs the Prometheus Operator. */
export function serviceMonitor(
  scope: Construct,
  w: ResolvedWorkload,
  endpoint: { readonly port: string; readonly path: string },
): ApiObject | undefined {
  if (!w.cluster.prometheusOperator) return undefined;
  return new ApiObject(scope, 'ServiceMonitor', {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: workloadMetadata(w),
    spec: {
      selector: { matchLabels: { ...w.selector } },
      endpoints: [{ port: endpoint.port, path: endpoint.path, interval: '30s' }],
    },
  });
}

/** What network policies need to know about a workload: its pods, the ports it serves, what it calls. */
export interface WorkloadEndpoint {
  readonly name: string;
  /** @default - the namespace the policies are written for */
  readonly namespace?: string;
  /** Labels selecting its pods. */
  readonly selector: Readonly<Record<string, string>>;
  /** Ports its Service serves (container ports), empty for jobs. */
  readonly ports: readonly number[];
  readonly dependencies: readonly ServiceDependency[];
  /** Ports Prometheus scrapes for its metrics. @default [] (no metrics endpoint) */
  readonly metricsPorts?: readonly number[];
}

/** The endpoint of a resolved workload; `metricsPorts` are those of its metrics endpoint, if it has one. */
export function workloadEndpoint(
  w: ResolvedWorkload,
  ports: readonly number[],
  metricsPorts: readonly number[] = [],
): WorkloadEndpoint {
  return {
    name: w.name,
    ...(w.namespace ? { namespace: w.namespace } : {}),
    selector: w.selector,
    ports,
    dependencies: w.dependencies,
    ...(metricsPorts.length > 0 ? { metricsPorts } : {}),
  };
}
