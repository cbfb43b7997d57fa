import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');

/**
 * A new user's first hour, for real: the packed tarball installed from npm's cache, `switchyard init` run
 * from it (which runs `npm install`), then the scaffold's own commands. ESM and CommonJS, two cluster kinds.
 */
const PROJECTS = [
  { name: 'esm-existing', module: 'esm', cluster: 'existing' },
  { name: 'cjs-eks', module: 'cjs', cluster: 'eks', controller: 'traefik' },
] as const;

/** npm from the local cache where it can; the registry is reachable for what is missing. */
const NPM_ENV = {
  ...process.env,
  npm_config_prefer_offline: 'true',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
};

function run(cwd: string, command: string, args: string[]): { status: number; output: string } {
  const result = spawnSync(command, args, { cwd, env: NPM_ENV, encoding: 'utf8', timeout: 240_000 });
  return { status: result.status ?? -1, output: `${result.stdout}\n${result.stderr}` };
}

describe('switchyard init, from the packed tarball', () => {
  let scratch: string;
  let cli: string;
  let tarball: string;
  beforeAll(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-init-'));
    const [packed] = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: root, encoding: 'utf8' }),
    ) as { filename: string }[];
    tarball = path.join(scratch, packed!.filename);
    // Where the user runs init from: the tarball installed, as `npx <tarball>` would.
    const tools = path.join(scratch, 'tools');
    fs.mkdirSync(tools);
    fs.writeFileSync(path.join(tools, 'package.json'), '{"name":"tools","private":true}');
    const installed = run(tools, 'npm', ['install', tarball]);
    expect(installed.status, installed.output).toBe(0);
    cli = path.join(tools, 'node_modules', '.bin', 'switchyard');
    for (const p of PROJECTS) {
      // esm-existing relies on init finding how it was installed (the tarball); cjs-eks names it.
      const spec = p.name === 'esm-existing' ? [] : ['--switchyard', `file:${tarball}`];
      const args = ['init', p.name, '--module', p.module, '--cluster', p.cluster, ...spec];
      if ('controller' in p) args.push('--controller', p.controller);
      const init = run(scratch, cli, args);
      expect(init.status, init.output).toBe(0);
    }
  }, 600_000);
  afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

  it.each(PROJECTS)(
    '$name: writes the lockfile, and npm ci, npm test, npm run synth and plan pass',
    (p) => {
      const dir = path.join(scratch, p.name);
      expect(fs.existsSync(path.join(dir, 'package-lock.json'))).toBe(true);
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
      expect(manifest.type).toBe(p.module === 'esm' ? 'module' : 'commonjs');
      // Never the registry's unrelated 'switchyard': the tarball init was installed from.
      expect(manifest.dependencies.switchyard).toBe(`file:${tarball}`);
      if (p.name === 'esm-existing') {
        const ci = run(dir, 'npm', ['ci']);
        expect(ci.status, ci.output).toBe(0);
      }
      const test = run(dir, 'npm', ['test']);
      expect(test.status, test.output).toBe(0);
      expect(test.output).toMatch(/# pass 2/);

      const synth = run(dir, 'npm', ['run', 'synth']);
      expect(synth.status, synth.output).toBe(0);
      for (const env of ['dev', 'staging', 'prod']) {
        const files = fs.readdirSync(path.join(dir, 'dist', env));
        expect(files).toEqual(expect.arrayContaining(['routing.json', 'routes.md']));
        expect(files.some((f) => f.endsWith('.k8s.yaml'))).toBe(true);
      }
      // The guardrails plugin named in cdk8s.yaml ran after the app.
      expect(synth.output).toMatch(/Validations ended succesfully|Validations finished/i);

      const plan = run(dir, cli, ['plan', '.', '--stack', 'staging']);
      expect(plan.status, plan.output).toBe(0);
      expect(plan.output).toMatch(/resource\(s\) to create/);
      expect(plan.output).toContain(
        p.cluster === 'eks' ? 'switchyard:cluster:EksCluster' : 'pulumi:providers:kubernetes',
      );
      // npm ci, npm test, synth and plan in a real project: each step has its own 240 s limit (run()).
    },
    480_000,
  );

  it('writes the workflows npm run pipeline writes from the scaffold', () => {
    const dir = path.join(scratch, 'cjs-eks');
    const before = fs
      .readdirSync(path.join(dir, '.github', 'workflows'))
      .map((f) => [f, fs.readFileSync(path.join(dir, '.github', 'workflows', f), 'utf8')]);
    expect(before.length).toBeGreaterThan(0);
    const pipeline = run(dir, 'npm', ['run', 'pipeline']);
    expect(pipeline.status, pipeline.output).toBe(0);
    for (const [file, text] of before) {
      expect(fs.readFileSync(path.join(dir, '.github', 'workflows', file!), 'utf8'), file).toBe(text);
    }
  });

  it('plan refuses a program that does not type-check, before running it', () => {
    const dir = path.join(scratch, 'esm-existing');
    const program = path.join(dir, 'pulumi', 'index.ts');
    const text = fs.readFileSync(program, 'utf8');
    fs.writeFileSync(program, `${text}\nexport const broken: number = 'text';\n`);
    try {
      const plan = run(dir, cli, ['plan', '.', '--stack', 'dev']);
      expect(plan.status).toBe(1);
      expect(plan.output).toMatch(/does not type-check[\s\S]*pulumi\/index\.ts\(\d+,\d+\): error TS2322/);
    } finally {
      fs.writeFileSync(program, text);
    }
  });
});
