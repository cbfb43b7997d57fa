/**
 * Compares a dialect interpreter's outcome with the model's: kinds, exact distributions, redirect
 * targets, upstream path and Host, and every applied setting. Pure: no engine imports.
 */

import { distribution } from './common';
import type { ModelOutcome } from './model';
import type { AppliedPolicy, TrafficOutcome, WeightedBackend } from './types';

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

/**
 * What the backend sees on the wire: WebSocket is HTTP/1.1 with an upgrade, gRPC in clear text is
 * h2c. No controller object can tell them apart, so neither does the comparison.
 */
const WIRE: Readonly<Record<string, string | undefined>> = { ws: undefined, http: undefined, grpc: 'h2c' };

function wire(backends: readonly WeightedBackend[]): WeightedBackend[] {
  return distribution(
    backends.map((b) => {
      const { protocol, ...rest } = b;
      const p = protocol && protocol in WIRE ? WIRE[protocol] : protocol;
      return p ? { ...rest, protocol: p as WeightedBackend['protocol'] } : rest;
    }),
  );
}

/** Gateway API defines the per-attempt timeout once: `timeouts.backendRequest` and `retries.perTryTimeout` are one setting. */
function perAttempt(applied: AppliedPolicy): AppliedPolicy {
  const attempt = applied.retries?.perTryTimeout ?? applied.timeouts?.backendRequest;
  if (attempt === undefined) return applied;
  return {
    ...applied,
    timeouts: { ...applied.timeouts, backendRequest: attempt },
    ...(applied.retries ? { retries: { ...applied.retries, perTryTimeout: attempt } } : {}),
  };
}

/** The outcome as compared: no informative `rule` label, wire protocols, one per-attempt timeout. */
function strip(o: TrafficOutcome): TrafficOutcome {
  const { rule: _rule, ...rest } = o as TrafficOutcome & { rule?: string };
  if (rest.kind === 'forward') return { ...rest, backends: wire(rest.backends), applied: perAttempt(rest.applied) };
  // A passed-through connection is TLS whatever the policy calls the backend: no object carries it.
  if (rest.kind === 'passthrough')
    return { ...rest, backends: distribution(rest.backends.map(({ protocol: _, ...b }) => b)) };
  return rest;
}

/** Undefined when `actual` is what the model expects; otherwise a one-line description of the difference. */
export function outcomeDifference(expected: ModelOutcome, actual: TrafficOutcome): string | undefined {
  if (expected.kind === 'unspecified') return undefined;
  if (expected.kind === 'redirect' && expected.httpsUpgrade && expected.afterUpgrade === actual.kind) return undefined;
  if (expected.kind !== actual.kind) return `expected ${show(strip(expected))}, got ${show(strip(actual))}`;
  if (expected.kind === 'redirect' && actual.kind === 'redirect') {
    if (expected.location !== actual.location) return `redirect to ${actual.location}, expected ${expected.location}`;
    const ok = expected.httpsUpgrade ? PERMANENT.has(actual.status) : expected.status === actual.status;
    return ok ? undefined : `redirect status ${actual.status}, expected ${expected.status}`;
  }
  const [e, a] = [show(strip(expected)), show(strip(actual))];
  return e === a ? undefined : `expected ${e}, got ${a}`;
}
