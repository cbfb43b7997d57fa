/**
 * The platform model: environments as plain data, defined once and read by both engines (`synthPlatform`
 * for cdk8s, `deployPlatform` for Pulumi) and by the pipeline generator. Types only: no engine at runtime.
 */
import type { ClusterAccess } from '../cluster/access';
import type { AksClusterArgs } from '../cluster/aks';
import type { EksClusterArgs } from '../cluster/eks-args';
import type { GkeClusterArgs } from '../cluster/gke';
import type { ClusterTraits } from '../cluster/traits';
import type { VmClusterArgs } from '../cluster/vm';
import type { GuardrailOptions, Severity } from '../guardrails/findings';
import type { IngressControllerChoice, PlatformAddonsProps } from '../ingress/platform';
import type { PipelineEnvironment, PipelineProps } from '../pipeline/model';
import type { KubeObject, RoutingPolicy } from '../routing';
import type { ExternalSecretProps } from '../workload/external-secret';
import type { ScheduledJobProps } from '../workload/scheduled-job';
import type { StatefulAppProps } from '../workload/stateful-app';
import type { WebAppProps } from '../workload/web-app';
import type { EnvironmentObservability } from './environment-telemetry';

/** k3s on machines that already run, bootstrapped over SSH (BareMetalCluster). */
export interface BareMetalCreation {
  readonly kind: 'bare-metal';
  /** Control-plane machines' addresses: 1, or an odd number of at least 3. Stack key `switchyard:servers`. */
  readonly servers: readonly string[];
  /** Worker machines' addresses. Stack key `switchyard:agents`. @default [] */
  readonly agents?: readonly string[];
  /** Virtual IP or load balancer in front of the servers. Stack key `switchyard:apiAddress`. @default - the first server */
  readonly apiAddress?: string;
  /** SSH login with passwordless sudo. Stack key `switchyard:sshUser`. @default 'root' */
  readonly sshUser?: string;
  /**
   * Each machine's SSH host key by address, verified before any secret crosses SSH. Machine facts: usually
   * set in the stack file (`switchyard:hostKeys`). @default - none: deploying fails and names the machine
   */
  readonly hostKeys?: Readonly<Record<string, string>>;
  /** SHA-256 of the k3s installer (`switchyard:k3sInstallerSha256`). @default - none: deploying fails */
  readonly k3sInstallerSha256?: string;
  /** Pinned k3s release. @default K3S_VERSION */
  readonly k3sVersion?: string;
  /** Who may deploy and read, as Kubernetes subjects. @default - only holders of the admin kubeconfig */
  readonly access?: ClusterAccess;
}

/** Clusters `deployPlatform` creates: each kind's component args, without the traits (from `cluster.traits`). */
export type ClusterCreation =
  | BareMetalCreation
  | ({ readonly kind: 'eks' } & Omit<EksClusterArgs, 'traits'>)
  | ({ readonly kind: 'gke' } & Omit<GkeClusterArgs, 'traits'>)
  | ({ readonly kind: 'aks' } & Omit<AksClusterArgs, 'traits'>)
  | ({ readonly kind: 'vm' } & Omit<VmClusterArgs, 'traits'>);

/** The cluster an environment runs on. */
export interface EnvironmentCluster {
  /** What the cluster offers; routes, add-ons and workloads adapt to it. */
  readonly traits: ClusterTraits;
  /**
   * The cluster the Pulumi program creates, unless the stack sets `switchyard:kubeContext`.
   * @default - none: an existing cluster, reached through `switchyard:kubeContext` or the ambient kubeconfig
   */
  readonly create?: ClusterCreation;
}

/** Props an app takes from its environment when it does not set them. */
export type EnvironmentDefaults = 'namespace' | 'cluster';
/** A construct's props as an app of an environment sets them: `namespace` and `cluster` are optional. */
export type AppProps<P> = Omit<P, EnvironmentDefaults> & Partial<Pick<P, Extract<keyof P, EnvironmentDefaults>>>;

/** One workload of an environment; `props` are the construct's, `namespace` and `cluster` default to the environment's. */
export type AppDefinition =
  | { readonly kind: 'web'; readonly name: string; readonly props: AppProps<WebAppProps> }
  | { readonly kind: 'stateful'; readonly name: string; readonly props: AppProps<StatefulAppProps> }
  | { readonly kind: 'scheduled-job'; readonly name: string; readonly props: AppProps<ScheduledJobProps> };

/** An ExternalSecret of an environment; `namespace` defaults to the environment's. */
export type SecretDefinition = Omit<ExternalSecretProps, 'namespace'> & { readonly namespace?: string };

/** One environment: also the Pulumi stack name and the folder `synthPlatform` writes (`dist/<name>/`). */
export interface Environment {
  /** Environment and stack name, a DNS label (`dev`, `prod`). */
  readonly name: string;
  /** Namespace of the apps and their routes, created with Pod Security `restricted`. */
  readonly namespace: string;
  readonly cluster: EnvironmentCluster;
  /**
   * The ingress controller routes compile to.
   * @default { kind: 'envoy-gateway' } with the certificates the routes' TLS names
   */
  readonly controller?: IngressControllerChoice;
  /** Load balancer, cert-manager, External Secrets and the rest (see `platformAddons`). @default {} */
  readonly addons?: Omit<PlatformAddonsProps, 'cluster' | 'controller'>;
  /** Workloads, in the order they are written. @default [] */
  readonly apps?: readonly AppDefinition[];
  /** Routing policies (see routing-api.md). @default [] */
  readonly routing?: readonly RoutingPolicy[];
  /** ExternalSecrets, written after the apps. @default [] */
  readonly secrets?: readonly SecretDefinition[];
  /** Further objects applied with the add-ons' objects, before the apps (PriorityClasses, quotas). @default [] */
  readonly objects?: readonly KubeObject[];
  /**
   * Writes the namespace's NetworkPolicies: default deny, the controller's proxies to routed backends, each
   * app to its `dependencies`, DNS.
   * @default true
   */
  readonly networkPolicies?: boolean;
  /**
   * Route telemetry where Prometheus runs (`addons.metrics`, or a cluster with `prometheusOperator`): golden
   * signals per route, the routes' SLO alerts to `alertReceiver`, and a Grafana dashboard.
   * @default {} (signals and dashboard on; SLOs need an alertReceiver)
   */
  readonly observability?: EnvironmentObservability;
  /** What the guardrails ask of this environment at synth. @default { profile: 'standard' } */
  readonly guardrails?: GuardrailOptions;
  /**
   * How the generated pipeline reaches this environment; `false` leaves it out (a local cluster).
   * @default - none: `platformPipeline` refuses to run until it is set
   */
  readonly pipeline?: Omit<PipelineEnvironment, 'name'> | false;
}

/** A stack setting a platform adds (under `switchyard:`), checked as Pulumi passes it: a string. */
export type StackSettingSpec =
  | { readonly type: 'integer'; readonly min: number; readonly max: number; readonly description?: string }
  | { readonly type: 'string'; readonly pattern?: string; readonly description?: string }
  | { readonly type: 'dns-subdomain'; readonly description?: string }
  | { readonly type: 'boolean'; readonly description?: string }
  | { readonly type: 'list'; readonly description?: string };

/** A parsed custom setting value. */
export type StackSettingValue = number | string | boolean | readonly string[];

/** What a stack file set: the built-in keys, and the platform's own under `custom`. */
export interface StackSettings {
  /** kubeconfig context Pulumi deploys to; empty for an environment's created cluster (or the current context). */
  readonly kubeContext: string;
  /** Bare metal: control-plane machines. @default - the environment's */
  readonly servers?: readonly string[];
  /** Bare metal: worker machines. @default - the environment's */
  readonly agents?: readonly string[];
  /** Bare metal: the API's virtual IP or load balancer. @default - the environment's */
  readonly apiAddress?: string;
  /** Bare metal: the SSH login. @default - the environment's */
  readonly sshUser?: string;
  /** Bare metal: each machine's SSH host key by address. @default - the environment's */
  readonly hostKeys?: Readonly<Record<string, string>>;
  /** Bare metal: SHA-256 of the k3s installer. @default - the environment's */
  readonly k3sInstallerSha256?: string;
  /** EKS: ranges allowed on the public API endpoint. @default - the environment's */
  readonly apiAllowedCidrs?: readonly string[];
  /** The platform's own settings (`PlatformDefinition.settings`), by key; absent keys are missing. */
  readonly custom: Readonly<Record<string, StackSettingValue>>;
}

/** What `definePlatform` takes. */
export interface PlatformDefinition {
  /** The environments, in promotion order (the pipeline deploys each after the one before). */
  readonly environments: readonly Environment[];
  /**
   * Stack keys the platform adds to the built-in ones (`kubeContext`, the bare-metal and EKS keys),
   * like `{ replicas: { type: 'integer', min: 1, max: 50 } }`; `configure` applies them.
   * @default {}
   */
  readonly settings?: Readonly<Record<string, StackSettingSpec>>;
  /**
   * Applies a stack's settings to its environment (built-in keys are applied before).
   * @default - custom settings are refused (none are declared)
   */
  readonly configure?: (environment: Environment, settings: StackSettings) => Environment;
  /** Synth fails when a guardrail finding is at least this bad; `false` skips the guardrails at synth. @default 'danger' */
  readonly failOn?: Severity | false;
  /** The generated pipeline's settings beyond the environments. @default - `platformPipeline` refuses to run */
  readonly pipeline?: Omit<PipelineProps, 'environments'>;
}
