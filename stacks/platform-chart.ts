import { ApiObject, Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import {
  addKubeObjects,
  assertUniqueObjects,
  externalSecret,
  fluxObjects,
  gatewayCertificateRefs,
  type KubeObject,
  namespaceNetworkPolicies,
  namespaceObject,
  type PlatformAddons,
  platformAddons,
  Routes,
  StatefulApp,
  WebApp,
} from '../constructs';
import { AWS_SECRET_STORE, CACHE_IMAGE, type EnvironmentConfig, secretPrefix } from './environments';
import { shopPolicies } from './routing';

/** The add-ons of an environment: its controller (Envoy Gateway), load balancer, cert-manager. */
export function environmentAddons(env: EnvironmentConfig): PlatformAddons {
  return platformAddons({
    ...env.addons,
    cluster: env.cluster,
    controller: { kind: 'envoy-gateway', certificateRefs: gatewayCertificateRefs(shopPolicies(env)) },
  });
}

/**
 * One environment as four charts, written in apply order: add-ons (namespaces and the Flux releases of
 * the controllers), infrastructure (Gateway, GatewayClass, issuers, address pools), apps, then routes.
 */
export function addPlatformCharts(
  scope: Construct,
  env: EnvironmentConfig,
): Record<'addons' | 'infra' | 'apps' | 'routes', Chart> {
  const addons = environmentAddons(env);
  const addonsChart = new Chart(scope, 'addons', { disableResourceNameHashes: true });
  const infra = new Chart(scope, 'infra', { disableResourceNameHashes: true });
  infra.addDependency(addonsChart);

  const apps = new Chart(scope, 'apps', { disableResourceNameHashes: true });
  addShopApps(apps, env, addons);
  apps.addDependency(infra);

  const routes = new Chart(scope, 'routes', { disableResourceNameHashes: true });
  new Routes(routes, 'shop', { policies: shopPolicies(env), target: addons.target });
  routes.addDependency(apps);

  // One check over everything the environment emits, before the add-on objects become constructs (where
  // a duplicate would only surface as a construct id clash); both cdk8s synth and Pulumi build through here.
  const sources = [
    { source: 'platformAddons().namespaces', objects: addons.namespaces },
    {
      source: `the environment's namespace (stacks/platform-chart.ts)`,
      objects: [namespaceObject(env.namespace, 'restricted', addons.target.gateway?.name)],
    },
    { source: 'fluxObjects(platformAddons().releases)', objects: fluxObjects(addons.releases) },
    { source: 'platformAddons().networkPolicies', objects: addons.networkPolicies },
    {
      source: 'platformAddons().objects',
      objects: addons.objects.filter((o) => !addons.networkPolicies.includes(o)),
    },
    { source: 'SHOP_PRIORITY (stacks/platform-chart.ts)', objects: [SHOP_PRIORITY] },
    ...[apps, routes].flatMap((chart) =>
      chart.node
        .findAll()
        .filter((c): c is ApiObject => c instanceof ApiObject)
        .map((o) => ({ source: `construct ${o.node.path}`, objects: [o.toJson() as KubeObject] })),
    ),
  ];
  assertUniqueObjects(sources);
  addKubeObjects(
    addonsChart,
    sources.slice(0, 3).flatMap((s) => s.objects),
  );
  addKubeObjects(infra, [...addons.objects, SHOP_PRIORITY]);
  return { addons: addonsChart, infra, apps, routes };
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

/** The cache password: one Secret the web pods read by reference (see `EnvironmentConfig.secrets`). */
const CACHE_SECRET = { secret: 'shop-cache', key: 'password' };
const CACHE_PORT = 6379;

/**
 * The shop's workloads: the storefront and its canary (routed), the session cache they depend on, the
 * cache password's ExternalSecret where the environment has a secret manager, and the namespace's
 * NetworkPolicies: default deny, the proxies to the storefront, the storefront to the cache, DNS.
 */
function addShopApps(apps: Chart, env: EnvironmentConfig, addons: PlatformAddons): void {
  const common = {
    namespace: env.namespace,
    cluster: env.cluster,
    partOf: 'shop',
    priorityClassName: SHOP_PRIORITY.metadata.name,
  } as const;
  const storefront = {
    ...common,
    secretEnv: { CACHE_PASSWORD: CACHE_SECRET },
    env: { CACHE_ADDRESS: `cache.${env.namespace}.svc.cluster.local:${CACHE_PORT}` },
    dependencies: [{ service: 'cache', port: CACHE_PORT }],
    metrics: {},
  };
  const web = new WebApp(apps, 'web', {
    ...storefront,
    image: env.app.image,
    replicas: env.app.replicas,
    ...(env.app.maxReplicas
      ? { autoscaling: { minReplicas: env.app.replicas, maxReplicas: env.app.maxReplicas } }
      : {}),
  });
  const canary = new WebApp(apps, 'web-canary', {
    ...storefront,
    image: env.app.canaryImage,
    replicas: env.app.replicas,
  });
  const cache = new StatefulApp(apps, 'cache', {
    ...common,
    image: CACHE_IMAGE,
    port: CACHE_PORT,
    replicas: env.cache.replicas,
    volume: { sizeGibibytes: env.cache.sizeGibibytes, mountPath: '/data' },
    memoryMebibytes: { request: 256, limit: 512 },
    // The server requires the same password the storefront reads; Kubernetes expands it from the Secret.
    secretEnv: { VALKEY_PASSWORD: CACHE_SECRET },
    args: ['--requirepass', '$(VALKEY_PASSWORD)', '--dir', '/data'],
  });
  // With the External Secrets Operator the password comes from Secrets Manager; without it (dev), the
  // Secret is created out of band (docs/workloads.md).
  if (env.addons.externalSecrets) {
    addKubeObjects(apps, [
      externalSecret({
        name: CACHE_SECRET.secret,
        namespace: env.namespace,
        store: { name: AWS_SECRET_STORE },
        data: {
          [CACHE_SECRET.key]: {
            remoteKey: `${secretPrefix(env.name)}${CACHE_SECRET.secret}`,
            property: CACHE_SECRET.key,
          },
        },
      }),
    ]);
  }
  addKubeObjects(
    apps,
    namespaceNetworkPolicies({
      namespace: env.namespace,
      workloads: [web.endpoint, canary.endpoint, cache.endpoint],
      routes: shopPolicies(env),
      proxy: addons.proxy,
    }),
  );
}
