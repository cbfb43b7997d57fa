/**
 * The cluster an environment's Pulumi stack deploys to: the one it creates (k3s on bare metal over SSH, or
 * EKS), or, when the stack sets `switchyard:kubeContext`, an existing one reached through that context
 * (a local kind cluster, or one another team runs).
 */
import type * as pulumi from '@pulumi/pulumi';
import { InvalidPropertyError, type KubernetesCluster, resolveClusterTraits } from '../constructs';
import { EksCluster } from '../constructs/cluster/eks';
import { BareMetalCluster, ExistingCluster } from '../constructs/pulumi';
import { type EnvironmentConfig, secretPrefix } from './environments';

/** Creates (or reaches) the environment's cluster; `config` is the `switchyard` namespace. */
export function environmentCluster(
  env: EnvironmentConfig,
  kubeContext: string,
  config: pulumi.Config,
): KubernetesCluster {
  if (kubeContext) {
    const { kind: _, ...declared } = resolveClusterTraits(env.cluster);
    return new ExistingCluster(`${env.name}-cluster`, { context: kubeContext, traits: declared });
  }
  const infra = env.infrastructure;
  if (infra.kind === 'bare-metal') {
    // Absent, the bootstrap authenticates with the SSH agent (SSH_AUTH_SOCK), as CI runners load deploy keys.
    const privateKey = config.getSecret('sshPrivateKey');
    const file = `Pulumi.${env.name}.yaml`;
    const host = (address: string) => {
      const hostKey = infra.hostKeys?.[address];
      if (!hostKey) {
        throw new InvalidPropertyError(
          'switchyard:hostKeys',
          `${file}: switchyard:hostKeys has no SSH host key for ${address}: add the key 'ssh-keyscan -t ed25519 ${address}' prints (checked on the machine), so no secret goes to another machine`,
        );
      }
      return { address, user: infra.sshUser, hostKey, ...(privateKey ? { privateKey } : {}) };
    };
    if (!infra.k3sInstallerSha256) {
      throw new InvalidPropertyError(
        'switchyard:k3sInstallerSha256',
        `${file}: switchyard:k3sInstallerSha256 is required: the SHA-256 of the k3s installer ('curl -sfL <url> | sha256sum', url in docs/clusters.md)`,
      );
    }
    return new BareMetalCluster(`${env.name}-cluster`, {
      servers: infra.servers.map(host),
      agents: infra.agents.map(host),
      k3sInstaller: { sha256: infra.k3sInstallerSha256 },
      apiAddress: infra.apiAddress,
      access: infra.access,
      traits: { ...env.cluster, kind: 'bare-metal' },
    });
  }
  const { kind: _, zones: __, ...traits } = env.cluster;
  const cluster = new EksCluster(`${env.name}-cluster`, {
    clusterName: infra.clusterName,
    availabilityZones: infra.availabilityZones,
    endpoint: { private: true, publicCidrs: infra.apiAllowedCidrs },
    natGateways: infra.natGateways,
    nodeGroups: [
      {
        name: 'general',
        instanceTypes: [infra.nodes.instanceType],
        minSize: infra.nodes.min,
        maxSize: infra.nodes.max,
      },
    ],
    access: infra.access,
    externalSecrets: { secretPrefix: secretPrefix(env.name) },
    // Production clusters refuse deletion; staging can be torn down.
    deletionProtection: env.name === 'prod',
    traits,
  });
  cluster.loadBalancerControllerRoleArn.apply((arn) =>
    assertRoleMatches(env, 'AWS Load Balancer Controller', env.addons.awsLoadBalancerController?.roleArn, arn),
  );
  cluster.externalSecretsRoleArn?.apply((arn) =>
    assertRoleMatches(env, 'External Secrets Operator', env.addons.externalSecrets?.roleArn, arn),
  );
  return cluster;
}

/**
 * Synth wrote a controller's role ARN into its chart values before the role existed: they must agree, or
 * the controller could not assume its role. Unknown ARNs (previews) pass.
 */
export function assertRoleMatches(
  env: EnvironmentConfig,
  controller: string,
  expected: string | undefined,
  actual: string | undefined,
): void {
  if (actual && expected && actual !== expected) {
    throw new Error(
      `the ${controller} role is ${actual}, but ${env.name}'s chart values name ${expected}: ` +
        `set AWS_ACCOUNT in stacks/environments.ts to the account Pulumi deploys to`,
    );
  }
}
