import * as path from 'node:path';
import { App } from 'cdk8s';
import type { KubeObject, RoutingSnapshot } from '../constructs';
import type { EnvironmentConfig } from './environments';
import { addPlatformCharts, environmentAddons } from './platform-chart';
import { shopPolicies } from './routing';

const FLUX_GROUPS = /^(source|helm)\.toolkit\.fluxcd\.io\//;

/** Builds the cdk8s app of one environment, writing (on `synth()`) under `<outdir>/<env>/`. */
export function buildEnvironmentApp(env: EnvironmentConfig, outdir: string): App {
  const app = new App({ outdir: path.join(outdir, env.name) });
  addPlatformCharts(app, env);
  return app;
}

/** An environment's synthesized objects by phase, in apply order: what both engines deploy. */
export interface EnvironmentObjects {
  /** Namespaces, applied first. */
  readonly namespaces: KubeObject[];
  /** Flux sources and HelmReleases: GitOps installs the add-ons from these; Pulumi installs the same releases itself. */
  readonly flux: KubeObject[];
  /** Everything after the add-ons: infrastructure, apps, routes. */
  readonly manifests: KubeObject[];
}

export function environmentObjects(env: EnvironmentConfig): EnvironmentObjects {
  const app = buildEnvironmentApp(env, 'dist');
  const [addons = [], ...rest] = app.charts.map((chart) => chart.toJson() as KubeObject[]);
  return {
    namespaces: addons.filter((o) => o.kind === 'Namespace'),
    flux: addons.filter((o) => FLUX_GROUPS.test(o.apiVersion)),
    manifests: rest.flat(),
  };
}

/** What an environment routes, for `dist/<env>/routing.json` and the route map (`switchyard routes`). */
export function routingSnapshot(env: EnvironmentConfig): RoutingSnapshot {
  return { environment: env.name, target: environmentAddons(env).target, policies: shopPolicies(env) };
}
