import * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import { KubernetesManifests } from '../constructs';
import { environmentNamed } from './environments';
import { environmentObjects } from './synth';

/** What the Pulumi program exports for a stack. */
export interface DeploymentOutputs {
  readonly environment: string;
  readonly namespace: string;
  readonly objectCount: pulumi.Output<number>;
}

/** Deploys the environment named by the stack: the same objects `cdk8s synth` writes for it. */
export function deployEnvironment(stack: string, config: pulumi.Config): DeploymentOutputs {
  const env = environmentNamed(stack);
  const kubeContext = config.get('kubeContext');
  const provider = new k8s.Provider(`${env.name}-cluster`, {
    ...(kubeContext ? { context: kubeContext } : {}),
    enableServerSideApply: true,
  });
  const manifests = new KubernetesManifests(
    `${env.name}-platform`,
    { objects: environmentObjects(env) },
    { providers: { kubernetes: provider } },
  );
  return { environment: env.name, namespace: env.namespace, objectCount: manifests.objectCount };
}
