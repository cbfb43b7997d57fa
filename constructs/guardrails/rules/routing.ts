/** Routing guardrails on the typed policies: what a public route in production must have. */

import { type Feature, featuresOf, supportFor } from '../../routing/capabilities';
import type { RoutingPolicy } from '../../routing/types';
import type { GuardrailRule, RawFinding } from '../findings';

function policyRef(policy: RoutingPolicy): string {
  return `RoutingPolicy/${policy.namespace ?? 'default'}/${policy.name}`;
}

/** Public routes terminate TLS. */
export const ROUTE_TLS: GuardrailRule = {
  id: 'route-tls',
  description: 'Public routes terminate (or pass through) TLS',
  severity: 'warning',
  scope: 'routing',
  productionSeverity: 'danger',
  check: ({ policies }) =>
    policies
      .filter((p) => !p.tls)
      .map((p) => ({
        object: policyRef(p),
        field: `${p.name}.tls`,
        message: `hosts ${p.hosts.join(', ')} are served over plain HTTP`,
        fix: "set tls: { clusterIssuer: '...' } (cert-manager) or tls: { secretName: '...' }",
      })),
};

/** TLS routes send Strict-Transport-Security. */
export const ROUTE_HSTS: GuardrailRule = {
  id: 'route-hsts',
  description: 'TLS routes send Strict-Transport-Security',
  severity: 'info',
  scope: 'routing',
  productionSeverity: 'danger',
  check: ({ policies }) =>
    policies
      .filter((p) => p.tls && !p.tls.passthrough && !p.hsts)
      .map((p) => ({
        object: policyRef(p),
        field: `${p.name}.hsts`,
        message: 'browsers are not told to stay on HTTPS',
        // Gateway API durations stop at hours: one year is 8760h.
        fix: "set hsts: { maxAge: '8760h' }",
      })),
};

/** Routes bound how long a request may take. */
export const ROUTE_TIMEOUTS: GuardrailRule = {
  id: 'route-timeouts',
  description: 'Forwarding rules bound how long a request may take',
  severity: 'info',
  scope: 'routing',
  productionSeverity: 'danger',
  check: ({ policies, target }) => {
    const findings: RawFinding[] = [];
    // A timeout the dialect does not emit per route bounds nothing the guardrail can see.
    const perRoute = (feature: Feature) =>
      !target || ['native', 'emulated', 'approximate'].includes(supportFor(target, feature));
    for (const p of policies) {
      if (p.tls?.passthrough) continue; // TLS is opaque to the proxy: no HTTP timeouts exist
      p.rules.forEach((rule, i) => {
        if (rule.redirect) return;
        const request = rule.timeouts?.request !== undefined && perRoute('timeouts.request');
        const attempt = rule.timeouts?.backendRequest !== undefined && perRoute('timeouts.backend-request');
        if (request || attempt) return;
        if (rule.timeouts?.request || rule.timeouts?.backendRequest) {
          findings.push({
            object: policyRef(p),
            field: `${p.name}.rules[${i}].timeouts`,
            message: `rule '${rule.name ?? i}' sets a timeout that ${target?.dialect} does not emit per route (controller-wide only)`,
            fix: `set the timeout on the ${target?.dialect} controller and record an exception for this route, or compile for a dialect with per-route timeouts`,
          });
          return;
        }
        findings.push({
          object: policyRef(p),
          field: `${p.name}.rules[${i}].timeouts`,
          message: `rule '${rule.name ?? i}' has no request timeout: a slow backend holds connections indefinitely`,
          fix: "set timeouts: { request: '30s' }",
        });
      });
    }
    return findings;
  },
};

/** Public routes name their hosts rather than a wildcard (unless allowed). */
export const ROUTE_WILDCARD_HOSTS: GuardrailRule = {
  id: 'route-wildcard-hosts',
  description: 'No wildcard hosts on public routes unless allowed',
  severity: 'info',
  scope: 'routing',
  productionSeverity: 'danger',
  check: ({ policies, options }) =>
    options.allowWildcardHosts
      ? []
      : policies.flatMap((p) =>
          p.hosts.flatMap((h, i) =>
            h.startsWith('*.')
              ? [
                  {
                    object: policyRef(p),
                    field: `${p.name}.hosts[${i}]`,
                    message: `wildcard host '${h}' accepts traffic for every subdomain`,
                    fix: 'list the hosts, or set allowWildcardHosts: true for this environment',
                  },
                ]
              : [],
          ),
        ),
};

/** Accepted approximations are visible: each one is a place where the route does not do exactly what it says. */
export const ROUTE_APPROXIMATIONS: GuardrailRule = {
  id: 'route-approximations',
  description: 'Features a dialect only approximates are listed (accepted with acceptApproximations)',
  severity: 'info',
  scope: 'routing',
  productionSeverity: 'warning',
  check: ({ policies, target }) => {
    if (!target) return [];
    return policies.flatMap((p) =>
      featuresOf(p).flatMap(({ feature, path }) => {
        const support = supportFor(target, feature);
        if (support !== 'approximate' && support !== 'global-only') return [];
        return [
          {
            object: policyRef(p),
            field: path,
            message: `${target.dialect} ${support === 'global-only' ? 'sets' : 'only approximates'} '${feature}'${support === 'global-only' ? ' controller-wide' : ''} (accepted by acceptApproximations)`,
            fix: `compile for a dialect that expresses '${feature}' exactly, or keep the approximation knowingly`,
          },
        ];
      }),
    );
  },
};
