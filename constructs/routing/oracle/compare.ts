/**
 * Compares a dialect interpreter's outcome with the model's: kinds, exact distributions, redirect
 * targets, upstream path and Host, and every applied setting. Pure: no engine imports.
 */
import type { ModelOutcome } from './model';
import type { TrafficOutcome } from './types';

/** Status codes that satisfy the model's HTTP-to-HTTPS redirect (any permanent redirect). */
const PERMANENT = new Set([301, 308]);

/** Key-sorted JSON with `undefined` fields and empty objects dropped and string lists sorted. */
export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(canonical);
    return items.every((i) => typeof i === 'string') ? [...items].sort() : items;
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = canonical((value as Record<string, unknown>)[key]);
      if (v === undefined) continue;
      if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) continue;
      out[key] = v;
    }
    return out;
  }
  return value;
}

const show = (v: unknown) => JSON.stringify(canonical(v));

/** Undefined when `actual` is what the model expects; otherwise a one-line description of the difference. */
export function outcomeDifference(expected: ModelOutcome, actual: TrafficOutcome): string | undefined {
  if (expected.kind === 'unspecified') return undefined;
  if (expected.kind !== actual.kind) return `expected ${show(expected)}, got ${show(actual)}`;
  if (expected.kind === 'redirect' && actual.kind === 'redirect') {
    if (expected.location !== actual.location) return `redirect to ${actual.location}, expected ${expected.location}`;
    const ok = expected.httpsUpgrade ? PERMANENT.has(actual.status) : expected.status === actual.status;
    return ok ? undefined : `redirect status ${actual.status}, expected ${expected.status}`;
  }
  const strip = (o: TrafficOutcome) => {
    const { rule: _rule, ...rest } = o as TrafficOutcome & { rule?: string };
    return show(rest);
  };
  const [e, a] = [strip(expected), strip(actual)];
  return e === a ? undefined : `expected ${e}, got ${a}`;
}
