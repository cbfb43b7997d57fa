/**
 * A cluster that already runs (kind, k3d, minikube, Docker Desktop, OpenShift, or one another team
 * manages), reached through a kubeconfig. The simplest target: Switchyard creates nothing but the provider.
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { assertDnsLabel, InvalidPropertyError, show } from '../core/validate';
import { type ClusterAccess, validateClusterAccess } from './access';
import type { KubernetesCluster } from './cluster';
import { grantRbacAccess } from './rbac-access';
import { assertClusterArgs, EXISTING_ARGS_SPEC } from './schema';
import { type ClusterTraits, type ResolvedClusterTraits, resolveClusterTraits } from './traits';

/** Arguments of {@link ExistingCluster}. */
export interface ExistingClusterArgs {
  /**
   * The kubeconfig; pass a Pulumi secret (`config.requireSecret('kubeconfig')`).
   * @default - the ambient kubeconfig (KUBECONFIG or ~/.kube/config), as kubectl would use it
   */
  readonly kubeconfig?: pulumi.Input<string>;
  /**
   * Context of the kubeconfig to use.
   * @default - the kubeconfig's current context
   */
  readonly context?: string;
  /**
   * What the cluster offers, declared by you: a cloud or MetalLB load balancer, zones, the Prometheus
   * Operator, and whether it is OpenShift (routes compile to OpenShift Routes and pods leave `runAsUser` to
   * the restricted-v2 security context constraint).
   * @default { kind: 'existing' } (no load balancer assumed)
   */
  readonly traits?: Omit<ClusterTraits, 'kind'>;
  /**
   * Who may deploy and who may read, as Kubernetes subjects (`User:`, `Group:` or `ServiceAccount:ns/name`):
   * the deployer is bound to cluster-admin, readers to the built-in `view` role (no Secrets).
   * @default - no bindings: only holders of the admin kubeconfig have access
   */
  readonly access?: ClusterAccess;
}

export class ExistingCluster extends pulumi.ComponentResource implements KubernetesCluster {
  /** The kubeconfig (a secret); empty when the ambient one is used. */
  public readonly kubeconfig: pulumi.Output<string>;
  /** A Kubernetes provider for the cluster, for `opts.providers` of what runs on it. */
  public readonly provider: k8s.Provider;
  public readonly traits: ResolvedClusterTraits;

  public constructor(name: string, args: ExistingClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super('switchyard:cluster:ExistingCluster', name, {}, opts);
    assertDnsLabel('name', name);
    assertClusterArgs(EXISTING_ARGS_SPEC, args);
    if (args.context !== undefined && (typeof args.context !== 'string' || !args.context.trim())) {
      throw new InvalidPropertyError('context', `'context' (${show(args.context)}) must name a kubeconfig context`);
    }
    if (args.access) validateClusterAccess('existing', args.access);
    this.traits = resolveClusterTraits({ ...args.traits, kind: 'existing' });
    this.kubeconfig = pulumi.secret(args.kubeconfig ?? '');
    this.provider = new k8s.Provider(
      `${name}-provider`,
      {
        ...(args.kubeconfig !== undefined ? { kubeconfig: this.kubeconfig } : {}),
        ...(args.context ? { context: args.context } : {}),
        enableServerSideApply: true,
      },
      { parent: this },
    );
    if (args.access) grantRbacAccess(this, name, args.access, this.provider);
    this.registerOutputs({ kubeconfig: this.kubeconfig, traits: this.traits });
  }
}
