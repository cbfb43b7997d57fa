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
  const parts = [`${path.type} ${value}`];
  if (match.method) parts.push(`method ${match.method}`);
  const headers = (match.headers ?? []).map(
    (h) => `header ${h.name.toLowerCase()}${h.type === 'RegularExpression' ? '~' : '='}${h.value}`,
  );
  const query = (match.queryParams ?? []).map(
    (q) => `query ${q.name}${q.type === 'RegularExpression' ? '~' : '='}${q.value}`,
  );
  parts.push(...headers.sort(), ...query.sort());
  if (match.cookie) parts.push(`cookie ${match.cookie.name}=${match.cookie.value}`);
  return parts.join(', ');
}

function tlsSignature(policy: RoutingPolicy): string {
  const tls = policy.tls;
  if (!tls) return 'none';
  return JSON.stringify([
    tls.passthrough === true,
    tls.secretName ?? `${namespaceOf(policy)}/${policy.name}-tls`,
    tls.clusterIssuer ?? null,
    tls.redirectHttp !== false,
  ]);
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
