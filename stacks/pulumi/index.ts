/** The Pulumi program (Pulumi.yaml `main`): deploys the environment named by the stack. */
import * as pulumi from '@pulumi/pulumi';
import { deployEnvironment } from '../deploy';

const outputs = deployEnvironment(pulumi.getStack(), new pulumi.Config('switchyard'));

export const environment = outputs.environment;
export const namespace = outputs.namespace;
export const releases = outputs.releases;
export const objectCount = outputs.objectCount;
export const clusterKind = outputs.clusterKind;
export const kubeconfig = outputs.kubeconfig;
