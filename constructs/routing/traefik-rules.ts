/**
 * Traefik v3 router rules from route matches: segment-safe prefixes (Traefik's PathPrefix matches
 * characters), header, query, method and cookie matchers, and an explicit priority that reproduces Gateway
 * API precedence (Traefik would otherwise rank routes by the length of their rule text). Pure.
 */
import { pathOf } from './model';
import type { RouteMatch, RoutingPolicy } from './types';
import { escapeRegex } from './values';

/** A Traefik rule literal: backticks, or a quoted string when the value itself has a backtick. */
export function literal(value: string): string {
  return value.includes('`') ? JSON.stringify(value) : `\`${value}\``;
}

/** `Host(...)` for every host of the policy; wildcards as `Host(\`*.example.com\`)` (Traefik 3.7+). */
export function hostRule(policy: RoutingPolicy): string {
  const hosts = policy.hosts.map((h) => `Host(${literal(h)})`);
  return hosts.length === 1 ? hosts[0]! : `(${hosts.join(' || ')})`;
}

/** `HostSNI(...)` for TLS passthrough. */
export function hostSniRule(policy: RoutingPolicy): string {
  return policy.hosts.map((h) => `HostSNI(${literal(h)})`).join(' || ');
}

function pathRule(match: RouteMatch): string {
  const { type, value } = pathOf(match);
  if (type === 'Exact') return `Path(${literal(value)})`;
  if (type === 'RegularExpression') return `PathRegexp(${literal(value)})`;
  const prefix = value.replace(/\/+$/, '');
  // Gateway API prefixes match whole segments: '/api' matches '/api' and '/api/x', never '/apix'.
  return prefix === '' ? 'PathPrefix(`/`)' : `(Path(${literal(prefix)}) || PathPrefix(${literal(`${prefix}/`)}))`;
}

/** The rule of one match: host, path, headers, query, method and cookie, all required. */
export function matchRule(policy: RoutingPolicy, match: RouteMatch, denied: readonly string[] = []): string {
  const parts = [hostRule(policy), pathRule(match)];
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
  // Traefik has no deny middleware: a denied client matches no route (404).
  for (const cidr of denied) parts.push(`!ClientIP(${literal(cidr)})`);
  return parts.join(' && ');
}

/**
 * Gateway API precedence as a Traefik priority: Exact beats PathPrefix beats RegularExpression, then the
 * longer path, then a method match, then more header matches, then more query matches. Below 2^31.
 */
export function precedence(match: RouteMatch): number {
  const { type, value } = pathOf(match);
  const kind = type === 'Exact' ? 3 : type === 'PathPrefix' ? 2 : 1;
  const length = type === 'PathPrefix' ? value.replace(/\/+$/, '').length || 1 : value.length;
  const headers = (match.headers?.length ?? 0) + (match.cookie ? 1 : 0);
  return (
    kind * 100_000_000 +
    Math.min(length, 1024) * 10_000 +
    (match.method ? 1000 : 0) +
    headers * 50 +
    (match.queryParams?.length ?? 0)
  );
}
