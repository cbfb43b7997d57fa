import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
};

/**
 * A consumer project in a scratch folder where only `packages` (and switchyard's own dependencies) are
 * installed: switchyard is a copy of the built lib/ with its package.json, the others link into this
 * repository's node_modules (their own dependencies resolve from there, as from an install). A package left
 * out is really absent: resolving it from switchyard fails as it would for a consumer who did not install it.
 * Returns the project folder; the caller removes it.
 */
export function scratchConsumer(
  packages: readonly string[],
  options: { readonly type?: 'commonjs' | 'module'; readonly prefix?: string } = {},
): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), options.prefix ?? 'switchyard-consumer-'));
  const modules = path.join(dir, 'node_modules');
  const own = path.join(modules, 'switchyard');
  fs.mkdirSync(own, { recursive: true });
  fs.cpSync(path.join(root, 'lib'), path.join(own, 'lib'), { recursive: true });
  fs.copyFileSync(path.join(root, 'package.json'), path.join(own, 'package.json'));
  for (const name of [...Object.keys(manifest.dependencies), ...packages]) {
    fs.mkdirSync(path.dirname(path.join(modules, name)), { recursive: true });
    fs.symlinkSync(path.join(root, 'node_modules', name), path.join(modules, name), 'dir');
  }
  const type = options.type ? { type: options.type } : {};
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, ...type }));
  return dir;
}
