/**
 * Host admission and host matching of the OpenShift router, checked before any Route is emitted:
 * what the router would reject, or route to another policy than the one that owns the host. Pure.
 */
import { UnsupportedFeatureError } from './errors';
import { matchesOf, namespaceOf, pathOf } from './model';
import type { RoutingPolicy } from './types';

/** The parent domain of a host ('a.example.org' -> 'example.org'; routeapihelpers.GetDomainForHost). */
const domainOf = (host: string) => host.slice(host.indexOf('.') + 1);

/** Whether the router would let Routes of `a` and `b` compete for one name (same host, or a wildcard over it). */
function claimSameName(a: string, b: string): boolean {
  if (a === b) return true;
  const wa = a.startsWith('*.');
  const wb = b.startsWith('*.');
  if (wa && !wb) return domainOf(b) === a.slice(2);
  if (wb && !wa) return domainOf(a) === b.slice(2);
  return false;
}

/**
 * Refuses hosts the router would not serve as the policies say:
 * - namespace ownership (case 12): a host's Routes are admitted from one namespace only, that of its
 *   oldest Route (pkg/router/controller/unique_host.go with hostindex.SameNamespace, the default unless
 *   ROUTER_DISABLE_NAMESPACE_OWNERSHIP_CHECK); a wildcard Route and a host below it in another namespace
 *   block each other (pkg/router/controller/host_admitter.go displacedRoutes). Which namespace wins
 *   depends on creation order, so the other's Routes are rejected with HostAlreadyClaimed.
 * - wildcard fall-through: the router matches one map of host+path regexes, exact hosts sorted before
 *   wildcards (pkg/router/template/template_helper.go generateHAProxyMap, util/map_paths.go), so a path
 *   the exact host's Routes do not cover falls to the wildcard's Routes, where the model gives no-route.
 */
export function checkOpenShiftHosts(policies: readonly RoutingPolicy[]): void {
  policies.forEach((p, i) => {
    policies.slice(0, i).forEach((q) => {
      if (namespaceOf(p) === namespaceOf(q)) return;
      p.hosts.forEach((h, j) => {
        const other = q.hosts.find((g) => claimSameName(h, g));
        if (other === undefined) return;
        throw new UnsupportedFeatureError(
          `${p.name}.hosts[${j}]`,
          'host',
          'openshift-route',
          ['gateway-api', 'ingress-nginx'],
          `${h} (namespace ${namespaceOf(p)}) and ${other} of ${q.name} (namespace ${namespaceOf(q)}): the router admits one namespace per host, the namespace of its oldest Route, and rejects the other's Routes (HostAlreadyClaimed; pkg/router/controller/unique_host.go, hostindex SameNamespace). Put the policies in one namespace, or give them different hosts`,
        );
      });
    });
  });
  const coversRoot = (host: string) =>
    policies.some(
      (p) =>
        p.hosts.includes(host) &&
        (p.tls?.passthrough ||
          p.rules.some((r) => matchesOf(r).some((m) => pathOf(m).type === 'PathPrefix' && pathOf(m).value === '/'))),
    );
  for (const p of policies) {
    p.hosts.forEach((h, j) => {
      if (!h.startsWith('*.')) return;
      const exact = policies.flatMap((q) => q.hosts).find((g) => !g.startsWith('*.') && domainOf(g) === h.slice(2));
      if (exact === undefined || coversRoot(exact)) return;
      throw new UnsupportedFeatureError(
        `${p.name}.hosts[${j}]`,
        'host.wildcard',
        'openshift-route',
        ['gateway-api', 'haproxy'],
        `the router matches host and path together, so requests to ${exact} on paths its own rules do not cover would go to the Routes of ${h}; give ${exact} a rule on PathPrefix /`,
      );
    });
  }
}
