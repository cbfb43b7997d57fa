/**
 * Traefik v3 router rules from route matches: one rule per host (Traefik ranks every router of an
 * entry point by priority alone, whatever its host: traefik pkg/muxer/http/mux.go `routes.Less`), a
 * wildcard host that steps aside for the exact hosts other policies claim, segment-safe prefixes
 * (Traefik's PathPrefix matches characters), header, query, method and cookie matchers, and an explicit
 * priority that reproduces Gateway API precedence (Traefik would otherwise rank routes by the length of
 * their rule text: `GetRulePriority`). Pure.
 */
import { UnsupportedFeatureError } from './errors';
import { pathOf } from './model';
import type { RouteMatch, RoutingPolicy } from './types';
import { escapeRegex } from './values';

/** A Traefik rule literal: backticks, or a quoted string when the value itself has a backtick. */
export function literal(value: string): string {
  return value.includes('`') ? JSON.stringify(value) : `\`${value}\``;
}

/** Whether the one-label wildcard `wildcard` ('*.example.org') covers `host` ('a.example.org'). */
function coversOneLabel(wildcard: string, host: string): boolean {
  const suffix = wildcard.slice(1);
  return host.endsWith(suffix) && host.length > suffix.length && !host.slice(0, -suffix.length).includes('.');
}

/**
 * The host condition of each of the policy's hosts. An exact host is `Host(...)`. A wildcard is a
 * one-label `HostRegexp` (Traefik's HostRegexp matches the request's host unanchored, case-sensitively:
 * pkg/muxer/http/matcher.go `hostRegexp`, hence the anchors and `(?i)`) minus every exact host of
 * `all` it covers: the exact host wins its requests even when its own rules do not match, as the model
 * says, where priorities alone would let the wildcard's routes take them.
 */
export function hostConditions(policy: RoutingPolicy, all: readonly RoutingPolicy[]): string[] {
  const exact = exactHosts(all);
  return policy.hosts.map((h) => {
    if (!h.startsWith('*.')) return `Host(${literal(h)})`;
    const regexp = `HostRegexp(${literal(`(?i)^[^.]+${escapeRegex(h.slice(1))}$`)})`;
    const excluded = exact.filter((e) => coversOneLabel(h, e)).map((e) => `!Host(${literal(e)})`);
    return [regexp, ...excluded].join(' && ');
  });
}

/**
 * `HostSNI(...)` for TLS passthrough. TCP routers take a TLS connection before any HTTPS router does
 * (pkg/server/router/tcp/router.go), and `HostSNI(*.x)` covers one label (pkg/muxer/tcp/matcher.go),
 * so a wildcard steps aside for the exact hosts of every policy, terminated or not.
 */
export function hostSniRule(policy: RoutingPolicy, all: readonly RoutingPolicy[] = [policy]): string {
  const exact = exactHosts(all);
  return policy.hosts
    .map((h) => {
      if (!h.startsWith('*.')) return `HostSNI(${literal(h)})`;
      const excluded = exact.filter((e) => coversOneLabel(h, e)).map((e) => `!HostSNI(${literal(e)})`);
      return excluded.length ? `(${[`HostSNI(${literal(h)})`, ...excluded].join(' && ')})` : `HostSNI(${literal(h)})`;
    })
    .join(' || ');
}

const exactHosts = (all: readonly RoutingPolicy[]) =>
  [...new Set(all.flatMap((p) => p.hosts).filter((h) => !h.startsWith('*.')))].sort();

function pathRule(match: RouteMatch): string {
  const { type, value } = pathOf(match);
  if (type === 'Exact') return `Path(${literal(value)})`;
  if (type === 'RegularExpression') return `PathRegexp(${literal(value)})`;
  const prefix = value.replace(/\/+$/, '');
  // Gateway API prefixes match whole segments: '/api' matches '/api' and '/api/x', never '/apix'.
  return prefix === '' ? 'PathPrefix(`/`)' : `(Path(${literal(prefix)}) || PathPrefix(${literal(`${prefix}/`)}))`;
}

/** `ClientIP` of any of the CIDRs. */
export function clientIpAny(cidrs: readonly string[]): string {
  const parts = cidrs.map((c) => `ClientIP(${literal(c)})`);
  return parts.length === 1 ? parts[0]! : `(${parts.join(' || ')})`;
}

/** The rule of one match on one host condition: host, path, headers, query, method, cookie and `extra`, all required. */
export function matchRule(host: string, match: RouteMatch, extra: readonly string[] = []): string {
  const parts = [host.includes(' && ') ? `(${host})` : host, pathRule(match)];
  for (const h of match.headers ?? []) {
    parts.push(
      h.type === 'RegularExpression'
        ? `HeaderRegexp(${literal(h.name)}, ${literal(h.value)})`
        : `Header(${literal(h.name)}, ${literal(h.value)})`,
    );
  }
  for (const q of match.queryParams ?? []) {
    parts.push(
      q.type === 'RegularExpression'
        ? `QueryRegexp(${literal(q.name)}, ${literal(q.value)})`
        : `Query(${literal(q.name)}, ${literal(q.value)})`,
    );
  }
  if (match.method) parts.push(`Method(${literal(match.method)})`);
  if (match.cookie) {
    const { name, value } = match.cookie;
    parts.push(`HeaderRegexp(\`Cookie\`, ${literal(`(^|;\\s*)${escapeRegex(name)}=${escapeRegex(value)}(;|$)`)})`);
  }
  parts.push(...extra);
  return parts.join(' && ');
}

/** Widths, in values, of the priority's fields from least to most significant. */
const FIELDS = { companion: 2, match: 64, rule: 64, query: 32, headers: 32, method: 2, length: 1025, kind: 4 };

/**
 * Gateway API precedence as a Traefik priority, most significant first: Exact beats PathPrefix beats
 * RegularExpression, then the longer path, a method match, more header (and cookie) matches, more query
 * matches, then the earlier rule and the earlier match of the policy (Traefik breaks equal priorities
 * arbitrarily: `sort.Sort` is not stable). The lowest field is 1 for a deny companion route, which must
 * outrank its own route and nothing else. Always below 2^53 (Traefik's maximum is MaxInt - 1000).
 */
export function precedence(match: RouteMatch, ruleIndex = 0, matchIndex = 0, companion = false): number {
  const { type, value } = pathOf(match);
  const kind = type === 'Exact' ? 3 : type === 'PathPrefix' ? 2 : 1;
  const length = Math.min(type === 'PathPrefix' ? value.replace(/\/+$/, '').length : value.length, 1024);
  const headers = (match.headers?.length ?? 0) + (match.cookie ? 1 : 0);
  const query = match.queryParams?.length ?? 0;
  if (ruleIndex >= FIELDS.rule || matchIndex >= FIELDS.match || headers >= FIELDS.headers || query >= FIELDS.query) {
    throw new UnsupportedFeatureError(
      `rules[${ruleIndex}].matches[${matchIndex}]`,
      'traefik.priority',
      'traefik',
      [],
      'Switchyard encodes at most 64 rules, 64 matches, 31 header and 31 query matches in a Traefik priority',
    );
  }
  const fields: [number, number][] = [
    [kind, FIELDS.kind],
    [length, FIELDS.length],
    [match.method ? 1 : 0, FIELDS.method],
    [headers, FIELDS.headers],
    [query, FIELDS.query],
    [FIELDS.rule - 1 - ruleIndex, FIELDS.rule],
    [FIELDS.match - 1 - matchIndex, FIELDS.match],
    [companion ? 1 : 0, FIELDS.companion],
  ];
  return fields.reduce((acc, [v, width]) => acc * width + v, 0);
}
