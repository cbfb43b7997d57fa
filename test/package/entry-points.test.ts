import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const lib = path.join(root, 'lib');

/** The @pulumi/* packages a fresh Node process has loaded after running `script` (CJS or ESM). */
function pulumiPackagesLoaded(script: string, type: 'commonjs' | 'module'): string[] {
  const report =
    'const c = Object.keys(require.cache);' +
    "console.log(JSON.stringify([...new Set(c.filter((k) => k.includes('/node_modules/@pulumi/'))" +
    ".map((k) => k.split('/node_modules/').pop().split('/').slice(0, 2).join('/')))]))";
  const source =
    type === 'module'
      ? `const require = (await import('node:module')).createRequire(${JSON.stringify(path.join(root, 'x.js'))}); ${script}; ${report}`
      : `${script}; ${report}`;
  const args = type === 'module' ? ['--input-type=module', '-e', source] : ['-e', source];
  return JSON.parse(execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' }).trim()) as string[];
}

// lib/ is built by `npm ci` (the prepare script), as for every published-package test.
describe.skipIf(!fs.existsSync(path.join(lib, 'index.js')))('entry points load only what they need', () => {
  it('the root entry (the cdk8s side) loads no @pulumi module, from CJS', () => {
    expect(pulumiPackagesLoaded(`require(${JSON.stringify(path.join(lib, 'index.js'))})`, 'commonjs')).toEqual([]);
  });

  it('the root entry loads no @pulumi module, from ESM', () => {
    expect(pulumiPackagesLoaded(`await import(${JSON.stringify(path.join(lib, 'index.js'))})`, 'module')).toEqual([]);
  });

  it('the CLI loads Pulumi only for plan: check, routes and import-nginx run without it', () => {
    const main = JSON.stringify(path.join(lib, 'cli', 'main.js'));
    expect(pulumiPackagesLoaded(`require(${main})`, 'commonjs')).toEqual([]);
  });

  it("'switchyard/pulumi' loads the engine but no cloud SDK", () => {
    const loaded = pulumiPackagesLoaded(`require(${JSON.stringify(path.join(lib, 'pulumi', 'index.js'))})`, 'commonjs');
    expect(loaded).toContain('@pulumi/pulumi');
    expect(loaded.filter((p) => /@pulumi\/(aws|gcp|azure-native|openstack)$/.test(p))).toEqual([]);
  });
});
