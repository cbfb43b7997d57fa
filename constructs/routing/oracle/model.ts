/**
 * The routing model's own semantics as an executable function: what a set of policies does with one
 * request. Gateway API defines the precedence, matching and filters; where it leaves a choice to the
 * implementation (regex precedence, ties across routes), the answer is 'unspecified' and no dialect is
 * held to one. Every dialect interpreter must agree with this function. Pure: no engine imports.
 */
import { backendNamespace, matchesOf, pathOf, weightOf } from '../model';
import type { RouteMatch, RouteRule, RoutingPolicy } from '../types';
import { parseDuration } from '../values';
import { distribution, headerChanges, prefixMatches, regexMatches, replacePrefix, sizeBytes, sourceIn } from './common';
import type { AppliedPolicy, TrafficOutcome, TrafficRequest } from './types';

/** A request the model does not define (the controller may do anything), with the reason. */
export interface Unspecified {
  readonly kind: 'unspecified';
  readonly reason: string;
}

/** What the model says: a definite outcome, or 'unspecified'. */
export type ModelOutcome = TrafficOutcome | Unspecified;

/** Default CORS preflight cache (Gateway API HTTPCORSFilter): 5 seconds. */
export const DEFAULT_CORS_MAX_AGE_SECONDS = 5;
/** Default CORS methods when a policy lists none. */
export const DEFAULT_CORS_METHODS: readonly string[] = ['GET', 'HEAD', 'POST'];

const unspecified = (reason: string): Unspecified => ({ kind: 'unspecified', reason });

/** The hosts of `policies` that claim `host`: the exact name, else the longest one-label wildcard. */
function claimedHost(policies: readonly RoutingPolicy[], host: string): string | Unspecified | undefined {
  const all = policies.flatMap((p) => p.hosts);
  if (all.includes(host)) return host;
  let best: string | undefined;
  let deep: string | undefined;
  for (const h of all) {
    if (!h.startsWith('*.')) continue;
    const suffix = h.slice(1);
    if (!host.endsWith(suffix) || host.length <= suffix.length) continue;
    const label = host.slice(0, host.length - suffix.length);
    if (label.includes('.')) deep ??= h;
    else if (best === undefined || h.length > best.length) best = h;
  }
  if (best) return best;
  // Ingress covers one label, Gateway API one or more: deeper names are left to the controller.
  if (deep) return unspecified(`'${host}' is more than one label below wildcard '${deep}'`);
  return undefined;
}

/** Whether one match accepts the request (path, method, headers, query, cookie). */
export function matchAccepts(match: RouteMatch, request: TrafficRequest): boolean {
  const path = pathOf(match);
  const pathOk =
    path.type === 'Exact'
      ? request.path === path.value
      : path.type === 'PathPrefix'
        ? prefixMatches(path.value, request.path)
        : regexMatches(path.value, request.path);
  if (!pathOk) return false;
  if (match.method && match.method !== request.method) return false;
  for (const h of match.headers ?? []) {
    const value = request.headers[h.name.toLowerCase()];
    if (value === undefined) return false;
    if (h.type === 'RegularExpression' ? !regexMatches(h.value, value) : value !== h.value) return false;
  }
  for (const q of match.queryParams ?? []) {
    const value = request.query[q.name];
    if (value === undefined) return false;
    if (q.type === 'RegularExpression' ? !regexMatches(q.value, value) : value !== q.value) return false;
  }
  if (match.cookie && request.cookies[match.cookie.name] !== match.cookie.value) return false;
  return true;
}

/** Gateway API precedence key, compared left to right, larger wins. */
function precedence(match: RouteMatch): number[] {
  const path = pathOf(match);
  const rank = path.type === 'Exact' ? 2 : path.type === 'PathPrefix' ? 1 : 0;
  const length = path.type === 'PathPrefix' ? path.value.replace(/\/+$/, '').length : path.value.length;
  return [
    rank,
    length,
    match.method ? 1 : 0,
    (match.headers?.length ?? 0) + (match.cookie ? 1 : 0),
    match.queryParams?.length ?? 0,
  ];
}

function compareKeys(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

interface Candidate {
  readonly policy: number;
  readonly rule: number;
  readonly match: RouteMatch;
  readonly key: number[];
}

/** The winning rule among the policies, or why there is none. */
function selectRule(
  policies: readonly RoutingPolicy[],
  candidates: readonly number[],
  request: TrafficRequest,
): Candidate | Unspecified | undefined {
  const found: Candidate[] = [];
  for (const p of candidates) {
    policies[p]!.rules.forEach((rule, r) => {
      for (const match of matchesOf(rule)) {
        if (matchAccepts(match, request)) found.push({ policy: p, rule: r, match, key: precedence(match) });
      }
    });
  }
  if (found.length === 0) return undefined;
  const rules = new Set(found.map((c) => `${c.policy}/${c.rule}`));
  if (rules.size > 1 && found.some((c) => pathOf(c.match).type === 'RegularExpression')) {
    return unspecified('a regular-expression path competes with another rule: precedence is implementation-specific');
  }
  let best = found[0]!;
  for (const c of found.slice(1)) if (compareKeys(c.key, best.key) > 0) best = c;
  const tied = found.filter((c) => compareKeys(c.key, best.key) === 0);
  if (tied.some((c) => c.policy !== best.policy)) {
    return unspecified('equally specific rules of two policies match: the tie-break is creation time');
  }
  return best;
}

const seconds = (d: string) => Math.floor(parseDuration(d)! / 1000);
const ms = (d: string) => parseDuration(d)!;

/** What a forwarded request gets applied, normalized. */
function appliedOf(policy: RoutingPolicy, rule: RouteRule, request: TrafficRequest): AppliedPolicy {
  const applied: Record<string, unknown> = {};
  const req = rule.requestHeaders && headerChanges(rule.requestHeaders);
  if (req) applied.requestHeaders = req;
  const res = rule.responseHeaders && headerChanges(rule.responseHeaders);
  if (res) applied.responseHeaders = res;
  const t = rule.timeouts;
  if (t) {
    const timeouts: Record<string, number> = {};
    for (const k of ['request', 'backendRequest', 'connect', 'idle'] as const) if (t[k]) timeouts[k] = ms(t[k]);
    if (Object.keys(timeouts).length) applied.timeouts = timeouts;
  }
  if (rule.retries && rule.retries.attempts > 0) {
    const { attempts, perTryTimeout } = rule.retries;
    applied.retries = { attempts, ...(perTryTimeout ? { perTryTimeout: ms(perTryTimeout) } : {}) };
  }
  if (rule.mirror && (rule.mirror.percent ?? 100) > 0) {
    const b = rule.mirror.backend;
    applied.mirror = {
      namespace: backendNamespace(policy, b),
      service: b.service,
      port: b.port,
      percent: rule.mirror.percent ?? 100,
    };
  }
  if (rule.sessionAffinity) {
    const { cookieName, maxAge } = rule.sessionAffinity;
    applied.sessionAffinity = { cookieName, ...(maxAge ? { maxAge: seconds(maxAge) } : {}) };
  }
  const limit = rule.rateLimit ?? policy.rateLimit;
  if (limit) {
    applied.rateLimit = {
      requestsPerSecond: limit.requestsPerSecond,
      burst: limit.burst ?? limit.requestsPerSecond,
    };
  }
  if (rule.maxBodySize) applied.maxBodySize = sizeBytes(rule.maxBodySize);
  if (policy.cors) applied.cors = corsOf(policy.cors);
  if (policy.hsts && request.scheme === 'https') {
    applied.hsts = {
      maxAge: seconds(policy.hsts.maxAge),
      includeSubdomains: policy.hsts.includeSubdomains ?? false,
      preload: policy.hsts.preload ?? false,
    };
  }
  return applied as AppliedPolicy;
}

/** A policy's CORS settings with the defaults resolved and the lists as sorted sets. */
export function corsOf(cors: NonNullable<RoutingPolicy['cors']>): NonNullable<AppliedPolicy['cors']> {
  const set = (list: readonly string[]) => [...new Set(list)].sort();
  return {
    allowOrigins: set(cors.allowOrigins),
    allowMethods: set(cors.allowMethods ?? DEFAULT_CORS_METHODS).map((m) => m.toUpperCase()),
    allowHeaders: set((cors.allowHeaders ?? []).map((h) => h.toLowerCase())),
    exposeHeaders: set((cors.exposeHeaders ?? []).map((h) => h.toLowerCase())),
    allowCredentials: cors.allowCredentials ?? false,
    maxAge: cors.maxAge ? seconds(cors.maxAge) : DEFAULT_CORS_MAX_AGE_SECONDS,
  };
}

function redirectLocation(scheme: string, host: string, port: number | undefined, path: string): string {
  const standard = (scheme === 'http' && port === 80) || (scheme === 'https' && port === 443);
  return `${scheme}://${host}${port !== undefined && !standard ? `:${port}` : ''}${path}`;
}

/** Whether a client address is refused by the rule's or the policy's source lists. */
function deniedBySource(policy: RoutingPolicy, rule: RouteRule | undefined, request: TrafficRequest): boolean {
  if (policy.denySourceRanges && sourceIn(request, policy.denySourceRanges)) return true;
  const allow = rule?.allowSourceRanges ?? policy.allowSourceRanges;
  return allow !== undefined && !sourceIn(request, allow);
}

/** What `policies` (one environment, validated and conflict-free) do with `request`. */
export function modelOutcome(policies: readonly RoutingPolicy[], request: TrafficRequest): ModelOutcome {
  const host = claimedHost(policies, request.host);
  if (host === undefined) return { kind: 'no-route' };
  if (typeof host !== 'string') return host;
  const owners = policies.map((p, i) => ({ p, i })).filter(({ p }) => p.hosts.includes(host));

  const passthrough = owners.filter(({ p }) => p.tls?.passthrough);
  if (passthrough.length > 0) {
    if (passthrough.length !== owners.length) return unspecified(`'${host}' mixes passthrough and HTTP policies`);
    if (request.scheme === 'http') return unspecified('plain HTTP to a passthrough host');
    const policy = passthrough[0]!.p;
    if (deniedBySource(policy, undefined, request)) return { kind: 'denied' };
    const rule = policy.rules[0]!;
    return { kind: 'passthrough', backends: backendsOf(policy, rule), rule: `${policy.name}.rules[0]` };
  }

  let serving: number[];
  if (request.scheme === 'https') {
    serving = owners.filter(({ p }) => p.tls).map(({ i }) => i);
    if (serving.length === 0) return unspecified(`HTTPS to '${host}', which no policy terminates`);
  } else {
    const upgrading = owners.filter(({ p }) => p.tls && p.tls.redirectHttp !== false);
    serving = owners.filter(({ p }) => !p.tls || p.tls.redirectHttp === false).map(({ i }) => i);
    if (upgrading.length > 0) {
      if (serving.length > 0) return unspecified(`'${host}' mixes HTTPS-only and plain HTTP policies`);
      const upgraded = modelOutcome(policies, { ...request, scheme: 'https' });
      return {
        kind: 'redirect',
        status: 301,
        location: `https://${request.host}${request.path}`,
        httpsUpgrade: true,
        ...(upgraded.kind === 'no-route' || upgraded.kind === 'denied' ? { afterUpgrade: upgraded.kind } : {}),
      };
    }
  }

  const chosen = selectRule(policies, serving, request);
  if (chosen === undefined) return { kind: 'no-route' };
  if ('kind' in chosen) return chosen;
  const policy = policies[chosen.policy]!;
  const rule = policy.rules[chosen.rule]!;
  const at = `${policy.name}.rules[${chosen.rule}]`;
  if (deniedBySource(policy, rule, request)) return { kind: 'denied', rule: at };

  if (rule.redirect) {
    const r = rule.redirect;
    return {
      kind: 'redirect',
      status: r.statusCode ?? 302,
      location: redirectLocation(
        r.scheme ?? request.scheme,
        r.hostname ?? request.host,
        r.port,
        r.path ?? request.path,
      ),
      rule: at,
    };
  }
  const matched = pathOf(chosen.match);
  let path = request.path;
  if (rule.rewrite?.fullPath !== undefined) path = rule.rewrite.fullPath;
  else if (rule.rewrite?.pathPrefix !== undefined) {
    if (matched.type !== 'PathPrefix') return unspecified('a prefix rewrite after a non-prefix match');
    path = replacePrefix(request.path, matched.value, rule.rewrite.pathPrefix);
  }
  return {
    kind: 'forward',
    backends: backendsOf(policy, rule),
    path,
    host: rule.rewrite?.hostname ?? request.host,
    applied: appliedOf(policy, rule, request),
    rule: at,
  };
}

function backendsOf(policy: RoutingPolicy, rule: RouteRule) {
  return distribution(
    (rule.backends ?? []).map((b) => ({
      namespace: backendNamespace(policy, b),
      service: b.service,
      port: b.port,
      weight: weightOf(b),
      ...(b.protocol ? { protocol: b.protocol } : {}),
    })),
  );
}
