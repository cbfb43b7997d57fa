/**
 * Finds rules that claim the same traffic across every policy of an environment, following Gateway
 * API precedence: two matches tie only when host, path type and value, method, and header, query and
 * cookie matches are all equal (anything more specific wins deterministically). One hash pass: O(n).
 */
import { matchesOf, namespaceOf, pathOf } from './model';
import type { RouteConflict, RouteMatch, RoutingPolicy } from './types';
import { validatePolicies } from './validate';

/** A canonical, human-readable description of what one match claims. */
export function describeMatch(match: RouteMatch): string {
  const path = pathOf(match);
  // A trailing slash does not narrow a segment-wise prefix enough to break a tie: '/v1' ~ '/v1/'.
  const value = path.type === 'PathPrefix' && path.value.length > 1 ? path.value.replace(/\/+$/, '') : path.value;
  // '^/a$' claims exactly what Exact '/a' claims: controllers order the two differently (issue 13, case 13).
  const literal = path.type === 'RegularExpression' ? /^\^(.*)\$$/.exec(path.value)?.[1] : undefined;
  const spelled = literal !== undefined ? literalOf(literal) : undefined;
  const parts = [spelled !== undefined ? `Exact ${spelled}` : `${path.type} ${value}`];
  if (match.method) parts.push(`method ${match.method}`);
  const cookies = match.cookie ? [`cookie ${match.cookie.name}=${match.cookie.value}`] : [];
  const headers = (match.headers ?? []).flatMap((h) => {
    const cookie =
      h.type === 'RegularExpression' && h.name.toLowerCase() === 'cookie' ? cookieOfRegex(h.value) : undefined;
    if (cookie) {
      cookies.push(`cookie ${cookie}`);
      return [];
    }
    return [`header ${h.name.toLowerCase()}${h.type === 'RegularExpression' ? '~' : '='}${h.value}`];
  });
  const query = (match.queryParams ?? []).map(
    (q) => `query ${q.name}${q.type === 'RegularExpression' ? '~' : '='}${q.value}`,
  );
  parts.push(...headers.sort(), ...query.sort(), ...[...new Set(cookies)].sort());
  return parts.join(', ');
}

// The anchored Cookie-header regex that selects one cookie's value, as the Gateway API compiler emits it.
const COOKIE_REGEXES = [
  /^\^\(\.\*;\\s\*\)\?(.+)=(.*)\(;\.\*\)\?\$$/, // ^(.*;\s*)?name=value(;.*)?$
];

/** 'name=value' when a Cookie header regex selects exactly one cookie's value, as a cookie match does. */
export function cookieOfRegex(pattern: string): string | undefined {
  for (const form of COOKIE_REGEXES) {
    const m = form.exec(pattern);
    if (!m) continue;
    const [name, value] = [literalOf(m[1]!), literalOf(m[2]!)];
    if (name === undefined || value === undefined) return undefined;
    return `${name}=${value}`;
  }
  return undefined;
}

/** The literal a regex fragment spells, or undefined if it has unescaped metacharacters. */
function literalOf(fragment: string): string | undefined {
  let out = '';
  for (let i = 0; i < fragment.length; i++) {
    const c = fragment[i]!;
    if (c === '\\') {
      const next = fragment[++i];
      if (next === undefined || /[A-Za-z0-9]/.test(next)) return undefined;
      out += next;
    } else if ('.*+?()[]{}|^$'.includes(c)) return undefined;
    else out += c;
  }
  return out;
}

/**
 * What serving a host over TLS means for one policy. A Secret is namespaced ('cert' in two
 * namespaces is two certificates); certificates from one ClusterIssuer are interchangeable, whatever
 * Secret each lands in.
 */
function tlsSignature(policy: RoutingPolicy): string {
  const tls = policy.tls;
  if (!tls) return 'none';
  const certificate = tls.passthrough
    ? null
    : tls.clusterIssuer !== undefined
      ? `issuer:${tls.clusterIssuer}`
      : `secret:${namespaceOf(policy)}/${tls.secretName ?? `${policy.name}-tls`}`;
  return JSON.stringify([tls.passthrough === true, certificate, tls.redirectHttp !== false]);
}

/** Every pair of rules (across all policies) that would claim the same traffic. Empty when there is none. */
export function detectConflicts(policies: readonly RoutingPolicy[]): readonly RouteConflict[] {
  validatePolicies(policies); // throws InvalidRoutingPolicyError: conflicts are only defined between valid policies
  // A name used in several namespaces is ambiguous in a report: qualify it with its namespace there.
  const counts = new Map<string, number>();
  for (const p of policies) counts.set(p.name, (counts.get(p.name) ?? 0) + 1);
  const owner = (policy: RoutingPolicy, suffix: string) =>
    `${(counts.get(policy.name) ?? 0) > 1 ? `${namespaceOf(policy)}/` : ''}${policy.name}${suffix}`;
  const claims = new Map<string, { host: string; match: string; rules: string[] }>();
  const tlsByHost = new Map<string, Map<string, string[]>>();
  for (const policy of policies) {
    for (const host of policy.hosts) {
      const signatures = tlsByHost.get(host) ?? new Map<string, string[]>();
      tlsByHost.set(host, signatures);
      const signature = tlsSignature(policy);
      signatures.set(signature, [...(signatures.get(signature) ?? []), owner(policy, '.tls')]);
      policy.rules.forEach((rule, index) => {
        const ruleOwner = owner(policy, `.rules[${index}]`);
        const seenInRule = new Set<string>();
        for (const match of matchesOf(rule)) {
          const description = describeMatch(match);
          if (seenInRule.has(description)) continue; // a rule repeating itself claims nothing new
          seenInRule.add(description);
          const key = `${host}\u0000${description}`;
          const claim = claims.get(key);
          if (claim) claim.rules.push(ruleOwner);
          else claims.set(key, { host, match: description, rules: [ruleOwner] });
        }
      });
    }
  }
  const conflicts: RouteConflict[] = [];
  for (const claim of claims.values()) {
    for (const [a, b] of pairs(claim.rules)) conflicts.push({ host: claim.host, match: claim.match, rules: [a, b] });
  }
  for (const [host, signatures] of tlsByHost) {
    const owners = [...signatures.values()].map((list) => list[0]!);
    for (const [a, b] of pairs(owners)) conflicts.push({ host, match: 'tls', rules: [a, b] });
  }
  return conflicts;
}

function* pairs<T>(items: readonly T[]): Generator<[T, T]> {
  for (let i = 0; i < items.length; i++) for (let j = i + 1; j < items.length; j++) yield [items[i]!, items[j]!];
}
