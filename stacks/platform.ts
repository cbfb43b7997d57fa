/**
 * The reference platform: a shop on three environments, defined once. `npm run synth` writes each into
 * dist/<env>/, the Pulumi program deploys the one named by the stack, `npm run pipeline` writes the
 * workflows. It uses only the package's public entry points, as any consumer would.
 */
import {
  type AppDefinition,
  definePlatform,
  type Environment,
  type EnvironmentCluster,
  type KubeObject,
  type PlatformAddonsProps,
  type RouteSlo,
  type RoutingPolicy,
} from 'switchyard';

/** AWS account of the EKS environments: AWS's documentation example; a team puts its own here. */
export const AWS_ACCOUNT = '111122223333';
export const AWS_REGION = 'eu-west-1';
/** Reader of the EKS clusters and of the state; the identity previews and drift checks assume. */
export const READ_ONLY_ROLE_ARN = `arn:aws:iam::${AWS_ACCOUNT}:role/switchyard-readonly`;
const role = (name: string) => `arn:aws:iam::${AWS_ACCOUNT}:role/${name}`;
const IMAGE = 'ghcr.io/nginxinc/nginx-unprivileged:1.27.3-alpine';
const CANARY_IMAGE = 'ghcr.io/nginxinc/nginx-unprivileged:1.27.4-alpine';
/** The session cache (Valkey, a Redis fork), pinned. */
const CACHE_IMAGE = 'docker.io/valkey/valkey:8.1.3-alpine';
const CACHE_PORT = 6379;
/** The cache password: one Secret both the storefront and the cache read by reference. */
const CACHE_SECRET = { secret: 'shop-cache', key: 'password' };
const AWS_SECRET_STORE = 'aws-secrets-manager';
const ACME_EMAIL = 'platform@switchyard.example';
const LETSENCRYPT_STAGING = {
  name: 'letsencrypt-staging',
  email: ACME_EMAIL,
  server: 'https://acme-staging-v02.api.letsencrypt.org/directory',
};
const LETSENCRYPT_PROD = { name: 'letsencrypt-prod', email: ACME_EMAIL };

/** What differs between the shop's environments; Pulumi.<env>.yaml may override replicas, canary and domain. */
interface Shop {
  readonly name: string;
  readonly namespace: string;
  readonly domain: string;
  readonly replicas: number;
  readonly canaryPercent: number;
  readonly maxReplicas?: number;
  readonly cache: { readonly sizeGibibytes: number; readonly replicas: number };
  readonly clusterIssuer: string;
  readonly cluster: EnvironmentCluster;
  readonly addons: Omit<PlatformAddonsProps, 'cluster' | 'controller'>;
  /** The storefront's objective, where someone is paged on it. @default - none */
  readonly slo?: RouteSlo;
}

/** Pages for the shop's SLOs go to PagerDuty; its routing key is a Secret in the shop's namespace. */
const PAGERDUTY_SECRET = { name: 'pagerduty', key: 'routing-key' };
/** Grafana's admin login, read by reference from a Secret in the metrics stack's namespace. */
const GRAFANA_ADMIN = { secret: 'grafana-admin', namespace: 'monitoring' };

/** The shop's public routing: HTTPS with HSTS, a weighted canary, and a redirect off the old path. */
function shopRouting(shop: Shop): RoutingPolicy[] {
  const canary = shop.canaryPercent;
  return [
    {
      name: 'shop',
      namespace: shop.namespace,
      hosts: [`shop.${shop.domain}`],
      tls: { clusterIssuer: shop.clusterIssuer },
      hsts: { maxAge: '8760h', includeSubdomains: shop.name === 'prod' },
      rules: [
        {
          name: 'legacy-catalog',
          matches: [{ path: { type: 'PathPrefix', value: '/catalog' } }],
          redirect: { path: '/products', statusCode: 301 },
        },
        {
          name: 'storefront',
          ...(shop.slo ? { slo: shop.slo } : {}),
          backends: [
            { service: 'web', port: 8080, weight: 100 - canary },
            { service: 'web-canary', port: 8080, weight: canary },
          ],
          timeouts: { request: '30s', backendRequest: '10s' },
        },
      ],
    },
  ];
}

/** Above best-effort batch work, below the platform's own system-cluster-critical pods. */
const SHOP_PRIORITY: KubeObject = {
  apiVersion: 'scheduling.k8s.io/v1',
  kind: 'PriorityClass',
  metadata: { name: 'shop', labels: { 'app.kubernetes.io/managed-by': 'switchyard' } },
  value: 100000,
  globalDefault: false,
  preemptionPolicy: 'PreemptLowerPriority',
  description: "The shop's storefront and cache.",
};

/** The storefront and its canary (routed), and the session cache they depend on. */
function shopApps(shop: Shop): AppDefinition[] {
  const common = { partOf: 'shop', priorityClassName: 'shop' };
  const storefront = {
    ...common,
    secretEnv: { CACHE_PASSWORD: CACHE_SECRET },
    env: { CACHE_ADDRESS: `cache.${shop.namespace}.svc.cluster.local:${CACHE_PORT}` },
    dependencies: [{ service: 'cache', port: CACHE_PORT }],
    metrics: {},
    replicas: shop.replicas,
  };
  const autoscaling = shop.maxReplicas ? { minReplicas: shop.replicas, maxReplicas: shop.maxReplicas } : undefined;
  return [
    { kind: 'web', name: 'web', props: { ...storefront, image: IMAGE, ...(autoscaling ? { autoscaling } : {}) } },
    { kind: 'web', name: 'web-canary', props: { ...storefront, image: CANARY_IMAGE } },
    {
      kind: 'stateful',
      name: 'cache',
      props: {
        ...common,
        image: CACHE_IMAGE,
        port: CACHE_PORT,
        replicas: shop.cache.replicas,
        volume: { sizeGibibytes: shop.cache.sizeGibibytes, mountPath: '/data' },
        memoryMebibytes: { request: 256, limit: 512 },
        // The server requires the password the storefront reads; Kubernetes expands it from the Secret.
        secretEnv: { VALKEY_PASSWORD: CACHE_SECRET },
        args: ['--requirepass', '$(VALKEY_PASSWORD)', '--dir', '/data'],
      },
    },
  ];
}

/** The cache password from AWS Secrets Manager, under the environment's prefix. */
const cacheSecret = (env: string) => ({
  name: CACHE_SECRET.secret,
  store: { name: AWS_SECRET_STORE },
  data: { [CACHE_SECRET.key]: { remoteKey: `switchyard/${env}/${CACHE_SECRET.secret}`, property: CACHE_SECRET.key } },
});

/** The Secrets of an environment with AWS Secrets Manager: the cache password, Grafana's login, the pager key. */
function platformSecrets(shop: Shop) {
  const remote = (name: string) => `switchyard/${shop.name}/${name}`;
  return [
    cacheSecret(shop.name),
    {
      name: GRAFANA_ADMIN.secret,
      namespace: GRAFANA_ADMIN.namespace,
      store: { name: AWS_SECRET_STORE },
      data: {
        'admin-user': { remoteKey: remote(GRAFANA_ADMIN.secret), property: 'user' },
        'admin-password': { remoteKey: remote(GRAFANA_ADMIN.secret), property: 'password' },
      },
    },
    ...(shop.slo
      ? [
          {
            name: PAGERDUTY_SECRET.name,
            store: { name: AWS_SECRET_STORE },
            data: { [PAGERDUTY_SECRET.key]: { remoteKey: remote('pagerduty'), property: PAGERDUTY_SECRET.key } },
          },
        ]
      : []),
  ];
}

/** A shop environment as the platform model. */
function shopEnvironment(shop: Shop): Environment {
  const eks = shop.cluster.create?.kind === 'eks';
  const readOnly = { provider: 'aws', roleArn: READ_ONLY_ROLE_ARN, region: AWS_REGION } as const;
  return {
    name: shop.name,
    namespace: shop.namespace,
    cluster: shop.cluster,
    addons: shop.addons,
    apps: shopApps(shop),
    routing: shopRouting(shop),
    objects: [SHOP_PRIORITY],
    // Without a secret manager (dev) the Secrets are created out of band.
    secrets: shop.addons.externalSecrets ? platformSecrets(shop) : [],
    ...(shop.slo
      ? { observability: { alertReceiver: { name: 'shop-oncall', pagerduty: { routingKeySecret: PAGERDUTY_SECRET } } } }
      : {}),
    guardrails: { profile: shop.name === 'dev' ? 'standard' : 'production' },
    pipeline: {
      smokeTestUrl: `https://shop.${shop.domain}/`,
      ...(eks
        ? { credentials: { ...readOnly, roleArn: role(`switchyard-${shop.name}-deploy`) }, readOnly }
        : {
            // The deploy kubeconfig is an environment secret; the view one a repository secret.
            credentials: { provider: 'kubeconfig', secret: `${shop.name.toUpperCase()}_KUBECONFIG` },
            readOnly: { provider: 'kubeconfig', secret: `${shop.name.toUpperCase()}_READONLY_KUBECONFIG` },
            stateCredentials: { deploy: { ...readOnly, roleArn: role(`switchyard-${shop.name}-state`) }, readOnly },
          }),
    },
  };
}

/** An EKS environment; EksCluster names the controllers' IRSA roles after the cluster, so synth can write them. */
function eks(
  name: string,
  nodes: { type: string; min: number; max: number },
  natGateways: 'per-zone' | 'single',
  logDays: number,
) {
  const clusterName = `switchyard-${name}`;
  const logBucket = `switchyard-${name}-logs-${AWS_ACCOUNT}`;
  const availabilityZones = ['a', 'b', 'c'].map((z) => `${AWS_REGION}${z}`);
  const cluster: EnvironmentCluster = {
    traits: { kind: 'eks', zones: availabilityZones },
    create: {
      kind: 'eks',
      clusterName,
      availabilityZones,
      // A documentation range: replace with your runners' egress addresses (or self-hosted runners in the VPC).
      endpoint: { private: true, publicCidrs: ['203.0.113.0/24'] },
      natGateways,
      nodeGroups: [{ name: 'general', instanceTypes: [nodes.type], minSize: nodes.min, maxSize: nodes.max }],
      access: { deployer: role(`switchyard-${name}-deploy`), readers: [READ_ONLY_ROLE_ARN] },
      externalSecrets: { secretPrefix: `switchyard/${name}/` },
      // The bucket keeps objects a day past Loki's retention, which deletes them first.
      logBucket: { bucketName: logBucket, retentionDays: logDays + 1 },
      // Production clusters refuse deletion; staging can be torn down.
      deletionProtection: name === 'prod',
    },
  };
  const addons = {
    awsLoadBalancerController: { clusterName, roleArn: role(`${clusterName}-aws-load-balancer-controller`) },
    certManager: { issuers: [LETSENCRYPT_STAGING, LETSENCRYPT_PROD] },
    externalSecrets: {
      roleArn: role(`${clusterName}-external-secrets`),
      awsSecretsManager: { region: AWS_REGION, storeName: AWS_SECRET_STORE },
    },
    // Highly available by default: 2 Prometheus, 3 Alertmanager, 2 Grafana; Loki with 3 replicas on S3.
    metrics: { retention: `${logDays}d`, storage: { size: name === 'prod' ? '100Gi' : '50Gi' } },
    logs: {
      retention: `${logDays}d`,
      storage: { type: 's3', bucket: logBucket, region: AWS_REGION, roleArn: role(`${clusterName}-loki`) },
    },
  } as const;
  return { cluster, addons };
}

/** dev's k3s servers and the virtual IP in front of them: the API server's addresses. */
const DEV_SERVERS = ['192.168.50.11', '192.168.50.12', '192.168.50.13'];
const DEV_API_ADDRESS = '192.168.50.10';

const SHOPS: readonly Shop[] = [
  {
    name: 'dev',
    namespace: 'shop-dev',
    domain: 'dev.switchyard.example',
    replicas: 2,
    canaryPercent: 50,
    cache: { sizeGibibytes: 1, replicas: 1 },
    clusterIssuer: 'letsencrypt-staging',
    cluster: {
      traits: { kind: 'bare-metal' },
      // Host keys and the installer's hash are machine facts: Pulumi.dev.yaml holds them.
      create: {
        kind: 'bare-metal',
        servers: DEV_SERVERS,
        agents: ['192.168.50.21', '192.168.50.22'],
        apiAddress: DEV_API_ADDRESS,
        sshUser: 'switchyard',
        // The pipeline deploys with the admin kubeconfig (DEV_KUBECONFIG); these bind OIDC groups of people.
        access: { deployer: 'Group:switchyard-deployers', readers: ['Group:developers'] },
      },
    },
    addons: {
      metallb: { addresses: ['192.168.50.240-192.168.50.250'] },
      certManager: { issuers: [LETSENCRYPT_STAGING] },
      // Pods reach the API server through the virtual IP or, after kube-proxy's DNAT, a server's 6443.
      apiServerCidrs: [DEV_API_ADDRESS, ...DEV_SERVERS].map((a) => `${a}/32`),
      // Smaller in dev: one replica each, short retention, Loki on its volume.
      metrics: { highAvailability: false, retention: '3d', storage: { size: '10Gi' } },
      logs: { retention: '3d', volume: { size: '10Gi' } },
    },
  },
  {
    name: 'staging',
    namespace: 'shop-staging',
    domain: 'staging.switchyard.example',
    replicas: 2,
    canaryPercent: 20,
    cache: { sizeGibibytes: 5, replicas: 1 },
    clusterIssuer: 'letsencrypt-staging',
    ...eks('staging', { type: 'm6i.large', min: 3, max: 6 }, 'single', 7),
  },
  {
    name: 'prod',
    namespace: 'shop',
    domain: 'switchyard.example',
    replicas: 3,
    canaryPercent: 5,
    maxReplicas: 12,
    cache: { sizeGibibytes: 20, replicas: 3 },
    clusterIssuer: 'letsencrypt-prod',
    ...eks('prod', { type: 'm6i.xlarge', min: 3, max: 12 }, 'per-zone', 30),
    // 99.9% of requests without a 5xx, and 99% within 500 ms (a bucket boundary of Envoy's histogram), over 30 days.
    slo: { availability: 99.9, latency: { percentile: 99, threshold: '500ms' } },
  },
];

export const platform = definePlatform({
  environments: SHOPS.map(shopEnvironment),
  settings: {
    replicas: { type: 'integer', min: 1, max: 50, description: 'replicas of the storefront' },
    canaryPercent: { type: 'integer', min: 0, max: 100, description: "the canary's share of traffic (percent)" },
    domain: { type: 'dns-subdomain', description: "DNS zone of the environment's hosts" },
  },
  configure: (env, { custom }) => {
    const shop = SHOPS.find((s) => s.name === env.name)!;
    return shopEnvironment({
      ...shop,
      cluster: env.cluster,
      replicas: (custom.replicas as number | undefined) ?? shop.replicas,
      canaryPercent: (custom.canaryPercent as number | undefined) ?? shop.canaryPercent,
      domain: (custom.domain as string | undefined) ?? shop.domain,
    });
  },
  pipeline: {
    // The package's own pack, built into lib/ by npm ci here (consumers name node_modules/switchyard/lib/...).
    policyPack: 'lib/pulumi/policy-pack',
    stateBackend: { kind: 'self-managed', url: `s3://switchyard-pulumi-state-${AWS_ACCOUNT}?region=${AWS_REGION}` },
    signatures: { certificateIdentityRegexp: '^https://github\\.com/(nginxinc|acme)/' },
  },
});
