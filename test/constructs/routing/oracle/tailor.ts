/**
 * Tailors generated environments to a compile target: every use of a feature the target refuses
 * (unsupported, or approximated without consent) is removed or replaced by a neighbour the target
 * has, so the oracle compares traffic on most environments instead of counting refusals.
 */
import { type Feature, featuresOf, supportFor } from '../../../../constructs/routing/capabilities';
import { detectConflicts } from '../../../../constructs/routing/conflicts';
import { RouteConflictError, RoutingError } from '../../../../constructs/routing/errors';
import type {
  CompileResult,
  CompileTarget,
  HeaderModifier,
  RouteMatch,
  RouteRule,
  RoutingPolicy,
} from '../../../../constructs/routing/types';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const ACCEPTED: readonly string[] = ['native', 'emulated'];

function without<T extends object, K extends keyof T>(value: T, ...keys: K[]): T {
  const copy = { ...value };
  for (const k of keys) delete copy[k];
  return copy;
}

function tailorMatch(match: RouteMatch, refused: Set<Feature>): RouteMatch {
  const m: Mutable<RouteMatch> = { ...match };
  const type = m.path?.type;
  if (type === 'Exact' && refused.has('path.exact')) m.path = { type: 'PathPrefix', value: m.path!.value };
  if (type === 'RegularExpression' && refused.has('path.regex')) delete m.path;
  if (m.path?.type === 'PathPrefix' && refused.has('path.prefix')) delete m.path;
  if (m.headers) {
    const headers = m.headers.filter((h) =>
      h.type === 'RegularExpression' ? !refused.has('match.header-regex') : !refused.has('match.header'),
    );
    if (headers.length) m.headers = headers;
    else delete m.headers;
  }
  if (refused.has('match.query')) delete m.queryParams;
  if (refused.has('match.method')) delete m.method;
  if (refused.has('match.cookie')) delete m.cookie;
  return m;
}

function tailorModifier(modifier: HeaderModifier | undefined, refused: Set<Feature>, feature: Feature) {
  if (!modifier) return undefined;
  const m: Mutable<HeaderModifier> = { ...modifier };
  if (refused.has(feature)) {
    delete m.set;
    delete m.remove;
  }
  if (refused.has('headers.append')) delete m.add;
  return Object.keys(m).length ? m : undefined;
}

function tailorRule(rule: RouteRule, refused: Set<Feature>): RouteRule {
  let r: Mutable<RouteRule> = { ...rule };
  if (r.matches) r.matches = r.matches.map((m) => tailorMatch(m, refused));
  if (r.redirect && refused.has('redirect')) {
    r = without(r, 'redirect');
    r.backends = [{ service: 'web', port: 80 }];
  }
  if (r.redirect && refused.has('redirect.path')) r.redirect = without(r.redirect, 'path');
  if (r.backends) {
    let backends = [...r.backends];
    if (backends.length > 2 && refused.has('split.weighted-multi')) backends = backends.slice(0, 2);
    if (backends.length === 2 && refused.has('split.weighted')) backends = backends.slice(0, 1);
    const positive = backends.some((b) => (b.weight ?? 1) > 0);
    backends = backends.map((b, i) => {
      let c = { ...b };
      if (!positive && i === 0) c.weight = 1;
      if (
        (c.protocol === 'https' && refused.has('backend.https')) ||
        (c.protocol === 'grpc' && refused.has('backend.grpc')) ||
        (c.protocol === 'h2c' && refused.has('backend.h2c')) ||
        (c.protocol === 'ws' && refused.has('backend.ws'))
      )
        c = without(c, 'protocol');
      if (refused.has('backend.cross-namespace')) c = without(c, 'namespace');
      return c;
    });
    r.backends = backends;
  }
  if (r.rewrite) {
    const w = { ...r.rewrite };
    if (refused.has('rewrite.path-prefix')) delete w.pathPrefix;
    if (refused.has('rewrite.full-path')) delete w.fullPath;
    if (refused.has('rewrite.hostname')) delete w.hostname;
    if (Object.keys(w).length) r.rewrite = w;
    else delete r.rewrite;
  }
  const request = tailorModifier(r.requestHeaders, refused, 'headers.request');
  const response = tailorModifier(r.responseHeaders, refused, 'headers.response');
  r = without(r, 'requestHeaders', 'responseHeaders');
  if (request) r.requestHeaders = request;
  if (response) r.responseHeaders = response;
  if (r.timeouts) {
    const t = { ...r.timeouts };
    if (refused.has('timeouts.request')) delete t.request;
    if (refused.has('timeouts.backend-request')) delete t.backendRequest;
    if (refused.has('timeouts.connect')) delete t.connect;
    if (refused.has('timeouts.idle')) delete t.idle;
    if (Object.keys(t).length) r.timeouts = t;
    else delete r.timeouts;
  }
  for (const [field, feature] of [
    ['retries', 'retries'],
    ['mirror', 'mirror'],
    ['sessionAffinity', 'session-affinity'],
    ['rateLimit', 'rate-limit'],
    ['allowSourceRanges', 'ip.allow'],
    ['maxBodySize', 'max-body-size'],
  ] as const) {
    if (refused.has(feature)) delete r[field];
  }
  return r;
}

function tailorPolicy(policy: RoutingPolicy, refused: Set<Feature>): RoutingPolicy {
  let p: Mutable<RoutingPolicy> = { ...policy };
  if (refused.has('host.wildcard')) {
    p.hosts = [...new Set(p.hosts.map((h) => (h.startsWith('*.') ? `w${h.slice(1)}` : h)))];
  }
  if (p.tls?.passthrough && refused.has('tls.passthrough')) p = without(p, 'tls');
  if (p.tls?.clusterIssuer && refused.has('tls.cert-manager')) p.tls = { secretName: 'cert' };
  if (p.tls && !p.tls.passthrough && p.tls.redirectHttp !== false && refused.has('tls.redirect-http'))
    p.tls = { ...p.tls, redirectHttp: false };
  for (const [field, feature] of [
    ['cors', 'cors'],
    ['hsts', 'hsts'],
    ['rateLimit', 'rate-limit'],
    ['allowSourceRanges', 'ip.allow'],
    ['denySourceRanges', 'ip.deny'],
  ] as const) {
    if (refused.has(feature)) delete p[field];
  }
  if (!p.tls) delete p.hsts;
  p.rules = p.rules.map((r) => tailorRule(r, refused));
  return p;
}

/**
 * Resolves the conflicts the detector reports: the later rule of a pair goes (a policy left with no
 * rule goes too), and a later policy on a host takes the earlier one's TLS settings.
 */
function withoutConflicts(policies: RoutingPolicy[]): RoutingPolicy[] {
  let current = policies;
  for (let pass = 0; pass < 4; pass++) {
    let conflicts: ReturnType<typeof detectConflicts>;
    try {
      conflicts = detectConflicts(current);
    } catch {
      return current; // invalid input: leave it to compileRoutes to refuse
    }
    if (conflicts.length === 0) return current;
    const index = (ref: string) => {
      const name = ref.replace(/^[^/]*\//, '').replace(/\..*$/, '');
      const namespace = ref.includes('/') ? ref.slice(0, ref.indexOf('/')) : undefined;
      return current.findIndex(
        (p) => p.name === name && (namespace === undefined || (p.namespace ?? 'default') === namespace),
      );
    };
    const drop = new Map<number, Set<number>>();
    const next = current.map((p) => ({ ...p }) as Mutable<RoutingPolicy>);
    for (const {
      rules: [first, second],
    } of conflicts) {
      const [a, b] = [index(first!), index(second!)];
      if (a < 0 || b < 0) continue;
      if (second!.endsWith('.tls')) {
        if (current[a]!.tls) next[b]!.tls = current[a]!.tls;
        else delete next[b]!.tls;
        if (!next[b]!.tls) delete next[b]!.hsts;
        continue;
      }
      const rule = Number(/\.rules\[(\d+)\]$/.exec(second!)?.[1]);
      drop.set(b, (drop.get(b) ?? new Set()).add(rule));
    }
    current = next
      .map((p, i) => ({ ...p, rules: p.rules.filter((_, r) => !drop.get(i)?.has(r)) }))
      .filter((p) => p.rules.length > 0);
  }
  return current;
}

/**
 * The environment with every feature `target` refuses removed (two passes: removals can expose
 * others), and with the conflicting rules taken out.
 */
export function tailor(policies: readonly RoutingPolicy[], target: CompileTarget): RoutingPolicy[] {
  const refusedBy = (p: RoutingPolicy) =>
    new Set(
      featuresOf(p)
        .map((u) => u.feature)
        .filter((f) => !ACCEPTED.includes(supportFor(target, f))),
    );
  return withoutConflicts(
    policies.map((p) => {
      const once = tailorPolicy(p, refusedBy(p));
      return tailorPolicy(once, refusedBy(once));
    }),
  );
}

type Node = Record<string, unknown> | unknown[];

/** 'p0.rules[1].matches[0].headers' -> ['rules', 1, 'matches', 0, 'headers'] after the policy name. */
function segments(path: string): { policy: string; keys: (string | number)[] } {
  const [head, ...rest] = path.split(/(?=[.[])/);
  const keys = rest.map((s) => (s.startsWith('[') ? Number(s.slice(1, -1)) : s.slice(1)));
  return { policy: head!, keys };
}

/** The environment without the field an error's `path` names (or its nearest existing ancestor). */
export function removeAt(policies: readonly RoutingPolicy[], path: string): RoutingPolicy[] {
  const { policy, keys } = segments(path);
  const copy = structuredClone(policies) as RoutingPolicy[];
  const index = /^policies\[(\d+)\]$/.test(policy)
    ? Number(/\d+/.exec(policy)![0])
    : copy.findIndex((p) => p.name === policy);
  if (index < 0 || keys.length === 0 || keys[0] === 'name') return copy.filter((_, i) => i !== index);
  // Walk down as far as the path exists, then cut there; an emptied array goes with it.
  const trail: [Node, string | number][] = [];
  let node: unknown = copy[index];
  for (const key of keys) {
    if (node === null || typeof node !== 'object' || !(key in (node as object))) break;
    trail.push([node as Node, key]);
    node = (node as Record<string | number, unknown>)[key];
  }
  while (trail.length > 0) {
    const [parent, key] = trail.pop()!;
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key as string];
    const empty = Array.isArray(parent) ? parent.length === 0 : Object.keys(parent).length === 0;
    if (!empty) break;
  }
  const p = copy[index]!;
  if (trail.length === 0 && (!p.rules?.length || !p.hosts?.length)) return copy.filter((_, i) => i !== index);
  return copy;
}

/**
 * Compiles `policies` for `target`, cutting away what the compiler refuses (the field each typed
 * error names) until it compiles: the environment the dialect takes that is closest to the generated
 * one. Undefined when nothing is left or it does not settle in a few rounds.
 */
export function compileCut(
  policies: readonly RoutingPolicy[],
  target: CompileTarget,
  compile: (p: readonly RoutingPolicy[], t: CompileTarget) => CompileResult,
): { policies: RoutingPolicy[]; compiled: CompileResult } | undefined {
  let current = withoutConflicts(tailor(policies, target));
  for (let round = 0; round < 12 && current.length > 0; round++) {
    try {
      return { policies: current, compiled: compile(current, target) };
    } catch (error) {
      if (!(error instanceof RoutingError)) throw error;
      const next = error instanceof RouteConflictError ? withoutConflicts(current) : removeAt(current, error.path);
      if (JSON.stringify(next) === JSON.stringify(current)) return undefined; // no progress: give up
      current = next;
    }
  }
  return undefined;
}
