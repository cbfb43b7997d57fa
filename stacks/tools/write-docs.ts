/** Regenerates the generated pages under docs/ (`npm run docs`). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderCapabilityTable, withMetricCatalog } from 'switchyard';

const docs = path.resolve(__dirname, '../../docs');
fs.mkdirSync(docs, { recursive: true });
fs.writeFileSync(path.join(docs, 'routing-capabilities.md'), renderCapabilityTable());
console.log('wrote docs/routing-capabilities.md');
const observability = path.join(docs, 'observability.md');
fs.writeFileSync(observability, withMetricCatalog(fs.readFileSync(observability, 'utf8')));
console.log('refreshed the metric catalog in docs/observability.md');
