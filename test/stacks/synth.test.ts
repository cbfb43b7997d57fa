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

  it('puts each environment in its own namespace', () => {
    const namespaces = ENVIRONMENTS.map((env) => {
      const objects = readManifests(path.join(outdir, env.name));
      const names = new Set(
        objects.filter((o) => o.kind !== 'Namespace').map((o) => (o.metadata as { namespace: string }).namespace),
      );
      expect([...names]).toEqual([env.namespace]);
      return env.namespace;
    });
    expect(new Set(namespaces).size).toBe(ENVIRONMENTS.length);
  });
});
