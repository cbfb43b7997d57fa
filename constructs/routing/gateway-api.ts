/**
 * The Gateway API dialect (the default): HTTPRoute, GRPCRoute for gRPC backends, TLSRoute for
 * passthrough, ReferenceGrant for cross-namespace references, BackendTLSPolicy for HTTPS backends,
 * a cert-manager Certificate, and implementation policies for what Gateway API lacks. Pure.
 */
import { InvalidRoutingPolicyError } from './errors';
import { checkBackendTlsScope, checkImplementationOrder, checkRouteKindsPerHost } from './gateway-api-checks';
import { backendRef, grpcRule, httpRule, ruleName } from './gateway-api-rules';
import { backendTlsPolicies, supportingObjects } from './gateway-api-support';
import { gatewayImplementationPolicies, type RouteRef } from './gateway-policies';
import { matchesOf, namespaceOf, redirectsHttp, weightOf } from './model';
import { objectName } from './names';
import { policyLabels } from './tls-objects';
import type { CompileTarget, KubeObject, RouteRule, RoutingPolicy } from './types';

/** The Gateway API's API group. */
export const GATEWAY_GROUP = 'gateway.networking.k8s.io';

export { ruleName } from './gateway-api-rules';

/** The Gateway and listeners routes attach to, with defaults resolved. */
export interface ResolvedGateway {
  readonly name: string;
  readonly namespace: string;
  readonly httpListener: string;
  readonly httpsListener: string;
  readonly tlsPassthroughListener: string;
}

/** The Gateway routes attach to and its listeners, with their defaults ('switchyard' in 'gateway-system'). */
export function resolveGateway(target: CompileTarget): ResolvedGateway {
  const g = target.gateway;
  return {
    name: g?.name ?? 'switchyard',
    namespace: g?.namespace ?? 'gateway-system',
    httpListener: g?.httpListener ?? 'http',
    httpsListener: g?.httpsListener ?? 'https',
    tlsPassthroughListener: g?.tlsPassthroughListener ?? 'tls-passthrough',
  };
}

function meta(policy: RoutingPolicy, name: string, namespace = namespaceOf(policy)) {
  return { name, namespace, labels: policyLabels(policy) };
}

function parentRef(gateway: ResolvedGateway, sectionName: string) {
  return { group: GATEWAY_GROUP, kind: 'Gateway', name: gateway.name, namespace: gateway.namespace, sectionName };
}

/** Whether a rule goes to a GRPCRoute (one of its backends speaks gRPC). */
function isGrpcRule(rule: RouteRule): boolean {
  return rule.backends?.some((b) => b.protocol === 'grpc') ?? false;
}

/** The indexes of a policy's HTTP rules, grouped as the HTTPRoutes `chunk` makes. */
function httpRuleChunks(policy: RoutingPolicy): number[][] {
  const http = policy.rules.flatMap((rule, index) =>
    isGrpcRule(rule) ? [] : [{ index, rule: { matches: [...matchesOf(rule)] } }],
  );
  return chunk(http).map((c) => c.map((r) => r.index));
}

/** Splits rules into routes of at most 16 rules and 128 matches (HTTPRoute's limits). */
function chunk<T extends { rule: { matches?: unknown[] } }>(rules: T[]): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let matches = 0;
  for (const rule of rules) {
    const count = rule.rule.matches?.length ?? 1;
    if (current.length === 16 || matches + count > 128) {
      chunks.push(current);
      current = [];
      matches = 0;
    }
    current.push(rule);
    matches += count;
  }
  if (current.length) chunks.push(current);
  return chunks;
}

function compilePolicy(policy: RoutingPolicy, target: CompileTarget, warnings: string[]): KubeObject[] {
  const gateway = resolveGateway(target);
  const ns = namespaceOf(policy);
  if (policy.hosts.length > 16) {
    throw new InvalidRoutingPolicyError(
      `${policy.name}.hosts`,
      `${policy.name}.hosts has ${policy.hosts.length} hosts; a Gateway API route allows at most 16: split the policy`,
    );
  }
  const objects: KubeObject[] = [];
  const routeKinds = new Set<string>();

  if (policy.tls?.passthrough) {
    routeKinds.add('TLSRoute');
    const rule = policy.rules[0]!;
    objects.push({
      apiVersion: `${GATEWAY_GROUP}/v1`,
      kind: 'TLSRoute',
      metadata: meta(policy, objectName([policy.name])),
      spec: {
        parentRefs: [parentRef(gateway, gateway.tlsPassthroughListener)],
        hostnames: [...policy.hosts],
        rules: [
          {
            name: ruleName(rule, 0),
            backendRefs: rule.backends!.map((b) => ({ ...backendRef(policy, b), weight: weightOf(b) })),
          },
        ],
      },
    });
  } else {
    const terminates = policy.tls !== undefined;
    const listeners = terminates
      ? [gateway.httpsListener, ...(redirectsHttp(policy) ? [] : [gateway.httpListener])]
      : [gateway.httpListener];
    // HSTS only over HTTPS (the model; RFC 6797 8.1): a policy served on both listeners gets one route
    // per listener, the HTTPS one with the header.
    const split = policy.hsts !== undefined && listeners.length > 1;
    const attachments = split
      ? [
          { listeners: [gateway.httpsListener], https: true, suffix: '' },
          { listeners: [gateway.httpListener], https: false, suffix: 'http' },
        ]
      : [{ listeners, https: terminates && listeners.length === 1, suffix: '' }];
    const policyObjects = gatewayImplementationPolicies(policy, target, warnings);
    const indexed = policy.rules.map((rule, index) => ({ rule, index, at: `${policy.name}.rules[${index}]` }));
    const grpc = indexed.filter(({ rule }) => isGrpcRule(rule));
    const http = indexed.filter(({ rule }) => !isGrpcRule(rule));
    const routeOfRule = new Map<number, RouteRef[]>();
    type Indexed = (typeof indexed)[number];
    for (const [kind, group, build] of [
      [
        'HTTPRoute',
        http,
        (x: Indexed, https: boolean) =>
          httpRule(policy, x.rule, x.index, x.at, policyObjects.extensionRefs(x.index), https),
      ],
      [
        'GRPCRoute',
        grpc,
        (x: Indexed, https: boolean) =>
          grpcRule(policy, x.rule, x.index, x.at, policyObjects.extensionRefs(x.index), https, target.implementation),
      ],
    ] as const) {
      if (group.length === 0) continue;
      routeKinds.add(kind);
      for (const attachment of attachments) {
        const built = group.map((x) => ({
          index: x.index,
          rule: build(x, attachment.https) as { matches?: unknown[] },
        }));
        chunk(built).forEach((rules, i) => {
          const name = objectName([
            policy.name,
            kind === 'GRPCRoute' ? 'grpc' : '',
            i > 0 ? String(i + 1) : '',
            attachment.suffix,
          ]);
          for (const r of rules) routeOfRule.set(r.index, [...(routeOfRule.get(r.index) ?? []), { kind, name }]);
          objects.push({
            apiVersion: `${GATEWAY_GROUP}/v1`,
            kind,
            metadata: meta(policy, name),
            spec: {
              parentRefs: attachment.listeners.map((l) => parentRef(gateway, l)),
              hostnames: [...policy.hosts],
              rules: rules.map((r) => r.rule),
            },
          });
        });
      }
    }
    objects.push(...policyObjects.objects(routeOfRule));
    if (redirectsHttp(policy)) {
      objects.push({
        apiVersion: `${GATEWAY_GROUP}/v1`,
        kind: 'HTTPRoute',
        metadata: meta(policy, objectName([policy.name, 'https-redirect'])),
        spec: {
          parentRefs: [parentRef(gateway, gateway.httpListener)],
          hostnames: [...policy.hosts],
          rules: [
            {
              name: 'to-https',
              filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }],
            },
          ],
        },
      });
    }
  }
  objects.push(...supportingObjects(policy, gateway, [...routeKinds], warnings, ns));
  return objects;
}

/** Compiles validated, conflict-free policies to Gateway API objects. */
export function compileGatewayApi(
  policies: readonly RoutingPolicy[],
  target: CompileTarget,
  warnings: string[],
): KubeObject[] {
  checkRouteKindsPerHost(policies);
  checkBackendTlsScope(policies);
  checkImplementationOrder(policies, target.implementation, httpRuleChunks);
  return [...policies.flatMap((p) => compilePolicy(p, target, warnings)), ...backendTlsPolicies(policies, warnings)];
}
