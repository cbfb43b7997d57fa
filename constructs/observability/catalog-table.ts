/**
 * The metric catalog as Markdown, for docs/observability.md (`npm run docs` refreshes it between the
 * markers, and a test keeps the committed page in step). Pure.
 */
import { InvalidPropertyError } from '../core/validate';
import { DIALECTS } from '../routing/types';
import { METRIC_CATALOG } from './catalog';

/** Markers around the generated table in docs/observability.md. */
export const METRIC_TABLE_MARKERS = {
  start: '<!-- metric-catalog:start (npm run docs) -->',
  end: '<!-- metric-catalog:end -->',
} as const;

const ATTRIBUTION: Record<string, string> = {
  rule: 'per rule',
  'route-object': 'per route object',
  'backend-service': 'per backend Service',
};

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (text: string) => `\`${text}\``;

/** One row per catalogued controller, then the sources of each. */
export function renderMetricCatalog(): string {
  const header = [
    '| Dialect | Controller | Requests | 5xx | Duration histogram | Route label | Attribution | Needs |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  const rows: string[] = [];
  const sources: string[] = [];
  for (const dialect of DIALECTS) {
    const entry = METRIC_CATALOG[dialect];
    if (!entry) continue;
    const duration = entry.duration
      ? `${code(entry.duration.metric)} (${entry.duration.secondsPerUnit === 1 ? 's' : 'ms'})`
      : `none: ${entry.noHistogram ?? 'no histogram'}`;
    rows.push(
      `| ${[
        code(dialect),
        entry.controller,
        code(entry.requests.metric),
        `${code(entry.serverErrors.metric)} ${code(`{${entry.serverErrors.matcher}}`)}`,
        duration,
        code(entry.routeLabel),
        ATTRIBUTION[entry.attribution] ?? entry.attribution,
        entry.requires ?? '-',
      ]
        .map(cell)
        .join(' | ')} |`,
    );
    sources.push(`- **${entry.controller}** (${code(dialect)}): ${entry.note}`);
    for (const source of entry.sources) sources.push(`  - ${source}`);
  }
  const missing = DIALECTS.filter((d) => !METRIC_CATALOG[d]).map(code);
  return [
    ...header,
    ...rows,
    '',
    `Not catalogued: ${missing.join(', ')} (goldenSignalRules refuses them with UnsupportedFeatureError).`,
    '',
    'How each label value is formed, and where the names were checked:',
    '',
    ...sources,
  ].join('\n');
}

/** `page` with the text between the markers replaced by the current table. */
export function withMetricCatalog(page: string): string {
  const start = page.indexOf(METRIC_TABLE_MARKERS.start);
  const end = page.indexOf(METRIC_TABLE_MARKERS.end);
  if (start < 0 || end < start)
    throw new InvalidPropertyError(
      'page',
      `the page has no '${METRIC_TABLE_MARKERS.start}' ... '${METRIC_TABLE_MARKERS.end}' markers: add them where the table goes`,
    );
  return `${page.slice(0, start + METRIC_TABLE_MARKERS.start.length)}\n${renderMetricCatalog()}\n${page.slice(end)}`;
}
