import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';

/** The objects of a synthesized folder's `*.k8s.yaml` files (those starting with `prefix`), in file order. */
export function readManifests(dir: string, prefix = ''): any[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.k8s.yaml') && f.startsWith(prefix))
    .sort()
    .flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')).map((d) => d.toJS()));
}
