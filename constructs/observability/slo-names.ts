/**
 * Names the SLO rules, alerts and dashboards share: recording rule names and the labels every route
 * series carries. One place, so the dashboard reads exactly what the rules record. Pure.
 */

/** Labels every per-route recorded series carries (golden signals and SLO rules alike). */
export const ROUTE_LABELS = {
  policy: 'switchyard_policy',
  namespace: 'switchyard_namespace',
  rule: 'switchyard_rule',
  hosts: 'switchyard_hosts',
  controller: 'switchyard_controller',
  /** On SLO series only: 'availability' or 'latency'. */
  slo: 'switchyard_slo',
} as const;

/** The kind of an objective. */
export type SloKind = 'availability' | 'latency';

/** Recording rule names of the SLO rules, by window (a Prometheus duration such as '5m', '1h', '30d'). */
export const SLO_RECORD_NAMES = {
  /**
   * Share of 5xx responses over the window. At '5m' this is the golden signal (goldenSignalRules, no
   * `switchyard_slo`); sloRules records the other windows, labelled `switchyard_slo="availability"`, and takes its
   * 5m ratio from `badRequests / requests` so as not to add a second series under the golden signal's name.
   */
  errorRatio: (window: string) => `switchyard:route_errors:ratio_rate${window}`,
  /** Share of requests slower than the latency objective's threshold over the window. */
  slowRatio: (window: string) => `switchyard:route_slow_requests:ratio_rate${window}`,
  /**
   * Error budget left over the SLO's window, as a ratio (1: untouched, 0: spent, below 0: overspent);
   * one series per objective, told apart by `switchyard_slo`.
   */
  budgetRemaining: 'switchyard:route_slo_error_budget_remaining:ratio',
  /** The objective itself as a ratio (0.999), per objective: dashboards draw it as a threshold. */
  objective: 'switchyard:route_slo_objective:ratio',
  /**
   * Requests per second over 5 minutes that an objective counts, per objective (availability: every
   * request; latency: every request the duration histogram saw). With `badRequests`, the SLO window's
   * ratio is summed from these (traffic-weighted) instead of re-reading weeks of raw samples.
   */
  requests: 'switchyard:route_slo_requests:rate5m',
  /** Requests per second over 5 minutes that miss the objective: 5xx (availability) or slower than the threshold (latency). */
  badRequests: 'switchyard:route_slo_bad_requests:rate5m',
} as const;

/** Alert names of the burn-rate alerts. */
export const SLO_ALERT_NAMES = {
  availability: 'SwitchyardRouteErrorBudgetBurn',
  latency: 'SwitchyardRouteLatencyBudgetBurn',
} as const;
