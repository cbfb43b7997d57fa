/**
 * The `platform.ts` that `switchyard init` writes: the environments as data, with the facts of the chosen
 * cluster kind as named placeholders at the top (documentation ranges and example names to replace).
 */
import type { ResolvedScaffoldOptions } from './scaffold';
import { AWS_ACCOUNT, AWS_REGION, scaffoldPipelineProps } from './scaffold-pipeline';

/** Constants and the `cluster`/`addons` of one environment, per kind (TypeScript source text). */
interface KindTemplate {
  readonly facts: string;
  readonly cluster: string;
  readonly addons: string;
}

const CERT_MANAGER = `certManager: { issuers: [{ name: 'letsencrypt', email: ACME_EMAIL }] }`;

const KINDS: Record<ResolvedScaffoldOptions['cluster'], KindTemplate> = {
  existing: {
    facts: '',
    cluster: `{ traits: { kind: 'existing' } }`,
    addons: `{ ${CERT_MANAGER} }`,
  },
  'bare-metal': {
    facts: `/** MetalLB hands out these addresses to LoadBalancer Services (a documentation range: use your LAN's). */
const LOAD_BALANCER_ADDRESSES = ['192.0.2.240-192.0.2.250'];
`,
    cluster: `{
      traits: { kind: 'bare-metal' },
      // The machines, their host keys and the installer's hash are machine facts: Pulumi.<env>.yaml holds them.
      create: { kind: 'bare-metal', servers: ['192.0.2.10'], access: { deployer: 'Group:platform-deployers' } },
    }`,
    addons: `{ metallb: { addresses: LOAD_BALANCER_ADDRESSES }, ${CERT_MANAGER} }`,
  },
  vm: {
    facts: `/** The EC2 network and image the k3s machines run in (placeholders: use your own). */
const AWS_VPC_ID = 'vpc-0123456789abcdef0';
const AWS_SUBNET_IDS = ['subnet-0123456789abcdef0'];
const AMI = 'ami-0123456789abcdef0';
/** Who may reach SSH and the Kubernetes API (a documentation range: your runners' and admins' addresses). */
const ADMIN_CIDRS = ['203.0.113.0/24'];
/** The machines' SSH key (public half); the private half is the stack secret switchyard:sshPrivateKey. */
const SSH_PUBLIC_KEY = 'ssh-ed25519 REPLACE-WITH-YOUR-PUBLIC-KEY';
/** SHA-256 of the k3s installer: 'curl -sfL <installer url> | sha256sum' (docs/clusters.md). */
const K3S_INSTALLER_SHA256 = '0000000000000000000000000000000000000000000000000000000000000000';
const LOAD_BALANCER_ADDRESSES = ['10.0.0.240-10.0.0.250'];
`,
    cluster: `{
      traits: { kind: 'vm' },
      create: {
        kind: 'vm',
        machines: { cloud: 'aws-ec2', ami: AMI, vpcId: AWS_VPC_ID, subnetIds: AWS_SUBNET_IDS, adminCidrs: ADMIN_CIDRS },
        servers: production ? 3 : 1,
        sshPublicKey: SSH_PUBLIC_KEY,
        k3sInstaller: { sha256: K3S_INSTALLER_SHA256 },
      },
    }`,
    addons: `{ metallb: { addresses: LOAD_BALANCER_ADDRESSES }, ${CERT_MANAGER} }`,
  },
  eks: {
    facts: `/** The AWS account and region (AWS's documentation account: use your own). */
const AWS_ACCOUNT = '${AWS_ACCOUNT}';
const AWS_REGION = '${AWS_REGION}';
const role = (name: string) => \`arn:aws:iam::\${AWS_ACCOUNT}:role/\${name}\`;
`,
    cluster: `{
      traits: { kind: 'eks', zones: ['a', 'b', 'c'].map((z) => \`\${AWS_REGION}\${z}\`) },
      create: {
        kind: 'eks',
        clusterName: \`\${name}-cluster\`,
        availabilityZones: ['a', 'b', 'c'].map((z) => \`\${AWS_REGION}\${z}\`),
        natGateways: production ? 'per-zone' : 'single',
        access: { deployer: role(\`\${name}-deploy\`) },
      },
    }`,
    addons: `{
      // EksCluster names the controller's IRSA role after the cluster, so synth can write it in the chart values.
      awsLoadBalancerController: {
        clusterName: \`\${name}-cluster\`,
        roleArn: role(\`\${name}-cluster-aws-load-balancer-controller\`),
      },
      ${CERT_MANAGER},
    }`,
  },
  gke: {
    facts: `/** The Google Cloud project and region (placeholders: use your own). */
const GCP_PROJECT = 'my-gcp-project';
const GCP_REGION = 'europe-west1';
`,
    cluster: `{
      traits: { kind: 'gke' },
      create: {
        kind: 'gke',
        project: GCP_PROJECT,
        region: GCP_REGION,
        access: { deployer: \`\${name}-deploy@\${GCP_PROJECT}.iam.gserviceaccount.com\` },
      },
    }`,
    addons: `{ ${CERT_MANAGER} }`,
  },
  aks: {
    facts: `/** The Azure location and the deploy identity's Entra ID object id (placeholders: use your own). */
const AZURE_LOCATION = 'westeurope';
const DEPLOYER_OBJECT_ID = '00000000-0000-0000-0000-000000000000';
`,
    cluster: `{
      traits: { kind: 'aks' },
      create: { kind: 'aks', location: AZURE_LOCATION, access: { deployer: DEPLOYER_OBJECT_ID } },
    }`,
    addons: `{ ${CERT_MANAGER} }`,
  },
};

/** What each controller expresses of the route's timeouts and HSTS (the compiler refuses the rest). */
const ROUTING: Record<
  ResolvedScaffoldOptions['controller'],
  { timeouts: string; accept: string; exceptions?: string }
> = {
  'envoy-gateway': { timeouts: `{ request: '30s', backendRequest: '10s' }`, accept: '' },
  traefik: {
    timeouts: `{ request: '30s' }`,
    accept: `
        // Traefik sets the request timeout on its entry point, for every route.
        acceptApproximations: ['timeouts.request'],`,
    exceptions: `[
        {
          rule: 'route-timeouts',
          object: \`RoutingPolicy/\${namespace}/web\`,
          reason: "Traefik bounds requests on its entry point (respondingTimeouts), for every route",
        },
      ]`,
  },
  haproxy: { timeouts: `{ backendRequest: '30s' }`, accept: '' },
  contour: { timeouts: `{ request: '30s' }`, accept: '' },
  'ingress-nginx': {
    timeouts: `{ request: '30s' }`,
    accept: `
        // ingress-nginx sets HSTS in its ConfigMap, for every TLS host, and bounds reads, not whole requests.
        acceptApproximations: ['hsts', 'timeouts.request'],`,
  },
};

/** Source text of a value: JSON, indented to sit at `depth` levels of the generated file. */
function literal(value: unknown, depth: number): string {
  return JSON.stringify(value, null, 2).replace(/\n/g, `\n${'  '.repeat(depth)}`);
}

/** The platform definition's source text. */
export function platformSource(o: ResolvedScaffoldOptions): string {
  const kind = KINDS[o.cluster];
  const first = o.environments[0]!;
  const pipeline = scaffoldPipelineProps(o);
  const perEnvironment = Object.fromEntries(pipeline.environments.map(({ name, ...jobs }) => [name, jobs]));
  return `/**
 * The platform: every environment defined once, in promotion order. \`npm run synth\` writes each into
 * dist/<env>/, \`pulumi up --stack <env>\` deploys one, \`npm run pipeline\` writes the workflows.
 */
import { definePlatform, type Environment } from 'switchyard';

/** The parent domain of every environment's host (an example domain: use yours, or set switchyard:domain). */
const DOMAIN = 'example.com';
/** Who gets the ACME account's mail about certificates. */
const ACME_EMAIL = 'platform@example.com';
/** The app's image, pinned. */
const IMAGE = 'ghcr.io/nginxinc/nginx-unprivileged:1.27.3-alpine';
${kind.facts}
/**
 * How each environment's pipeline jobs reach its cluster: ${o.cluster === 'eks' ? 'the IAM roles to create' : 'the repository or environment secrets holding the deploy and the read-only kubeconfig'}.
 */
const PIPELINE: Record<string, Environment['pipeline']> = ${literal(perEnvironment, 0)};

/** One environment; the first is for development, the others run the production profile. */
function environment(name: string, production: boolean, domain = \`\${name}.\${DOMAIN}\`, replicas = production ? 2 : 1): Environment {
  const namespace = \`web-\${name}\`;
  return {
    name,
    namespace,
    cluster: ${kind.cluster},
    controller: { kind: '${o.controller}' },
    addons: ${kind.addons},
    apps: [{ kind: 'web', name: 'web', props: { image: IMAGE, replicas } }],
    routing: [
      {
        name: 'web',
        namespace,
        hosts: [\`web.\${domain}\`],
        tls: { clusterIssuer: 'letsencrypt' },
        hsts: { maxAge: '8760h' },
        rules: [
          {
            name: 'all',
            backends: [{ service: 'web', port: 8080 }],
            timeouts: ${ROUTING[o.controller].timeouts},
          },
        ],${ROUTING[o.controller].accept}
      },
    ],
    guardrails: { profile: production ? 'production' : 'standard'${ROUTING[o.controller].exceptions ? `, exceptions: ${ROUTING[o.controller].exceptions}` : ''} },
    pipeline: PIPELINE[name],
  };
}

const NAMES = ${JSON.stringify(o.environments)};
const production = (name: string) => ${o.environments.length > 1 ? `name !== '${first}'` : 'true'};

export const platform = definePlatform({
  environments: NAMES.map((name) => environment(name, production(name))),
  // Keys a stack may set in Pulumi.<env>.yaml, checked by synth and deploy alike.
  settings: {
    domain: { type: 'dns-subdomain', description: "the environment's parent domain" },
    replicas: { type: 'integer', min: 1, max: 50, description: "the app's replicas" },
  },
  // The custom keys rebuild the environment; the cluster keeps what the built-in keys set (machines, context).
  configure: (env, settings) => ({
    ...environment(
      env.name,
      production(env.name),
      settings.custom.domain as string | undefined,
      settings.custom.replicas as number | undefined,
    ),
    cluster: env.cluster,
  }),
  // State in Pulumi Cloud (docs/pipeline.md shows a self-managed backend); images deploy only when signed by
  // this repository's workflows (keyless cosign): put your organisation in the identity.
  pipeline: ${literal({ stateBackend: pipeline.stateBackend, signatures: pipeline.signatures }, 1)},
});
`;
}
