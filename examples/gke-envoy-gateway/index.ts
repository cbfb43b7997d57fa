/**
 * GKE: a regional, private-node cluster with Workload Identity; Envoy Gateway behind a Google Cloud load
 * balancer; cert-manager with Let's Encrypt; a shop whose canary gets 10% of the traffic.
 * `npx switchyard plan examples/gke-envoy-gateway --stack prod` shows what `pulumi up` would create.
 */
import * as pulumi from '@pulumi/pulumi';
import { App, Chart } from 'cdk8s';
import {
  addKubeObjects,
  gatewayCertificateRefs,
  namespaceNetworkPolicies,
  namespaceObject,
  platformAddons,
  Routes,
  type RoutingPolicy,
  WebApp,
} from 'switchyard';
import { GkeCluster } from 'switchyard/gke';
import { PlatformDeployment } from 'switchyard/pulumi';

const config = new pulumi.Config();
const gcp = new pulumi.Config('gcp');
const domain = config.require('domain');

const cluster = new GkeCluster('shop', {
  project: gcp.require('project'),
  region: gcp.require('region'),
  access: { deployer: config.require('deployer'), readers: config.getObject<string[]>('readers') ?? [] },
  nodePools: [{ name: 'general', machineType: 'e2-standard-4', minNodesPerZone: 1, maxNodesPerZone: 4 }],
});

export const policies: RoutingPolicy[] = [
  {
    name: 'shop',
    namespace: 'shop',
    hosts: [domain],
    tls: { clusterIssuer: 'letsencrypt-prod' },
    hsts: { maxAge: '8760h' },
    rules: [
      {
        name: 'storefront',
        timeouts: { request: '30s' },
        backends: [
          { service: 'web', port: 8080, weight: 90 },
          { service: 'web-canary', port: 8080, weight: 10 },
        ],
      },
    ],
  },
];

const addons = platformAddons({
  cluster: cluster.traits,
  controller: { kind: 'envoy-gateway', certificateRefs: gatewayCertificateRefs(policies) },
  certManager: { issuers: [{ name: 'letsencrypt-prod', email: `platform@${domain}` }] },
});

const app = new App();
const apps = new Chart(app, 'apps', { disableResourceNameHashes: true });
new WebApp(apps, 'web', { namespace: 'shop', image: 'ghcr.io/nginxinc/nginx-unprivileged:1.27.3-alpine', replicas: 3 });
new WebApp(apps, 'web-canary', { namespace: 'shop', image: 'ghcr.io/nginxinc/nginx-unprivileged:1.27.4-alpine' });
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
  namespaces: [...addons.namespaces, namespaceObject('shop', 'restricted', addons.target.gateway?.name)],
  releases: addons.releases,
  manifests: addons.objects,
  charts: [apps, routes],
});

export const kubeconfig = cluster.kubeconfig;
export const releases = platform.installOrder;
