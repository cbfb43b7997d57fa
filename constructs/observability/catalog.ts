/**
 * Per-controller metric catalog: which Prometheus series each ingress controller exports for request
 * count (with the status code) and request duration, which label tells routes apart, and how finely
 * that label attributes traffic. Each entry cites where the names come from. Pure: no engine imports.
 */
import type { Dialect } from '../routing/types';

/** How finely a controller's route label attributes traffic. */
export type Attribution =
  /** One series set per rule of a route object (Envoy Gateway: one Envoy cluster per HTTPRoute rule). */
  | 'rule'
  /** One series set per route object the compiler emits (one Ingress or one Traefik router per rule). */
  | 'route-object'
  /** One series set per backend Service: rules sharing a Service cannot be told apart. */
  | 'backend-service';

/** The request counter: every request, with a status-code label. */
export interface RequestCounter {
  /** Metric name as Prometheus scrapes it. */
  readonly metric: string;
  /** Labels the metric carries that the compiler reads. */
  readonly labels: readonly string[];
}

/** How server errors (5xx) are selected. */
export interface ServerErrors {
  /** Metric counting responses; the same as the request counter or a sibling counter. */
  readonly metric: string;
  /** Label matcher selecting 5xx responses, e.g. `status=~"5.."`. */
  readonly matcher: string;
}

/** A request duration histogram. */
export interface DurationHistogram {
  /** The `_bucket` series. */
  readonly metric: string;
  /** Seconds per unit of the `le` label: 1 for seconds, 0.001 for milliseconds. */
  readonly secondsPerUnit: number;
  /**
   * The controller's default bucket boundaries, ascending, in the unit of `le` (`+Inf` not listed): a
   * latency objective's threshold must be one of them to be measured exactly.
   */
  readonly buckets: readonly number[];
  /** Where the default boundaries are defined, and the setting that changes them. */
  readonly bucketsSource: string;
}

/**
 * Envoy's default histogram buckets (milliseconds for the request time histograms), used unless the
 * bootstrap sets stats_config.histogram_bucket_settings; neither Envoy Gateway's nor Contour's bootstrap does.
 */
const ENVOY_DEFAULT_BUCKETS_MS = [
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000,
] as const;
const ENVOY_BUCKETS_SOURCE =
  'github.com/envoyproxy/envoy source/common/stats/histogram_impl.cc (HistogramSettingsImpl::defaultBuckets); ' +
  'changed by the bootstrap stats_config.histogram_bucket_settings';

/** What one controller exports per route. */
export interface ControllerMetrics {
  /** The controller the dialect targets, in words. */
  readonly controller: string;
  readonly requests: RequestCounter;
  readonly serverErrors: ServerErrors;
  /** Absent when the controller exports no duration histogram per route (only averages). */
  readonly duration?: DurationHistogram;
  /** Why there is no histogram, when `duration` is absent. */
  readonly noHistogram?: string;
  /** The label whose value names the route object, rule or backend. */
  readonly routeLabel: string;
  readonly attribution: Attribution;
  /** How the value of `routeLabel` is formed from what the routing compiler emits. */
  readonly note: string;
  /** Controller settings the series need (not defaults everywhere). */
  readonly requires?: string;
  /** Docs pages or source files (repository and path) the names were checked against. */
  readonly sources: readonly string[];
}

const ENVOY_STATS_DOC =
  'https://www.envoyproxy.io/docs/envoy/latest/configuration/upstream/cluster_manager/cluster_stats';

/**
 * The catalog, by routing dialect. `aws-alb` reports to CloudWatch, not Prometheus, and
 * `openshift-route` (the OpenShift router) is not catalogued yet: both are absent.
 */
export const METRIC_CATALOG: Readonly<Partial<Record<Dialect, ControllerMetrics>>> = {
  'gateway-api': {
    controller: 'Envoy Gateway',
    requests: { metric: 'envoy_cluster_upstream_rq_total', labels: ['envoy_cluster_name'] },
    serverErrors: { metric: 'envoy_cluster_upstream_rq_xx', matcher: 'envoy_response_code_class="5"' },
    duration: {
      metric: 'envoy_cluster_upstream_rq_time_bucket',
      secondsPerUnit: 0.001,
      buckets: ENVOY_DEFAULT_BUCKETS_MS,
      bucketsSource: `${ENVOY_BUCKETS_SOURCE} (github.com/envoyproxy/gateway internal/xds/bootstrap/bootstrap.yaml.tpl sets none)`,
    },
    routeLabel: 'envoy_cluster_name',
    attribution: 'rule',
    note:
      'Envoy Gateway gives every route rule its own Envoy cluster, named <route kind>/<namespace>/<route name>/rule/<index ' +
      'of the rule in the route object>; the stat name is the cluster name unless EnvoyProxy telemetry.metrics.clusterStatName ' +
      'overrides it. Upstream stats: responses Envoy generates itself without reaching a backend are not counted.',
    requires: 'EnvoyProxy without a custom telemetry.metrics.clusterStatName',
    sources: [
      'github.com/envoyproxy/gateway internal/gatewayapi/helpers.go (irRoutePrefix, irRouteDestinationName)',
      'github.com/envoyproxy/gateway internal/xds/translator/cluster.go (AltStatName only when a stat name is configured)',
      ENVOY_STATS_DOC,
    ],
  },
  contour: {
    controller: 'Contour (Envoy)',
    requests: { metric: 'envoy_cluster_upstream_rq_total', labels: ['envoy_cluster_name'] },
    serverErrors: { metric: 'envoy_cluster_upstream_rq_xx', matcher: 'envoy_response_code_class="5"' },
    duration: {
      metric: 'envoy_cluster_upstream_rq_time_bucket',
      secondsPerUnit: 0.001,
      buckets: ENVOY_DEFAULT_BUCKETS_MS,
      bucketsSource: `${ENVOY_BUCKETS_SOURCE} (github.com/projectcontour/contour internal/envoy/v3/bootstrap.go sets none)`,
    },
    routeLabel: 'envoy_cluster_name',
    attribution: 'backend-service',
    note:
      'Contour names the Envoy stats of a cluster <namespace>_<service>_<port> (alt_stat_name), one per backend Service ' +
      'port whatever HTTPProxy routes to it, so every rule routing to that Service port adds to the same series.',
    sources: [
      'github.com/projectcontour/contour internal/envoy/cluster.go (AltStatName)',
      'github.com/projectcontour/contour internal/envoy/v3/cluster.go',
      ENVOY_STATS_DOC,
    ],
  },
  traefik: {
    controller: 'Traefik',
    requests: { metric: 'traefik_router_requests_total', labels: ['router', 'code', 'service'] },
    serverErrors: { metric: 'traefik_router_requests_total', matcher: 'code=~"5.."' },
    duration: {
      metric: 'traefik_router_request_duration_seconds_bucket',
      secondsPerUnit: 1,
      buckets: [0.1, 0.3, 1.2, 5],
      bucketsSource:
        'github.com/traefik/traefik pkg/types/metrics.go (Prometheus.SetDefaults: Buckets); changed by metrics.prometheus.buckets',
    },
    routeLabel: 'router',
    attribution: 'route-object',
    note:
      'The kubernetescrd provider names the router of each IngressRoute route <namespace>-<IngressRoute name>-<first 10 hex ' +
      'digits of the SHA-256 of its match>, non-alphanumerics turned into dashes, with the @kubernetescrd suffix; one rule ' +
      'becomes one route per match and host condition, so its routers are summed.',
    requires: 'metrics.prometheus.addRoutersLabels=true (router series are off by default)',
    sources: [
      'github.com/traefik/traefik pkg/provider/kubernetes/crd/kubernetes_http.go and kubernetes.go (makeServiceKey, makeID)',
      'github.com/traefik/traefik pkg/provider/configuration.go (Normalize)',
      'github.com/traefik/traefik pkg/observability/metrics/prometheus.go (routerReqsTotalName, routerReqDurationName)',
      'https://doc.traefik.io/traefik/reference/install-configuration/observability/metrics/',
    ],
  },
  'ingress-nginx': {
    controller: 'ingress-nginx',
    requests: { metric: 'nginx_ingress_controller_requests', labels: ['namespace', 'ingress', 'service', 'status'] },
    serverErrors: { metric: 'nginx_ingress_controller_requests', matcher: 'status=~"5.."' },
    duration: {
      metric: 'nginx_ingress_controller_request_duration_seconds_bucket',
      secondsPerUnit: 1,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      bucketsSource:
        'github.com/kubernetes/ingress-nginx pkg/flags/flags.go (--time-buckets, default prometheus.DefBuckets) and ' +
        'github.com/prometheus/client_golang prometheus/histogram.go (DefBuckets); changed by the controller flag --time-buckets',
    },
    routeLabel: 'ingress',
    attribution: 'route-object',
    note:
      'Labelled with the namespace and name of the Ingress that served the request; Switchyard emits one Ingress per rule ' +
      '(plus canary Ingresses named after it), so the series of a rule are those of its Ingresses.',
    sources: [
      'github.com/kubernetes/ingress-nginx internal/ingress/metric/collectors/socket.go (requestTags, requests, request_duration_seconds)',
      'https://kubernetes.github.io/ingress-nginx/user-guide/monitoring/',
    ],
  },
  haproxy: {
    controller: 'HAProxy Kubernetes Ingress Controller',
    requests: { metric: 'haproxy_backend_http_requests_total', labels: ['proxy'] },
    serverErrors: { metric: 'haproxy_backend_http_responses_total', matcher: 'code="5xx"' },
    noHistogram:
      "HAProxy's Prometheus exporter has only averages over the last 1024 requests " +
      '(haproxy_backend_total_time_average_seconds), no duration histogram, so no quantile can be computed',
    routeLabel: 'proxy',
    attribution: 'backend-service',
    note:
      'The controller names the HAProxy backend of a Service port <namespace>_svc_<service>_<port name, or number when ' +
      'unnamed>, one per Service port whatever Ingress routes to it. The compiler matches every port of the Service, ' +
      'since the port name is not in the routing policy.',
    sources: [
      'github.com/haproxytech/kubernetes-ingress pkg/service/service.go (backend name)',
      'github.com/haproxytech/kubernetes-ingress documentation/prometheus.md',
      'https://github.com/haproxy/haproxy/blob/master/addons/promex/README',
    ],
  },
};

/** Every metric name an entry lets an expression use. */
export function metricNames(entry: ControllerMetrics): string[] {
  return [
    ...new Set([entry.requests.metric, entry.serverErrors.metric, ...(entry.duration ? [entry.duration.metric] : [])]),
  ];
}
