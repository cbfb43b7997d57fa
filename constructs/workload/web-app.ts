import { type ApiObject, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { assertProps } from '../core/strict';
import { assertIntegerInRange, InvalidPropertyError } from '../core/validate';
import { WEB_APP_PROPS_SPEC } from './schema';
import {
  assertHttpPath,
  assertMountPath,
  hardenPodSpec,
  type ResolvedWorkload,
  resolveWorkload,
  selectWorkloadPods,
  serviceMonitor,
  type WorkloadEndpoint,
  type WorkloadProps,
  workloadContainer,
  workloadDisruptionBudget,
  workloadEndpoint,
  workloadMetadata,
  workloadPodProps,
} from './workload';

/** Horizontal autoscaling on CPU. */
export interface AutoscalingProps {
  /** @default 2 */
  readonly minReplicas?: number;
  readonly maxReplicas: number;
  /** Target average CPU utilization, percent of the request. @default 70 */
  readonly cpuUtilization?: number;
}

/** A persistent volume claimed for the app. */
export interface PersistentVolumeProps {
  readonly sizeGibibytes: number;
  /** Where it is mounted in the container. */
  readonly mountPath: string;
  /** @default - the cluster's default StorageClass */
  readonly storageClass?: string;
  /**
   * ReadWriteOnce volumes attach to one node: use them with one replica, or use StatefulApp.
   * @default 'ReadWriteOnce'
   */
  readonly accessMode?: 'ReadWriteOnce' | 'ReadWriteMany';
}

/** Where the app serves Prometheus metrics. */
export interface MetricsProps {
  /** @default '/metrics' */
  readonly path?: string;
}

/** Properties of a {@link WebApp}. */
export interface WebAppProps extends WorkloadProps {
  /**
   * Port the container listens on; the Service exposes the same port.
   * @default 8080
   */
  readonly port?: number;
  /**
   * Number of pods (ignored when `autoscaling` is set: the HorizontalPodAutoscaler owns it).
   * @default 2
   */
  readonly replicas?: number;
  /**
   * HTTP path answered with 2xx when the app is ready and alive.
   * @default '/'
   */
  readonly healthPath?: string;
  /**
   * A PodDisruptionBudget (maxUnavailable: 1), so node drains evict one pod at a time.
   * @default - true when replicas (or autoscaling's minimum) >= 2
   */
  readonly disruptionBudget?: boolean;
  /**
   * A HorizontalPodAutoscaler (autoscaling/v2) on CPU.
   * @default - fixed `replicas`
   */
  readonly autoscaling?: AutoscalingProps;
  /**
   * A PersistentVolumeClaim mounted into the container.
   * @default - none (the root filesystem is read-only; /tmp is an emptyDir)
   */
  readonly persistentVolume?: PersistentVolumeProps;
  /**
   * Metrics on the app port, scraped by a ServiceMonitor when the cluster runs the Prometheus Operator.
   * @default - no metrics endpoint
   */
  readonly metrics?: MetricsProps;
}

const DEFAULT_PORT = 8080;
const DEFAULT_REPLICAS = 2;

/**
 * A stateless HTTP app: Deployment, Service, a ServiceAccount without an API token and a
 * PodDisruptionBudget; optionally a HorizontalPodAutoscaler, a ConfigMap, Secret references, a
 * PersistentVolumeClaim and a ServiceMonitor. Pods meet Pod Security Standards "restricted" (non-root,
 * read-only root, no privilege escalation, all capabilities dropped, RuntimeDefault seccomp), carry requests
 * and limits and probes, and spread over nodes (and zones). Services route within the zone where the cluster
 * has several.
 */
export class WebApp extends Construct {
  /** The Deployment running the app. */
  public readonly deployment: kplus.Deployment;
  /** The ClusterIP Service in front of it. */
  public readonly service: kplus.Service;
  /** The name shared by the Deployment, Service and ServiceAccount. */
  public readonly name: string;
  /** The port the Service exposes. */
  public readonly port: number;
  /** The PodDisruptionBudget, when there is one. */
  public readonly disruptionBudget?: ApiObject;
  /** The HorizontalPodAutoscaler, when autoscaling is set. */
  public readonly autoscaler?: kplus.HorizontalPodAutoscaler;
  /** What NetworkPolicies need to know about this app. */
  public readonly endpoint: WorkloadEndpoint;

  public constructor(scope: Construct, id: string, props: WebAppProps) {
    super(scope, id);
    assertProps(props, WEB_APP_PROPS_SPEC);
    const w = resolveWorkload(id, props, 'web');
    this.name = w.name;
    this.port = props.port ?? DEFAULT_PORT;
    assertIntegerInRange('port', this.port, 1, 65535);
    const replicas = props.replicas ?? DEFAULT_REPLICAS;
    assertIntegerInRange('replicas', replicas, 0, 1000);
    const autoscaling = props.autoscaling && resolveAutoscaling(props.autoscaling);
    const minimum = autoscaling?.minReplicas ?? replicas;
    const healthPath = props.healthPath ?? '/';
    assertHttpPath('healthPath', healthPath);
    const volume = props.persistentVolume && validateVolume(props.persistentVolume, autoscaling ? 2 : replicas);
    const metadata = workloadMetadata(w);

    const pod = workloadPodProps(this, w);
    const volumeMounts = volume ? [{ path: volume.mountPath, volume: this.claim(w, volume) }] : [];
    this.deployment = new kplus.Deployment(this, 'Deployment', {
      metadata,
      // With an autoscaler the Deployment sets no count: re-applying it would undo the scaling.
      ...(autoscaling ? {} : { replicas }),
      ...pod,
      select: false,
      containers: [
        workloadContainer(this, w, {
          portNumber: this.port,
          volumeMounts,
          readiness: kplus.Probe.fromHttpGet(healthPath, { port: this.port, periodSeconds: Duration.seconds(5) }),
          liveness: kplus.Probe.fromHttpGet(healthPath, {
            port: this.port,
            initialDelaySeconds: Duration.seconds(10),
            failureThreshold: 6,
          }),
        }),
      ],
    });
    this.deployment.select(kplus.LabelSelector.of({ labels: { ...w.selector } }));
    hardenPodSpec(this.deployment, '/spec/template/spec', w, true);

    this.service = new kplus.Service(this, 'Service', {
      metadata: {
        ...metadata,
        // Keeps traffic in the caller's zone when endpoints allow (Kubernetes 1.27 topology-aware routing).
        ...(w.cluster.multiZone ? { annotations: { 'service.kubernetes.io/topology-mode': 'Auto' } } : {}),
      },
      ports: [{ name: 'http', port: this.port, targetPort: this.port }],
    });
    selectWorkloadPods(this.service, w);
    if (autoscaling) {
      this.autoscaler = new kplus.HorizontalPodAutoscaler(this, 'Autoscaler', {
        metadata,
        target: this.deployment,
        minReplicas: autoscaling.minReplicas,
        maxReplicas: autoscaling.maxReplicas,
        metrics: [kplus.Metric.resourceCpu(kplus.MetricTarget.averageUtilization(autoscaling.cpuUtilization))],
      });
    }
    if (props.disruptionBudget ?? minimum >= 2) {
      this.disruptionBudget = workloadDisruptionBudget(this, w);
    }
    if (props.metrics) serviceMonitor(this, w, { port: 'http', path: props.metrics.path ?? '/metrics' });
    this.endpoint = workloadEndpoint(w, [this.port], props.metrics ? [this.port] : []);
  }

  private claim(
    w: ResolvedWorkload,
    volume: Required<Omit<PersistentVolumeProps, 'storageClass'>> & PersistentVolumeProps,
  ) {
    const claim = new kplus.PersistentVolumeClaim(this, 'Claim', {
      metadata: { ...workloadMetadata(w), name: `${w.name}-data` },
      accessModes: [
        volume.accessMode === 'ReadWriteMany'
          ? kplus.PersistentVolumeAccessMode.READ_WRITE_MANY
          : kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE,
      ],
      storage: Size.gibibytes(volume.sizeGibibytes),
      ...(volume.storageClass ? { storageClassName: volume.storageClass } : {}),
    });
    return kplus.Volume.fromPersistentVolumeClaim(this, 'Data', claim);
  }
}

function resolveAutoscaling(a: AutoscalingProps): Required<AutoscalingProps> {
  const minReplicas = a.minReplicas ?? 2;
  const cpuUtilization = a.cpuUtilization ?? 70;
  assertIntegerInRange('autoscaling.minReplicas', minReplicas, 1, 1000);
  assertIntegerInRange('autoscaling.maxReplicas', a.maxReplicas, 1, 1000);
  assertIntegerInRange('autoscaling.cpuUtilization', cpuUtilization, 10, 100);
  if (a.maxReplicas <= minReplicas) {
    throw new InvalidPropertyError(
      'autoscaling.maxReplicas',
      `'autoscaling.maxReplicas' (${a.maxReplicas}) must exceed 'autoscaling.minReplicas' (${minReplicas}), or there is nothing to scale`,
    );
  }
  return { minReplicas, maxReplicas: a.maxReplicas, cpuUtilization };
}

function validateVolume(v: PersistentVolumeProps, replicas: number) {
  assertIntegerInRange('persistentVolume.sizeGibibytes', v.sizeGibibytes, 1, 65536);
  assertMountPath('persistentVolume.mountPath', v.mountPath);
  const accessMode = v.accessMode ?? 'ReadWriteOnce';
  if (accessMode === 'ReadWriteOnce' && replicas > 1) {
    throw new InvalidPropertyError(
      'persistentVolume.accessMode',
      `'persistentVolume' is ReadWriteOnce, which one node mounts, but the app runs ${replicas}+ pods: use one replica, ReadWriteMany, or StatefulApp`,
    );
  }
  return { ...v, accessMode };
}
