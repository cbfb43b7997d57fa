import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliIo, run } from '../../../constructs/cli/main';

const root = path.resolve(__dirname, '../../..');
const shop = path.join(root, 'test/fixtures/nginx/shop.yaml');

/** An in-memory file system over the real one: reads fall through, writes stay in `files`. */
function io(files: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const isDirectory = (p: string) => Object.keys(files).some((f) => f.startsWith(`${p}/`));
  const cli: CliIo = {
    readFile: (p) => files[p] ?? fs.readFileSync(p, 'utf8'),
    writeFile: (p, text) => {
      files[p] = text;
    },
    listDir: (dir) => [
      ...new Set(
        Object.keys(files)
          .filter((f) => f.startsWith(`${dir}/`))
          .map((f) => f.slice(dir.length + 1).split('/')[0]!),
      ),
    ],
    exists: (p) => p in files || isDirectory(p),
    isDirectory,
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
  };
  return { cli, files, out: () => out.join(''), err: () => err.join('') };
}

describe('switchyard CLI', () => {
  it('import-nginx prints a TypeScript module that type-checks, and the report on stderr', async () => {
    const t = io();
    expect(await run(['import-nginx', shop], t.cli)).toBe(0);
    expect(t.err()).toMatch(/configuration-snippet: snippets are raw nginx configuration/);
    expect(t.err()).toMatch(/imported 2 policies; \d+ finding\(s\)/);
    // The module compiles against the package's own types.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-import-'));
    fs.writeFileSync(
      path.join(dir, 'routes.ts'),
      t.out().replace("from 'switchyard'", `from '${path.join(root, 'constructs')}'`),
    );
    execFileSync(process.execPath, [
      path.join(root, 'node_modules/typescript/bin/tsc'),
      '--noEmit',
      '--strict',
      '--skipLibCheck',
      '--module',
      'preserve',
      '--moduleResolution',
      'bundler',
      '--target',
      'es2022',
      path.join(dir, 'routes.ts'),
    ]);
  });

  it('import-nginx --json prints the policies and the report', async () => {
    const t = io();
    expect(await run(['import-nginx', '--json', shop], t.cli)).toBe(0);
    const parsed = JSON.parse(t.out());
    expect(parsed.policies.map((p: { name: string }) => p.name)).toEqual(['storefront', 'api']);
    expect(parsed.report.length).toBeGreaterThan(0);
  });

  it('exits 1 when nothing was imported and 2 on bad usage or input', async () => {
    expect(await run(['import-nginx', 'empty.yaml'], io({ 'empty.yaml': 'kind: ConfigMap\n' }).cli)).toBe(1);
    expect(await run(['import-nginx'], io().cli)).toBe(2);
    expect(await run(['frobnicate'], io().cli)).toBe(2);
    const broken = io({ 'bad.yaml': 'a: [1, 2\n' });
    expect(await run(['import-nginx', 'bad.yaml'], broken.cli)).toBe(2);
    expect(broken.err()).toMatch(/^switchyard: bad.yaml:/);
    expect(await run(['--help'], io().cli)).toBe(0);
  });

  describe('command-line conventions (issue 15)', () => {
    it('prints help on stdout with exit 0 at every level, and the version', async () => {
      for (const argv of [['--help'], ['-h'], ['help']]) {
        const t = io();
        expect(await run(argv, t.cli), argv.join(' ')).toBe(0);
        expect(t.out()).toMatch(/^usage: switchyard <command>/);
        expect(t.err()).toBe('');
      }
      for (const command of ['import-nginx', 'check', 'plan', 'routes']) {
        for (const flag of ['--help', '-h']) {
          const t = io();
          expect(await run([command, flag], t.cli), `${command} ${flag}`).toBe(0);
          expect(t.out()).toMatch(new RegExp(`^usage: switchyard ${command} `));
        }
      }
      const v = io();
      expect(await run(['--version'], v.cli)).toBe(0);
      const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
      expect(v.out()).toBe(`${manifest.version}\n`);
    });

    it('exits 2 with the usage on stderr for no command, an unknown command or an unknown flag', async () => {
      for (const argv of [[], ['frobnicate'], ['check', '--frobnicate', 'x'], ['plan', '--stack'], ['routes', '-x']]) {
        const t = io();
        expect(await run(argv, t.cli), argv.join(' ')).toBe(2);
        expect(t.out()).toBe('');
        expect(t.err()).toMatch(/usage: switchyard <command>/);
      }
    });

    it('writes nothing to stdout when import-nginx imports nothing', async () => {
      const t = io({ 'empty.yaml': 'kind: ConfigMap\n' });
      expect(await run(['import-nginx', 'empty.yaml'], t.cli)).toBe(1);
      expect(t.out()).toBe('');
      expect(t.err()).toMatch(/imported 0 policies/);
    });

    it('names the file, never a raw ENOENT or EISDIR', () => {
      for (const [target, problem] of [
        [path.join(os.tmpdir(), 'switchyard-no-such-file.yaml'), /switchyard-no-such-file\.yaml: no such file/],
        [os.tmpdir(), /: is a folder, not a file/],
      ] as const) {
        const result = spawnSync(
          process.execPath,
          ['--import', 'tsx', path.join(root, 'constructs/cli/main.ts'), 'import-nginx', target],
          { encoding: 'utf8' },
        );
        expect(result.status).toBe(2);
        expect(result.stderr).toMatch(problem);
        expect(result.stderr).not.toMatch(/ENOENT|EISDIR/);
        expect(result.stdout).toBe('');
      }
    });
  });

  describe('routes', () => {
    const snapshot = (environment: string, dialect: string, host: string) =>
      JSON.stringify({
        environment,
        target: { dialect },
        policies: [
          { name: 'shop', namespace: 'shop', hosts: [host], rules: [{ backends: [{ service: 'web', port: 80 }] }] },
        ],
      });
    const dist = () =>
      io({
        'dist/dev/routing.json': snapshot('dev', 'traefik', 'dev.example.com'),
        'dist/prod/routing.json': snapshot('prod', 'gateway-api', 'shop.example.com'),
        'dist/prod/0000-addons.k8s.yaml': '',
        'dist/notes/readme.txt': '',
      });

    it('prints every environment found under dist and writes each route map', async () => {
      const t = dist();
      expect(await run(['routes'], t.cli)).toBe(0);
      expect(t.out()).toMatch(
        /^# dev\nHOST +ROUTE .*\ndev\.example\.com +shop\/0 +PathPrefix \/ +shop\/web:80 100% +path\.prefix +- +traefik\n/,
      );
      expect(t.out()).toMatch(/\n# prod\nHOST .*\nshop\.example\.com .* gateway-api\n$/);
      expect(t.files['dist/dev/routes.md']).toMatch(/^# Routes: dev\n[\s\S]*```mermaid\nflowchart LR\n/);
      expect(t.files['dist/prod/routes.md']).toContain('h0(["shop.example.com"])');
      expect(t.err()).toBe('wrote dist/dev/routes.md\nwrote dist/prod/routes.md\n');
    });

    it('prints only the environments named, from --dist, as JSON with --json', async () => {
      const t = io({ 'out/prod/routing.json': snapshot('prod', 'contour', 'shop.example.com') });
      expect(await run(['routes', 'prod', '--dist', 'out', '--json'], t.cli)).toBe(0);
      const [table] = JSON.parse(t.out());
      expect(table.environment).toBe('prod');
      expect(table.routes[0]).toMatchObject({ host: 'shop.example.com', dialect: 'contour' });
      expect(Object.keys(t.files)).toContain('out/prod/routes.md');
    });

    it('fails with exit 2 and a fix when there is nothing to read or the snapshot is bad', async () => {
      const empty = io();
      expect(await run(['routes'], empty.cli)).toBe(2);
      expect(empty.err()).toMatch(/no routing\.json under dist\/\*\/; run 'npm run synth' first/);
      const missing = dist();
      expect(await run(['routes', 'qa'], missing.cli)).toBe(2);
      expect(missing.err()).toMatch(/environment 'qa' has no dist\/qa\/routing\.json/);
      const bad = io({ 'dist/dev/routing.json': '{"environment":"dev","target":{"dialect":"nginx"},"policies":[]}' });
      expect(await run(['routes'], bad.cli)).toBe(2);
      expect(bad.err()).toMatch(/dist\/dev\/routing\.json: 'target\.dialect' must be one of/);
      expect(Object.keys(bad.files)).toEqual(['dist/dev/routing.json']); // nothing half-written
      expect(await run(['routes', '--dist'], io().cli)).toBe(2);
      expect(await run(['routes', '--frobnicate'], io().cli)).toBe(2);
    });
  });

  describe('check', () => {
    const good = fs.readFileSync(path.join(root, 'test/fixtures/guardrails/good.yaml'), 'utf8');
    const bad = fs.readFileSync(path.join(root, 'test/fixtures/guardrails/bad.yaml'), 'utf8');

    it('passes clean manifests (exit 0) and reports findings below the threshold', async () => {
      const t = io({ 'dist/prod/app.k8s.yaml': good });
      expect(await run(['check', 'dist'], t.cli)).toBe(0);
      expect(t.out()).toMatch(/^# dist\/prod \(1 file\(s\)\)\nNo findings\.\n/);
      expect(t.err()).toBe('passed: 0 danger, 0 warning, 0 info (failing on danger)\n');
    });

    it('fails (exit 1) on danger findings, one object set per folder, routing.json included', async () => {
      const t = io({
        'dist/dev/app.k8s.yaml': good,
        'dist/prod/app.yaml': bad,
        'dist/prod/routing.json': JSON.stringify({
          environment: 'prod',
          target: { dialect: 'gateway-api' },
          policies: [
            { name: 'shop', hosts: ['shop.example.com'], rules: [{ backends: [{ service: 'web', port: 80 }] }] },
          ],
        }),
        'dist/prod/notes.txt': 'not a manifest',
      });
      expect(await run(['check', 'dist', '--profile', 'production'], t.cli)).toBe(1);
      expect(t.out()).toContain('# dist/dev (1 file(s))\nNo findings.');
      expect(t.out()).toMatch(
        /DANGER {2}pss-restricted {2}Deployment\/shop\/legacy\n {8}spec\.template\.spec\.hostNetwork/,
      );
      expect(t.out()).toMatch(/DANGER {2}route-tls {2}RoutingPolicy\/default\/shop/);
      expect(t.err()).toMatch(/^FAILED: \d+ danger/);
    });

    it('takes files, --fail-on, --allow-registries and --json', async () => {
      const warn = io({ 'x/app.yaml': good });
      expect(await run(['check', 'x/app.yaml', '--allow-registries', 'quay.io/acme,docker.io/library'], warn.cli)).toBe(
        1,
      );
      expect(warn.out()).toContain('image-registry');
      const json = io({ 'm.yaml': bad });
      expect(await run(['check', 'm.yaml', '--json', '--fail-on', 'info'], json.cli)).toBe(1);
      const [result] = JSON.parse(json.out());
      expect(result.folder).toBe('.');
      expect(result.findings[0]).toMatchObject({
        rule: 'pss-restricted',
        severity: 'danger',
        object: 'Deployment/shop/legacy',
      });
    });

    it('validates each object against its schema: invalid objects block, unknown kinds are reported', async () => {
      const t = io({
        'm/app.yaml': [
          'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {ports: [{port: "http"}]}',
          'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}',
        ].join('\n---\n'),
      });
      expect(await run(['check', 'm', '--json'], t.cli)).toBe(1);
      const [result] = JSON.parse(t.out());
      const schema = result.findings.filter((f: { rule: string }) => f.rule === 'schema');
      expect(schema).toEqual([
        expect.objectContaining({
          severity: 'danger',
          object: 'v1/Service/shop/web',
          message: expect.stringMatching(/port/),
        }),
        expect.objectContaining({
          severity: 'info',
          object: 'example.com/v1/Widget/w',
          message: expect.stringMatching(/no schema is registered/),
        }),
      ]);
    });

    it('exits 2 on bad usage or input, naming the problem', async () => {
      const cases: [string[], Record<string, string>, RegExp][] = [
        [['check'], {}, /check needs at least one PATH/],
        [['check', 'nowhere'], {}, /nowhere: no such file or folder/],
        [['check', 'a.yaml'], { 'a.yaml': 'a: [1' }, /a\.yaml: /],
        [
          ['check', 'a.yaml', '--fail-on', 'fatal'],
          { 'a.yaml': good },
          /--fail-on must be one of danger, warning, info/,
        ],
        [
          ['check', 'a.yaml', '--profile', 'strict'],
          { 'a.yaml': good },
          /profile must be 'standard' or 'production', got "strict"/,
        ],
        [['check', 'd'], { 'd/readme.txt': '' }, /no manifests \(\*\.yaml, \*\.yml\) under d/],
      ];
      for (const [argv, files, message] of cases) {
        const t = io(files);
        expect(await run(argv, t.cli), argv.join(' ')).toBe(2);
        expect(t.err()).toMatch(message);
      }
    });
  });

  it('runs as a process, the way npx switchyard does', async () => {
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', path.join(root, 'constructs/cli/main.ts'), 'import-nginx', '--json', shop],
      { encoding: 'utf8' },
    );
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout).policies).toHaveLength(2);
  });
});
