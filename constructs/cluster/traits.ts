/**
 * What the rest of Switchyard needs to know about a cluster: its kind and the traits add-ons and
 * routes depend on. Plain data, pure: the cluster components (Pulumi) produce it, the catalog reads it.
 */
import { InvalidPropertyError } from '../core/validate';

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
}

/** Cluster traits with every default resolved. */
export type ResolvedClusterTraits = Required<ClusterTraits>;

const CLOUDS: readonly ClusterKind[] = ['eks', 'gke', 'aks'];
const KINDS: readonly ClusterKind[] = ['bare-metal', 'vm', 'eks', 'gke', 'aks', 'existing'];

/** Resolves the defaults of a cluster's traits, rejecting combinations that cannot work. */
export function resolveClusterTraits(traits: ClusterTraits): ResolvedClusterTraits {
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
  return {
    kind: traits.kind,
    loadBalancer,
    internalLoadBalancer: traits.internalLoadBalancer ?? false,
    multiZone: traits.multiZone ?? cloud,
    prometheusOperator: traits.prometheusOperator ?? false,
    openshift: traits.openshift ?? false,
  };
}
