/** Regenerates the generated pages under docs/ (`npm run docs`). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderCapabilityTable } from 'switchyard';

const docs = path.resolve(__dirname, '../../docs');
fs.mkdirSync(docs, { recursive: true });
fs.writeFileSync(path.join(docs, 'routing-capabilities.md'), renderCapabilityTable());
console.log('wrote docs/routing-capabilities.md');
