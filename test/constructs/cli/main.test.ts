import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliIo, run } from '../../../constructs/cli/main';

const root = path.resolve(__dirname, '../../..');
const shop = path.join(root, 'test/fixtures/nginx/shop.yaml');

function io(files: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const cli: CliIo = {
    readFile: (p) => files[p] ?? fs.readFileSync(p, 'utf8'),
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
  };
  return { cli, out: () => out.join(''), err: () => err.join('') };
}

describe('switchyard CLI', () => {
  it('import-nginx prints a TypeScript module that type-checks, and the report on stderr', () => {
    const t = io();
    expect(run(['import-nginx', shop], t.cli)).toBe(0);
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

  it('import-nginx --json prints the policies and the report', () => {
    const t = io();
    expect(run(['import-nginx', '--json', shop], t.cli)).toBe(0);
    const parsed = JSON.parse(t.out());
    expect(parsed.policies.map((p: { name: string }) => p.name)).toEqual(['storefront', 'api']);
    expect(parsed.report.length).toBeGreaterThan(0);
  });

  it('exits 1 when nothing was imported and 2 on bad usage or input', () => {
    expect(run(['import-nginx', 'empty.yaml'], io({ 'empty.yaml': 'kind: ConfigMap\n' }).cli)).toBe(1);
    expect(run(['import-nginx'], io().cli)).toBe(2);
    expect(run(['frobnicate'], io().cli)).toBe(2);
    const broken = io({ 'bad.yaml': 'a: [1, 2\n' });
    expect(run(['import-nginx', 'bad.yaml'], broken.cli)).toBe(2);
    expect(broken.err()).toMatch(/^switchyard: bad.yaml:/);
    expect(run(['--help'], io().cli)).toBe(0);
  });

  it('runs as a process, the way npx switchyard does', () => {
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', path.join(root, 'constructs/cli/main.ts'), 'import-nginx', '--json', shop],
      { encoding: 'utf8' },
    );
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout).policies).toHaveLength(2);
  });
});
