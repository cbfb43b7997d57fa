/**
 * What the rest of Switchyard needs to know about a cluster: its kind and the traits add-ons and
 * routes depend on. Plain data, pure: the cluster components (Pulumi) produce it, the catalog reads it.
 */
import { InvalidPropertyError } from '../core/validate';
import { EKS_VERSION } from './eks-args';
import { K3S_VERSION } from './k3s';
import { assertClusterArgs, CLUSTER_TRAITS_SPEC } from './schema';

/** Where a cluster runs. */
export type ClusterKind = 'bare-metal' | 'vm' | 'eks' | 'gke' | 'aks' | 'existing';

/** How Services of type LoadBalancer get an address. */
export type LoadBalancerKind = 'cloud' | 'metallb' | 'none';

/** Traits of a cluster. */
export interface ClusterTraits {
  readonly kind: ClusterKind;
  /**
   * How LoadBalancer Services get an address.
   * @default 'cloud' on eks, gke and aks; 'metallb' on bare-metal and vm; 'none' on existing
   */
  readonly loadBalancer?: LoadBalancerKind;
  /**
   * Load balancers are internal (private addresses only).
   * @default false
   */
  readonly internalLoadBalancer?: boolean;
  /**
   * Nodes span several zones, so workloads spread across `topology.kubernetes.io/zone`.
   * @default true on eks, gke and aks; false elsewhere
   */
  readonly multiZone?: boolean;
  /**
   * The Prometheus Operator's CRDs are installed: emit ServiceMonitors.
   * @default false
   */
  readonly prometheusOperator?: boolean;
  /**
   * The cluster is OpenShift (routes default to the Route dialect; pods leave runAsUser unset).
   * @default false
   */
  readonly openshift?: boolean;
  /**
   * Zones the nodes run in (empty when unknown or single-zone).
   * @default []
   */
  readonly zones?: readonly string[];
  /**
   * StorageClass persistent volumes get when a claim names none.
   * @default 'gp3' on eks, 'standard-rwo' on gke, 'managed-csi' on aks, 'local-path' on bare-metal and vm (k3s), '' on existing
   */
  readonly storageClass?: string;
  /**
   * Kubernetes minor version of the control plane, like '1.33'. Namespaces pin Pod Security admission to
   * it, and the pipeline's end-to-end cluster runs it. '' is the same as leaving it unset.
   * @default EKS_VERSION on eks; the minor of K3S_VERSION on bare-metal and vm; DEFAULT_KUBERNETES_VERSION on gke, aks and existing
   */
  readonly kubernetesVersion?: string;
}

/** Cluster traits with every default resolved. */
export type ResolvedClusterTraits = Required<ClusterTraits>;

const CLOUDS: readonly ClusterKind[] = ['eks', 'gke', 'aks'];
const KINDS: readonly ClusterKind[] = ['bare-metal', 'vm', 'eks', 'gke', 'aks', 'existing'];

// What each kind provisions out of the box (EKS: the gp3 class the EBS CSI add-on's StorageClass creates).
const DEFAULT_STORAGE_CLASS: Record<ClusterKind, string> = {
  'bare-metal': 'local-path',
  vm: 'local-path',
  eks: 'gp3',
  gke: 'standard-rwo',
  aks: 'managed-csi',
  existing: '',
};

/**
 * The Kubernetes minor assumed where nothing says which one runs: clusters Switchyard does not create, and
 * GKE or AKS clusters whose version is left to the provider. Set `kubernetesVersion` when yours differs.
 */
export const DEFAULT_KUBERNETES_VERSION = '1.33';

const K3S_TAG = /^v(1\.\d{2})\.\d{1,2}\+k3s\d$/;

/**
 * The Kubernetes minor of a k3s release tag: 'v1.33.5+k3s1' gives '1.33'.
 * @throws InvalidPropertyError when the tag is not a k3s release tag
 */
export function k3sKubernetesVersion(tag: string, property = 'k3sVersion'): string {
  const match = K3S_TAG.exec(tag);
  if (!match) {
    throw new InvalidPropertyError(
      property,
      `'${property}' (${JSON.stringify(tag)}) must be a k3s release tag like '${K3S_VERSION}'`,
    );
  }
  return match[1]!;
}

// The minor each kind runs when nothing sets it: what Switchyard's own components install.
const DEFAULT_VERSION: Record<ClusterKind, string> = {
  'bare-metal': k3sKubernetesVersion(K3S_VERSION),
  vm: k3sKubernetesVersion(K3S_VERSION),
  eks: EKS_VERSION,
  gke: DEFAULT_KUBERNETES_VERSION,
  aks: DEFAULT_KUBERNETES_VERSION,
  existing: DEFAULT_KUBERNETES_VERSION,
};

/**
 * The Kubernetes minor version ('1.33') a cluster runs, from its traits (resolved or not): the trait when
 * set, else its kind's default. Pure, so charts, the pipeline and the guardrails agree on one answer.
 */
export function kubernetesMinor(traits: ClusterTraits): string {
  return resolveClusterTraits(traits).kubernetesVersion;
}

/** Resolves the defaults of a cluster's traits, rejecting combinations that cannot work. */
export function resolveClusterTraits(traits: ClusterTraits): ResolvedClusterTraits {
  assertClusterArgs(CLUSTER_TRAITS_SPEC, traits);
  if (!KINDS.includes(traits.kind)) {
    throw new InvalidPropertyError(
      'kind',
      `'kind' (${JSON.stringify(traits.kind)}) must be one of ${KINDS.join(', ')}`,
    );
  }
  const cloud = CLOUDS.includes(traits.kind);
  const loadBalancer = traits.loadBalancer ?? (cloud ? 'cloud' : traits.kind === 'existing' ? 'none' : 'metallb');
  if (loadBalancer === 'cloud' && !cloud && traits.kind !== 'existing') {
    throw new InvalidPropertyError(
      'loadBalancer',
      `'loadBalancer' ('cloud') needs a cloud cluster, but 'kind' is '${traits.kind}': use 'metallb' or 'none'`,
    );
  }
  if (traits.kubernetesVersion !== undefined && !/^(1\.\d{2})?$/.test(traits.kubernetesVersion)) {
    throw new InvalidPropertyError(
      'kubernetesVersion',
      `'kubernetesVersion' (${JSON.stringify(traits.kubernetesVersion)}) must be a minor version like '1.33'`,
    );
  }
  return {
    kind: traits.kind,
    loadBalancer,
    internalLoadBalancer: traits.internalLoadBalancer ?? false,
    multiZone: traits.multiZone ?? cloud,
    prometheusOperator: traits.prometheusOperator ?? false,
    openshift: traits.openshift ?? false,
    zones: [...(traits.zones ?? [])],
    storageClass: traits.storageClass ?? DEFAULT_STORAGE_CLASS[traits.kind],
    kubernetesVersion: traits.kubernetesVersion || DEFAULT_VERSION[traits.kind],
  };
}
