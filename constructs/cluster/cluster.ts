import type * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import type { ResolvedClusterTraits } from './traits';

/** What every cluster component offers the rest of Switchyard, whatever created the cluster. */
export interface KubernetesCluster {
  /** Admin kubeconfig (a secret). */
  readonly kubeconfig: pulumi.Output<string>;
  /** A Kubernetes provider for the cluster, for `opts.providers` of what runs on it. */
  readonly provider: k8s.Provider;
  /** What add-ons and routes adapt to. */
  readonly traits: ResolvedClusterTraits;
}
