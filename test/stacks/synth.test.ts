import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ENVIRONMENTS } from '../../stacks/environments';
import { environmentObjects } from '../../stacks/synth';
import { expectSchemaValid } from '../helpers/schema';

const root = path.resolve(__dirname, '../..');

function readManifests(dir: string): Record<string, unknown>[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.k8s.yaml'))
    .sort()
    .flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')).map((d) => d.toJS()));
}

describe('cdk8s synth of every environment (the `npm run synth` path)', () => {
  let outdir: string;
  beforeAll(() => {
    outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-synth-')), 'dist');
    // The real CLI with the project's cdk8s.yaml, as `npm run synth` runs it, into a scratch folder.
    const run = spawnSync('npx', ['cdk8s', 'synth', '--output', outdir], { cwd: root, encoding: 'utf8' });
    expect(run.status, run.stderr + run.stdout).toBe(0);
  }, 120_000);

  it('writes one folder per environment and nothing else', () => {
    expect(fs.readdirSync(outdir).sort()).toEqual(ENVIRONMENTS.map((e) => e.name).sort());
  });

  it.each(ENVIRONMENTS.map((e) => [e.name, e] as const))('%s: every object is schema-valid', async (_name, env) => {
    const objects = readManifests(path.join(outdir, env.name));
    await expectSchemaValid(objects);
    expect(objects.map((o) => o.kind)).toEqual(expect.arrayContaining(['Namespace', 'Deployment', 'Service']));
  });

  it.each(ENVIRONMENTS.map((e) => [e.name, e] as const))(
    '%s: the files hold exactly what the Pulumi program applies',
    (_name, env) => {
      expect(readManifests(path.join(outdir, env.name))).toEqual(environmentObjects(env));
    },
  );

  it('writes each environment in apply order: infrastructure, apps, routes', () => {
    for (const env of ENVIRONMENTS) {
      expect(fs.readdirSync(path.join(outdir, env.name)).sort()).toEqual([
        '0000-infra.k8s.yaml',
        '0001-apps.k8s.yaml',
        '0002-routes.k8s.yaml',
      ]);
    }
  });

  it.each(ENVIRONMENTS.map((e) => [e.name, e] as const))(
    '%s: routes compile to Gateway API, attached to the Gateway',
    (_name, env) => {
      const objects = readManifests(path.join(outdir, env.name)) as any[];
      const gateway = objects.find((o) => o.kind === 'Gateway');
      expect(gateway.metadata).toMatchObject({ name: env.gateway.name, namespace: env.gateway.namespace });
      expect(gateway.spec.listeners.map((l: { name: string }) => l.name)).toEqual(['http', 'https']);
      const routes = objects.filter((o) => o.kind === 'HTTPRoute');
      expect(routes.map((r) => r.metadata.name).sort()).toEqual(['shop', 'shop-https-redirect']);
      const storefront = routes
        .find((r) => r.metadata.name === 'shop')
        .spec.rules.find((r: { name: string }) => r.name === 'storefront');
      expect(storefront.backendRefs).toEqual([
        { name: 'web', port: 8080, weight: 100 - env.app.canaryPercent },
        { name: 'web-canary', port: 8080, weight: env.app.canaryPercent },
      ]);
      expect(objects.find((o) => o.kind === 'Certificate').spec.issuerRef.name).toBe(env.clusterIssuer);
    },
  );

  it("puts each environment's apps and routes in its own namespace", () => {
    const namespaces = ENVIRONMENTS.map((env) => {
      const objects = readManifests(path.join(outdir, env.name)) as any[];
      const namespaced = objects.filter((o) => !['Namespace', 'GatewayClass', 'Gateway'].includes(o.kind));
      expect(new Set(namespaced.map((o) => o.metadata.namespace))).toEqual(new Set([env.namespace]));
      return env.namespace;
    });
    expect(new Set(namespaces).size).toBe(ENVIRONMENTS.length);
  });
});
