import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type PlannedResource, redact, renderPlan, summary, typeErrors } from '../../../constructs/cli/plan-command';
import { parsePulumiProject, parseStackConfig } from '../../../constructs/cli/pulumi-project';

const root = path.resolve(__dirname, '../../..');

/** `switchyard plan` as a process, the way users run it (it installs Pulumi's mocks globally). */
function plan(args: string[], cwd = root) {
  // npm run typecheck checks these programs already; plan's own check has its tests below and in test/package/.
  const check = args.includes('--typecheck') ? [] : ['--no-typecheck'];
  const rest = args.filter((a) => a !== '--typecheck');
  return spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'constructs/cli/main.ts'), 'plan', ...rest, ...check],
    {
      cwd,
      encoding: 'utf8',
    },
  );
}

/** A scratch Pulumi project with a JavaScript program. */
function project(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-plan-'));
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

const PROJECT = 'name: demo\nruntime: nodejs\nconfig:\n  demo:replicas:\n    type: integer\n    default: 2\n';
const PROGRAM = `
const pulumi = require('@pulumi/pulumi');
const config = new pulumi.Config('demo');
class App extends pulumi.ComponentResource {
  constructor(name) {
    super('demo:index:App', name, {}, {});
    new pulumi.CustomResource('demo:index:Database', name + '-db', {
      replicas: config.requireNumber('replicas'),
      password: config.requireSecret('password'),
    }, { parent: this });
    this.registerOutputs({});
  }
}
new App('shop');
`;

describe('plan summary', () => {
  it('shows scalars, nested scalars as dotted keys, list sizes, and first lines of long text', () => {
    expect(summary({ name: 'x', replicas: 2, on: true, tags: ['a', 'b'], connection: { host: 'h', port: 22 } })).toBe(
      'name=x replicas=2 on=true tags=[2] connection.host=h connection.port=22',
    );
    expect(summary({ script: 'line one\nline two\nline three', __internal: 'hidden' })).toBe(
      'script=line one (+2 lines)',
    );
    expect(summary({ long: 'x'.repeat(80) })).toBe(`long=${'x'.repeat(57)}...`);
    const many = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i]));
    expect(summary(many)).toMatch(/k11=11 \.\.\.$/);
    expect(summary({ a: { b: { c: { d: 'too deep' } } } })).toBe('');
  });
});

describe('switchyard plan', () => {
  it.each(['dev', 'staging', 'prod'])(
    'plans the reference platform for %s: add-ons under HelmReleases, then the manifests',
    (stack) => {
      const run = plan(['.', '--stack', stack, '--json']);
      expect(run.status, run.stderr).toBe(0);
      const resources = JSON.parse(run.stdout) as PlannedResource[];
      const byName = new Map(resources.map((r) => [r.name, r]));
      const addons = byName.get(`${stack}-addons`)!;
      expect(addons.type).toBe('switchyard:addons:HelmReleases');
      const releases = resources.filter((r) => r.type === 'kubernetes:helm.sh/v3:Release');
      expect(releases.map((r) => r.inputs.name)).toEqual(
        expect.arrayContaining(['gateway-api-crds', 'envoy-gateway', 'cert-manager']),
      );
      for (const r of releases) expect(r.parent).toBe(addons.urn);
      expect(byName.get(`${stack}-platform-objects`)?.type).toBe('kubernetes:yaml/v2:ConfigGroup');
      // The cluster comes first, its provider a child of it.
      const cluster = byName.get(`${stack}-cluster`)!;
      expect(cluster.type).toBe(
        stack === 'dev' ? 'switchyard:cluster:BareMetalCluster' : 'switchyard:cluster:EksCluster',
      );
      expect(resources.indexOf(cluster)).toBe(0);
      expect(byName.get(`${stack}-cluster-provider`)).toMatchObject({
        type: 'pulumi:providers:kubernetes',
        parent: cluster.urn,
        inputs: { kubeconfig: '[secret]' },
      });
      if (stack !== 'dev') {
        expect(byName.get(`${stack}-cluster-cluster`)?.inputs).toMatchObject({ name: `switchyard-${stack}` });
      }
    },
    120_000,
  );

  it('prints a readable tree by default: the bare metal cluster, its add-ons and apps', () => {
    const run = plan(['--stack', 'dev']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^Plan for stack 'dev' of project 'switchyard' \(mocks; nothing is created\):/);
    expect(run.stdout).toMatch(
      /\n\+ switchyard:cluster:BareMetalCluster dev-cluster\n {2}\+ random:index\/randomPassword:RandomPassword dev-cluster-join-token/,
    );
    // The host key is checked (system ssh, pinned known_hosts) before the token goes over that connection.
    expect(run.stdout).toMatch(
      / {2}\+ command:local:Command dev-cluster-server-0-host-key .*\n(.*\n)* {2}\+ command:local:Command dev-cluster-server-0-token .*stdin=\[secret\]\)\n {2}\+ command:remote:Command dev-cluster-server-0 {2}\(connection\.host=192\.168\.50\.11 .*create=set -eu \(\+\d+ lines\)/,
    );
    expect(run.stdout).toMatch(
      /\n {2}\+ switchyard:deploy:KubernetesManifests dev-platform\n {4}\+ kubernetes:yaml\/v2:ConfigGroup dev-platform-objects {2}\(objs=\[\d+\]\)/,
    );
    expect(run.stdout).toMatch(
      /\n\+ switchyard:deploy:PlatformDeployment dev\n(.*\n)* {2}\+ switchyard:addons:HelmReleases dev-addons\n {4}\+ kubernetes:helm\.sh\/v3:Release dev-addons-/,
    );
    expect(run.stdout).toMatch(/\n\d+ resource\(s\) to create\n$/);
  }, 120_000);

  it('applies stack config and defaults, and redacts secrets', () => {
    const dir = project({
      'Pulumi.yaml': PROJECT,
      'Pulumi.dev.yaml': 'config:\n  demo:password:\n    secure: AAABAHunter2Ciphertext\n',
      'index.js': PROGRAM,
    });
    const run = plan([dir, '--stack', 'dev', '--json']);
    expect(run.status, run.stderr).toBe(0);
    const [app, db] = JSON.parse(run.stdout) as PlannedResource[];
    expect(app).toMatchObject({ type: 'demo:index:App', name: 'shop', parent: '' });
    expect(db).toMatchObject({
      type: 'demo:index:Database',
      parent: app!.urn,
      inputs: { replicas: 2, password: '[secret]' },
    });
    expect(run.stdout).not.toContain('Hunter2');
  }, 60_000);

  it.each([
    [
      { 'Pulumi.yaml': PROJECT, 'index.js': PROGRAM },
      ['--stack', 'dev'],
      2,
      /Pulumi\.dev\.yaml: not found; create the stack with 'pulumi stack init dev'/,
    ],
    [
      { 'Pulumi.yaml': PROJECT, 'Pulumi.dev.yaml': 'config:\n  demo:replicas: three\n', 'index.js': PROGRAM },
      ['--stack', 'dev'],
      2,
      /Pulumi\.dev\.yaml: config key 'demo:replicas' must be an integer, got "three"/,
    ],
    [
      { 'Pulumi.yaml': 'name: demo\nruntime: python\n', 'Pulumi.dev.yaml': '' },
      ['--stack', 'dev'],
      2,
      /runs nodejs programs only/,
    ],
    [
      { 'Pulumi.yaml': PROJECT, 'Pulumi.dev.yaml': '', 'index.js': PROGRAM },
      ['--stack', 'dev'],
      1,
      /the program failed under plan \(stack 'dev'\): .*password/,
    ],
    [{ 'Pulumi.yaml': PROJECT }, [], 2, /plan needs --stack NAME/],
  ] as const)(
    '%#: reports bad projects and config naming the file and key',
    (files, args, status, message) => {
      const dir = project(files);
      const run = plan([dir, ...args]);
      expect(run.status).toBe(status);
      expect(run.stderr).toMatch(message);
    },
    60_000,
  );
});

describe('Pulumi project and stack files', () => {
  const project = parsePulumiProject(
    'name: shop\nruntime:\n  name: nodejs\n  options: {typescript: true}\nmain: src/\nconfig:\n  region: {type: string, default: eu-west-1}\n  aws:profile: {type: string}\n',
    'Pulumi.yaml',
  );

  it('reads the name, main and declared config, qualifying keys with the project name', () => {
    expect(project).toEqual({
      name: 'shop',
      main: 'src/',
      config: { 'shop:region': { type: 'string', default: 'eu-west-1' }, 'aws:profile': { type: 'string' } },
    });
  });

  it('turns stack values into what programs read, with defaults, and hides secure values', () => {
    const config = parseStackConfig(
      'config:\n  sizes: [1, 2]\n  aws:profile: prod\n  token:\n    secure: v1:abc\n',
      'Pulumi.prod.yaml',
      project,
    );
    expect(config.values).toEqual({
      'shop:sizes': '[1,2]',
      'aws:profile': 'prod',
      'shop:token': '[secret]',
      'shop:region': 'eu-west-1',
    });
    expect(config.secretKeys).toEqual(['shop:token']);
  });

  it('names the file and field of a bad project', () => {
    expect(() => parsePulumiProject('runtime: nodejs\n', 'x/Pulumi.yaml')).toThrow(
      "x/Pulumi.yaml: 'name' must be the project name",
    );
    expect(() => parseStackConfig('config:\n  aws:profile: 3\n', 's.yaml', project)).toThrow(
      "s.yaml: config key 'aws:profile' must be a string, got 3",
    );
  });
});

describe('plan output', () => {
  it('redacts secrets at any depth', () => {
    const secret = { '4dabf18193072939515e22adb298388d': '1b47061264138c4ac30d75fd1eb44270', value: 'hunter2' };
    expect(redact({ a: secret, b: [{ c: secret }], d: 'plain' })).toEqual({
      a: '[secret]',
      b: [{ c: '[secret]' }],
      d: 'plain',
    });
  });

  it('nests children under parents and summarizes inputs', () => {
    const text = renderPlan([
      { urn: 'u1', type: 'x:C', name: 'a', parent: '', inputs: {} },
      { urn: 'u2', type: 'x:R', name: 'b', parent: 'u1', inputs: { size: 3, tags: ['a', 'b'], nested: { x: 1 } } },
    ]);
    expect(text).toBe('+ x:C a\n  + x:R b  (size=3 tags=[2] nested.x=1)\n\n2 resource(s) to create\n');
  });
});

describe('typeErrors (plan checks the program before running it)', () => {
  it('reports the errors of the program and what it imports, under the nearest tsconfig.json', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-typecheck-'));
    try {
      fs.writeFileSync(
        path.join(dir, 'tsconfig.json'),
        JSON.stringify({ compilerOptions: { strict: true, noEmit: true } }),
      );
      fs.mkdirSync(path.join(dir, 'program'));
      fs.writeFileSync(path.join(dir, 'lib.ts'), "export const port: number = 'eighty';\n");
      fs.writeFileSync(
        path.join(dir, 'program', 'index.ts'),
        "import { port } from '../lib';\nexport const p = port;\n",
      );
      // Not imported by the program: not checked, as ts-node would not load it.
      fs.writeFileSync(path.join(dir, 'unrelated.ts'), 'export const x: string = 1;\n');
      expect(() => typeErrors(path.join(dir, 'program', 'index.ts'))).toThrow(/TypeScript is not installed there/);
      fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
      const errors = typeErrors(path.join(dir, 'program', 'index.ts'));
      expect(errors).toMatch(/lib\.ts\(1,14\): error TS2322/);
      expect(errors).not.toMatch(/unrelated/);
      fs.writeFileSync(path.join(dir, 'lib.ts'), 'export const port = 80;\n');
      expect(typeErrors(path.join(dir, 'program', 'index.ts'))).toBeUndefined();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
