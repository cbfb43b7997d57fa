/**
 * The reference platform's environments, defined once: the cdk8s app synthesizes each of them into
 * dist/<name>/ and the Pulumi program deploys the one named by the stack.
 */
import type { ClusterTraits, PlatformAddonsProps } from '../constructs';

export interface EnvironmentConfig {
  /** Environment and Pulumi stack name. */
  readonly name: 'dev' | 'staging' | 'prod';
  /** Namespace of the shop apps and their routes. */
  readonly namespace: string;
  /** DNS zone under which the environment's hosts live. */
  readonly domain: string;
  /** The shop app: stable image, canary image, replicas, and the share of traffic (percent) the canary gets. */
  readonly app: {
    readonly image: string;
    readonly canaryImage: string;
    readonly replicas: number;
    readonly canaryPercent: number;
  };
  /** The cluster the environment runs on. */
  readonly cluster: ClusterTraits;
  /** Add-ons beyond the ingress controller: load balancer, cert-manager and its issuers. */
  readonly addons: Omit<PlatformAddonsProps, 'cluster' | 'controller'>;
  /** cert-manager ClusterIssuer for the environment's certificates (one of `addons.certManager.issuers`). */
  readonly clusterIssuer: string;
}

const IMAGE = 'ghcr.io/nginxinc/nginx-unprivileged:1.27.3-alpine';
const CANARY_IMAGE = 'ghcr.io/nginxinc/nginx-unprivileged:1.27.4-alpine';
const ACME_EMAIL = 'platform@switchyard.example';
const LETSENCRYPT = {
  staging: {
    name: 'letsencrypt-staging',
    email: ACME_EMAIL,
    server: 'https://acme-staging-v02.api.letsencrypt.org/directory',
  },
  prod: { name: 'letsencrypt-prod', email: ACME_EMAIL },
};

/** EKS add-on settings; the role ARN comes from the cluster stack (the account id here is AWS's documentation example). */
function eks(name: string): Pick<EnvironmentConfig, 'cluster' | 'addons'> {
  return {
    cluster: { kind: 'eks' },
    addons: {
      awsLoadBalancerController: {
        clusterName: `switchyard-${name}`,
        roleArn: `arn:aws:iam::111122223333:role/switchyard-${name}-aws-load-balancer-controller`,
      },
      certManager: { issuers: [LETSENCRYPT.staging, LETSENCRYPT.prod] },
    },
  };
}

export const ENVIRONMENTS: readonly EnvironmentConfig[] = [
  {
    name: 'dev',
    namespace: 'shop-dev',
    domain: 'dev.switchyard.example',
    app: { image: IMAGE, canaryImage: CANARY_IMAGE, replicas: 2, canaryPercent: 50 },
    cluster: { kind: 'bare-metal' },
    addons: {
      metallb: { addresses: ['192.168.50.240-192.168.50.250'] },
      certManager: { issuers: [LETSENCRYPT.staging] },
    },
    clusterIssuer: 'letsencrypt-staging',
  },
  {
    name: 'staging',
    namespace: 'shop-staging',
    domain: 'staging.switchyard.example',
    app: { image: IMAGE, canaryImage: CANARY_IMAGE, replicas: 2, canaryPercent: 20 },
    ...eks('staging'),
    clusterIssuer: 'letsencrypt-staging',
  },
  {
    name: 'prod',
    namespace: 'shop',
    domain: 'switchyard.example',
    app: { image: IMAGE, canaryImage: CANARY_IMAGE, replicas: 3, canaryPercent: 5 },
    ...eks('prod'),
    clusterIssuer: 'letsencrypt-prod',
  },
];

/** The environment of a Pulumi stack; a clear error for any other name. */
export function environmentNamed(name: string): EnvironmentConfig {
  const found = ENVIRONMENTS.find((e) => e.name === name);
  if (!found) {
    const known = ENVIRONMENTS.map((e) => e.name).join(', ');
    throw new Error(
      `Unknown stack ${JSON.stringify(name)}: Switchyard defines the environments ${known} (stacks/environments.ts). ` +
        `Select one with 'pulumi stack select <name>', or add the environment there first.`,
    );
  }
  return found;
}
