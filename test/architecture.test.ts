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
const PURE = ['constructs/core', 'constructs/routing', 'constructs/guardrails', 'constructs/ingress'];

describe('architecture rules', () => {
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
      expect(text, file).not.toMatch(/process\.env|Date\.now\(|new Date\(/);
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
