/**
 * An environment's route telemetry as objects: per-route golden signals, SLO recording rules and burn-rate
 * alerts, the Alertmanager route to the environment's receiver, and the Grafana dashboard, all in the
 * environment's namespace. Written where Prometheus runs (the metrics stack, or a cluster that says it runs
 * the Prometheus Operator); an SLO without Prometheus is an error, not a silent no-op. Pure.
 */
import { assertProps, bool, json, opt, shapeOf } from '../core/strict';
import { InvalidPropertyError, within } from '../core/validate';
import type { TrafficSource } from '../ingress/envoy-gateway';
import type { PlatformAddons } from '../ingress/platform';
import { type SloReceiver, sloAlertRouting } from '../observability/alerting';
import { METRIC_CATALOG } from '../observability/catalog';
import { DashboardTooLargeError, routeDashboard } from '../observability/dashboard';
import { goldenSignalRules, type Signal } from '../observability/golden-signals';
import { sloRules } from '../observability/slo';
import type { KubeObject, RoutingPolicy } from '../routing/types';
import { TRAFFIC_SOURCE_SPEC } from '../workload/schema';
import type { Environment } from './model';

/** What an environment asks of its route telemetry. */
export interface EnvironmentObservability {
  /**
   * Where the routes' SLO alerts go (pages and tickets): an AlertmanagerConfig in the environment's
   * namespace routes them there. Required when a route has an SLO.
   * @default - none
   */
  readonly alertReceiver?: SloReceiver;
  /**
   * Per-route golden signals (request rate, 5xx ratio, latency quantiles) as recording rules.
   * @default true
   */
  readonly routeSignals?: boolean;
  /**
   * The environment's Grafana dashboard (a ConfigMap for the sidecar): a row per host, a panel per route;
   * split over several when one would exceed a ConfigMap's 1 MiB.
   * @default true
   */
  readonly dashboard?: boolean;
  /**
   * The Prometheus pods that scrape the apps' metrics ports, on a cluster whose Prometheus the platform
   * does not install (`cluster.traits.prometheusOperator`).
   * @default - the metrics stack's Prometheus, when `addons.metrics` is set; otherwise none
   */
  readonly scraper?: TrafficSource;
}

const OBSERVABILITY_SPEC = shapeOf<EnvironmentObservability>()({
  // Its shape and values are sloAlertRouting's to check, with the path.
  alertReceiver: opt(json),
  routeSignals: opt(bool),
  dashboard: opt(bool),
  scraper: opt(TRAFFIC_SOURCE_SPEC),
});

/** Whether Prometheus (with the Operator's CRDs) runs where the environment deploys. */
export function runsPrometheus(env: Environment, addons: PlatformAddons): boolean {
  return addons.telemetry?.metrics !== undefined || env.cluster.traits.prometheusOperator === true;
}

/** The Prometheus pods the apps' NetworkPolicies admit to their metrics ports, if any. */
export function environmentScraper(env: Environment, addons: PlatformAddons): TrafficSource | undefined {
  if (env.observability?.scraper) return env.observability.scraper;
  const metrics = addons.telemetry?.metrics;
  return metrics ? { namespace: metrics.namespace, podLabels: metrics.prometheusPods } : undefined;
}

// The observability objects are plain typed interfaces; a KubeObject is what the charts take.
const kube = (object: { readonly apiVersion: string; readonly kind: string }): KubeObject => object as KubeObject;

/**
 * The largest telemetry object written: the Prometheus Operator packs each PrometheusRule into a ConfigMap
 * of at most 1 MiB, and a dashboard is one ConfigMap; the margin leaves room for what the API server adds.
 */
export const TELEMETRY_OBJECT_MAX_BYTES = 900 * 1024;

/**
 * `build` over all the policies, or, when the object would be too large (or the builder says so), over
 * halves of them until each part fits: parts 'part-1', 'part-2', 'part-1-1' ... One policy too large
 * for an object stays an error.
 */
function fitted(
  routing: readonly RoutingPolicy[],
  build: (
    policies: readonly RoutingPolicy[],
    part: string | undefined,
  ) => { readonly apiVersion: string; readonly kind: string },
  part?: string,
): KubeObject[] {
  let object: KubeObject | undefined;
  try {
    object = kube(build(routing, part));
  } catch (error) {
    if (!(error instanceof DashboardTooLargeError) || routing.length < 2) throw error;
  }
  if (object && (routing.length < 2 || Buffer.byteLength(JSON.stringify(object)) <= TELEMETRY_OBJECT_MAX_BYTES))
    return [object];
  const half = Math.ceil(routing.length / 2);
  const name = part ?? 'part';
  return [...fitted(routing.slice(0, half), build, `${name}-1`), ...fitted(routing.slice(half), build, `${name}-2`)];
}

const hasSlo = (policy: RoutingPolicy) => policy.slo !== undefined || policy.rules.some((r) => r.slo !== undefined);
const hasBackends = (policy: RoutingPolicy) => policy.rules.some((r) => r.backends !== undefined);

/** The telemetry objects of an environment, in apply order; [] where nothing is measured. */
export function environmentTelemetry(env: Environment, addons: PlatformAddons): KubeObject[] {
  const at = `environments.${env.name}.observability`;
  const options = env.observability ?? {};
  within(at, () => assertProps(options, OBSERVABILITY_SPEC));
  const routing = env.routing ?? [];
  const slos = routing.some(hasSlo);
  if (!runsPrometheus(env, addons)) {
    if (slos || options.alertReceiver) {
      throw new InvalidPropertyError(
        at,
        `${at}: ${env.name} has ${slos ? 'routes with an SLO' : 'an alert receiver'} but no Prometheus to measure them: ` +
          'install the metrics stack (addons.metrics) or, if the cluster runs its own, set cluster.traits.prometheusOperator',
      );
    }
    return [];
  }
  if (!routing.some(hasBackends)) return [];
  const dialect = addons.target.dialect;
  const namespace = env.namespace;
  // Without a duration histogram (HAProxy) the environment records and draws rate and errors only.
  const signals: Signal[] = METRIC_CATALOG[dialect]?.duration ? ['rate', 'errors', 'latency'] : ['rate', 'errors'];
  const objects: KubeObject[] = [];
  if (options.routeSignals ?? true)
    objects.push(
      ...within(`environments.${env.name}.routing`, () =>
        fitted(routing, (policies, part) => goldenSignalRules(policies, { dialect, namespace, signals, part })),
      ),
    );
  if (slos) {
    if (!options.alertReceiver) {
      throw new InvalidPropertyError(
        `${at}.alertReceiver`,
        `${at}.alertReceiver is required: ${env.name} has routes with an SLO, whose burn-rate alerts need a receiver (webhook, slack or pagerduty)`,
      );
    }
    const receiver = options.alertReceiver;
    objects.push(
      ...within(`environments.${env.name}.routing`, () =>
        fitted(routing.filter(hasSlo), (policies, part) =>
          sloRules(policies, { dialect, namespace, alertNamespace: namespace, part }),
        ),
      ),
      kube(within(`${at}.alertReceiver`, () => sloAlertRouting({ namespace, receiver }))),
    );
  }
  if (options.dashboard ?? true)
    objects.push(
      ...within(at, () =>
        fitted(routing, (policies, part) =>
          routeDashboard(policies, {
            environment: env.name,
            dialect,
            namespace,
            signals,
            ...(part ? { name: part } : {}),
          }),
        ),
      ),
    );
  return objects;
}
