/**
 * The reference platform's environments, defined once: the cdk8s app synthesizes each of them into
 * dist/<name>/ and the Pulumi program deploys the one named by the stack.
 */
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
  /** cert-manager ClusterIssuer for the environment's certificates. */
  readonly clusterIssuer: string;
  /** Gateway API entry point: the Gateway's namespace and the implementation's GatewayClass. */
  readonly gateway: {
    readonly name: string;
    readonly namespace: string;
    readonly className: string;
    readonly controllerName: string;
  };
}

const IMAGE = 'ghcr.io/nginxinc/nginx-unprivileged:1.27.3-alpine';
const CANARY_IMAGE = 'ghcr.io/nginxinc/nginx-unprivileged:1.27.4-alpine';
const ENVOY_GATEWAY = {
  name: 'public',
  namespace: 'gateway-system',
  className: 'envoy-gateway',
  controllerName: 'gateway.envoyproxy.io/gatewayclass-controller',
};

export const ENVIRONMENTS: readonly EnvironmentConfig[] = [
  {
    name: 'dev',
    namespace: 'shop-dev',
    domain: 'dev.switchyard.example',
    app: { image: IMAGE, canaryImage: CANARY_IMAGE, replicas: 2, canaryPercent: 50 },
    clusterIssuer: 'letsencrypt-staging',
    gateway: ENVOY_GATEWAY,
  },
  {
    name: 'staging',
    namespace: 'shop-staging',
    domain: 'staging.switchyard.example',
    app: { image: IMAGE, canaryImage: CANARY_IMAGE, replicas: 2, canaryPercent: 20 },
    clusterIssuer: 'letsencrypt-staging',
    gateway: ENVOY_GATEWAY,
  },
  {
    name: 'prod',
    namespace: 'shop',
    domain: 'switchyard.example',
    app: { image: IMAGE, canaryImage: CANARY_IMAGE, replicas: 3, canaryPercent: 5 },
    clusterIssuer: 'letsencrypt-prod',
    gateway: ENVOY_GATEWAY,
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
