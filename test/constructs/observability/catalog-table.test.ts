import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { METRIC_CATALOG } from '../../../constructs/observability/catalog';
import {
  METRIC_TABLE_MARKERS,
  renderMetricCatalog,
  withMetricCatalog,
} from '../../../constructs/observability/catalog-table';
import { DIALECTS } from '../../../constructs/routing/types';
import { expectInvalid } from '../../helpers/errors';

describe('renderMetricCatalog', () => {
  const table = renderMetricCatalog();

  it('has a row per catalogued dialect with its request counter, route label and every source', () => {
    for (const dialect of DIALECTS) {
      const entry = METRIC_CATALOG[dialect];
      if (!entry) {
        expect(table).toMatch(new RegExp(`Not catalogued: .*\`${dialect}\``));
        continue;
      }
      const row = table.split('\n').find((line) => line.startsWith(`| \`${dialect}\` |`));
      expect(row, dialect).toBeDefined();
      expect(row).toContain(`\`${entry.requests.metric}\``);
      expect(row).toContain(`\`${entry.routeLabel}\``);
      for (const source of entry.sources) expect(table).toContain(source);
    }
  });

  it('escapes the pipes of label matchers so the Markdown table keeps its columns', () => {
    const rows = table.split('\n').filter((line) => line.startsWith('| `'));
    const columns = (line: string) => line.replace(/\\\|/g, '').split('|').length;
    for (const row of rows) expect(columns(row)).toBe(columns(table.split('\n')[0]!));
  });
});

describe('withMetricCatalog', () => {
  it('replaces what is between the markers and keeps the rest', () => {
    const page = `# Title\n${METRIC_TABLE_MARKERS.start}\nold\n${METRIC_TABLE_MARKERS.end}\nAfter\n`;
    const out = withMetricCatalog(page);
    expect(out.startsWith(`# Title\n${METRIC_TABLE_MARKERS.start}\n| Dialect |`)).toBe(true);
    expect(out).not.toContain('\nold\n');
    expect(out.endsWith(`${METRIC_TABLE_MARKERS.end}\nAfter\n`)).toBe(true);
    expect(withMetricCatalog(out)).toBe(out);
  });

  it('refuses a page without the markers', () => {
    expectInvalid(() => withMetricCatalog('# no table here'), 'page', /markers/);
  });

  it('keeps docs/observability.md in step with the catalog (run `npm run docs` to refresh)', () => {
    const page = fs.readFileSync(path.resolve(__dirname, '../../../docs/observability.md'), 'utf8');
    expect(withMetricCatalog(page)).toBe(page);
  });
});
