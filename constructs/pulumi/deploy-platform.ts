/**
 * `deployPlatform`: the Pulumi side of a platform. Deploys the environment named by the stack: its cluster
 * (created, or existing through `switchyard:kubeContext`), namespaces, the add-on releases, then the same
 * objects `synthPlatform` writes. Cloud cluster components load only when an environment creates one, so a
 * platform on existing clusters never loads a cloud SDK.
 */
import * as pulumi from '@pulumi/pulumi';
import { BareMetalCluster } from '../cluster/bare-metal';
import type { KubernetesCluster } from '../cluster/cluster';
import { ExistingCluster } from '../cluster/existing';
import { resolveClusterTraits } from '../cluster/traits';
import { InvalidPropertyError } from '../core/validate';
import type { Platform } from '../platform/define';
import { environmentAddons, environmentObjects } from '../platform/environment-app';
import type { BareMetalCreation, Environment } from '../platform/model';
import { assertKnownStackKeys, parseStackSettings, STACK_NAMESPACE } from '../platform/stack-settings';
import { PlatformDeployment } from './platform-deployment';

/** Options of {@link deployPlatform}. */
export interface DeployPlatformOptions {
  /** The environment to deploy. @default pulumi.getStack() */
  readonly stack?: string;
  /** The `switchyard` config namespace of the stack. @default new pulumi.Config('switchyard') */
  readonly config?: pulumi.Config;
}

/** What a platform's Pulumi program exports for a stack. */
export interface PlatformDeploymentOutputs {
  readonly environment: string;
  readonly namespace: string;
  /** Add-on releases in the order they install. */
  readonly releases: pulumi.Output<string[]>;
  /** How many objects the last phase applies. */
  readonly objectCount: pulumi.Output<number>;
  /** What the cluster is: the kind created, or 'existing'. */
  readonly clusterKind: string;
  /** The cluster's kubeconfig (a secret; empty for the ambient one). */
  readonly kubeconfig: pulumi.Output<string>;
}

/**
 * Deploys the environment of `options.stack` (see the module comment). Export what it resolves to from the
 * program: `export = deployPlatform(platform)`.
 * @throws InvalidPropertyError for an unknown stack, a bad setting, or a cluster it cannot create
 */
export async function deployPlatform(
  platform: Platform,
  options: DeployPlatformOptions = {},
): Promise<PlatformDeploymentOutputs> {
  const stack = options.stack ?? pulumi.getStack();
  const config = options.config ?? new pulumi.Config(STACK_NAMESPACE);
  const file = `Pulumi.${stack}.yaml`;
  platform.environment(stack);
  // Pulumi hands over every key of the stack file; refuse misspelt ones as synth does.
  assertKnownStackKeys(Object.keys(pulumi.runtime.allConfig()), file, platform.definition.settings);
  const settings = parseStackSettings((key) => config.get(key), file, platform.definition.settings);
  const env = platform.configured(stack, settings, file);
  const cluster = await environmentCluster(env, settings.kubeContext, config, file);
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

/** `traits` without the keys a cluster component sets itself. */
function traitsWithout<K extends string>(env: Environment, keys: readonly K[]) {
  const traits: Record<string, unknown> = { ...env.cluster.traits };
  for (const key of keys) delete traits[key];
  return traits as Omit<Environment['cluster']['traits'], K>;
}

/** The environment's cluster: reached through `kubeContext`, created from `cluster.create`, or the ambient one. */
export async function environmentCluster(
  env: Environment,
  kubeContext: string,
  config: pulumi.Config,
  file = `Pulumi.${env.name}.yaml`,
): Promise<KubernetesCluster> {
  const name = `${env.name}-cluster`;
  const create = env.cluster.create;
  if (kubeContext || !create) {
    const { kind: _, ...declared } = resolveClusterTraits(env.cluster.traits);
    return new ExistingCluster(name, { ...(kubeContext ? { context: kubeContext } : {}), traits: declared });
  }
  switch (create.kind) {
    case 'bare-metal':
      return bareMetalCluster(env, create, config, file);
    case 'eks': {
      // Loaded only here (the module checks for, then loads, its cloud SDK); '.js' as in the built package.
      const { EksCluster } = await import('../cluster/eks.js');
      const { kind: _, ...args } = create;
      const cluster = new EksCluster(name, {
        ...args,
        traits: traitsWithout(env, ['kind', 'zones', 'kubernetesVersion']),
      });
      // Synth wrote the controllers' role ARNs into chart values before the roles existed: they must agree.
      cluster.loadBalancerControllerRoleArn.apply((arn) =>
        assertRoleMatches(env, 'AWS Load Balancer Controller', env.addons?.awsLoadBalancerController?.roleArn, arn),
      );
      cluster.externalSecretsRoleArn?.apply((arn) =>
        assertRoleMatches(env, 'External Secrets Operator', env.addons?.externalSecrets?.roleArn, arn),
      );
      return cluster;
    }
    case 'gke': {
      // Loaded only here (the module checks for, then loads, its cloud SDK); '.js' as in the built package.
      const { GkeCluster } = await import('../cluster/gke.js');
      const { kind: _, ...args } = create;
      return new GkeCluster(name, { ...args, traits: traitsWithout(env, ['kind', 'zones', 'kubernetesVersion']) });
    }
    case 'aks': {
      // Loaded only here (the module checks for, then loads, its cloud SDK); '.js' as in the built package.
      const { AksCluster } = await import('../cluster/aks.js');
      const { kind: _, ...args } = create;
      return new AksCluster(name, { ...args, traits: traitsWithout(env, ['kind', 'zones', 'kubernetesVersion']) });
    }
    case 'vm': {
      // Loaded only here (the module checks for, then loads, its cloud SDK); '.js' as in the built package.
      const { VmCluster } = await import('../cluster/vm.js');
      const { kind: _, ...args } = create;
      return new VmCluster(name, { ...args, traits: traitsWithout(env, ['kind']) });
    }
  }
}

async function bareMetalCluster(
  env: Environment,
  create: BareMetalCreation,
  config: pulumi.Config,
  file: string,
): Promise<KubernetesCluster> {
  // Absent, the bootstrap authenticates with the SSH agent (SSH_AUTH_SOCK), as CI runners load deploy keys.
  const privateKey = config.getSecret('sshPrivateKey');
  const host = (address: string) => {
    const hostKey = create.hostKeys?.[address];
    if (!hostKey) {
      throw new InvalidPropertyError(
        `${STACK_NAMESPACE}:hostKeys`,
        `${file}: ${STACK_NAMESPACE}:hostKeys has no SSH host key for ${address}: add the key 'ssh-keyscan -t ed25519 ${address}' prints (checked on the machine), so no secret goes to another machine`,
      );
    }
    return {
      address,
      hostKey,
      ...(create.sshUser ? { user: create.sshUser } : {}),
      ...(privateKey ? { privateKey } : {}),
    };
  };
  if (!create.k3sInstallerSha256) {
    throw new InvalidPropertyError(
      `${STACK_NAMESPACE}:k3sInstallerSha256`,
      `${file}: ${STACK_NAMESPACE}:k3sInstallerSha256 is required: the SHA-256 of the k3s installer ('curl -sfL <url> | sha256sum', url in docs/clusters.md)`,
    );
  }
  const { kind: _, ...traits } = env.cluster.traits;
  return new BareMetalCluster(`${env.name}-cluster`, {
    servers: create.servers.map(host),
    agents: (create.agents ?? []).map(host),
    k3sInstaller: { sha256: create.k3sInstallerSha256 },
    ...(create.apiAddress ? { apiAddress: create.apiAddress } : {}),
    ...(create.k3sVersion ? { k3sVersion: create.k3sVersion } : {}),
    ...(create.access ? { access: create.access } : {}),
    traits: { ...traits, kind: 'bare-metal' },
  });
}

/**
 * A controller's role ARN in the chart values must be the role the cluster created, or the controller could
 * not assume it. Unknown ARNs (previews) pass.
 */
export function assertRoleMatches(
  env: Environment,
  controller: string,
  expected: string | undefined,
  actual: string | undefined,
): void {
  if (actual && expected && actual !== expected) {
    throw new InvalidPropertyError(
      'addons',
      `the ${controller} role is ${actual}, but ${env.name}'s chart values name ${expected}: ` +
        `set the role ARN in the environment's addons to the one the cluster creates (its account and cluster name)`,
    );
  }
}
