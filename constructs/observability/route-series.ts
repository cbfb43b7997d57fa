/**
 * Which series of the environment's controller belong to one route rule: the label matchers per
 * dialect (from the compiled objects, as the controller names them), the route labels every recorded
 * series carries, and RouteTelemetryError where the controller cannot attribute its series to one rule.
 * Shared by goldenSignalRules and sloRules. Pure: no engine imports, no I/O.
 */
import { createHash } from 'node:crypto';
import { arr, oneOf, opt } from '../core/strict';
import { compileRoutes } from '../routing/compile';
import { RoutingError, UnsupportedFeatureError } from '../routing/errors';
import { backendNamespace, matchesOf, namespaceOf, rulePath } from '../routing/model';
import { objectName } from '../routing/names';
import { hostConditions, matchRule } from '../routing/traefik-rules';
import type { BackendRef, Dialect, KubeObject, RoutingPolicy } from '../routing/types';
import { DIALECTS } from '../routing/types';
import { type ControllerMetrics, METRIC_CATALOG } from './catalog';
import { ROUTE_LABELS } from './slo-names';

/** A golden signal. */
export type Signal = 'rate' | 'errors' | 'latency';

/** Every signal, in output order. */
export const SIGNALS: readonly Signal[] = ['rate', 'errors', 'latency'];

/** The strict field of a `signals` option: at least one signal, none repeated. */
export const SIGNALS_FIELD = opt(
  arr(oneOf(...SIGNALS), (v) =>
    Array.isArray(v) && v.length === 0
      ? 'must name at least one signal'
      : Array.isArray(v) && new Set(v).size !== v.length
        ? 'must not repeat a signal'
        : undefined,
  ),
);

/** A plain monitoring.coreos.com/v1 PrometheusRule of Switchyard's, named `<prefix>-<dialect>[-<part>]`. */
export function routePrometheusRule<Group>(
  prefix: string,
  dialect: Dialect,
  namespace: string | undefined,
  groups: readonly Group[],
  part?: string,
) {
  return {
    apiVersion: 'monitoring.coreos.com/v1' as const,
    kind: 'PrometheusRule' as const,
    metadata: {
      name: objectName([prefix, dialect, ...(part ? [part] : [])]),
      ...(namespace !== undefined ? { namespace } : {}),
      labels: { 'app.kubernetes.io/managed-by': 'switchyard', 'switchyard.io/controller': dialect },
    },
    spec: { groups },
  };
}

/**
 * The controller cannot measure a signal for this rule alone. `path` is the rule ('shop.rules[1]') or the
 * objective's field; the message names the controller, what it cannot do (by default: attribute the
 * signal to this rule alone), why, and what to do.
 */
export class RouteTelemetryError extends RoutingError {
  public constructor(
    path: string,
    public readonly dialect: Dialect,
    public readonly signal: Signal | 'all',
    reason: string,
    fix: string,
    claim = `cannot attribute ${signal === 'all' ? 'its metrics' : `'${signal}'`} to this rule alone`,
  ) {
    const controller = METRIC_CATALOG[dialect]?.controller ?? dialect;
    super(path, `${path}: ${controller} (${dialect}) ${claim}: ${reason}. ${fix}`);
  }
}

/** A label matcher (`name="v"` or `name=~"a|b"`) selecting exactly the given values. */
export function matchAny(label: string, values: readonly string[]): string {
  const sorted = [...new Set(values)].sort();
  if (sorted.length === 1) return `${label}=${JSON.stringify(sorted[0])}`;
  return `${label}=~${JSON.stringify(sorted.map(escapeRegex).join('|'))}`;
}

/** `value` with the RE2 metacharacters escaped. */
export function escapeRegex(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A vector selector: `metric{m1,m2}`, empty matchers left out. */
export function sel(metric: string, ...matchers: string[]): string {
  return `${metric}{${matchers.filter((m) => m.length > 0).join(',')}}`;
}

/** The label matchers that select one rule's series, or a RouteTelemetryError. */
type Selector = (policy: RoutingPolicy, index: number) => string;

interface Context {
  readonly policies: readonly RoutingPolicy[];
  readonly dialect: Dialect;
  readonly objects: () => readonly KubeObject[];
}

function policyObjects(ctx: Context, policy: RoutingPolicy, kinds: readonly string[]): KubeObject[] {
  return ctx
    .objects()
    .filter(
      (o) =>
        kinds.includes(o.kind) &&
        o.metadata.namespace === namespaceOf(policy) &&
        (o.metadata.labels as Record<string, string> | undefined)?.['switchyard.io/routing-policy'] === policy.name,
    );
}

function noObject(ctx: Context, policy: RoutingPolicy, index: number, what: string): never {
  throw new RouteTelemetryError(
    rulePath(policy, index),
    ctx.dialect,
    'all',
    `the compiled output has no ${what} of this rule's own`,
    'Give the rule its own backends or measure it at the backend instead.',
  );
}

/** Envoy Gateway: the cluster of rule k of each route object carrying the rule. */
function envoyGateway(ctx: Context): Selector {
  return (policy, index) => {
    const rule = policy.rules[index]!;
    const name = rule.name ?? `rule-${index}`;
    const clusters: string[] = [];
    for (const o of policyObjects(ctx, policy, ['HTTPRoute', 'GRPCRoute'])) {
      const rules = ((o as { spec?: { rules?: { name?: string }[] } }).spec?.rules ?? []) as { name?: string }[];
      rules.forEach((r, k) => {
        if (r.name === name)
          clusters.push(`${o.kind.toLowerCase()}/${o.metadata.namespace}/${o.metadata.name}/rule/${k}`);
      });
    }
    if (clusters.length === 0) noObject(ctx, policy, index, 'HTTPRoute or GRPCRoute rule');
    return matchAny('envoy_cluster_name', clusters);
  };
}

/** ingress-nginx: the rule's Ingress and its canary Ingresses. */
function ingressNginx(ctx: Context): Selector {
  return (policy, index) => {
    const rule = policy.rules[index]!;
    const base = objectName([policy.name, rule.name ?? `rule-${index}`]);
    const candidates = new Set([
      base,
      objectName([base, 'canary']),
      ...(rule.backends ?? []).map((_, i) => objectName([base, 'canary', String(i)])),
    ]);
    const names = policyObjects(ctx, policy, ['Ingress'])
      .map((o) => o.metadata.name)
      .filter((n) => candidates.has(n));
    if (names.length === 0) noObject(ctx, policy, index, 'Ingress');
    return `namespace=${JSON.stringify(namespaceOf(policy))},${matchAny('ingress', names)}`;
  };
}

/** Traefik's router name for one route of an IngressRoute, as its kubernetescrd provider forms it. */
export function traefikRouterName(namespace: string, ingressRoute: string, match: string): string {
  const hash = createHash('sha256').update(match).digest('hex').slice(0, 10);
  const normalized = `${namespace}-${ingressRoute}-${hash}`
    .split(/[^\p{L}\p{N}]+/u)
    .filter((p) => p.length > 0)
    .join('-');
  return `${normalized}@kubernetescrd`;
}

/** Traefik: the routers of the rule's routes (one per match and host condition) in each IngressRoute. */
function traefik(ctx: Context): Selector {
  return (policy, index) => {
    const rule = policy.rules[index]!;
    const wanted = new Set(
      matchesOf(rule).flatMap((m) => hostConditions(policy, ctx.policies).map((h) => matchRule(h, m))),
    );
    const routers: string[] = [];
    for (const o of policyObjects(ctx, policy, ['IngressRoute'])) {
      const routes = ((o as { spec?: { routes?: { match?: string }[] } }).spec?.routes ?? []) as { match?: string }[];
      for (const r of routes)
        if (r.match !== undefined && wanted.has(r.match))
          routers.push(traefikRouterName(o.metadata.namespace!, o.metadata.name, r.match));
    }
    if (routers.length === 0) noObject(ctx, policy, index, 'IngressRoute route');
    return matchAny('router', routers);
  };
}

/**
 * The Services a rule sends traffic to, as namespace/service[/port]: its backends, and with `mirror` its
 * mirror too (mirrored copies land in that Service's series, but are not the rule's requests).
 */
function servicesOf(policy: RoutingPolicy, index: number, withPort: boolean, mirror = false): string[] {
  const rule = policy.rules[index]!;
  const refs: BackendRef[] = [...(rule.backends ?? []), ...(mirror && rule.mirror ? [rule.mirror.backend] : [])];
  return refs.map((b) => `${backendNamespace(policy, b)}/${b.service}${withPort ? `/${b.port}` : ''}`);
}

/**
 * Controllers whose series are per backend Service: refused when another rule (of any policy given)
 * routes or mirrors to one of this rule's Services.
 */
function perService(
  ctx: Context,
  withPort: boolean,
  label: string,
  matcher: (services: readonly string[]) => string,
): Selector {
  const users = new Map<string, string[]>();
  for (const policy of ctx.policies)
    policy.rules.forEach((rule, index) => {
      if (!rule.backends && !rule.mirror) return;
      for (const s of new Set(servicesOf(policy, index, withPort, true)))
        users.set(s, [...(users.get(s) ?? []), rulePath(policy, index)]);
    });
  return (policy, index) => {
    const own = rulePath(policy, index);
    const services = [...new Set(servicesOf(policy, index, withPort))];
    for (const s of services) {
      const others = (users.get(s) ?? []).filter((r) => r !== own);
      if (others.length > 0) {
        const what = withPort ? `Service port ${s}` : `Service ${s}`;
        throw new RouteTelemetryError(
          own,
          ctx.dialect,
          'all',
          `its series are per backend Service (label ${label}), and ${what} also receives traffic from ${others.join(', ')}`,
          'Give each rule its own backend Service, or compile for a dialect that attributes per rule (gateway-api with Envoy Gateway: one Envoy cluster per rule; traefik and ingress-nginx: one router or Ingress per rule).',
        );
      }
    }
    return matcher(services);
  };
}

function selectorFor(ctx: Context): Selector {
  switch (ctx.dialect) {
    case 'gateway-api':
      return envoyGateway(ctx);
    case 'ingress-nginx':
      return ingressNginx(ctx);
    case 'traefik':
      return traefik(ctx);
    case 'contour':
      // alt_stat_name `<ns>_<service>_<port>`.
      return perService(ctx, true, 'envoy_cluster_name', (services) =>
        matchAny(
          'envoy_cluster_name',
          services.map((s) => s.split('/').join('_')),
        ),
      );
    case 'haproxy':
      // `<ns>_svc_<service>_<port name or number>`: the port name is not in the policy, so any port.
      return perService(ctx, false, 'proxy', (services) => {
        const patterns = [...services].sort().map((s) => {
          const [ns, svc] = s.split('/');
          return `${escapeRegex(`${ns}_svc_${svc}_`)}[^_]+`;
        });
        return `proxy=~${JSON.stringify(patterns.join('|'))}`;
      });
    default:
      throw new Error(`unreachable: ${ctx.dialect}`);
  }
}

/** The series of one environment's rules on one controller. */
export interface RouteSeries {
  /** The controller's catalog entry. */
  readonly metrics: ControllerMetrics;
  /**
   * The label matchers selecting rule `index` of `policy`; throws RouteTelemetryError when the controller
   * cannot attribute its series to that rule (TLS passthrough, a shared backend Service).
   */
  readonly selector: (policy: RoutingPolicy, index: number) => string;
  /** Throws RouteTelemetryError when the controller sees no HTTP for the rule (TLS passthrough). */
  readonly measurable: (policy: RoutingPolicy, index: number) => void;
  /** The ROUTE_LABELS of a rule's recorded series (without `slo`). */
  readonly labels: (policy: RoutingPolicy, index: number) => Record<string, string>;
}

/**
 * The series of `policies` (already validated) on the controller of `dialect`. Throws
 * UnsupportedFeatureError at `options.dialect` for a dialect without a Prometheus catalog.
 */
export function routeSeries(policies: readonly RoutingPolicy[], dialect: Dialect): RouteSeries {
  const metrics = METRIC_CATALOG[dialect];
  if (!metrics) {
    throw new UnsupportedFeatureError(
      'options.dialect',
      'route-telemetry',
      dialect,
      DIALECTS.filter((d) => METRIC_CATALOG[d] !== undefined),
      dialect === 'aws-alb'
        ? 'the ALB reports to CloudWatch, not Prometheus'
        : 'no metric catalog for this controller yet',
    );
  }
  let compiled: readonly KubeObject[] | undefined;
  const target =
    dialect === 'gateway-api'
      ? { dialect, implementation: 'envoy-gateway', channel: 'experimental' as const }
      : { dialect };
  const ctx: Context = {
    policies,
    dialect,
    objects: () => {
      compiled ??= compileRoutes(policies, target).objects;
      return compiled;
    },
  };
  const select = selectorFor(ctx);
  const measurable = (policy: RoutingPolicy, index: number) => {
    if (policy.tls?.passthrough)
      throw new RouteTelemetryError(
        rulePath(policy, index),
        dialect,
        'all',
        'TLS passthrough is proxied as TCP, with no HTTP status or request duration',
        'Terminate TLS at the controller to measure the route, or measure it at the backend.',
      );
  };
  return {
    metrics,
    measurable,
    selector: (policy, index) => {
      measurable(policy, index);
      return select(policy, index);
    },
    labels: (policy, index) => ({
      [ROUTE_LABELS.policy]: policy.name,
      [ROUTE_LABELS.namespace]: namespaceOf(policy),
      [ROUTE_LABELS.rule]: policy.rules[index]!.name ?? `rule-${index}`,
      [ROUTE_LABELS.hosts]: policy.hosts.join(','),
      [ROUTE_LABELS.controller]: dialect,
    }),
  };
}
