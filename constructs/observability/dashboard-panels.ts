/**
 * Panels of the route dashboard: per rule a request rate, a 5xx ratio and a latency time series, and a stat per
 * service level objective; rows and the grid layout. Every object is checked against @grafana/schema with
 * `satisfies` (a type-only import: nothing of Grafana's package is loaded or published). Pure: no engine imports.
 */
import type { DataQuery, Panel, RowPanel, VariableModel } from '@grafana/schema';
import type { Options as StatOptions } from '@grafana/schema/dist/esm/raw/composable/stat/panelcfg/x/StatPanelCfg_types.gen';
import type { Options as TimeSeriesOptions } from '@grafana/schema/dist/esm/raw/composable/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen';
import type { Dialect, RouteSlo } from '../routing/types';
import type {
  GrafanaDataSourceVariable,
  GrafanaFieldDefaults,
  GrafanaFieldOverride,
  GrafanaGridPos,
  GrafanaPanel,
  GrafanaRowPanel,
  GrafanaTarget,
  Json,
} from './dashboard-grafana';
import { QUANTILES, RECORD_NAMES, type Signal } from './golden-signals';
import { ROUTE_LABELS, SLO_RECORD_NAMES, type SloKind } from './slo-names';

/** A golden signal ('rate', 'errors', 'latency'): the dashboard draws what goldenSignalRules records. */
export type DashboardSignal = Signal;

/** Grafana's grid is 24 columns wide. */
export const GRID_COLUMNS = 24;
/** Height of a time series panel and of a rule's line of panels. */
const PANEL_HEIGHT = 8;

/** One rule with backends, as its recorded series are labelled. */
export interface RouteEntry {
  readonly policy: string;
  readonly namespace: string;
  readonly rule: string;
  /** The `switchyard_hosts` label: the policy's hosts joined by ','. */
  readonly hosts: string;
  readonly dialect: Dialect;
  /** The rule's objective, else its policy's. */
  readonly slo?: RouteSlo;
}

/** One objective of a rule: its kind, target ratio (0.999), window and a readable statement. */
export interface Objective {
  readonly kind: SloKind;
  readonly ratio: number;
  readonly window: string;
  readonly statement: string;
}

/** A percentage as a ratio without binary noise (99.9 -> 0.999, not 0.9990000000000001). */
function ratioOf(percent: number): number {
  return Number((percent / 100).toPrecision(12));
}

/** The objectives of an SLO, availability first. */
export function objectivesOf(slo: RouteSlo | undefined): Objective[] {
  if (!slo) return [];
  const window = slo.window ?? '30d';
  const objectives: Objective[] = [];
  if (slo.availability !== undefined)
    objectives.push({
      kind: 'availability',
      ratio: ratioOf(slo.availability),
      window,
      statement: `${slo.availability}% without 5xx over ${window}`,
    });
  if (slo.latency)
    objectives.push({
      kind: 'latency',
      ratio: ratioOf(slo.latency.percentile),
      window,
      statement: `${slo.latency.percentile}% within ${slo.latency.threshold} over ${window}`,
    });
  return objectives;
}

// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a template literal
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' } as const satisfies Json<Panel['datasource']>;

/** The label matchers selecting one rule's series (and one objective's, with `slo`). */
export function routeSelector(entry: RouteEntry, slo?: SloKind): string {
  const labels: [string, string][] = [
    [ROUTE_LABELS.policy, entry.policy],
    [ROUTE_LABELS.namespace, entry.namespace],
    [ROUTE_LABELS.rule, entry.rule],
    [ROUTE_LABELS.controller, entry.dialect],
    ...(slo ? [[ROUTE_LABELS.slo, slo] as [string, string]] : []),
  ];
  return `{${labels.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}}`;
}

function target(refId: string, expr: string, legendFormat: string, instant = false): GrafanaTarget {
  return {
    refId,
    datasource: DATASOURCE,
    expr,
    legendFormat,
    range: !instant,
    instant,
    editorMode: 'code',
  } as const satisfies Json<DataQuery> & Record<string, unknown>;
}

const TIME_SERIES_OPTIONS = {
  legend: { showLegend: true, displayMode: 'list', placement: 'bottom', calcs: [] },
  tooltip: { mode: 'multi', sort: 'desc' },
} as const satisfies Json<TimeSeriesOptions>;

function timeSeries(
  id: number,
  title: string,
  description: string,
  defaults: GrafanaFieldDefaults,
  targets: readonly GrafanaTarget[],
  gridPos: GrafanaGridPos,
): GrafanaPanel {
  return {
    id,
    type: 'timeseries',
    title,
    description,
    datasource: DATASOURCE,
    gridPos,
    targets,
    fieldConfig: { defaults: { ...defaults, color: { mode: 'palette-classic' } }, overrides: [] },
    options: TIME_SERIES_OPTIONS,
  } as const satisfies Json<Panel>;
}

const STAT_OPTIONS = {
  colorMode: 'value',
  graphMode: 'none',
  justifyMode: 'auto',
  orientation: 'horizontal',
  percentChangeColorMode: 'standard',
  reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
  showPercentChange: false,
  textMode: 'value_and_name',
  wideLayout: true,
} as const satisfies Json<StatOptions>;

/**
 * A stat of one objective: the error budget left (1: untouched, 0: spent, below 0: overspent; red once
 * overspent) and the share achieved over the window, with the objective as its threshold (red below it). The
 * share follows from the two recorded series: budget left b = 1 - bad / (1 - objective), so bad = (1 - b) * (1 - objective).
 */
function sloStat(id: number, entry: RouteEntry, objective: Objective, gridPos: GrafanaGridPos): GrafanaPanel {
  const select = routeSelector(entry, objective.kind);
  const budget = `${SLO_RECORD_NAMES.budgetRemaining}${select}`;
  const achieved = `1 - (1 - max(${budget})) * (1 - max(${SLO_RECORD_NAMES.objective}${select}))`;
  const objectiveThreshold = {
    mode: 'absolute',
    steps: [
      { color: 'red', value: null },
      { color: 'green', value: objective.ratio },
    ],
  } as const;
  const overrides: GrafanaFieldOverride[] = [
    {
      matcher: { id: 'byFrameRefID', options: 'achieved' },
      properties: [
        { id: 'thresholds', value: objectiveThreshold },
        { id: 'decimals', value: 3 },
      ],
    },
  ];
  return {
    id,
    type: 'stat',
    title: `${entry.policy}/${entry.rule}: ${objective.kind} SLO`,
    description: `Objective: ${objective.statement}. Error budget left over the window, and the share achieved (red below the objective).`,
    datasource: DATASOURCE,
    gridPos,
    targets: [target('budget', budget, 'error budget left', true), target('achieved', achieved, 'achieved', true)],
    fieldConfig: {
      defaults: {
        unit: 'percentunit',
        decimals: 1,
        color: { mode: 'thresholds' },
        thresholds: {
          mode: 'absolute',
          steps: [
            { color: 'red', value: null },
            { color: 'green', value: 0 },
          ],
        },
      },
      overrides,
    },
    options: STAT_OPTIONS,
  } as const satisfies Json<Panel>;
}

/** The panels of one rule on the line at `y`, numbered from `nextId`. */
function rulePanels(
  entry: RouteEntry,
  signals: readonly DashboardSignal[],
  y: number,
  nextId: () => number,
): GrafanaPanel[] {
  const objectives = objectivesOf(entry.slo);
  const series = signals.length;
  // Time series share the line with a column of SLO stats (a quarter of the width) when the rule has objectives.
  const seriesWidth = objectives.length > 0 ? 18 : GRID_COLUMNS;
  const w = Math.floor(seriesWidth / series);
  const name = `${entry.policy}/${entry.rule}`;
  const about = `Rule ${entry.rule} of policy ${entry.policy} (namespace ${entry.namespace}), hosts ${entry.hosts}, measured at ${entry.dialect}.`;
  const select = routeSelector(entry);
  const panels: GrafanaPanel[] = [];
  const at = (i: number): GrafanaGridPos => ({ x: i * w, y, w, h: PANEL_HEIGHT });
  signals.forEach((signal, i) => {
    const id = nextId();
    if (signal === 'rate')
      panels.push(
        timeSeries(
          id,
          `${name}: requests/s`,
          about,
          { unit: 'reqps', min: 0 },
          [target('A', `${RECORD_NAMES.rate}${select}`, 'requests/s')],
          at(i),
        ),
      );
    else if (signal === 'errors')
      panels.push(
        timeSeries(
          id,
          `${name}: 5xx ratio`,
          about,
          { unit: 'percentunit', min: 0, max: 1 },
          [target('A', `${RECORD_NAMES.errors}${select}`, '5xx')],
          at(i),
        ),
      );
    else
      panels.push(
        timeSeries(
          id,
          `${name}: latency`,
          about,
          { unit: 's', min: 0 },
          QUANTILES.map((q) =>
            target(`p${Math.round(q * 100)}`, `${RECORD_NAMES.latency(q)}${select}`, `p${Math.round(q * 100)}`),
          ),
          at(i),
        ),
      );
  });
  const h = PANEL_HEIGHT / Math.max(1, objectives.length);
  objectives.forEach((objective, k) => {
    panels.push(
      sloStat(nextId(), entry, objective, { x: seriesWidth, y: y + k * h, w: GRID_COLUMNS - seriesWidth, h }),
    );
  });
  return panels;
}

/** A row per distinct set of hosts (in order of first appearance), each followed by a line of panels per rule. */
export function layoutPanels(
  entries: readonly RouteEntry[],
  signals: readonly DashboardSignal[],
): (GrafanaRowPanel | GrafanaPanel)[] {
  const rows = new Map<string, RouteEntry[]>();
  for (const entry of entries) rows.set(entry.hosts, [...(rows.get(entry.hosts) ?? []), entry]);
  let id = 0;
  const nextId = () => ++id;
  let y = 0;
  const panels: (GrafanaRowPanel | GrafanaPanel)[] = [];
  for (const [hosts, members] of rows) {
    panels.push({
      id: nextId(),
      type: 'row',
      title: hosts.split(',').join(', '),
      collapsed: false,
      gridPos: { x: 0, y, w: GRID_COLUMNS, h: 1 },
      panels: [],
    } as const satisfies Json<RowPanel>);
    y += 1;
    for (const entry of members) {
      panels.push(...rulePanels(entry, signals, y, nextId));
      y += PANEL_HEIGHT;
    }
  }
  return panels;
}

/** The data source variable: a Prometheus data source, `datasource` (a name) selected first when given. */
export function datasourceVariable(datasource?: string): GrafanaDataSourceVariable {
  return {
    name: 'datasource',
    label: 'Data source',
    type: 'datasource',
    query: 'prometheus',
    hide: 0,
    refresh: 1,
    regex: '',
    ...(datasource !== undefined ? { current: { selected: true, text: datasource, value: datasource } } : {}),
  } as const satisfies Json<VariableModel>;
}
