import { ApiObject, Duration, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { assertDnsLabel, assertIntegerInRange, assertPinnedImage, InvalidPropertyError } from '../core/validate';

/** Properties of a {@link WebApp}. */
export interface WebAppProps {
  /** Container image, pinned by tag or digest (`registry/app:1.2.3` or `registry/app@sha256:...`). */
  readonly image: string;
  /**
   * Name of the Deployment, Service and ServiceAccount (DNS-1035 label).
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Namespace the objects are created in.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /**
   * Port the container listens on; the Service exposes the same port.
   * @default 8080
   */
  readonly port?: number;
  /**
   * Number of pods.
   * @default 2
   */
  readonly replicas?: number;
  /**
   * HTTP path answered with 2xx when the app is ready and alive.
   * @default '/'
   */
  readonly healthPath?: string;
  /**
   * CPU request and limit in millicores.
   * @default { request: 100, limit: 500 }
   */
  readonly cpuMillis?: { readonly request: number; readonly limit: number };
  /**
   * Memory request and limit in MiB.
   * @default { request: 128, limit: 256 }
   */
  readonly memoryMebibytes?: { readonly request: number; readonly limit: number };
  /**
   * A PodDisruptionBudget (maxUnavailable: 1), so node drains evict one pod at a time.
   * @default - true when replicas >= 2
   */
  readonly disruptionBudget?: boolean;
}

const DEFAULT_PORT = 8080;
const DEFAULT_REPLICAS = 2;

/**
 * A stateless HTTP app: Deployment, Service, a ServiceAccount without an API token and a
 * PodDisruptionBudget, with the
 * Pod Security Standards "restricted" profile (non-root, read-only root, no privilege escalation,
 * all capabilities dropped, RuntimeDefault seccomp), resource requests and limits, and probes.
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

  public constructor(scope: Construct, id: string, props: WebAppProps) {
    super(scope, id);
    this.name = props.name ?? id;
    this.port = props.port ?? DEFAULT_PORT;
    const replicas = props.replicas ?? DEFAULT_REPLICAS;
    const cpu = props.cpuMillis ?? { request: 100, limit: 500 };
    const memory = props.memoryMebibytes ?? { request: 128, limit: 256 };
    assertDnsLabel('name', this.name);
    assertIntegerInRange('port', this.port, 1, 65535);
    assertIntegerInRange('replicas', replicas, 0, 1000);
    assertPinnedImage('image', props.image);
    if (cpu.request > cpu.limit) {
      throw new InvalidPropertyError(
        'cpuMillis.request',
        `'cpuMillis.request' (${cpu.request}) must not exceed 'cpuMillis.limit' (${cpu.limit}): raise the limit or lower the request`,
      );
    }
    if (memory.request > memory.limit) {
      throw new InvalidPropertyError(
        'memoryMebibytes.request',
        `'memoryMebibytes.request' (${memory.request}) must not exceed 'memoryMebibytes.limit' (${memory.limit}): raise the limit or lower the request`,
      );
    }
    const metadata = { name: this.name, ...(props.namespace ? { namespace: props.namespace } : {}) };
    const labels = { 'app.kubernetes.io/name': this.name, 'app.kubernetes.io/instance': this.name };

    const serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata,
      automountToken: false,
    });
    const probe = kplus.Probe.fromHttpGet(props.healthPath ?? '/', { port: this.port });
    this.deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: { ...metadata, labels },
      replicas,
      serviceAccount,
      automountServiceAccountToken: false,
      podMetadata: { labels },
      securityContext: { ensureNonRoot: true, user: 10001, group: 10001 },
      containers: [
        {
          name: 'app',
          image: props.image,
          portNumber: this.port,
          imagePullPolicy: kplus.ImagePullPolicy.ALWAYS,
          securityContext: {
            ensureNonRoot: true,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            privileged: false,
            user: 10001,
            group: 10001,
          },
          resources: {
            cpu: { request: kplus.Cpu.millis(cpu.request), limit: kplus.Cpu.millis(cpu.limit) },
            memory: {
              request: Size.mebibytes(memory.request),
              limit: Size.mebibytes(memory.limit),
            },
          },
          readiness: probe,
          liveness: kplus.Probe.fromHttpGet(props.healthPath ?? '/', {
            port: this.port,
            initialDelaySeconds: Duration.seconds(10),
            failureThreshold: 6,
          }),
        },
      ],
    });
    // cdk8s-plus-27 can express neither a seccomp profile nor `drop: [ALL]` (its Capability enum
    // spells CAP_*); restricted Pod Security needs both.
    ApiObject.of(this.deployment).addJsonPatch(
      JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }),
      JsonPatch.add('/spec/template/spec/containers/0/securityContext/capabilities', { drop: ['ALL'] }),
    );
    this.service = new kplus.Service(this, 'Service', {
      metadata: { ...metadata, labels },
      selector: this.deployment,
      ports: [{ name: 'http', port: this.port, targetPort: this.port }],
    });
    if (props.disruptionBudget ?? replicas >= 2) {
      this.disruptionBudget = new ApiObject(this, 'DisruptionBudget', {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: { ...metadata, labels },
        spec: { maxUnavailable: 1, selector: { matchLabels: labels } },
      });
    }
  }
}
