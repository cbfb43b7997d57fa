import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    return e.isDirectory() ? sources(rel) : rel.endsWith('.ts') ? [rel] : [];
  });
}

function imports(file: string): string[] {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  return [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\('([^']+)'\)|require\('([^']+)'\)/g)].map(
    (m) => m[1] ?? m[2] ?? m[3]!,
  );
}

/** Folders of pure code (ARCHITECTURE.md): models, compilers and rules import no engine. */
const PURE = [
  'constructs/core',
  'constructs/routing',
  'constructs/guardrails',
  'constructs/ingress',
  'constructs/observability',
];

/** Pure modules among the cluster components: plans, scripts, documents and validation the components use. */
const PURE_CLUSTER_FILES = [
  'access.ts',
  'cloud-init.ts',
  'eks-args.ts',
  'eks-iam.ts',
  'host-key.ts',
  'k3s.ts',
  'kubeconfig.ts',
  'schema.ts',
  'subnets.ts',
  'traits.ts',
].map((f) => `constructs/cluster/${f}`);

/** Cloud SDKs only the component of that cloud loads (imported through its subpath, `switchyard/eks` ...). */
const CLOUD_SDKS: Record<string, RegExp> = {
  'constructs/cluster/eks.ts': /^@pulumi\/aws$/,
  'constructs/cluster/aws-vpc.ts': /^@pulumi\/aws$/,
  'constructs/cluster/external-secrets-iam.ts': /^@pulumi\/aws$/,
  'constructs/cluster/eks-log-bucket.ts': /^@pulumi\/aws$/,
  'constructs/cluster/vm.ts': /^@pulumi\/(aws|openstack)$/,
  'constructs/cluster/gke.ts': /^@pulumi\/gcp$/,
  'constructs/cluster/aks.ts': /^@pulumi\/azure-native\/[a-z]+$/,
};

/** The platform model and what reads it without an engine: both engines' adapters build on these. */
const PURE_PLATFORM_FILES = ['model.ts', 'define.ts', 'stack-settings.ts', 'pipeline.ts'].map(
  (f) => `constructs/platform/${f}`,
);

/** The package's CrossGuard pack entry (lib/pulumi/policy-pack/index.js once built). */
const POLICY_PACK_ENTRY = 'constructs/pulumi/policy-pack/index.ts';

/** The package's public names: 'switchyard' and the subpaths package.json exports. */
const PUBLIC_NAMES = Object.keys(JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).exports)
  .filter((k) => k !== './package.json')
  .map((k) => (k === '.' ? 'switchyard' : `switchyard/${k.slice(2)}`));

describe('architecture rules', () => {
  it.each(PURE_PLATFORM_FILES)('%s imports neither cdk8s nor Pulumi', (file) => {
    expect(imports(file).filter((i) => /^(cdk8s|cdk8s-plus-\d+|@pulumi\/)/.test(i))).toEqual([]);
  });

  it.each(['stacks', 'examples'])('%s/ uses the package only through its public entry points', (dir) => {
    const files = sources(dir);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      for (const spec of imports(file)) {
        expect(spec, `${file} imports ${spec}`).not.toMatch(/^\.{1,2}\/(.*\/)?(constructs|lib)(\/|$)/);
        if (spec === 'switchyard' || spec.startsWith('switchyard/')) {
          expect(PUBLIC_NAMES, `${file} imports ${spec}`).toContain(spec);
        }
      }
    }
  });

  it.each(PURE_CLUSTER_FILES)('%s imports neither cdk8s nor Pulumi', (file) => {
    expect(imports(file).filter((i) => /^(cdk8s|cdk8s-plus-\d+|@pulumi\/)/.test(i))).toEqual([]);
  });

  it('loads cloud SDKs only in their cluster component, never from the package root', () => {
    for (const file of sources('constructs')) {
      for (const sdk of imports(file).filter((i) => /^@pulumi\/(aws|gcp|azure-native|openstack)/.test(i))) {
        expect(CLOUD_SDKS[file]?.test(sdk), `${file} imports ${sdk}`).toBe(true);
      }
    }
    const index = fs.readFileSync(path.join(root, 'constructs/index.ts'), 'utf8');
    for (const file of Object.keys(CLOUD_SDKS)) {
      expect(index).not.toContain(`'./${file.replace('constructs/', '').replace(/\.ts$/, '')}'`);
    }
  });

  it.each(PURE)('%s imports neither cdk8s nor Pulumi', (dir) => {
    for (const file of sources(dir)) {
      const engines = imports(file).filter((i) => /^(cdk8s|cdk8s-plus-\d+|@pulumi\/)/.test(i));
      expect(engines, file).toEqual([]);
    }
  });

  it('keeps constructs/ free of file, environment and clock access (the CLI entry excepted)', () => {
    for (const file of sources('constructs').filter((f) => !f.startsWith('constructs/cli/'))) {
      const text = fs.readFileSync(path.join(root, file), 'utf8');
      expect(
        imports(file).filter((i) => /^(node:)?(fs|child_process|os)$/.test(i)),
        file,
      ).toEqual([]);
      // The CrossGuard pack's entry is a program the Pulumi CLI runs with nothing but its environment: it may read
      // process.env (its profile variable), and nothing else here may.
      const env = file === POLICY_PACK_ENTRY ? text.replace(/\bprocess\.env\b/g, '') : text;
      expect(env, file).not.toMatch(/process\.env|Date\.now\(|new Date\(/);
    }
  });

  it('keeps constructs/ independent of stacks/, examples/ and test/', () => {
    for (const file of sources('constructs')) {
      expect(
        imports(file).filter((i) => /(^|\/)(stacks|examples|test)\//.test(i)),
        file,
      ).toEqual([]);
    }
  });
});
