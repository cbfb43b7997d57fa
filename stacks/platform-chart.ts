import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import {
  addKubeObjects,
  buildGateway,
  buildGatewayClass,
  GATEWAY_ACCESS_LABEL,
  gatewayCertificateRefs,
  Routes,
  WebApp,
} from '../constructs';
import type { EnvironmentConfig } from './environments';
import { routingTarget, shopPolicies } from './routing';

const RESTRICTED = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/enforce-version': 'v1.27',
  'pod-security.kubernetes.io/warn': 'restricted',
  'pod-security.kubernetes.io/audit': 'restricted',
};

/**
 * One environment as three charts, written in apply order: infrastructure (namespaces, GatewayClass,
 * Gateway), apps, then routes.
 */
export function addPlatformCharts(scope: Construct, env: EnvironmentConfig): Chart[] {
  const policies = shopPolicies(env);
  const infra = new Chart(scope, 'infra', { disableResourceNameHashes: true });
  for (const [name, labels] of [
    [env.gateway.namespace, RESTRICTED],
    [env.namespace, { ...RESTRICTED, [GATEWAY_ACCESS_LABEL]: env.gateway.name }],
  ] as const) {
    new kplus.Namespace(infra, `ns-${name}`, { metadata: { name, labels } });
  }
  addKubeObjects(infra, [
    buildGatewayClass(env.gateway.className, env.gateway.controllerName),
    buildGateway({
      name: env.gateway.name,
      namespace: env.gateway.namespace,
      gatewayClassName: env.gateway.className,
      certificateRefs: gatewayCertificateRefs(policies),
    }),
  ]);

  const apps = new Chart(scope, 'apps', { disableResourceNameHashes: true });
  for (const [name, image] of [
    ['web', env.app.image],
    ['web-canary', env.app.canaryImage],
  ] as const) {
    new WebApp(apps, name, { namespace: env.namespace, image, replicas: env.app.replicas });
  }
  apps.addDependency(infra);

  const routes = new Chart(scope, 'routes', { disableResourceNameHashes: true });
  new Routes(routes, 'shop', { policies, target: routingTarget(env) });
  routes.addDependency(apps);
  return [infra, apps, routes];
}
