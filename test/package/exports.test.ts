import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as {
  exports: Record<string, string | { types: string; default: string }>;
  typesVersions: Record<string, Record<string, string[]>>;
};

describe('package subpaths', () => {
  // moduleResolution node10 ignores `exports`: typesVersions is what finds 'switchyard/eks' types there.
  it('give every subpath export its types under typesVersions too, pointing at the same file', () => {
    const subpaths = Object.entries(manifest.exports).filter(
      (entry): entry is [string, { types: string; default: string }] =>
        entry[0] !== '.' && typeof entry[1] === 'object',
    );
    expect(subpaths.length).toBeGreaterThan(0);
    for (const [subpath, target] of subpaths) {
      expect(manifest.typesVersions['*']?.[subpath.slice(2)], subpath).toEqual([target.types.slice(2)]);
    }
    expect(Object.keys(manifest.typesVersions['*'] ?? {})).toHaveLength(subpaths.length);
  });
});
