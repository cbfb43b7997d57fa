import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { App, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { Routes, UnsupportedFeatureError } from '../../constructs';
import * as canary from '../../examples/gateway-canary/main';
import * as migration from '../../examples/nginx-migration/main';
import { expectSchemaValid } from '../helpers/schema';

const root = path.resolve(__dirname, '../..');

describe('examples', () => {
  it('gateway-canary: apps, Gateway and routes, all schema-valid', async () => {
    const objects = Testing.synth(canary.build(Testing.app())) as { kind: string; metadata: { name: string } }[];
    await expectSchemaValid(objects);
    const kinds = new Set(objects.map((o) => o.kind));
    for (const kind of [
      'Deployment',
      'Service',
      'GatewayClass',
      'Gateway',
      'HTTPRoute',
      'Certificate',
      'BackendTrafficPolicy',
    ])
      expect(kinds).toContain(kind);
  });

  it('nginx-migration: the same policies for ingress-nginx and Gateway API', async () => {
    const app = new App();
    const routes = migration.build(app);
    await expectSchemaValid([...routes.legacy.objects, ...routes.gateway.objects]);
    expect(routes.legacy.objects.filter((o) => o.kind === 'Ingress').map((o) => o.metadata.name)).toEqual([
      'blog-site',
      'blog-site-canary',
    ]);
    expect(routes.gateway.objects.find((o) => o.kind === 'HTTPRoute')).toBeDefined();
    // The full policy, header canary included, is more than nginx can hold on one path.
    const full = () =>
      new Routes(Testing.chart(), 'r', { policies: migration.policies, target: migration.targets.legacy });
    expect(full).toThrow(UnsupportedFeatureError);
  });

  it.each(['gateway-canary', 'nginx-migration'])('%s runs as a script and prints YAML', (name) => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(root, 'examples', name, 'main.ts')], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    expect(parseAllDocuments(out).length).toBeGreaterThan(2);
  });
});
