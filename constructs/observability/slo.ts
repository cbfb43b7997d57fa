/**
 * sloRules: a route's service level objectives (RouteSlo) as Prometheus recording rules and
 * multi-window, multi-burn-rate alerts (Google SRE workbook, "Alerting on SLOs"), written against the
 * metric names and labels of the environment's controller (METRIC_CATALOG) with the selectors of the
 * golden signals (route-series.ts). Windows and burn factors: burn-rates.ts. Pure: no engine imports.
 *
 * Per objective of a rule, labelled with the ROUTE_LABELS and `switchyard_slo` ('availability' | 'latency'):
 * - requests and bad requests per second over 5m (SLO_RECORD_NAMES.requests, .badRequests);
 * - the bad ratio over every alert window but 5m from the raw counters (errorRatio / slowRatio); the 5m
 *   ratio is bad / requests of the records above (errorRatio('5m') is the golden signal's name);
 * - the bad ratio over the SLO window, summed from the 5m records (traffic-weighted, cheap);
 * - the objective as a ratio and the error budget left over the SLO window;
 * - a 'page' and a 'ticket' alert (SLO_ALERT_NAMES), each the `or` of two long-and-short window conditions.
 *   A condition whose threshold (burn factor x budget) is 1 or more cannot fire (no ratio exceeds 1: with a
 *   budget above 1/14.4, even a full outage spends less than 2% of it in an hour) and is left out, and an
 *   alert with no condition left with it; 99% and above keep all four.
 */
import { arr, assertProps, num, oneOf, opt, req, shapeOf, str } from '../core/strict';
import { checkDnsLabel } from '../core/validate';
import { namespaceOf, rulePath } from '../routing/model';
import { DEFAULT_SLO_WINDOW, sloWindowDays } from '../routing/slo-checks';
import type { Dialect, RouteSlo, RoutingPolicy } from '../routing/types';
import { DIALECTS } from '../routing/types';
import { validatePolicies } from '../routing/validate';
import { parseDuration } from '../routing/values';
import {
  type AlertSeverity,
  type BurnWindow,
  budgetRatio,
  burnWindows,
  leValues,
  MIN_WINDOW_MINUTES,
  promDuration,
  promNumber,
} from './burn-rates';
import type { ControllerMetrics } from './catalog';
import type { RecordingRule } from './golden-signals';
import { matchAny, RouteTelemetryError, routePrometheusRule, routeSeries, sel } from './route-series';
import { ROUTE_LABELS, SLO_ALERT_NAMES, SLO_RECORD_NAMES, type SloKind } from './slo-names';

/** Options of sloRules. */
export interface SloRuleOptions {
  /** The environment's controller dialect. */
  readonly dialect: Dialect;
  /**
   * Namespace of the PrometheusRule object.
   * @default - none set: the namespace it is applied to
   */
  readonly namespace?: string;
  /**
   * A DNS-1123 label telling this object apart when an environment's policies are split over several
   * (each call with a part of them); it ends the object's name.
   * @default - the environment's one object
   */
  readonly part?: string;
  /**
   * Value of the `namespace` label on every alert. The Prometheus Operator routes an AlertmanagerConfig in
   * namespace N only alerts labelled `namespace="N"` (its default matcher strategy, OnNamespace): set the
   * namespace of the sloAlertRouting object here.
   * @default - `namespace` when set, otherwise no `namespace` label (only a global Alertmanager route matches)
   */
  readonly alertNamespace?: string;
  /**
   * Bucket boundaries of the controller's duration histogram, in the unit of its `le` label (milliseconds
   * for Envoy, seconds otherwise), when the controller is configured with other than its defaults.
   * @default - the controller's defaults (METRIC_CATALOG[dialect].duration.buckets)
   */
  readonly histogramBuckets?: readonly number[];
}

/** One Prometheus alerting rule. */
export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/** A plain monitoring.coreos.com/v1 PrometheusRule with recording and alerting rules. */
export interface SloRuleObject {
  readonly apiVersion: 'monitoring.coreos.com/v1';
  readonly kind: 'PrometheusRule';
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels: Readonly<Record<string, string>>;
  };
  readonly spec: {
    readonly groups: readonly { readonly name: string; readonly rules: readonly (RecordingRule | AlertingRule)[] }[];
  };
}

/**
 * How long a condition must hold before the alert fires, per severity. The short window already makes an
 * alert stop soon after the burn does, so `for` only rides out noise: 2 minutes (a few evaluations) for
 * pages, whose fastest condition spends 2% of the budget an hour; 15 minutes for tickets, whose conditions
 * span hours to days, so a ratio hovering at the threshold does not open and close tickets.
 */
export const ALERT_FOR: Readonly<Record<AlertSeverity, string>> = { page: '2m', ticket: '15m' };

const OPTIONS = shapeOf<SloRuleOptions>()({
  dialect: req(oneOf(...DIALECTS)),
  namespace: opt(str(checkDnsLabel)),
  part: opt(str(checkDnsLabel)),
  alertNamespace: opt(str(checkDnsLabel)),
  histogramBuckets: opt(
    arr(num(), (v) =>
      !Array.isArray(v) || v.length === 0
        ? 'must list at least one boundary'
        : v.some((b) => typeof b !== 'number') ||
            v.every((b, i) => (b as number) > 0 && (i === 0 || (b as number) > (v[i - 1] as number)))
          ? undefined
          : 'must be positive and strictly ascending, in the unit of the le label',
    ),
  ),
});

/** One objective of one rule, resolved. */
interface Objective {
  readonly kind: SloKind;
  /** The objective in percent (99.9). */
  readonly percent: number;
  /** Where the objective is set ('shop.slo' or 'shop.rules[1].slo'). */
  readonly at: string;
  readonly slo: RouteSlo;
  readonly days: number;
}

function objectivesOf(policy: RoutingPolicy, index: number): Objective[] {
  const rule = policy.rules[index]!;
  const slo = rule.slo ?? policy.slo;
  if (!rule.backends || !slo) return [];
  const at = rule.slo ? `${rulePath(policy, index)}.slo` : `${policy.name}.slo`;
  const days = sloWindowDays(slo.window ?? DEFAULT_SLO_WINDOW)!;
  return [
    ...(slo.availability !== undefined ? [{ kind: 'availability' as const, percent: slo.availability }] : []),
    ...(slo.latency ? [{ kind: 'latency' as const, percent: slo.latency.percentile }] : []),
  ].map((o) => ({ ...o, at, slo, days }));
}

/** The bucket boundary (in `le` units) of a latency threshold, or a RouteTelemetryError naming the nearest. */
function thresholdBound(
  o: Objective,
  metrics: ControllerMetrics,
  dialect: Dialect,
  custom: readonly number[] | undefined,
): number {
  const histogram = metrics.duration;
  const at = `${o.at}.latency.threshold`;
  if (!histogram)
    throw new RouteTelemetryError(
      at,
      dialect,
      'latency',
      metrics.noHistogram ?? 'no duration histogram',
      'Keep the availability objective and measure latency at the backend, or compile for a controller with a histogram.',
    );
  const threshold = o.slo.latency!.threshold;
  const bound = parseDuration(threshold)! / 1000 / histogram.secondsPerUnit;
  const buckets = custom ?? histogram.buckets;
  if (buckets.some((b) => Math.abs(b - bound) <= 1e-9 * Math.max(1, b)))
    return buckets.find((b) => Math.abs(b - bound) <= 1e-9 * Math.max(1, b))!;
  const unit = histogram.secondsPerUnit === 1 ? 's' : 'ms';
  const below = [...buckets].reverse().find((b) => b < bound);
  const above = buckets.find((b) => b > bound);
  const near = [below, above].filter((b) => b !== undefined).map((b) => `${b}${unit}`);
  throw new RouteTelemetryError(
    at,
    dialect,
    'latency',
    `${threshold} is no bucket boundary of its duration histogram (${custom ? 'boundaries given' : histogram.bucketsSource}: ${buckets.join(', ')} ${unit}), so the share of requests under it cannot be counted; nearest boundaries: ${near.join(' and ')}`,
    `Use one of those as the threshold, or add ${promNumber(bound)}${unit} to the controller's buckets and pass them as histogramBuckets.`,
    `cannot measure latency under ${threshold}`,
  );
}

/** `{a="x",b="y"}` selecting exactly one recorded series. */
function own(labels: Readonly<Record<string, string>>): string {
  return `{${Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',')}}`;
}

/** The raw-counter expressions of one objective: bad ratio over a window, and 5m request and bad rates. */
interface Exprs {
  readonly ratio: (window: string) => string;
  readonly requests: string;
  readonly bad: string;
}

function exprsFor(o: Objective, metrics: ControllerMetrics, selector: string, bound: number | undefined): Exprs {
  const rate = (series: string, window: string) => `sum(rate(${series}[${window}]))`;
  if (o.kind === 'availability') {
    const errors = sel(metrics.serverErrors.metric, selector, metrics.serverErrors.matcher);
    const total = sel(metrics.requests.metric, selector);
    return {
      ratio: (w) => `${rate(errors, w)} / ${rate(total, w)}`,
      requests: rate(total, '5m'),
      bad: rate(errors, '5m'),
    };
  }
  const bucket = metrics.duration!.metric;
  const fast = sel(bucket, selector, matchAny('le', leValues(bound!)));
  const all = sel(bucket, selector, 'le="+Inf"');
  return {
    ratio: (w) => `1 - ${rate(fast, w)} / ${rate(all, w)}`,
    requests: rate(all, '5m'),
    bad: `${rate(all, '5m')} - ${rate(fast, '5m')}`,
  };
}

const KIND_WORDS: Readonly<Record<SloKind, string>> = {
  availability: 'requests answered without a 5xx',
  latency: 'requests answered within the threshold',
};

function describeObjective(o: Objective): string {
  const window = o.slo.window ?? DEFAULT_SLO_WINDOW;
  return o.kind === 'availability'
    ? `${o.percent}% of requests without a 5xx over ${window}`
    : `${o.percent}% of requests within ${o.slo.latency!.threshold} over ${window}`;
}

function alertFor(
  o: Objective,
  severity: AlertSeverity,
  windows: readonly BurnWindow[],
  ratioSeries: (minutes: number) => string,
  labels: Readonly<Record<string, string>>,
  alertLabels: Readonly<Record<string, string>>,
): AlertingRule | undefined {
  const budget = budgetRatio(o.percent);
  const conditions = windows.filter((w) => w.severity === severity && w.factor * budget < 1);
  if (conditions.length === 0) return undefined;
  const expr = conditions
    .map((w) => {
      const threshold = promNumber(w.factor * budget);
      return `(${ratioSeries(w.long)} > ${threshold} and ${ratioSeries(w.short)} > ${threshold})`;
    })
    .join(' or ');
  const route = `${labels[ROUTE_LABELS.namespace]}/${labels[ROUTE_LABELS.policy]} rule ${labels[ROUTE_LABELS.rule]}`;
  const how = conditions
    .map(
      (w) =>
        `${promNumber(w.budgetPercent)}% of the budget within ${promDuration(w.long)} (burn rate ${promNumber(w.factor)}: bad ratio above ${promNumber(w.factor * budget)} over ${promDuration(w.long)} and ${promDuration(w.short)})`,
    )
    .join(', or ');
  return {
    alert: SLO_ALERT_NAMES[o.kind],
    expr,
    for: ALERT_FOR[severity],
    labels: { severity, ...labels, ...alertLabels },
    annotations: {
      summary: `Route ${route} (${labels[ROUTE_LABELS.hosts]}) is spending its ${o.kind} error budget ${severity === 'page' ? 'fast' : 'steadily'}`,
      description:
        `Objective: ${describeObjective(o)} (${KIND_WORDS[o.kind]}), measured at ${labels[ROUTE_LABELS.controller]}; ` +
        `error budget ${promNumber(budget * 100)}% of requests over ${o.slo.window ?? DEFAULT_SLO_WINDOW}. ` +
        `Firing because the route spent at least ${how}. Bad ratio over the long window: {{ $value | humanizePercentage }}.`,
    },
  };
}

/** The recording and alerting rules of one objective. */
function objectiveRules(
  o: Objective,
  exprs: Exprs,
  routeLabels: Readonly<Record<string, string>>,
  alertLabels: Readonly<Record<string, string>>,
): (RecordingRule | AlertingRule)[] {
  const labels = { ...routeLabels, [ROUTE_LABELS.slo]: o.kind };
  const name = o.kind === 'availability' ? SLO_RECORD_NAMES.errorRatio : SLO_RECORD_NAMES.slowRatio;
  const select = own(labels);
  const windows = burnWindows(o.days);
  const ratioSeries = (minutes: number) =>
    minutes === MIN_WINDOW_MINUTES
      ? `(${SLO_RECORD_NAMES.badRequests}${select} / ${SLO_RECORD_NAMES.requests}${select})`
      : `${name(promDuration(minutes))}${select}`;
  const alertWindows = [...new Set(windows.flatMap((w) => [w.long, w.short]))]
    .filter((m) => m !== MIN_WINDOW_MINUTES)
    .sort((a, b) => a - b);
  const sloWindow = promDuration(o.days * 1440);
  const budget = budgetRatio(o.percent);
  return [
    { record: SLO_RECORD_NAMES.requests, expr: exprs.requests, labels },
    { record: SLO_RECORD_NAMES.badRequests, expr: exprs.bad, labels },
    ...alertWindows.map((m) => ({ record: name(promDuration(m)), expr: exprs.ratio(promDuration(m)), labels })),
    {
      record: name(sloWindow),
      expr: `sum_over_time(${SLO_RECORD_NAMES.badRequests}${select}[${sloWindow}]) / sum_over_time(${SLO_RECORD_NAMES.requests}${select}[${sloWindow}])`,
      labels,
    },
    { record: SLO_RECORD_NAMES.objective, expr: `vector(${promNumber(1 - budget)})`, labels },
    {
      record: SLO_RECORD_NAMES.budgetRemaining,
      expr: `1 - ${name(sloWindow)}${select} / ${promNumber(budget)}`,
      labels,
    },
    ...(['page', 'ticket'] as const).flatMap((severity) => {
      const alert = alertFor(o, severity, windows, ratioSeries, labels, alertLabels);
      return alert ? [alert] : [];
    }),
  ];
}

/**
 * Recording rules and burn-rate alerts for every rule with backends and an objective (its own `slo`, else
 * its policy's), for the controller of `options.dialect`, as one PrometheusRule (a group per policy with
 * an objective). Throws InvalidPropertyError for bad options, the routing errors for policies that do not
 * compile for the dialect, UnsupportedFeatureError for a dialect without Prometheus metrics (aws-alb), and
 * RouteTelemetryError where an objective cannot be measured for one rule: series shared with another rule,
 * TLS passthrough, a latency objective without a histogram (HAProxy) or off the histogram's buckets.
 */
export function sloRules(policies: readonly RoutingPolicy[], options: SloRuleOptions): SloRuleObject {
  assertProps(options, OPTIONS, 'options');
  validatePolicies(policies);
  const { dialect } = options;
  const series = routeSeries(policies, dialect);
  const alertNamespace = options.alertNamespace ?? options.namespace;
  const alertLabels: Record<string, string> = alertNamespace !== undefined ? { namespace: alertNamespace } : {};
  const groups = policies.flatMap((policy) => {
    const rules = policy.rules.flatMap((_, index) => {
      const objectives = objectivesOf(policy, index);
      if (objectives.length === 0) return [];
      const bounds = objectives.map((o) =>
        o.kind === 'latency' ? thresholdBound(o, series.metrics, dialect, options.histogramBuckets) : undefined,
      );
      const selector = series.selector(policy, index);
      const labels = series.labels(policy, index);
      return objectives.flatMap((o, i) =>
        objectiveRules(o, exprsFor(o, series.metrics, selector, bounds[i]), labels, alertLabels),
      );
    });
    return rules.length > 0 ? [{ name: `switchyard.slo.${namespaceOf(policy)}.${policy.name}`, rules }] : [];
  });
  return routePrometheusRule('switchyard-route-slos', dialect, options.namespace, groups, options.part);
}
