import { ApiObject, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Quantity } from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { assertProps } from '../core/strict';
import { assertIntegerInRange } from '../core/validate';
import { STATEFUL_APP_PROPS_SPEC } from './schema';
import {
  assertHttpPath,
  assertMountPath,
  hardenPodSpec,
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

/** The volume each pod of a {@link StatefulApp} claims for itself. */
export interface StatefulVolumeProps {
  readonly sizeGibibytes: number;
  /** Where it is mounted in the container. */
  readonly mountPath: string;
  /** @default - the cluster's default StorageClass */
  readonly storageClass?: string;
}

/** Properties of a {@link StatefulApp}. */
export interface StatefulAppProps extends WorkloadProps {
  /** Port the container serves (a database, a cache, a queue). */
  readonly port: number;
  /** Each pod's own persistent volume. */
  readonly volume: StatefulVolumeProps;
  /**
   * Number of pods (an odd number for quorum-based stores).
   * @default 3
   */
  readonly replicas?: number;
  /**
   * HTTP path answered with 2xx when ready; without one, probes open a TCP connection to the port.
   * @default - TCP probes
   */
  readonly healthPath?: string;
  /**
   * Path of Prometheus metrics on the port, scraped when the cluster runs the Prometheus Operator.
   * @default - no metrics endpoint
   */
  readonly metricsPath?: string;
  /**
   * Arguments to the image's entrypoint; `$(NAME)` expands an environment variable (a `secretEnv` one too),
   * so a password reaches the server without appearing in the manifest.
   * @default - the image's arguments
   */
  readonly args?: readonly string[];
}

/**
 * A stateful service: a StatefulSet whose pods each claim a volume, a headless Service for their stable
 * names, a ServiceAccount without an API token, a PodDisruptionBudget, with the same hardened pods as
 * {@link WebApp} (restricted security, requests and limits, probes, spread over nodes and zones).
 */
export class StatefulApp extends Construct {
  public readonly statefulSet: kplus.StatefulSet;
  public readonly name: string;
  public readonly port: number;
  /** What NetworkPolicies need to know about this app. */
  public readonly endpoint: WorkloadEndpoint;

  public constructor(scope: Construct, id: string, props: StatefulAppProps) {
    super(scope, id);
    assertProps(props, STATEFUL_APP_PROPS_SPEC);
    const w = resolveWorkload(id, props, 'stateful');
    this.name = w.name;
    this.port = props.port;
    assertIntegerInRange('port', props.port, 1, 65535);
    const replicas = props.replicas ?? 3;
    assertIntegerInRange('replicas', replicas, 1, 100);
    const volume = props.volume;
    assertIntegerInRange('volume.sizeGibibytes', volume?.sizeGibibytes, 1, 65536);
    assertMountPath('volume.mountPath', volume.mountPath);
    if (props.healthPath !== undefined) assertHttpPath('healthPath', props.healthPath);
    const metadata = workloadMetadata(w);
    const probe = (options: kplus.ProbeOptions) =>
      props.healthPath
        ? kplus.Probe.fromHttpGet(props.healthPath, { port: this.port, ...options })
        : kplus.Probe.fromTcpSocket({ port: this.port, ...options });

    const service = new kplus.Service(this, 'Service', {
      metadata,
      clusterIP: 'None',
      ports: [{ name: 'tcp', port: this.port, targetPort: this.port }],
    });
    this.statefulSet = new kplus.StatefulSet(this, 'StatefulSet', {
      metadata,
      replicas,
      service,
      ...workloadPodProps(this, w),
      select: false,
      // Peers find each other while starting (clustered stores); order is the app's business.
      podManagementPolicy: kplus.PodManagementPolicy.PARALLEL,
      containers: [
        workloadContainer(this, w, {
          portNumber: this.port,
          ...(props.args ? { args: [...props.args] } : {}),
          readiness: probe({ periodSeconds: Duration.seconds(5) }),
          liveness: probe({ initialDelaySeconds: Duration.seconds(30), failureThreshold: 6 }),
        }),
      ],
    });
    this.statefulSet.select(kplus.LabelSelector.of({ labels: { ...w.selector } }));
    selectWorkloadPods(service, w);
    hardenPodSpec(this.statefulSet, '/spec/template/spec', w, true);
    // cdk8s-plus-27 has no volumeClaimTemplates: each pod's claim and its mount are patched in.
    ApiObject.of(this.statefulSet).addJsonPatch(
      JsonPatch.add('/spec/volumeClaimTemplates', [
        {
          metadata: { name: 'data', labels: { ...w.selector } },
          spec: {
            accessModes: ['ReadWriteOnce'],
            // The typed StatefulSet serializes resource maps as Quantity objects, patches included.
            resources: { requests: { storage: Quantity.fromString(`${volume.sizeGibibytes}Gi`) } },
            ...(volume.storageClass ? { storageClassName: volume.storageClass } : {}),
          },
        },
      ]),
      JsonPatch.add('/spec/template/spec/containers/0/volumeMounts/-', { name: 'data', mountPath: volume.mountPath }),
      JsonPatch.add('/spec/persistentVolumeClaimRetentionPolicy', { whenDeleted: 'Retain', whenScaled: 'Retain' }),
    );
    if (replicas >= 2) {
      workloadDisruptionBudget(this, w);
    }
    if (props.metricsPath) serviceMonitor(this, w, { port: 'tcp', path: props.metricsPath });
    this.endpoint = workloadEndpoint(w, [this.port], props.metricsPath ? [this.port] : []);
  }
}
