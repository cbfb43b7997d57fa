/**
 * The arithmetic of the SLO rules: multi-window, multi-burn-rate alert windows for any SLO window, exact
 * number formatting for PromQL, and the `le` label values a histogram bucket boundary is stored under.
 * Pure: no engine imports, no I/O.
 *
 * Burn rate: how fast the error budget is spent, relative to spending exactly all of it over the SLO
 * window (burn rate 1). The Google SRE workbook ("Alerting on SLOs", multiwindow multi-burn-rate alerts)
 * gives, for a 30-day window, four conditions, each a share of the budget spent within a long window,
 * confirmed by a short window of 1/12 of it (so the alert stops soon after the burn does):
 *
 *   page    2% of the budget in 1h (burn 14.4), confirmed over 5m
 *   page    5% of the budget in 6h (burn 6),    confirmed over 30m
 *   ticket 10% of the budget in 1d (burn 3),    confirmed over 2h
 *   ticket 10% of the budget in 3d (burn 1),    confirmed over 6h
 *
 * Other SLO windows: every window scales with the SLO window (W / 30d), rounded to whole minutes and at
 * least 5 minutes (a rate needs several scrapes; the routes' golden signals use 5m too). The share of the
 * budget each condition stands for is kept, so the burn factor is recomputed from the rounded long window:
 * factor = share * W / long. For 30d that gives exactly 14.4, 6, 3 and 1; for 28d or 7d the same factors
 * over shorter windows; where the 5-minute floor lengthens a window (W under 6 days for the first page),
 * the factor grows so that the condition still means "this share of the budget spent in the long window".
 */

/** How urgent a burn is: 'page' wakes someone, 'ticket' is looked at within a working day. */
export type AlertSeverity = 'page' | 'ticket';

/** One multi-window burn-rate condition for a given SLO window. */
export interface BurnWindow {
  readonly severity: AlertSeverity;
  /** Share of the error budget (percent) the condition stands for: spent within `long` minutes. */
  readonly budgetPercent: number;
  /** The long window, in minutes. */
  readonly long: number;
  /** The short (confirming) window, in minutes. */
  readonly short: number;
  /** Burn rate: budgetPercent / 100 * SLO window / long window. */
  readonly factor: number;
}

/** The workbook's conditions for 30 days: share of budget (percent), long and short windows in minutes. */
export const WORKBOOK_BURN_WINDOWS: readonly {
  readonly severity: AlertSeverity;
  readonly budgetPercent: number;
  readonly long: number;
  readonly short: number;
}[] = [
  { severity: 'page', budgetPercent: 2, long: 60, short: 5 },
  { severity: 'page', budgetPercent: 5, long: 360, short: 30 },
  { severity: 'ticket', budgetPercent: 10, long: 1440, short: 120 },
  { severity: 'ticket', budgetPercent: 10, long: 4320, short: 360 },
];

/** The shortest window recorded, in minutes. */
export const MIN_WINDOW_MINUTES = 5;

const MINUTES_PER_DAY = 1440;

/** The burn-rate conditions for an SLO window of `days` days (see the module comment). */
export function burnWindows(days: number): BurnWindow[] {
  const total = days * MINUTES_PER_DAY;
  return WORKBOOK_BURN_WINDOWS.map((w) => {
    const scale = (minutes: number) => Math.max(MIN_WINDOW_MINUTES, Math.round((minutes * days) / 30));
    const long = scale(w.long);
    const short = Math.min(long, scale(w.short));
    return { ...w, long, short, factor: (w.budgetPercent * total) / (100 * long) };
  });
}

/** Minutes as a Prometheus duration, largest units first: 4320 -> '3d', 144 -> '2h24m'. */
export function promDuration(minutes: number): string {
  const parts: string[] = [];
  let rest = minutes;
  for (const [unit, size] of [
    ['d', MINUTES_PER_DAY],
    ['h', 60],
    ['m', 1],
  ] as const) {
    const count = Math.floor(rest / size);
    if (count > 0) parts.push(`${count}${unit}`);
    rest -= count * size;
  }
  return parts.join('') || '0m';
}

/**
 * A number as a PromQL literal with 12 significant digits, so float noise never shows
 * (14.4 * 0.001 -> '0.0144', not '0.014400000000000001').
 */
export function promNumber(value: number): string {
  return String(Number(value.toPrecision(12)));
}

/** An objective in percent (99.9, at most 3 decimals) as an exact ratio of the error budget: 0.001. */
export function budgetRatio(percent: number): number {
  return Number(((100_000 - Math.round(percent * 1000)) / 100_000).toPrecision(12));
}

/** Go's strconv.FormatFloat(value, 'g', -1, 64): shortest digits, exponent form below 1e-4 or from 1e6 on. */
export function goFloat(value: number): string {
  const [mantissa, exponent] = value.toExponential().split('e') as [string, string];
  const exp = Number(exponent);
  if (exp < -4 || exp >= 6) return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(value);
}

/**
 * The `le` values one bucket boundary is stored under, whichever exporter and Prometheus wrote it: the
 * plain decimal (Envoy's `{:.32g}`), Go's shortest form (client_golang's text format, used by Traefik and
 * ingress-nginx) and the float form Prometheus 3 normalizes classic histogram `le` labels to on ingestion
 * (model/textparse normalizeFloatsInLabelValues, labels.FormatOpenMetricsFloat: '250' becomes '250.0',
 * '3600000' becomes '3.6e+06').
 */
export function leValues(bound: number): string[] {
  const go = goFloat(bound);
  const normalized = /[.e]/.test(go) ? go : `${go}.0`;
  return [...new Set([String(bound), go, normalized])];
}
