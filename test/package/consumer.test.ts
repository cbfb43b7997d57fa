import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');

/**
 * Packs the library as npm would publish it, installs the tarball into a scratch consumer project and
 * checks that `import { ... } from 'switchyard'` type-checks and runs through the `exports` map.
 */
describe('the published package', () => {
  let consumer: string;
  let files: string[];
  beforeAll(() => {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-consumer-'));
    const [packed] = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: root, encoding: 'utf8' }),
    ) as { filename: string; files: { path: string }[] }[];
    files = packed!.files.map((f) => f.path);
    consumer = path.join(scratch, 'consumer');
    const installed = path.join(consumer, 'node_modules', 'switchyard');
    fs.mkdirSync(installed, { recursive: true });
    execFileSync('tar', ['-xzf', path.join(scratch, packed!.filename), '-C', installed, '--strip-components=1']);
    // The package's dependencies, as npm would have installed them next to it.
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(installed, 'node_modules'), 'dir');
    fs.writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    fs.writeFileSync(
      path.join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'node16',
          moduleResolution: 'node16',
          target: 'ES2022',
          outDir: 'out',
          skipLibCheck: false,
          types: [],
        },
        files: ['index.ts'],
      }),
    );
    fs.writeFileSync(
      path.join(consumer, 'index.ts'),
      [
        "import { checkDnsLabel, compileRoutes, type RoutingPolicy, SchemaRegistry, WebApp, type WebAppProps } from 'switchyard';",
        "const props: WebAppProps = { image: 'ghcr.io/acme/app:1.0.0' };",
        "const policy: RoutingPolicy = { name: 'shop', hosts: ['shop.example.com'], rules: [{ backends: [{ service: 'web', port: 80 }] }] };",
        "const kinds = compileRoutes([policy], { dialect: 'gateway-api' }).objects.map((o) => o.kind);",
        "import { guardrailPolicies } from 'switchyard/crossguard';",
        "import { GuardrailValidation, runGuardrails } from 'switchyard';",
        'const guardrails = { policies: guardrailPolicies().length, plugin: typeof GuardrailValidation, findings: runGuardrails([]).length };',
        "import { EksCluster } from 'switchyard/eks';",
        "import { GkeCluster } from 'switchyard/gke';",
        "import { AksCluster } from 'switchyard/aks';",
        "import { VmCluster } from 'switchyard/vm';",
        'const clusters = [EksCluster, GkeCluster, AksCluster, VmCluster].map((c) => c.name);',
        "console.log(JSON.stringify({ label: checkDnsLabel('Bad'), web: typeof WebApp, registry: typeof SchemaRegistry, image: props.image, kinds, guardrails, clusters }));",
      ].join('\n'),
    );
  }, 180_000);

  it('ships compiled JavaScript and declarations only', () => {
    expect(files).toContain('lib/index.js');
    expect(files).toContain('lib/index.d.ts');
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.some((f) => f.startsWith('test/') || f.startsWith('stacks/'))).toBe(false);
  });

  it('ships the LICENSE and every document the README and docs link to, and links nothing outside', () => {
    expect(files).toContain('LICENSE');
    const documents = ['README.md', ...files.filter((f) => f.startsWith('docs/') && f.endsWith('.md'))];
    expect(documents).toContain('docs/README.md');
    const broken: string[] = [];
    for (const doc of documents) {
      const text = fs.readFileSync(path.join(root, doc), 'utf8');
      if (text.includes('../shared')) broken.push(`${doc}: mentions ../shared, which is not in the package`);
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/i.test(target!) || target!.startsWith('#')) continue;
        const file = path.posix.normalize(path.posix.join(path.posix.dirname(doc), target!.split('#')[0]!));
        // Generated API docs (docs/api/) are built by `npm run docs:api`, not shipped.
        if (file.startsWith('docs/api')) continue;
        if (!files.includes(file) && !files.some((f) => f.startsWith(`${file}/`))) {
          broken.push(`${doc}: links ${target}, which the package does not ship`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it('type-checks and runs a consumer that imports the public API', () => {
    execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', consumer], {
      encoding: 'utf8',
    });
    const out = execFileSync(process.execPath, [path.join(consumer, 'out/index.js')], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({
      label: expect.stringContaining('DNS-1123 label'),
      web: 'function',
      registry: 'function',
      image: 'ghcr.io/acme/app:1.0.0',
      kinds: ['HTTPRoute'],
      guardrails: { policies: 11, plugin: 'function', findings: 0 },
      clusters: ['EksCluster', 'GkeCluster', 'AksCluster', 'VmCluster'],
    });
  });
});
