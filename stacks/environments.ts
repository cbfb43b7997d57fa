/**
 * The reference platform's environments, defined once: the cdk8s app synthesizes each of them into
 * dist/<name>/ and the Pulumi program deploys the one named by the stack.
 */
import type { ClusterAccess, ClusterTraits, PlatformAddonsProps } from '../constructs';

/** A k3s cluster Pulumi bootstraps over SSH on machines that already run (see BareMetalCluster). */
export interface BareMetalInfrastructure {
  readonly kind: 'bare-metal';
  /** Control-plane machines (1, or an odd number of at least 3). */
  readonly servers: readonly string[];
  /** Worker machines. */
  readonly agents: readonly string[];
  /** Virtual IP or load balancer in front of the servers. */
  readonly apiAddress: string;
  readonly sshUser: string;
  readonly access: ClusterAccess;
  /**
   * Each machine's SSH host key ('ssh-ed25519 AAAA...'), by address: verified before any secret crosses
   * SSH. Machine facts, so they come from the stack file (`switchyard:hostKeys`). @default - none: deploying fails
   */
  readonly hostKeys?: Readonly<Record<string, string>>;
  /** SHA-256 of the k3s installer, from the stack file (`switchyard:k3sInstallerSha256`). @default - none: deploying fails */
  readonly k3sInstallerSha256?: string;
}

/** An EKS cluster Pulumi creates (see EksCluster). */
export interface EksInfrastructure {
  readonly kind: 'eks';
  readonly clusterName: string;
  readonly availabilityZones: readonly string[];
  /** Ranges allowed on the public API endpoint (the runners' egress); the private endpoint is always on. */
  readonly apiAllowedCidrs: readonly string[];
  readonly natGateways: 'per-zone' | 'single';
  readonly nodes: { readonly instanceType: string; readonly min: number; readonly max: number };
  readonly access: ClusterAccess;
}

/** AWS account of the EKS environments: AWS's documentation example; a team puts its own here. */
export const AWS_ACCOUNT = '111122223333';

/**
 * The read-only role: the reader of the EKS access entries below (`AmazonEKSViewPolicy`), the identity
 * previews and drift checks assume (stacks/pipeline.ts), with read access to the state bucket.
 */
export const READ_ONLY_ROLE_ARN = `arn:aws:iam::${AWS_ACCOUNT}:role/switchyard-readonly`;
/** Region of the EKS environments. */
export const AWS_REGION = 'eu-west-1';

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
    /** Horizontal autoscaling of the stable app from `replicas` up to this many pods. @default - fixed replicas */
    readonly maxReplicas?: number;
  };
  /** The shop's session cache (a StatefulSet): its volume size in GiB and replica count. */
  readonly cache: { readonly sizeGibibytes: number; readonly replicas: number };
  /** The cluster the environment runs on. */
  readonly cluster: ClusterTraits;
  /** Add-ons beyond the ingress controller: load balancer, cert-manager and its issuers. */
  readonly addons: Omit<PlatformAddonsProps, 'cluster' | 'controller'>;
  /** cert-manager ClusterIssuer for the environment's certificates (one of `addons.certManager.issuers`). */
  readonly clusterIssuer: string;
  /** The cluster the Pulumi program creates, unless the stack sets `switchyard:kubeContext`. */
  readonly infrastructure: BareMetalInfrastructure | EksInfrastructure;
}

const IMAGE = 'ghcr.io/nginxinc/nginx-unprivileged:1.27.3-alpine';
const CANARY_IMAGE = 'ghcr.io/nginxinc/nginx-unprivileged:1.27.4-alpine';
/**
 * Where an environment's secrets live in AWS Secrets Manager: the External Secrets Operator's role may read
 * only names under this prefix (EksCluster `externalSecrets`), and the ExternalSecrets name keys under it.
 */
export function secretPrefix(env: string): string {
  return `switchyard/${env}/`;
}

/** The ClusterSecretStore reading AWS Secrets Manager on the EKS environments. */
export const AWS_SECRET_STORE = 'aws-secrets-manager';
/** The session cache's image (Valkey, a Redis fork), pinned. */
export const CACHE_IMAGE = 'docker.io/valkey/valkey:8.1.3-alpine';
const ACME_EMAIL = 'platform@switchyard.example';
const LETSENCRYPT = {
  staging: {
    name: 'letsencrypt-staging',
    email: ACME_EMAIL,
    server: 'https://acme-staging-v02.api.letsencrypt.org/directory',
  },
  prod: { name: 'letsencrypt-prod', email: ACME_EMAIL },
};

/** The IAM role the pipeline deploys an environment with (see stacks/pipeline.ts). */
export function deployRoleArn(env: string): string {
  return `arn:aws:iam::${AWS_ACCOUNT}:role/switchyard-${env}-deploy`;
}

/**
 * An EKS environment: the cluster Pulumi creates, and the add-on settings that point at it. EksCluster names
 * the controller's IRSA role after the cluster, so its ARN is known before deploy and synth can write it.
 */
function eks(
  name: string,
  nodes: EksInfrastructure['nodes'],
  natGateways: EksInfrastructure['natGateways'],
): Pick<EnvironmentConfig, 'cluster' | 'addons' | 'infrastructure'> {
  const clusterName = `switchyard-${name}`;
  const availabilityZones = ['a', 'b', 'c'].map((z) => `${AWS_REGION}${z}`);
  return {
    cluster: { kind: 'eks', zones: availabilityZones },
    addons: {
      awsLoadBalancerController: {
        clusterName,
        roleArn: `arn:aws:iam::${AWS_ACCOUNT}:role/${clusterName}-aws-load-balancer-controller`,
      },
      certManager: { issuers: [LETSENCRYPT.staging, LETSENCRYPT.prod] },
      externalSecrets: {
        roleArn: `arn:aws:iam::${AWS_ACCOUNT}:role/${clusterName}-external-secrets`,
        awsSecretsManager: { region: AWS_REGION, storeName: AWS_SECRET_STORE },
      },
    },
    infrastructure: {
      kind: 'eks',
      clusterName,
      availabilityZones,
      // A documentation range: replace with your runners' egress addresses (or use self-hosted runners in the VPC).
      apiAllowedCidrs: ['203.0.113.0/24'],
      natGateways,
      nodes,
      access: {
        deployer: deployRoleArn(name),
        readers: [READ_ONLY_ROLE_ARN],
      },
    },
  };
}

/** dev's k3s servers and the virtual IP in front of them: the API server's addresses. */
const DEV_SERVERS = ['192.168.50.11', '192.168.50.12', '192.168.50.13'];
const DEV_API_ADDRESS = '192.168.50.10';

export const ENVIRONMENTS: readonly EnvironmentConfig[] = [
  {
    name: 'dev',
    namespace: 'shop-dev',
    domain: 'dev.switchyard.example',
    app: { image: IMAGE, canaryImage: CANARY_IMAGE, replicas: 2, canaryPercent: 50 },
    cache: { sizeGibibytes: 1, replicas: 1 },
    cluster: { kind: 'bare-metal' },
    addons: {
      metallb: { addresses: ['192.168.50.240-192.168.50.250'] },
      certManager: { issuers: [LETSENCRYPT.staging] },
      // Pods reach the API server through the virtual IP or, after kube-proxy's DNAT, a server's 6443.
      apiServerCidrs: [DEV_API_ADDRESS, ...DEV_SERVERS].map((a) => `${a}/32`),
    },
    clusterIssuer: 'letsencrypt-staging',
    infrastructure: {
      kind: 'bare-metal',
      servers: DEV_SERVERS,
      agents: ['192.168.50.21', '192.168.50.22'],
      apiAddress: DEV_API_ADDRESS,
      sshUser: 'switchyard',
      // The pipeline deploys with the admin kubeconfig (DEV_KUBECONFIG); these bind OIDC groups of people.
      access: { deployer: 'Group:switchyard-deployers', readers: ['Group:developers'] },
    },
  },
  {
    name: 'staging',
    namespace: 'shop-staging',
    domain: 'staging.switchyard.example',
    app: { image: IMAGE, canaryImage: CANARY_IMAGE, replicas: 2, canaryPercent: 20 },
    cache: { sizeGibibytes: 5, replicas: 1 },
    ...eks('staging', { instanceType: 'm6i.large', min: 3, max: 6 }, 'single'),
    clusterIssuer: 'letsencrypt-staging',
  },
  {
    name: 'prod',
    namespace: 'shop',
    domain: 'switchyard.example',
    app: { image: IMAGE, canaryImage: CANARY_IMAGE, replicas: 3, canaryPercent: 5, maxReplicas: 12 },
    cache: { sizeGibibytes: 20, replicas: 3 },
    ...eks('prod', { instanceType: 'm6i.xlarge', min: 3, max: 12 }, 'per-zone'),
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
