/**
 * VMs: three k3s servers and two agents on OpenStack, created with cloud-init and bootstrapped over SSH;
 * MetalLB announces HAProxy's address on the machines' network; a shop whose canary gets 20% of the traffic.
 * `npx switchyard plan examples/openstack-haproxy --stack lab` shows the plan.
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
import { PlatformDeployment } from 'switchyard/pulumi';
import { VmCluster } from 'switchyard/vm';

const config = new pulumi.Config();
const domain = config.require('domain');
const privateKey = config.getSecret('sshPrivateKey');

const cluster = new VmCluster('shop', {
  machines: {
    cloud: 'openstack',
    image: config.require('image'),
    flavor: config.require('flavor'),
    network: config.require('network'),
    adminCidrs: [config.require('adminCidr')],
  },
  servers: 3,
  agents: 2,
  sshPublicKey: config.require('sshPublicKey'),
  sshPrivateKey: privateKey,
  // The installer's SHA-256, checked before it runs: `curl -sfL <url> | sha256sum` (docs/clusters.md).
  k3sInstaller: { sha256: config.require('k3sInstallerSha256') },
});

export const policies: RoutingPolicy[] = [
  {
    name: 'shop',
    namespace: 'shop',
    hosts: [domain],
    tls: { clusterIssuer: 'letsencrypt-prod' },
    rules: [
      {
        name: 'storefront',
        backends: [
          { service: 'web', port: 8080, weight: 80 },
          { service: 'web-canary', port: 8080, weight: 20 },
        ],
      },
    ],
  },
];

const addons = platformAddons({
  cluster: cluster.traits,
  controller: { kind: 'haproxy' },
  metallb: { addresses: [config.require('addresses')] },
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
  namespaces: [...addons.namespaces, namespaceObject('shop', 'restricted')],
  releases: addons.releases,
  manifests: addons.objects,
  charts: [apps, routes],
});

export const kubeconfig = cluster.kubeconfig;
export const serverAddresses = cluster.serverAddresses;
export const releases = platform.installOrder;
