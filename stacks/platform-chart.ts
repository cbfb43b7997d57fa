import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import {
  addKubeObjects,
  fluxObjects,
  gatewayCertificateRefs,
  namespaceObject,
  type PlatformAddons,
  platformAddons,
  Routes,
  WebApp,
} from '../constructs';
import type { EnvironmentConfig } from './environments';
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
  addKubeObjects(addonsChart, [
    ...addons.namespaces,
    namespaceObject(env.namespace, 'restricted', addons.target.gateway?.name),
    ...fluxObjects(addons.releases),
  ]);

  const infra = new Chart(scope, 'infra', { disableResourceNameHashes: true });
  addKubeObjects(infra, addons.objects);
  infra.addDependency(addonsChart);

  const apps = new Chart(scope, 'apps', { disableResourceNameHashes: true });
  for (const [name, image] of [
    ['web', env.app.image],
    ['web-canary', env.app.canaryImage],
  ] as const) {
    new WebApp(apps, name, { namespace: env.namespace, image, replicas: env.app.replicas });
  }
  apps.addDependency(infra);

  const routes = new Chart(scope, 'routes', { disableResourceNameHashes: true });
  new Routes(routes, 'shop', { policies: shopPolicies(env), target: addons.target });
  routes.addDependency(apps);
  return { addons: addonsChart, infra, apps, routes };
}
