/**
 * routeDashboard: one Grafana dashboard per environment over the recorded route series (golden signals and
 * SLO budgets), as a ConfigMap for the Grafana dashboard sidecar of kube-prometheus-stack. Pure: no engine
 * imports, no I/O, no clock and no random ids; the same input gives the same bytes.
 */
import type { Dashboard } from '@grafana/schema';
import { assertProps, oneOf, opt, req, shapeOf, str } from '../core/strict';
import { checkDnsLabel } from '../core/validate';
import { namespaceOf } from '../routing/model';
import { objectName } from '../routing/names';
import type { Dialect, KubeObject, RoutingPolicy } from '../routing/types';
import { DIALECTS } from '../routing/types';
import type { GrafanaDashboard, Json } from './dashboard-grafana';
import { type DashboardSignal, datasourceVariable, layoutPanels, type RouteEntry } from './dashboard-panels';
import { goldenSignalRules, SIGNALS } from './golden-signals';
import { SIGNALS_FIELD } from './route-series';

export type {
  GrafanaDashboard,
  GrafanaDataSourceRef,
  GrafanaDataSourceVariable,
  GrafanaFieldDefaults,
  GrafanaFieldOverride,
  GrafanaGridPos,
  GrafanaPanel,
  GrafanaRowPanel,
  GrafanaTarget,
  GrafanaThresholdStep,
  GrafanaThresholds,
} from './dashboard-grafana';
export type { DashboardSignal } from './dashboard-panels';

/** Options of routeDashboard. */
export interface RouteDashboardOptions {
  /** The environment (a DNS-1123 label): the dashboard's title, uid and ConfigMap name derive from it. */
  readonly environment: string;
  /** The environment's controller dialect, as given to goldenSignalRules: panels select its series. */
  readonly dialect: Dialect;
  /**
   * A DNS-1123 label telling this dashboard apart from the environment's others, when its policies are split
   * over several (each call with a part of them and its own name); it joins the uid, title and ConfigMap name.
   * @default - the environment's one dashboard
   */
  readonly name?: string;
  /**
   * Namespace of the ConfigMap: one the sidecar watches (kube-prometheus-stack: Grafana's own namespace unless
   * `sidecar.dashboards.searchNamespace` says otherwise).
   * @default - none set: the namespace it is applied to
   */
  readonly namespace?: string;
  /**
   * Grafana folder of the dashboard, as the `grafana_folder` annotation (the sidecar's `folderAnnotation`).
   * @default - no annotation: the sidecar's default folder
   */
  readonly folder?: string;
  /**
   * Name of the Prometheus data source the `datasource` variable selects first; any other can be picked.
   * @default - Grafana's default Prometheus data source
   */
  readonly datasource?: string;
  /**
   * Signals to draw, as recorded by goldenSignalRules (leave out 'latency' for HAProxy).
   * @default ['rate', 'errors', 'latency']
   */
  readonly signals?: readonly DashboardSignal[];
}

/** A plain v1 ConfigMap holding one dashboard JSON file, labelled for the Grafana sidecar. */
export interface DashboardConfigMap extends KubeObject {
  readonly apiVersion: 'v1';
  readonly kind: 'ConfigMap';
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  /** One key, `<uid>.json`: the dashboard, pretty-printed. */
  readonly data: Readonly<Record<string, string>>;
}

/** Most bytes of a ConfigMap's data (keys and values), as the API server counts them: 1 MiB. */
export const CONFIGMAP_MAX_BYTES = 1024 * 1024;

/** Grafana's limit on a dashboard uid. */
export const DASHBOARD_UID_MAX = 40;

/** The schema version of the dashboard JSON (that of @grafana/schema 13); newer Grafana migrates it on load. */
export const DASHBOARD_SCHEMA_VERSION = 42;

/** The label the kube-prometheus-stack sidecar selects dashboards by (`sidecar.dashboards.label`, value "1"). */
export const DASHBOARD_SIDECAR_LABEL = 'grafana_dashboard';

/** The annotation naming a dashboard's folder (`sidecar.dashboards.folderAnnotation`). */
export const DASHBOARD_FOLDER_ANNOTATION = 'grafana_folder';

/** The dashboard does not fit in one ConfigMap. `bytes` is its data size; the message says how to split it. */
export class DashboardTooLargeError extends Error {
  public constructor(
    public readonly uid: string,
    public readonly bytes: number,
    public readonly panels: number,
  ) {
    super(
      `dashboard '${uid}' (${panels} panels) is ${bytes} bytes; a ConfigMap holds at most ${CONFIGMAP_MAX_BYTES} (1 MiB). ` +
        `Split the policies over several dashboards: call routeDashboard with a part of them each, and a different 'name' per call.`,
    );
    this.name = 'DashboardTooLargeError';
  }
}

function checkFolder(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.trim().length === 0) return 'must be a non-empty folder name';
  if (value.length > 253) return `is ${value.length} characters; keep a folder name to 253`;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f/\\]/.test(value) || value === '.' || value === '..')
    return "must be one folder name: no '/', '\\', control characters, '.' or '..'";
  return undefined;
}

function checkDatasource(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.trim().length === 0) return 'must be a non-empty data source name';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  return /[\u0000-\u001f\u007f]/.test(value) ? 'must not hold control characters' : undefined;
}

const OPTIONS = shapeOf<RouteDashboardOptions>()({
  environment: req(str(checkDnsLabel)),
  dialect: req(oneOf(...DIALECTS)),
  name: opt(str(checkDnsLabel)),
  namespace: opt(str(checkDnsLabel)),
  folder: opt(str(checkFolder)),
  datasource: opt(str(checkDatasource)),
  signals: SIGNALS_FIELD,
});

/** The rules with backends, in policy and rule order, with the objective each one is held to. */
function routeEntries(policies: readonly RoutingPolicy[], dialect: Dialect): RouteEntry[] {
  return policies.flatMap((policy) =>
    policy.rules.flatMap((rule, index) =>
      rule.backends
        ? [
            {
              policy: policy.name,
              namespace: namespaceOf(policy),
              rule: rule.name ?? `rule-${index}`,
              hosts: policy.hosts.join(','),
              dialect,
              ...((rule.slo ?? policy.slo) ? { slo: rule.slo ?? policy.slo } : {}),
            },
          ]
        : [],
    ),
  );
}

/** The dashboard's uid: `switchyard-routes-<environment>[-<name>]`, cut to 40 characters with a hash when longer. */
export function routeDashboardUid(environment: string, name?: string): string {
  return objectName(['switchyard-routes', environment, name ?? ''], DASHBOARD_UID_MAX);
}

/**
 * The Grafana dashboard of `policies` for the environment: a row per distinct set of hosts, per rule with
 * backends a request rate, 5xx ratio and latency (p50/p90/p99) time series over goldenSignalRules' recorded
 * series, and with an SLO (the rule's, else its policy's) a stat per objective: error budget left and the share
 * achieved against the objective. Throws what goldenSignalRules throws for these policies and dialect (the
 * dashboard draws exactly the series it records), and InvalidPropertyError for bad options.
 */
export function routeDashboardJson(
  policies: readonly RoutingPolicy[],
  options: RouteDashboardOptions,
): GrafanaDashboard {
  assertProps(options, OPTIONS, 'options');
  const signals = options.signals ?? SIGNALS;
  // Validates the policies and refuses what the controller cannot attribute, as the recording rules do.
  goldenSignalRules(policies, { dialect: options.dialect, signals });
  const { environment, name } = options;
  const dashboard = {
    uid: routeDashboardUid(environment, name),
    title: `Switchyard routes: ${environment}${name ? ` (${name})` : ''}`,
    description: `Golden signals and SLOs of every route of ${environment}, measured at ${options.dialect}. Generated by Switchyard: edit the routing policies, not this dashboard.`,
    tags: ['switchyard', 'routes', environment],
    editable: false,
    graphTooltip: 1,
    schemaVersion: DASHBOARD_SCHEMA_VERSION,
    version: 1,
    refresh: '1m',
    time: { from: 'now-6h', to: 'now' },
    timezone: 'browser',
    links: [],
    annotations: { list: [] },
    templating: { list: [datasourceVariable(options.datasource)] },
    panels: layoutPanels(routeEntries(policies, options.dialect), signals),
  } as const satisfies Json<Dashboard>;
  return dashboard;
}

/**
 * routeDashboardJson as a ConfigMap for the Grafana dashboard sidecar (label `grafana_dashboard: "1"`, folder
 * annotation `grafana_folder` with `folder`), one key `<uid>.json`. Throws DashboardTooLargeError when the
 * dashboard exceeds a ConfigMap's 1 MiB; above 256 KiB apply it server-side (Pulumi, Flux and `kubectl apply
 * --server-side` do), since client-side `kubectl apply` keeps a copy in an annotation limited to 256 KiB.
 */
export function routeDashboard(policies: readonly RoutingPolicy[], options: RouteDashboardOptions): DashboardConfigMap {
  const dashboard = routeDashboardJson(policies, options);
  const key = `${dashboard.uid}.json`;
  const json = `${JSON.stringify(dashboard, null, 2)}\n`;
  const bytes = new TextEncoder().encode(key).length + new TextEncoder().encode(json).length;
  if (bytes > CONFIGMAP_MAX_BYTES) throw new DashboardTooLargeError(dashboard.uid, bytes, dashboard.panels.length);
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: objectName(['switchyard-routes-dashboard', options.environment, options.name ?? '']),
      ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
      labels: {
        [DASHBOARD_SIDECAR_LABEL]: '1',
        'app.kubernetes.io/managed-by': 'switchyard',
        'switchyard.io/environment': options.environment,
      },
      ...(options.folder !== undefined ? { annotations: { [DASHBOARD_FOLDER_ANNOTATION]: options.folder } } : {}),
    },
    data: { [key]: json },
  };
}
