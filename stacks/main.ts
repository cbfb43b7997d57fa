/**
 * The cdk8s app entry (`cdk8s synth`, `npm run synth`): every environment into <outdir>/<env>/, with
 * the routing snapshot and route map beside the manifests (what `switchyard routes` reads).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROUTE_MAP_FILE, ROUTING_SNAPSHOT_FILE, renderRouteMap } from '../constructs';
import { ENVIRONMENTS } from './environments';
import { readStackSettings, withStackSettings } from './stack-config';
import { buildEnvironmentApp, routingSnapshot } from './synth';

const outdir = process.env.CDK8S_OUTDIR ?? 'dist';
// Pulumi.<env>.yaml may override an environment's replicas, canary share and domain; the program reads them too.
const root = path.resolve(__dirname, '..');
for (const env of ENVIRONMENTS.map((e) => withStackSettings(e, readStackSettings(root, e.name)))) {
  buildEnvironmentApp(env, outdir).synth();
  const snapshot = routingSnapshot(env);
  fs.writeFileSync(path.join(outdir, env.name, ROUTING_SNAPSHOT_FILE), `${JSON.stringify(snapshot, null, 2)}\n`);
  fs.writeFileSync(path.join(outdir, env.name, ROUTE_MAP_FILE), renderRouteMap(snapshot));
}
