import * as path from 'node:path';
import { App } from 'cdk8s';
import type { EnvironmentConfig } from './environments';
import { addPlatformCharts } from './platform-chart';

/** Builds the cdk8s app of one environment, writing (on `synth()`) under `<outdir>/<env>/`. */
export function buildEnvironmentApp(env: EnvironmentConfig, outdir: string): App {
  const app = new App({ outdir: path.join(outdir, env.name) });
  addPlatformCharts(app, env);
  return app;
}

/** The objects of one environment in apply order, as plain JSON: what both engines deploy. */
export function environmentObjects(env: EnvironmentConfig): Record<string, unknown>[] {
  const app = buildEnvironmentApp(env, 'dist');
  return app.charts.flatMap((chart) => chart.toJson() as Record<string, unknown>[]);
}
