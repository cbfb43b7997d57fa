/**
 * goldenSignalRules: per-route golden signals (request rate, 5xx ratio, latency quantiles) as Prometheus
 * recording rules, written against the metric names and labels of the environment's controller
 * (METRIC_CATALOG). Where the controller cannot attribute its series to one rule, a typed error says so:
 * never a query that measures something else. Pure: no engine imports, no I/O.
 */
import { assertProps, oneOf, opt, req, shapeOf, str } from '../core/strict';
import { checkDnsLabel } from '../core/validate';
import { namespaceOf, rulePath } from '../routing/model';
import type { Dialect, RoutingPolicy } from '../routing/types';
import { DIALECTS } from '../routing/types';
import { validatePolicies } from '../routing/validate';
import type { ControllerMetrics } from './catalog';
import {
  RouteTelemetryError,
  routePrometheusRule,
  routeSeries,
  SIGNALS,
  SIGNALS_FIELD,
  type Signal,
  sel,
} from './route-series';

export type { Signal } from './route-series';
export { RouteTelemetryError, SIGNALS, traefikRouterName } from './route-series';

/** The latency quantiles recorded. */
export const QUANTILES: readonly number[] = [0.5, 0.9, 0.99];

/** Options of goldenSignalRules. */
export interface GoldenSignalOptions {
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
   * Signals to record; leave out 'latency' for a controller without a duration histogram (HAProxy).
   * @default ['rate', 'errors', 'latency']
   */
  readonly signals?: readonly Signal[];
}

/** One Prometheus recording rule. */
export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** A plain monitoring.coreos.com/v1 PrometheusRule. */
export interface PrometheusRuleObject {
  readonly apiVersion: 'monitoring.coreos.com/v1';
  readonly kind: 'PrometheusRule';
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels: Readonly<Record<string, string>>;
  };
  readonly spec: { readonly groups: readonly { readonly name: string; readonly rules: readonly RecordingRule[] }[] };
}

/** Recording rule names, one per signal (latency: one per quantile). */
export const RECORD_NAMES = {
  /** Requests per second over 5 minutes. */
  rate: 'switchyard:route_requests:rate5m',
  /** Share of 5xx responses over 5 minutes. */
  errors: 'switchyard:route_errors:ratio_rate5m',
  /** The quantile `q` (0.99 -> p99) of request duration in seconds over 5 minutes. */
  latency: (q: number) => `switchyard:route_request_duration_seconds:p${Math.round(q * 100)}_5m`,
} as const;

const OPTIONS = shapeOf<GoldenSignalOptions>()({
  dialect: req(oneOf(...DIALECTS)),
  namespace: opt(str(checkDnsLabel)),
  part: opt(str(checkDnsLabel)),
  signals: SIGNALS_FIELD,
});

function signalRules(
  metrics: ControllerMetrics,
  selector: string,
  signals: readonly Signal[],
  labels: Record<string, string>,
): RecordingRule[] {
  const rules: RecordingRule[] = [];
  const rate = (series: string) => `sum(rate(${series}[5m]))`;
  if (signals.includes('rate'))
    rules.push({ record: RECORD_NAMES.rate, expr: rate(sel(metrics.requests.metric, selector)), labels });
  if (signals.includes('errors'))
    rules.push({
      record: RECORD_NAMES.errors,
      expr: `${rate(sel(metrics.serverErrors.metric, selector, metrics.serverErrors.matcher))} / ${rate(sel(metrics.requests.metric, selector))}`,
      labels,
    });
  if (signals.includes('latency') && metrics.duration) {
    const scale = metrics.duration.secondsPerUnit === 1 ? '' : ` * ${metrics.duration.secondsPerUnit}`;
    for (const q of QUANTILES)
      rules.push({
        record: RECORD_NAMES.latency(q),
        expr: `histogram_quantile(${q}, sum by (le) (rate(${sel(metrics.duration.metric, selector)}[5m])))${scale}`,
        labels,
      });
  }
  return rules;
}

/**
 * Recording rules for every rule with backends of `policies`, for the controller of `options.dialect`,
 * as one PrometheusRule (a group per policy). Throws InvalidPropertyError for bad options, the routing
 * errors for policies that do not compile for the dialect, and RouteTelemetryError where a signal
 * cannot be attributed to one rule.
 */
export function goldenSignalRules(
  policies: readonly RoutingPolicy[],
  options: GoldenSignalOptions,
): PrometheusRuleObject {
  assertProps(options, OPTIONS, 'options');
  validatePolicies(policies);
  const { dialect } = options;
  const signals = options.signals ?? SIGNALS;
  const series = routeSeries(policies, dialect);
  const metrics = series.metrics;
  const groups = policies.flatMap((policy) => {
    const rules = policy.rules.flatMap((rule, index) => {
      if (!rule.backends) return [];
      series.measurable(policy, index);
      if (signals.includes('latency') && !metrics.duration)
        throw new RouteTelemetryError(
          rulePath(policy, index),
          dialect,
          'latency',
          metrics.noHistogram ?? 'no duration histogram',
          `Set signals: ['rate', 'errors'] to record the others, or compile for a controller with a histogram.`,
        );
      return signalRules(metrics, series.selector(policy, index), signals, series.labels(policy, index));
    });
    return rules.length > 0 ? [{ name: `switchyard.routes.${namespaceOf(policy)}.${policy.name}`, rules }] : [];
  });
  return routePrometheusRule('switchyard-route-signals', dialect, options.namespace, groups, options.part);
}
