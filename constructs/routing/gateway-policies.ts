/**
 * What Gateway API lacks (rate limits, IP lists, connect and idle timeouts, body size), expressed
 * through the implementation's own resources: Envoy Gateway's BackendTrafficPolicy and
 * SecurityPolicy, or Traefik Middlewares referenced from route rules by ExtensionRef. The capability
 * check has already refused features the implementation lacks. Pure.
 */
import { UnsupportedFeatureError } from './errors';
import { namespaceOf } from './model';
import { objectName } from './names';
import type { CompileTarget, KubeObject, RateLimit, RouteRule, RoutingPolicy } from './types';
import { parseSize } from './values';

const EG_API = 'gateway.envoyproxy.io/v1alpha1';

/** A route object a rule was compiled into. */
export interface RouteRef {
  readonly kind: 'HTTPRoute' | 'GRPCRoute';
  readonly name: string;
}

/** Per policy: the ExtensionRef Middlewares each rule needs, and the policy objects for its routes. */
export interface ImplementationPolicies {
  /** Traefik Middleware names the rule at `index` references. */
  extensionRefs(index: number): string[];
  /** The policy objects, given the route each rule landed in. */
  objects(routeOfRule: ReadonlyMap<number, readonly RouteRef[]>): KubeObject[];
}

const NONE: ImplementationPolicies = { extensionRefs: () => [], objects: () => [] };

function labelled(policy: RoutingPolicy, apiVersion: string, kind: string, name: string, spec: unknown): KubeObject {
  return {
    apiVersion,
    kind,
    metadata: {
      name,
      namespace: namespaceOf(policy),
      labels: { 'app.kubernetes.io/managed-by': 'switchyard', 'switchyard.io/routing-policy': policy.name },
    },
    spec,
  };
}

function routeTargets(routes: Iterable<RouteRef>, sectionName?: string) {
  const unique = new Map([...routes].map((r) => [`${r.kind}/${r.name}`, r]));
  return [...unique.values()].map((r) => ({
    group: 'gateway.networking.k8s.io',
    kind: r.kind,
    name: r.name,
    ...(sectionName ? { sectionName } : {}),
  }));
}

function ruleLabel(rule: RouteRule, index: number): string {
  return rule.name ?? `rule-${index}`;
}

function envoyGateway(policy: RoutingPolicy, warnings: string[]): ImplementationPolicies {
  const rateLimitSpec = (limit: RateLimit, at: string) => {
    // Envoy's local rate limit is a token bucket holding `requests` tokens: the burst is the rate.
    if (limit.burst !== undefined && limit.burst !== limit.requestsPerSecond) {
      throw new UnsupportedFeatureError(
        `${at}.burst`,
        'rate-limit',
        'gateway-api',
        ['ingress-nginx', 'traefik'],
        `envoy-gateway: the local rate limit's bucket holds exactly requestsPerSecond (${limit.requestsPerSecond}) tokens, so burst ${limit.burst} cannot be set; drop burst or set it to ${limit.requestsPerSecond}`,
      );
    }
    return { type: 'Local', local: { rules: [{ limit: { requests: limit.requestsPerSecond, unit: 'Second' } }] } };
  };
  const authorization = (allow: readonly string[] | undefined) => ({
    defaultAction: allow ? 'Deny' : 'Allow',
    rules: [
      ...(policy.denySourceRanges
        ? [{ name: 'deny-listed', action: 'Deny', principal: { clientCIDRs: [...policy.denySourceRanges] } }]
        : []),
      ...(allow ? [{ name: 'allow-listed', action: 'Allow', principal: { clientCIDRs: [...allow] } }] : []),
    ],
  });
  if (policy.rateLimit || policy.rules.some((r) => r.rateLimit)) {
    warnings.push(
      `${policy.name}: Envoy Gateway local rate limits count per Envoy replica for all clients together, not per client IP; use its global (Redis) rate limit for per-client limits`,
    );
  }
  return {
    extensionRefs: () => [],
    objects: (routeOfRule) => {
      const routes = [...routeOfRule.values()].flat();
      const objects: KubeObject[] = [];
      if (policy.rateLimit) {
        objects.push(
          labelled(policy, EG_API, 'BackendTrafficPolicy', objectName([policy.name, 'traffic']), {
            targetRefs: routeTargets(routes),
            rateLimit: rateLimitSpec(policy.rateLimit, `${policy.name}.rateLimit`),
          }),
        );
      }
      if (policy.allowSourceRanges || policy.denySourceRanges) {
        objects.push(
          labelled(policy, EG_API, 'SecurityPolicy', objectName([policy.name, 'access']), {
            targetRefs: routeTargets(routes),
            authorization: authorization(policy.allowSourceRanges),
          }),
        );
      }
      policy.rules.forEach((rule, index) => {
        // A rule lands in one route per listener when HSTS splits the policy's routes.
        const route = routeOfRule.get(index);
        if (!route?.length) return;
        const section = ruleLabel(rule, index);
        const connect = rule.timeouts?.connect;
        const idle = rule.timeouts?.idle;
        // A rule-level policy replaces the route-level one for that rule: carry the inherited limit along.
        if (rule.rateLimit || connect || idle) {
          const limit = rule.rateLimit ?? policy.rateLimit;
          const limitAt = rule.rateLimit ? `${policy.name}.rules[${index}].rateLimit` : `${policy.name}.rateLimit`;
          objects.push(
            labelled(policy, EG_API, 'BackendTrafficPolicy', objectName([policy.name, section, 'traffic']), {
              targetRefs: routeTargets(route, section),
              ...(limit ? { rateLimit: rateLimitSpec(limit, limitAt) } : {}),
              ...(connect || idle
                ? {
                    timeout: {
                      ...(connect ? { tcp: { connectTimeout: connect } } : {}),
                      ...(idle ? { http: { connectionIdleTimeout: idle } } : {}),
                    },
                  }
                : {}),
            }),
          );
        }
        if (rule.allowSourceRanges) {
          objects.push(
            labelled(policy, EG_API, 'SecurityPolicy', objectName([policy.name, section, 'access']), {
              targetRefs: routeTargets(route, section),
              authorization: authorization(rule.allowSourceRanges),
            }),
          );
        }
      });
      return objects;
    },
  };
}

function traefik(policy: RoutingPolicy): ImplementationPolicies {
  const middlewares = new Map<string, KubeObject>();
  const middleware = (name: string, spec: unknown) => {
    middlewares.set(name, labelled(policy, 'traefik.io/v1alpha1', 'Middleware', name, spec));
    return name;
  };
  const rateLimit = (name: string, limit: RateLimit) =>
    middleware(name, {
      rateLimit: { average: limit.requestsPerSecond, period: '1s', burst: limit.burst ?? limit.requestsPerSecond },
    });
  const refsByRule = policy.rules.map((rule, index) => {
    const section = ruleLabel(rule, index);
    const refs: string[] = [];
    if (rule.rateLimit) refs.push(rateLimit(objectName([policy.name, section, 'rate-limit']), rule.rateLimit));
    else if (policy.rateLimit) refs.push(rateLimit(objectName([policy.name, 'rate-limit']), policy.rateLimit));
    const allow = rule.allowSourceRanges ?? policy.allowSourceRanges;
    if (allow) {
      const name = objectName(rule.allowSourceRanges ? [policy.name, section, 'allow'] : [policy.name, 'allow']);
      refs.push(middleware(name, { ipAllowList: { sourceRange: [...allow] } }));
    }
    if (rule.maxBodySize) {
      refs.push(
        middleware(objectName([policy.name, section, 'body-size']), {
          buffering: { maxRequestBodyBytes: parseSize(rule.maxBodySize) },
        }),
      );
    }
    return refs;
  });
  return { extensionRefs: (index) => refsByRule[index] ?? [], objects: () => [...middlewares.values()] };
}

/** The implementation policies of one policy for a Gateway API target. */
export function gatewayImplementationPolicies(
  policy: RoutingPolicy,
  target: CompileTarget,
  warnings: string[],
): ImplementationPolicies {
  if (target.implementation === 'envoy-gateway') return envoyGateway(policy, warnings);
  if (target.implementation === 'traefik') return traefik(policy);
  return NONE;
}
