import type * as pulumi from '@pulumi/pulumi';
import { HelmReleases, KubernetesManifests } from '../constructs';
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
  const providers = { kubernetes: cluster.provider };
  const objects = environmentObjects(env);
  const addons = environmentAddons(env);
  const namespaces = new KubernetesManifests(`${env.name}-namespaces`, { objects: objects.namespaces }, { providers });
  const releases = new HelmReleases(
    `${env.name}-addons`,
    { releases: addons.releases, loadBalancerAvailable: cluster.traits.loadBalancer !== 'none' },
    { providers, dependsOn: [namespaces] },
  );
  const manifests = new KubernetesManifests(
    `${env.name}-platform`,
    { objects: objects.manifests },
    { providers, dependsOn: [releases, ...Object.values(releases.releases)] },
  );
  return {
    environment: env.name,
    namespace: env.namespace,
    releases: releases.installOrder,
    objectCount: manifests.objectCount,
    clusterKind: cluster.traits.kind,
    kubeconfig: cluster.kubeconfig,
  };
}
