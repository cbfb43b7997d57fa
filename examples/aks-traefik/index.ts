/**
 * AKS: Azure CNI overlay with Cilium, Entra ID sign-in with Azure RBAC and no local accounts; Traefik behind
 * an Azure load balancer; cert-manager with Let's Encrypt; a shop whose API beta testers reach a canary by
 * header and whose old paths redirect. `npx switchyard plan examples/aks-traefik --stack prod` shows the plan.
 */
import * as pulumi from '@pulumi/pulumi';
import { App, Chart } from 'cdk8s';
import {
  addKubeObjects,
  namespaceNetworkPolicies,
  namespaceObject,
  platformAddons,
  Routes,
  type RoutingPolicy,
  WebApp,
} from 'switchyard';
import { AksCluster } from 'switchyard/aks';
import { PlatformDeployment } from 'switchyard/pulumi';

const config = new pulumi.Config();
const domain = config.require('domain');

const cluster = new AksCluster('shop', {
  location: config.require('location'),
  access: { deployer: config.require('deployer'), readers: config.getObject<string[]>('readers') ?? [] },
  // CI signs in with its federated identity; people use `az login` and the azurecli mode.
  kubeloginMode: 'workloadidentity',
});

export const policies: RoutingPolicy[] = [
  {
    name: 'shop',
    namespace: 'shop',
    hosts: [domain],
    tls: { clusterIssuer: 'letsencrypt-prod' },
    // Traefik answers a 301 redirect with 308 to methods other than GET: accepted for /basket.
    acceptApproximations: ['redirect', 'redirect.path'],
    rules: [
      {
        name: 'api-beta',
        matches: [{ path: { type: 'PathPrefix', value: '/api' }, headers: [{ name: 'x-beta', value: 'true' }] }],
        backends: [{ service: 'api-canary', port: 8080 }],
      },
      {
        name: 'api',
        matches: [{ path: { type: 'PathPrefix', value: '/api' } }],
        backends: [{ service: 'api', port: 8080 }],
      },
      {
        name: 'old-basket',
        matches: [{ path: { type: 'Exact', value: '/basket' } }],
        redirect: { path: '/cart', statusCode: 301 },
      },
      { name: 'storefront', backends: [{ service: 'web', port: 8080 }] },
    ],
  },
];

const addons = platformAddons({
  cluster: cluster.traits,
  controller: { kind: 'traefik' },
  certManager: { issuers: [{ name: 'letsencrypt-prod', email: `platform@${domain}` }] },
});

const app = new App();
const apps = new Chart(app, 'apps', { disableResourceNameHashes: true });
for (const [name, image] of [
  ['web', 'ghcr.io/nginxinc/nginx-unprivileged:1.27.3-alpine'],
  ['api', 'ghcr.io/nginxinc/nginx-unprivileged:1.27.3-alpine'],
  ['api-canary', 'ghcr.io/nginxinc/nginx-unprivileged:1.27.4-alpine'],
] as const) {
  new WebApp(apps, name, { namespace: 'shop', image });
}
// The shop's namespace is locked down too: default deny, the proxies to the routed apps, DNS.
addKubeObjects(
  apps,
  namespaceNetworkPolicies({
    namespace: 'shop',
    workloads: apps.node.children.filter((c): c is WebApp => c instanceof WebApp).map((w) => w.endpoint),
    routes: policies,
    proxy: addons.proxy,
  }),
);
const routes = new Chart(app, 'routes', { disableResourceNameHashes: true });
new Routes(routes, 'shop', { policies, target: addons.target });

const platform = new PlatformDeployment('shop', {
  cluster,
  namespaces: [...addons.namespaces, namespaceObject('shop', 'restricted')],
  releases: addons.releases,
  manifests: addons.objects,
  charts: [apps, routes],
});

export const kubeconfig = cluster.kubeconfig;
export const oidcIssuerUrl = cluster.oidcIssuerUrl;
export const releases = platform.installOrder;
