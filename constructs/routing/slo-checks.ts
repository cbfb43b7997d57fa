/**
 * Checks of a route's service level objective (RouteSlo): not a routing feature (no compiler reads it),
 * but input like any other, refused early with the path, the value and the fix. Pure: no engine imports.
 *
 * Ranges, and why:
 * - availability and latency.percentile: a percentage from 50 to below 100 with at most 3 decimals
 *   (99.999 at most). 100 leaves no error budget (every burn rate is infinite); a finer objective has a
 *   budget a single request spends at ordinary traffic, so its alerts would page on one error. Below 50
 *   an objective says nothing a user would notice.
 * - latency.threshold: a Gateway API duration above 0 (the controller's histogram bucket boundary is
 *   checked where the controller is known: sloRules).
 * - window: whole days, 1d to 90d, no leading zeros. Prometheus must keep at least that much history
 *   (its default retention is 15 days).
 */
import type { RouteSlo } from './types';
import { checkDuration, parseDuration } from './values';

/** Lowest objective accepted, in percent. */
export const SLO_MIN_PERCENT = 50;
/** Decimal places an objective may have. */
export const SLO_MAX_DECIMALS = 3;
/** Longest SLO window in days. */
export const SLO_MAX_WINDOW_DAYS = 90;
/** The SLO window when none is set. */
export const DEFAULT_SLO_WINDOW = '30d';

/** Why `value` is not an objective in percent, or undefined when it is. */
export function checkObjectivePercent(value: number): string | undefined {
  const scaled = value * 10 ** SLO_MAX_DECIMALS;
  if (value < SLO_MIN_PERCENT || value >= 100 || Math.abs(scaled - Math.round(scaled)) > 1e-6)
    return `must be a percentage from ${SLO_MIN_PERCENT} to below 100 with at most ${SLO_MAX_DECIMALS} decimals (e.g. 99.9, 99.95); 100 leaves no error budget`;
  return undefined;
}

/** The window in days ('30d' -> 30), or undefined when it is not whole days from 1d to 90d. */
export function sloWindowDays(window: string): number | undefined {
  const match = /^([1-9][0-9]?)d$/.exec(window);
  const days = match ? Number(match[1]) : undefined;
  return days !== undefined && days <= SLO_MAX_WINDOW_DAYS ? days : undefined;
}

/** The first problem of `slo` at `path` (types already checked by the strict shape), or undefined. */
export function sloIssue(
  path: string,
  slo: RouteSlo,
): { readonly path: string; readonly value: unknown; readonly problem: string } | undefined {
  const at = (field: string, value: unknown, problem: string | undefined) =>
    problem === undefined ? undefined : { path: `${path}.${field}`, value, problem };
  if (slo.availability === undefined && slo.latency === undefined)
    return {
      path,
      value: slo,
      problem:
        "sets no objective: set 'availability' (e.g. 99.9) or 'latency' ({ percentile: 99, threshold: '250ms' })",
    };
  const threshold = slo.latency?.threshold;
  return (
    (slo.availability === undefined
      ? undefined
      : at('availability', slo.availability, checkObjectivePercent(slo.availability))) ??
    (slo.latency === undefined
      ? undefined
      : (at('latency.percentile', slo.latency.percentile, checkObjectivePercent(slo.latency.percentile)) ??
        at('latency.threshold', threshold, checkDuration(threshold)) ??
        at(
          'latency.threshold',
          threshold,
          parseDuration(threshold!) === 0
            ? "must be above 0: the time requests must be answered within, e.g. '250ms'"
            : undefined,
        ))) ??
    (slo.window === undefined || sloWindowDays(slo.window) !== undefined
      ? undefined
      : at(
          'window',
          slo.window,
          `must be whole days from 1d to ${SLO_MAX_WINDOW_DAYS}d without leading zeros (e.g. '30d', '28d', '7d')`,
        ))
  );
}
