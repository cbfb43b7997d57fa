import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { Routes, runGuardrails, UnsupportedFeatureError } from '../../constructs';
import * as canary from '../../examples/gateway-canary/main';
import * as violation from '../../examples/guardrails-violation/main';
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

  it('guardrails-violation: every problem is a danger finding of its own rule', async () => {
    const objects = Testing.synth(violation.build(Testing.app()));
    await expectSchemaValid(objects as never);
    const rules = runGuardrails(objects as never, { profile: 'production' }, violation.policies)
      .filter((f) => f.severity === 'danger')
      .map((f) => f.rule);
    expect(new Set(rules)).toEqual(
      new Set(['pss-restricted', 'no-plaintext-secrets', 'image-tag', 'route-tls', 'route-timeouts']),
    );
  });

  it('guardrails-violation: cdk8s synth fails with a readable report and writes only its output folder', () => {
    const dir = path.join(root, 'examples/guardrails-violation');
    const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-violation-')), 'dist');
    const before = fs.readdirSync(dir).sort();
    const run = spawnSync('npx', ['cdk8s', 'synth', '--output', outdir], { cwd: dir, encoding: 'utf8' });
    expect(run.status, run.stdout + run.stderr).toBe(2);
    expect(run.stderr).toMatch(/Validation failed/);
    for (const expected of [
      /pss-restricted \(danger\)/,
      /Recommendation: Deployment\/legacy\/legacy: container 'app' is privileged/,
      /> spec\.template\.spec\.containers\[0\]\.securityContext\.privileged/,
      /How to fix: use valueFrom\.secretKeyRef instead of value/,
      /image 'nginx:latest' is not pinned/,
      /Manifest Path: .*prod\/routing\.json/,
      /RoutingPolicy\/legacy\/legacy: hosts legacy\.example\.com are served over plain HTTP/,
    ]) {
      expect(run.stdout).toMatch(expected);
    }
    expect(fs.readdirSync(dir).sort()).toEqual(before);
  }, 120_000);
});
