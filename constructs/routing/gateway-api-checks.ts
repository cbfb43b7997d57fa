/**
 * Checks across the policies of one Gateway API compilation: what the routes would do together that
 * no single policy shows. Pure.
 */
import { InvalidRoutingPolicyError } from './errors';
import { backendNamespace, redirectsHttp } from './model';
import type { RoutingPolicy } from './types';

/** Whether two host lists share a name ('*.' covers one or more labels, as route hostnames do). */
function hostsIntersect(a: readonly string[], b: readonly string[]): boolean {
  const covers = (w: string, h: string) => w === h || (w.startsWith('*.') && h.endsWith(w.slice(1)));
  return a.some((x) => b.some((y) => covers(x, y) || covers(y, x)));
}

interface Attached {
  readonly policy: RoutingPolicy;
  /** 'policy.rules[i]' of the first rule of this kind, or 'policy.tls.redirectHttp' for the redirect route. */
  readonly at: string;
  readonly listeners: readonly ('http' | 'https')[];
}

/**
 * Refuses an HTTPRoute and a GRPCRoute whose hostnames intersect on one listener: Gateway API then
 * accepts exactly one of the two routes, the oldest, then the first by '{namespace}/{name}'
 * (gateway-api apis/v1/grpcroute_types.go GRPCRouteSpec.Hostnames), so one kind of traffic of the
 * host would get 404s.
 */
export function checkRouteKindsPerHost(policies: readonly RoutingPolicy[]): void {
  const http: Attached[] = [];
  const grpc: Attached[] = [];
  for (const policy of policies) {
    if (policy.tls?.passthrough) continue;
    const served: ('http' | 'https')[] = policy.tls
      ? redirectsHttp(policy)
        ? ['https']
        : ['https', 'http']
      : ['http'];
    const index = (want: boolean) =>
      policy.rules.findIndex((r) => (r.backends?.some((b) => b.protocol === 'grpc') ?? false) === want);
    const g = index(true);
    const h = index(false);
    if (g >= 0) grpc.push({ policy, at: `${policy.name}.rules[${g}]`, listeners: served });
    if (h >= 0) http.push({ policy, at: `${policy.name}.rules[${h}]`, listeners: served });
    if (redirectsHttp(policy)) http.push({ policy, at: `${policy.name}.tls.redirectHttp`, listeners: ['http'] });
  }
  for (const g of grpc) {
    for (const h of http) {
      const listener = g.listeners.find((l) => h.listeners.includes(l));
      if (listener === undefined || !hostsIntersect(g.policy.hosts, h.policy.hosts)) continue;
      throw new InvalidRoutingPolicyError(
        g.at,
        `${g.at} routes gRPC (a GRPCRoute) and ${h.at} routes HTTP (an HTTPRoute) for intersecting hosts ` +
          `(${g.policy.hosts.join(', ')} / ${h.policy.hosts.join(', ')}) on the ${listener} listener: Gateway API accepts ` +
          'only one of the two routes there. Give the gRPC rules their own host' +
          (h.at.endsWith('redirectHttp') ? ', or set tls.redirectHttp: false' : ''),
      );
    }
  }
}

/**
 * Refuses a Service reached over HTTPS by one reference and in plain text by another: the
 * BackendTLSPolicy targets the whole Service (gateway-api apis/v1/backendtlspolicy_types.go
 * TargetRefs), so every route to it, mirrors included, would speak TLS.
 */
export function checkBackendTlsScope(policies: readonly RoutingPolicy[]): void {
  const uses = new Map<string, { https?: string; plain?: string }>();
  for (const policy of policies) {
    if (policy.tls?.passthrough) continue; // a TLSRoute passes the client's TLS through: no BackendTLSPolicy applies
    policy.rules.forEach((rule, r) => {
      const refs = [
        ...(rule.backends ?? []).map((b, i) => ({ b, https: b.protocol === 'https', at: `backends[${i}]` })),
        ...(rule.mirror ? [{ b: rule.mirror.backend, https: false, at: 'mirror.backend' }] : []),
      ];
      for (const { b, https, at } of refs) {
        const key = `${backendNamespace(policy, b)}/${b.service}`;
        const seen = uses.get(key) ?? {};
        const path = `${policy.name}.rules[${r}].${at}`;
        if (https) seen.https ??= path;
        else seen.plain ??= path;
        uses.set(key, seen);
        if (seen.https && seen.plain) {
          throw new InvalidRoutingPolicyError(
            path,
            `Service ${key} is reached over HTTPS by ${seen.https} and in plain text by ${seen.plain}: a BackendTLSPolicy applies to every route to the Service; use one protocol per Service`,
          );
        }
      }
    });
  }
}
