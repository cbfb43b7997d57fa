import type * as pulumi from '@pulumi/pulumi';
import { PlatformDeployment } from '../constructs/pulumi';
import { environmentCluster } from './clusters';
import { environmentNamed } from './environments';
import { environmentAddons } from './platform-chart';
import { parseStackSettings, withStackSettings } from './stack-config';
import { environmentObjects } from './synth';

/** What the Pulumi program exports for a stack. */
export interface DeploymentOutputs {
  readonly environment: string;
  readonly namespace: string;
  readonly releases: pulumi.Output<string[]>;
  readonly objectCount: pulumi.Output<number>;
  /** What the cluster is: created bare metal or EKS, or existing (through `switchyard:kubeContext`). */
  readonly clusterKind: string;
  /** The cluster's kubeconfig (a secret). */
  readonly kubeconfig: pulumi.Output<string>;
}

/**
 * Deploys the environment named by the stack in phases: the cluster (created, or existing through
 * `switchyard:kubeContext`), namespaces, then the add-on Helm releases (in
 * dependency order), then the same infrastructure, apps and routes `cdk8s synth` writes for it.
 */
export function deployEnvironment(stack: string, config: pulumi.Config): DeploymentOutputs {
  const settings = parseStackSettings((key) => config.get(key), `Pulumi.${stack}.yaml`);
  const env = withStackSettings(environmentNamed(stack), settings);
  const cluster = environmentCluster(env, settings.kubeContext, config);
  const objects = environmentObjects(env);
  const deployment = new PlatformDeployment(env.name, {
    cluster,
    namespaces: objects.namespaces,
    releases: environmentAddons(env).releases,
    manifests: objects.manifests,
  });
  return {
    environment: env.name,
    namespace: env.namespace,
    releases: deployment.installOrder,
    objectCount: deployment.objectCount,
    clusterKind: cluster.traits.kind,
    kubeconfig: cluster.kubeconfig,
  };
}
