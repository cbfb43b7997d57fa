import * as path from 'node:path';
import {
  parseRoutingSnapshot,
  ROUTE_MAP_FILE,
  ROUTING_SNAPSHOT_FILE,
  type RoutingSnapshot,
  renderRouteMap,
  renderRouteTable,
  routeTable,
} from '../routing/route-map';
import type { CliIo, ExitCode } from './io';

/**
 * `switchyard routes [ENV...] [--dist DIR] [--json]`: prints each environment's route table from the
 * snapshot synth wrote to `DIR/<env>/routing.json`, and (re)writes the Mermaid map `DIR/<env>/routes.md`.
 */
export function routesCommand(environments: readonly string[], dist: string, json: boolean, io: CliIo): ExitCode {
  const names = environments.length
    ? environments
    : io
        .listDir(dist)
        .filter((name) => io.exists(path.join(dist, name, ROUTING_SNAPSHOT_FILE)))
        .sort();
  if (names.length === 0) {
    io.stderr(`switchyard: no ${ROUTING_SNAPSHOT_FILE} under ${dist}/*/; run 'npm run synth' first\n`);
    return 2;
  }
  const snapshots: RoutingSnapshot[] = [];
  for (const name of names) {
    const file = path.join(dist, name, ROUTING_SNAPSHOT_FILE);
    if (!io.exists(file)) {
      io.stderr(
        `switchyard: environment '${name}' has no ${file}; run 'npm run synth' first or pick one of the folders in ${dist}\n`,
      );
      return 2;
    }
    try {
      snapshots.push(parseRoutingSnapshot(io.readFile(file), file));
    } catch (error) {
      io.stderr(`switchyard: ${(error as Error).message}\n`);
      return 2;
    }
  }
  const tables = snapshots.map((s) => ({ environment: s.environment, routes: routeTable(s.policies, s.target) }));
  if (json) io.stdout(`${JSON.stringify(tables, null, 2)}\n`);
  else io.stdout(tables.map((t) => `# ${t.environment}\n${renderRouteTable(t.routes)}`).join('\n'));
  for (const [i, snapshot] of snapshots.entries()) {
    const file = path.join(dist, names[i]!, ROUTE_MAP_FILE);
    io.writeFile(file, renderRouteMap(snapshot));
    io.stderr(`wrote ${file}\n`);
  }
  return 0;
}
