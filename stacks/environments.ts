/**
 * The reference platform's environments, defined once: the cdk8s app synthesizes each of them into
 * dist/<name>/ and the Pulumi program deploys the one named by the stack.
 */
export interface EnvironmentConfig {
  /** Environment and Pulumi stack name. */
  readonly name: 'dev' | 'staging' | 'prod';
  /** Namespace of the demo app. */
  readonly namespace: string;
  /** DNS zone under which the environment's hosts live. */
  readonly domain: string;
  /** The demo app: image and replica count. */
  readonly app: { readonly image: string; readonly replicas: number };
}

const DEMO_IMAGE = 'ghcr.io/nginxinc/nginx-unprivileged:1.27.3-alpine';

export const ENVIRONMENTS: readonly EnvironmentConfig[] = [
  { name: 'dev', namespace: 'shop-dev', domain: 'dev.switchyard.example', app: { image: DEMO_IMAGE, replicas: 2 } },
  {
    name: 'staging',
    namespace: 'shop-staging',
    domain: 'staging.switchyard.example',
    app: { image: DEMO_IMAGE, replicas: 2 },
  },
  { name: 'prod', namespace: 'shop', domain: 'switchyard.example', app: { image: DEMO_IMAGE, replicas: 3 } },
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
