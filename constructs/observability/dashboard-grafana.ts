/**
 * The Grafana dashboard JSON that routeDashboard writes, as Switchyard's own public types: only the fields it
 * emits, readonly. They are checked against @grafana/schema where the objects are built (dashboard-panels.ts,
 * `satisfies Json<Panel>` and the like, through a type-only import), so the published declarations do not
 * depend on Grafana's package. Pure: no engine imports, no runtime code.
 */

/**
 * The JSON spelling of a @grafana/schema type. JSON has no TypeScript enums: a string enum member is written as
 * its value (`ThresholdsMode.Absolute` is `'absolute'`), so string enums become the union of their values; arrays
 * become readonly arrays, which our readonly types are.
 */
export type Json<T> = T extends string
  ? `${T}`
  : T extends readonly (infer U)[]
    ? readonly Json<U>[]
    : T extends object
      ? { readonly [K in keyof T]: Json<T[K]> }
      : T;

/** The Prometheus data source a panel or query reads: the dashboard's `$datasource` variable. */
export interface GrafanaDataSourceRef {
  readonly type: 'prometheus';
  /** `${datasource}`: whatever data source the variable selects, whatever its uid. */
  readonly uid: string;
}

/** One Prometheus query of a panel (a type, not an interface: Grafana's panels take any record as a query). */
export type GrafanaTarget = {
  /** Unique within the panel. */
  readonly refId: string;
  readonly datasource: GrafanaDataSourceRef;
  /** PromQL over the recorded route series. */
  readonly expr: string;
  /** Series name in the legend. */
  readonly legendFormat: string;
  /** A range query (time series panels). */
  readonly range: boolean;
  /** An instant query (stat panels). */
  readonly instant: boolean;
  readonly editorMode: 'code';
};

/** Where a panel sits on Grafana's 24-column grid. */
export interface GrafanaGridPos {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

/** A threshold step: from `value` up (null: from minus infinity), drawn in `color`. */
export interface GrafanaThresholdStep {
  readonly color: string;
  readonly value: number | null;
}

/** Absolute thresholds, sorted by value, the first from minus infinity. */
export interface GrafanaThresholds {
  readonly mode: 'absolute';
  readonly steps: readonly GrafanaThresholdStep[];
}

/** Field defaults of a panel. */
export interface GrafanaFieldDefaults {
  /** Grafana unit id: 'reqps', 'percentunit', 's'. */
  readonly unit: string;
  readonly min?: number;
  readonly max?: number;
  readonly decimals?: number;
  readonly thresholds?: GrafanaThresholds;
  readonly color?: { readonly mode: 'palette-classic' | 'thresholds' };
}

/** Field settings for the fields of one query (by refId). */
export interface GrafanaFieldOverride {
  readonly matcher: { readonly id: 'byFrameRefID'; readonly options: string };
  readonly properties: readonly { readonly id: string; readonly value: unknown }[];
}

/** A visualization panel: a time series or a stat. */
export interface GrafanaPanel {
  /** Unique within the dashboard. */
  readonly id: number;
  readonly type: 'timeseries' | 'stat';
  readonly title: string;
  readonly description: string;
  readonly datasource: GrafanaDataSourceRef;
  readonly gridPos: GrafanaGridPos;
  readonly targets: readonly GrafanaTarget[];
  readonly fieldConfig: {
    readonly defaults: GrafanaFieldDefaults;
    readonly overrides: readonly GrafanaFieldOverride[];
  };
  /** The visualization's options (Grafana's panelcfg Options of `type`). */
  readonly options: Readonly<Record<string, unknown>>;
}

/** A row: a full-width header; while it is expanded its panels follow it in the dashboard's `panels`. */
export interface GrafanaRowPanel {
  readonly id: number;
  readonly type: 'row';
  readonly title: string;
  readonly collapsed: false;
  readonly gridPos: GrafanaGridPos;
  /** Empty while expanded (Grafana keeps the panels of a collapsed row here). */
  readonly panels: readonly GrafanaPanel[];
}

/** The data source template variable. */
export interface GrafanaDataSourceVariable {
  readonly name: 'datasource';
  readonly label: string;
  readonly type: 'datasource';
  /** The data source plugin listed: 'prometheus'. */
  readonly query: 'prometheus';
  readonly hide: 0;
  readonly refresh: 1;
  readonly regex: string;
  readonly current?: { readonly selected: boolean; readonly text: string; readonly value: string };
}

/** A Grafana dashboard (the JSON model of schema version `schemaVersion`). */
export interface GrafanaDashboard {
  /** At most 40 characters, derived from the environment. */
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly editable: boolean;
  /** 1: a shared crosshair across panels. */
  readonly graphTooltip: 0 | 1 | 2;
  readonly schemaVersion: number;
  readonly version: number;
  readonly refresh: string;
  readonly time: { readonly from: string; readonly to: string };
  readonly timezone: string;
  readonly links: readonly never[];
  readonly annotations: { readonly list: readonly never[] };
  readonly templating: { readonly list: readonly GrafanaDataSourceVariable[] };
  /** Rows, each followed by its panels, top to bottom. */
  readonly panels: readonly (GrafanaRowPanel | GrafanaPanel)[];
}
