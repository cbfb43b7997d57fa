import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');

/**
 * The source module of each entry point of package.json `exports` ('./pulumi' -> <root>/constructs/pulumi/index),
 * so samples import the sources the way a consumer imports the built package.
 */
const entrySources = new Map(
  Object.entries(
    (
      JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
        exports: Record<string, string | { default: string }>;
      }
    ).exports,
  ).flatMap(([subpath, target]) => {
    const built = typeof target === 'string' ? target : target.default;
    const match = /^\.\/lib\/(.+)\.js$/.exec(built);
    return match ? [[subpath, path.join(root, 'constructs', match[1]!)] as const] : [];
  }),
);

/** Every Markdown file a user reads: the README and docs/ (generated API pages excluded). */
function documents(): string[] {
  const docs = fs
    .readdirSync(path.join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => path.join('docs', f));
  return ['README.md', ...docs];
}

/** The ```ts blocks of a document. */
function samples(file: string): string[] {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  return [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

describe('documentation code samples', () => {
  const all = documents().flatMap((file) => samples(file).map((code, i) => ({ file, i, code })));

  it('exist in the README and the guides', () => {
    expect(all.length).toBeGreaterThanOrEqual(6);
    for (const guide of ['docs/concepts.md', 'docs/guardrails.md', 'docs/pipeline.md', 'docs/controllers.md']) {
      expect(
        all.some((s) => s.file === guide),
        guide,
      ).toBe(true);
    }
  });

  it('all type-check against the package, as a user would write them', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-docs-'));
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    const files = all.map(({ file, i, code }) => {
      const name = `${file.replace(/[^\w]/g, '_')}_${i}.ts`;
      const source = code.replace(/from 'switchyard(\/[\w-]+)?'/g, (line, subpath: string | undefined) => {
        const entry = entrySources.get(`.${subpath ?? ''}`);
        return entry ? `from '${entry}'` : line;
      });
      // Each sample is its own module, so samples may reuse names.
      fs.writeFileSync(path.join(dir, name), `${source}\nexport {};\n`);
      return path.join(dir, name);
    });
    const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
    const args = ['--noEmit', '--strict', '--skipLibCheck', '--module', 'preserve', '--moduleResolution', 'bundler'];
    try {
      execFileSync(process.execPath, [tsc, ...args, '--target', 'es2022', '--types', 'node', ...files], {
        cwd: dir,
        encoding: 'utf8',
      });
    } catch (error) {
      throw new Error(`a documentation sample does not compile:\n${(error as { stdout: string }).stdout}`);
    }
  }, 120_000);
});

describe('API reference', () => {
  it('generates from the JSDoc with TypeDoc, with no warnings (npm run docs:api)', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-api-'));
    const typedoc = path.join(root, 'node_modules/typedoc/bin/typedoc');
    execFileSync(process.execPath, [typedoc, '--treatWarningsAsErrors', '--out', out], { cwd: root, encoding: 'utf8' });
    const index = fs.readFileSync(path.join(out, 'index', 'README.md'), 'utf8');
    for (const name of ['compileRoutes', 'runGuardrails', 'generateWorkflows', 'WebApp', 'Routes'])
      expect(index).toContain(name);
  }, 120_000);
});
