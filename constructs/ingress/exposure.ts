/**
 * Cluster-aware defaults every controller shares: how its Service is exposed (cloud load balancer
 * annotations, MetalLB, or NodePort), client-IP preservation, and high availability (replicas,
 * disruption budget, spread over zones and nodes, autoscaling, resource requests). Pure.
 */
import type { ResolvedClusterTraits } from '../cluster/traits';
import { assertIntegerInRange, InvalidPropertyError } from '../core/validate';

/** Options every ingress controller takes. */
export interface ControllerOptions {
  /**
   * Namespace of the controller.
   * @default - the controller's conventional namespace
   */
  readonly namespace?: string;
  /**
   * Minimum number of replicas (the autoscaler's floor); at least 2 keeps routing up through a node drain.
   * @default 2
   */
  readonly replicas?: number;
  /**
   * The autoscaler's ceiling.
   * @default 10
   */
  readonly maxReplicas?: number;
  /**
   * Keep the client's source IP (`externalTrafficPolicy: Local`), which IP allow lists and logs need.
   * @default true
   */
  readonly preserveClientIp?: boolean;
  /**
   * Raw chart values, deep-merged last over everything Switchyard sets.
   * @default {}
   */
  readonly values?: Readonly<Record<string, unknown>>;
}

/** The option keys of {@link ControllerOptions}, for unknown-key checks. */
export const CONTROLLER_OPTION_KEYS = ['namespace', 'replicas', 'maxReplicas', 'preserveClientIp', 'values'] as const;

/** Resolved high-availability settings. */
export interface HighAvailability {
  readonly replicas: number;
  readonly maxReplicas: number;
}

/** A controller's replica counts with their defaults (2, scaling to 10), checked. */
export function resolveHighAvailability(options: ControllerOptions): HighAvailability {
  const replicas = options.replicas ?? 2;
  const maxReplicas = options.maxReplicas ?? Math.max(10, replicas);
  assertIntegerInRange('replicas', replicas, 1, 100);
  assertIntegerInRange('maxReplicas', maxReplicas, 1, 1000);
  if (maxReplicas < replicas) {
    throw new InvalidPropertyError(
      'maxReplicas',
      `'maxReplicas' (${maxReplicas}) must be at least 'replicas' (${replicas})`,
    );
  }
  return { replicas, maxReplicas };
}

/** Spread pods over zones (when the cluster has them) and nodes, selecting them by `labels`. */
export function topologySpread(
  cluster: ResolvedClusterTraits,
  labels: Readonly<Record<string, string>>,
): Record<string, unknown>[] {
  const keys = [...(cluster.multiZone ? ['topology.kubernetes.io/zone'] : []), 'kubernetes.io/hostname'];
  return keys.map((topologyKey) => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable: 'ScheduleAnyway',
    labelSelector: { matchLabels: { ...labels } },
  }));
}

/** How a controller's Service is exposed on this cluster. */
export interface ServiceExposure {
  readonly type: 'LoadBalancer' | 'NodePort';
  readonly annotations: Readonly<Record<string, string>>;
  readonly externalTrafficPolicy: 'Local' | 'Cluster';
  /** Whether the Service gets an address only once a load balancer answers. */
  readonly awaitsLoadBalancer: boolean;
  readonly warnings: readonly string[];
}

/**
 * Service type and annotations per cluster kind: the AWS Load Balancer Controller's NLB on EKS, GKE's
 * regional backend-service L4 load balancer, Azure's load balancer (internal when asked), MetalLB on bare
 * metal and VMs, and NodePort where nothing hands out addresses.
 */
export function serviceExposure(
  cluster: ResolvedClusterTraits,
  controller: string,
  preserveClientIp = true,
): ServiceExposure {
  const warnings: string[] = [];
  const annotations: Record<string, string> = {};
  const policy = preserveClientIp ? 'Local' : 'Cluster';
  if (cluster.loadBalancer === 'none') {
    warnings.push(
      `${controller}: the cluster has no load balancer, so its Service is a NodePort; put an external load balancer or MetalLB in front`,
    );
    return { type: 'NodePort', annotations, externalTrafficPolicy: policy, awaitsLoadBalancer: false, warnings };
  }
  switch (cluster.kind) {
    case 'eks':
      annotations['service.beta.kubernetes.io/aws-load-balancer-type'] = 'external';
      annotations['service.beta.kubernetes.io/aws-load-balancer-nlb-target-type'] = 'ip';
      annotations['service.beta.kubernetes.io/aws-load-balancer-scheme'] = cluster.internalLoadBalancer
        ? 'internal'
        : 'internet-facing';
      break;
    case 'gke':
      if (cluster.internalLoadBalancer) annotations['networking.gke.io/load-balancer-type'] = 'Internal';
      else annotations['cloud.google.com/l4-rbs'] = 'enabled';
      break;
    case 'aks':
      if (cluster.internalLoadBalancer) annotations['service.beta.kubernetes.io/azure-load-balancer-internal'] = 'true';
      if (controller === 'ingress-nginx') {
        annotations['service.beta.kubernetes.io/azure-load-balancer-health-probe-request-path'] = '/healthz';
      } else {
        warnings.push(
          `${controller}: on AKS, check that the load balancer's health probe path answers 200 on the data ports (the default probes '/')`,
        );
      }
      break;
    default:
      if (cluster.internalLoadBalancer && cluster.loadBalancer === 'metallb') {
        warnings.push(
          `${controller}: MetalLB hands out addresses from its pools; 'internalLoadBalancer' is a matter of which pool you configure`,
        );
      }
  }
  return { type: 'LoadBalancer', annotations, externalTrafficPolicy: policy, awaitsLoadBalancer: true, warnings };
}
