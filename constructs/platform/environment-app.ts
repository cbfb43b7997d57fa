/**
 * One environment as cdk8s charts, in apply order: add-ons (namespaces and the Flux releases of the
 * controllers), infrastructure (Gateway, issuers, address pools, the environment's own objects), apps, then
 * routes. `synthPlatform` writes them; `deployPlatform` applies the same objects through Pulumi.
 */
import * as path from 'node:path';
import { ApiObject, App, Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { addKubeObjects } from '../cdk8s/kube-objects';
import { Routes } from '../cdk8s/routes';
import { k3sKubernetesVersion, type ResolvedClusterTraits, resolveClusterTraits } from '../cluster/traits';
import { InvalidPropertyError, show, within } from '../core/validate';
import { fluxObjects } from '../ingress/flux';
import {
  type IngressControllerChoice,
  namespaceObject,
  type PlatformAddons,
  platformAddons,
} from '../ingress/platform';
import { assertUniqueObjects } from '../ingress/unique-objects';
import { gatewayCertificateRefs, type KubeObject, type RoutingSnapshot } from '../routing';
import { externalSecret } from '../workload/external-secret';
import { namespaceNetworkPolicies } from '../workload/network-policies';
import { ScheduledJob } from '../workload/scheduled-job';
import { StatefulApp } from '../workload/stateful-app';
import { WebApp } from '../workload/web-app';
import type { WorkloadEndpoint } from '../workload/workload';
import { environmentScraper, environmentTelemetry, runsPrometheus } from './environment-telemetry';
import type { AppDefinition, Environment } from './model';

/** The Kubernetes minor the environment's `cluster.create` installs, when it says. */
function createdVersion(env: Environment): string | undefined {
  const create = env.cluster.create;
  switch (create?.kind) {
    case 'bare-metal':
    case 'vm':
      return create.k3sVersion === undefined
        ? undefined
        : k3sKubernetesVersion(create.k3sVersion, 'cluster.create.k3sVersion');
    case 'eks':
    case 'gke':
    case 'aks':
      return create.version?.split('.').slice(0, 2).join('.');
    default:
      return undefined;
  }
}

/**
 * An environment's cluster traits, resolved, with `kubernetesVersion` the one the cluster runs: the trait,
 * else the version `cluster.create` installs, else the kind's default (`kubernetesMinor`). Namespaces'
 * Pod Security labels, the pipeline's end-to-end cluster and the API version check all read this.
 * @throws InvalidPropertyError when the trait and `cluster.create` name different minors
 */
export function environmentClusterTraits(env: Environment): ResolvedClusterTraits {
  const declared = env.cluster.traits.kubernetesVersion || undefined;
  const created = createdVersion(env);
  if (declared !== undefined && created !== undefined && declared !== created) {
    throw new InvalidPropertyError(
      `environments.${env.name}.cluster.traits.kubernetesVersion`,
      `environments.${env.name}: cluster.traits.kubernetesVersion (${show(declared)}) must match the version cluster.create installs (${show(created)}): drop the trait or change one`,
    );
  }
  return resolveClusterTraits({ ...env.cluster.traits, kubernetesVersion: declared ?? created ?? '' });
}

/** The controller routes compile to: Envoy Gateway by default, serving the certificates the routes' TLS names. */
function controllerOf(env: Environment): IngressControllerChoice {
  const controller = env.controller ?? { kind: 'envoy-gateway' };
  if (controller.kind !== 'envoy-gateway' || controller.certificateRefs !== undefined) return controller;
  return { ...controller, certificateRefs: gatewayCertificateRefs(env.routing ?? []) };
}

// The charts, the routing snapshot and the Pulumi releases all read an environment's add-ons: built once each.
const ADDONS = new WeakMap<Environment, PlatformAddons>();

/** The add-ons of an environment: its controller, load balancer, cert-manager and the rest. */
export function environmentAddons(env: Environment): PlatformAddons {
  let addons = ADDONS.get(env);
  if (!addons) {
    addons = within(`environments.${env.name}.addons`, () =>
      platformAddons({ ...env.addons, cluster: environmentClusterTraits(env), controller: controllerOf(env) }),
    );
    ADDONS.set(env, addons);
  }
  return addons;
}

function addApp(scope: Construct, env: Environment, app: AppDefinition, measured: boolean): WorkloadEndpoint {
  // With the metrics stack installed, apps create their ServiceMonitors as on a cluster that runs the Operator.
  const cluster = measured ? { ...env.cluster.traits, prometheusOperator: true } : env.cluster.traits;
  const defaults = { namespace: env.namespace, cluster };
  return within(`environments.${env.name}.apps.${app.name}.props`, () => {
    switch (app.kind) {
      case 'web':
        return new WebApp(scope, app.name, { ...defaults, ...app.props }).endpoint;
      case 'stateful':
        return new StatefulApp(scope, app.name, { ...defaults, ...app.props }).endpoint;
      case 'scheduled-job':
        return new ScheduledJob(scope, app.name, { ...defaults, ...app.props }).endpoint;
    }
  });
}

/** The charts of one environment, on `scope` (an App), in apply order. */
export function addEnvironmentCharts(
  scope: Construct,
  env: Environment,
): Record<'addons' | 'infra' | 'apps' | 'routes' | 'telemetry', Chart> {
  const addons = environmentAddons(env);
  const measured = runsPrometheus(env, addons);
  const scraper = environmentScraper(env, addons);
  const routing = env.routing ?? [];
  const addonsChart = new Chart(scope, 'addons', { disableResourceNameHashes: true });
  const infra = new Chart(scope, 'infra', { disableResourceNameHashes: true });
  infra.addDependency(addonsChart);

  const apps = new Chart(scope, 'apps', { disableResourceNameHashes: true });
  const endpoints = (env.apps ?? []).map((app) => addApp(apps, env, app, measured));
  const secrets = (env.secrets ?? []).map((secret, i) =>
    within(`environments.${env.name}.secrets[${i}]`, () => externalSecret({ namespace: env.namespace, ...secret })),
  );
  addKubeObjects(apps, secrets);
  if (env.networkPolicies ?? true) {
    const policies = within(`environments.${env.name}`, () =>
      namespaceNetworkPolicies({
        namespace: env.namespace,
        workloads: endpoints,
        routes: routing,
        proxy: addons.proxy,
        ...(scraper ? { scraper } : {}),
      }),
    );
    addKubeObjects(apps, policies);
  }
  apps.addDependency(infra);

  const routes = new Chart(scope, 'routes', { disableResourceNameHashes: true });
  within(
    `environments.${env.name}.routing`,
    () => new Routes(routes, 'routes', { policies: routing, target: addons.target }),
  );
  routes.addDependency(apps);

  // After the routes: the Gateway API route names the rules select must exist (and the CRDs the add-ons bring).
  const telemetry = new Chart(scope, 'telemetry', { disableResourceNameHashes: true });
  const telemetryObjects = environmentTelemetry(env, addons);
  telemetry.addDependency(routes);

  // One check over everything the environment emits, before the add-on objects become constructs (where a
  // duplicate would only surface as a construct id clash).
  const sources = [
    { source: 'platformAddons().namespaces', objects: addons.namespaces },
    {
      source: `environments.${env.name}.namespace`,
      objects: [
        namespaceObject(
          env.namespace,
          'restricted',
          addons.target.gateway?.name,
          undefined,
          environmentClusterTraits(env).kubernetesVersion,
        ),
      ],
    },
    { source: 'fluxObjects(platformAddons().releases)', objects: fluxObjects(addons.releases) },
    { source: 'platformAddons().networkPolicies', objects: addons.networkPolicies },
    {
      source: 'platformAddons().objects',
      objects: addons.objects.filter((o) => !addons.networkPolicies.includes(o)),
    },
    { source: `environments.${env.name}.objects`, objects: [...(env.objects ?? [])] },
    { source: `environments.${env.name}.observability`, objects: telemetryObjects },
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
  addKubeObjects(infra, [...addons.objects, ...(env.objects ?? [])]);
  addKubeObjects(telemetry, telemetryObjects);
  return { addons: addonsChart, infra, apps, routes, telemetry };
}

/** The cdk8s app of one environment, writing (on `synth()`) under `<outdir>/<env>/`. */
export function environmentApp(env: Environment, outdir: string): App {
  const app = new App({ outdir: path.join(outdir, env.name) });
  addEnvironmentCharts(app, env);
  return app;
}

const FLUX_GROUPS = /^(source|helm)\.toolkit\.fluxcd\.io\//;

/** An environment's synthesized objects by phase, in apply order: what both engines deploy. */
export interface EnvironmentObjects {
  /** Namespaces, applied first. */
  readonly namespaces: KubeObject[];
  /** Flux sources and HelmReleases: GitOps installs the add-ons from these; Pulumi installs the same releases itself. */
  readonly flux: KubeObject[];
  /** Everything after the add-ons: infrastructure, apps, routes. */
  readonly manifests: KubeObject[];
}

/** The objects of an environment by phase, as its charts synthesize them. */
export function environmentObjects(env: Environment): EnvironmentObjects {
  const app = environmentApp(env, 'dist');
  const [addons = [], ...rest] = app.charts.map((chart) => chart.toJson() as KubeObject[]);
  return {
    namespaces: addons.filter((o) => o.kind === 'Namespace'),
    flux: addons.filter((o) => FLUX_GROUPS.test(o.apiVersion)),
    manifests: rest.flat(),
  };
}

/** What an environment routes, for `dist/<env>/routing.json` and the route map (`switchyard routes`). */
export function routingSnapshot(env: Environment): RoutingSnapshot {
  return { environment: env.name, target: environmentAddons(env).target, policies: [...(env.routing ?? [])] };
}
