/**
 * Scrape objects for the ingress controllers: plain monitoring.coreos.com/v1 ServiceMonitor and PodMonitor
 * objects for each controller's data plane (the proxies routes go through) and control plane (the process
 * that programs them). Each target selects the Service or pods the pinned chart creates, by the labels,
 * port name and path its templates and the controller's source give (cited per target), so the chart's own
 * ServiceMonitors can stay off and nothing is scraped twice. Pure: no engine imports, no I/O.
 */
import { assertProps, opt, req, shapeOf, str } from '../core/strict';
import { checkDnsLabel, InvalidPropertyError } from '../core/validate';

/** The controllers whose metrics endpoints are catalogued. */
export type ScrapedController = 'envoy-gateway' | 'traefik' | 'haproxy' | 'contour' | 'ingress-nginx';

/** Every scraped controller. */
export const SCRAPED_CONTROLLERS: readonly ScrapedController[] = [
  'envoy-gateway',
  'traefik',
  'haproxy',
  'contour',
  'ingress-nginx',
];

/** Which plane an endpoint reports on; 'both' where one process proxies and configures itself. */
export type Plane = 'data' | 'control' | 'both';

/** One metrics endpoint of a controller, as the pinned chart deploys it. */
export interface ScrapeTarget {
  readonly controller: ScrapedController;
  /** Names the monitor: `<release>-<component>`. */
  readonly component: string;
  readonly plane: Plane;
  /** ServiceMonitor where the chart always creates a Service with the port, PodMonitor otherwise. */
  readonly kind: 'ServiceMonitor' | 'PodMonitor';
  /** Labels the chart puts on that Service (ServiceMonitor) or those pods (PodMonitor): the selector. */
  readonly selector: Readonly<Record<string, string>>;
  /** The Service port (ServiceMonitor) or container port (PodMonitor): its name and number. */
  readonly port: { readonly name: string; readonly number: number };
  /** HTTP path of the metrics. */
  readonly path: string;
  /** Chart values the endpoint needs, by dotted value path; the controller installer sets them. */
  readonly requires: Readonly<Record<string, unknown>>;
  /** Chart templates and controller sources the labels, port and path were checked against. */
  readonly sources: readonly string[];
}

/** Options of {@link scrapeTargets} and {@link scrapeMonitors}. */
export interface ScrapeOptions {
  /** Namespace the controller is installed in; its monitors are created there. */
  readonly namespace: string;
  /**
   * Helm release name of the controller (its charts derive instance labels from it).
   * @default - the controller's name, as Switchyard names the release ('envoy-gateway', 'traefik', ...)
   */
  readonly release?: string;
  /**
   * Scrape interval of every endpoint.
   * @default '30s'
   */
  readonly interval?: string;
}

/** Object metadata of a monitor. */
export type MonitorMetadata = {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
};

/** One scraped endpoint of a monitor: a port by name, the path and the interval. */
export type MonitorEndpoint = {
  readonly port: string;
  readonly path: string;
  readonly interval: string;
};

/** Label and namespace selection shared by both monitor kinds. */
export type MonitorSelection = {
  readonly selector: { readonly matchLabels: Readonly<Record<string, string>> };
  readonly namespaceSelector: { readonly matchNames: readonly string[] };
};

/** A plain monitoring.coreos.com/v1 ServiceMonitor. */
export type ServiceMonitorObject = {
  readonly apiVersion: 'monitoring.coreos.com/v1';
  readonly kind: 'ServiceMonitor';
  readonly metadata: MonitorMetadata;
  readonly spec: MonitorSelection & { readonly endpoints: readonly MonitorEndpoint[] };
};

/** A plain monitoring.coreos.com/v1 PodMonitor. */
export type PodMonitorObject = {
  readonly apiVersion: 'monitoring.coreos.com/v1';
  readonly kind: 'PodMonitor';
  readonly metadata: MonitorMetadata;
  readonly spec: MonitorSelection & { readonly podMetricsEndpoints: readonly MonitorEndpoint[] };
};

/** Either monitor kind. */
export type MonitorObject = ServiceMonitorObject | PodMonitorObject;

const DURATION = /^(\d+(ms|s|m|h))+$/;
const checkInterval = (v: unknown) =>
  typeof v === 'string' && DURATION.test(v) ? undefined : "must be a Prometheus duration such as '30s' or '1m'";
const checkRelease = (v: unknown) =>
  checkDnsLabel(v) ?? ((v as string).length > 53 ? "is longer than 53 characters (Helm's limit)" : undefined);

const OPTIONS = shapeOf<ScrapeOptions>()({
  namespace: req(str(checkDnsLabel)),
  release: opt(str(checkRelease)),
  interval: opt(str(checkInterval)),
});

const SRC = {
  // v1.10.0 was not tagged in the copy read: main@d32f282 (2026-08), the same as release/v1.9 here.
  egChart: 'github.com/envoyproxy/gateway main@d32f282 charts/gateway-helm',
  egProxy: 'github.com/envoyproxy/gateway main@d32f282 internal/infrastructure/kubernetes/proxy',
  traefikChart: 'github.com/traefik/traefik-helm-chart v41.3.0 traefik/templates',
  haproxyChart: 'github.com/haproxytech/helm-charts kubernetes-ingress-1.52.1 kubernetes-ingress',
  contourChart: 'github.com/projectcontour/helm-charts contour-0.7.0 charts/contour',
  nginxChart: 'github.com/kubernetes/ingress-nginx helm-chart-4.15.1 charts/ingress-nginx',
};

type Target = Omit<ScrapeTarget, 'controller'>;
type Build = (release: string, namespace: string) => Target[];

const TARGETS: Readonly<Record<ScrapedController, Build>> = {
  'envoy-gateway': (release): Target[] => [
    {
      component: 'controller',
      plane: 'control',
      kind: 'ServiceMonitor',
      // Service envoy-gateway: control-plane label plus eg.labels (app.kubernetes.io/name is the chart name).
      selector: {
        'control-plane': 'envoy-gateway',
        'app.kubernetes.io/name': 'gateway-helm',
        'app.kubernetes.io/instance': release,
      },
      port: { name: 'metrics', number: 19001 },
      path: '/metrics',
      requires: {},
      sources: [
        `${SRC.egChart}/templates/envoy-gateway-service.yaml, templates/_helpers.tpl (eg.labels), values.tmpl.yaml (deployment.ports)`,
        'github.com/envoyproxy/gateway internal/metrics/register.go (defaultEndpoint /metrics), api/v1alpha1/envoygateway_types.go (GatewayMetricsPort 19001)',
      ],
    },
    {
      component: 'proxy',
      plane: 'data',
      kind: 'PodMonitor',
      // The proxies have no Service with the stats port: select their pods.
      selector: {
        'app.kubernetes.io/name': 'envoy',
        'app.kubernetes.io/component': 'proxy',
        'app.kubernetes.io/managed-by': 'envoy-gateway',
      },
      port: { name: 'metrics', number: 19001 },
      path: '/stats/prometheus',
      requires: {},
      sources: [
        `${SRC.egProxy}/resource.go (EnvoyAppLabel; container port 'metrics' = bootstrap.EnvoyStatsPort, unless telemetry.metrics.prometheus.disable)`,
        'github.com/envoyproxy/gateway internal/xds/bootstrap/bootstrap.go (EnvoyStatsPort 19001), bootstrap.yaml.tpl (/stats/prometheus)',
      ],
    },
  ],
  traefik: (release, namespace) => [
    {
      component: 'proxy',
      plane: 'both',
      kind: 'ServiceMonitor',
      // traefik.metricslabelselector: traefik.labelselector (instance = <release>-<namespace>) + component metrics.
      selector: {
        'app.kubernetes.io/name': 'traefik',
        'app.kubernetes.io/instance': `${release}-${namespace}`,
        'app.kubernetes.io/component': 'metrics',
      },
      port: { name: 'metrics', number: 9100 },
      path: '/metrics',
      requires: { 'metrics.prometheus.service.enabled': true, 'metrics.prometheus.entryPoint': 'metrics' },
      sources: [
        `${SRC.traefikChart}/service-metrics.yaml, _service-metrics.tpl, _helpers.tpl (traefik.labelselector, traefik.instance-name)`,
        `${SRC.traefikChart}/servicemonitor.yaml (path /<entryPoint>), values.yaml (ports.metrics.port 9100)`,
      ],
    },
  ],
  haproxy: (release) => {
    // kubernetes-ingress.selectorLabels; the chart's metrics Service exists only with its own ServiceMonitor.
    const pods = { 'app.kubernetes.io/name': 'kubernetes-ingress', 'app.kubernetes.io/instance': release };
    return [
      {
        component: 'proxy',
        plane: 'data',
        kind: 'PodMonitor',
        selector: pods,
        port: { name: 'stat', number: 1024 },
        path: '/metrics',
        requires: {},
        sources: [
          `${SRC.haproxyChart}/templates/_podspec.tpl (ports from controller.containerPort), values.yaml (stat 1024)`,
          'github.com/haproxytech/kubernetes-ingress v3.2.11 fs/usr/local/etc/haproxy/haproxy.cfg (stats frontend: prometheus-exporter on /metrics)',
        ],
      },
      {
        component: 'controller',
        plane: 'control',
        kind: 'PodMonitor',
        selector: pods,
        port: { name: 'admin', number: 6060 },
        path: '/metrics',
        requires: { 'controller.prometheus.enabled': true },
        sources: [
          `${SRC.haproxyChart}/templates/_podspec.tpl (--prometheus), values.yaml (containerPort.admin 6060)`,
          'github.com/haproxytech/kubernetes-ingress v3.2.11 documentation/prometheus.md, main.go (controller port 6060), pkg/handler/prometheus.go',
        ],
      },
    ];
  },
  contour: (release) => {
    // common.labels.matchLabels + component; the chart's metrics Services exist only with its own ServiceMonitors.
    const pods = (component: string) => ({
      'app.kubernetes.io/name': 'contour',
      'app.kubernetes.io/instance': release,
      'app.kubernetes.io/component': component,
    });
    return [
      {
        component: 'controller',
        plane: 'control',
        kind: 'PodMonitor',
        selector: pods('contour'),
        port: { name: 'metrics', number: 8000 },
        path: '/metrics',
        requires: {},
        sources: [
          `${SRC.contourChart}/templates/contour/deployment.yaml (--http-port, port 'metrics'), values.yaml (contour.containerPorts.metrics 8000)`,
          'github.com/projectcontour/contour v1.33.6 cmd/contour/serve.go (/metrics)',
        ],
      },
      {
        component: 'envoy',
        plane: 'data',
        kind: 'PodMonitor',
        selector: pods('envoy'),
        port: { name: 'metrics', number: 8002 },
        path: '/stats/prometheus',
        requires: {},
        sources: [
          `${SRC.contourChart}/templates/envoy/deployment.yaml (port 'metrics'), templates/envoy/servicemonitor.yaml (path), values.yaml (envoy.containerPorts.metrics 8002)`,
          'github.com/projectcontour/contour v1.33.6 internal/envoy/v3/stats.go, cmd/contour/servecontext.go (statsPort 8002)',
        ],
      },
    ];
  },
  'ingress-nginx': (release) => [
    {
      component: 'controller',
      plane: 'both',
      kind: 'ServiceMonitor',
      // The controller Service carries the same labels but no 'metrics' port, so only the metrics Service matches.
      selector: {
        'app.kubernetes.io/name': 'ingress-nginx',
        'app.kubernetes.io/instance': release,
        'app.kubernetes.io/component': 'controller',
      },
      port: { name: 'metrics', number: 10254 },
      path: '/metrics',
      requires: { 'controller.metrics.enabled': true, 'controller.metrics.service.enabled': true },
      sources: [
        `${SRC.nginxChart}/templates/controller-service-metrics.yaml, templates/_helpers.tpl (ingress-nginx.selectorLabels)`,
        `${SRC.nginxChart}/values.yaml (controller.metrics.port 10254, portName metrics), templates/controller-servicemonitor.yaml`,
      ],
    },
  ],
};

function resolve(controller: ScrapedController, options: ScrapeOptions) {
  if (!SCRAPED_CONTROLLERS.includes(controller)) {
    throw new InvalidPropertyError(
      'controller',
      `'controller' (${JSON.stringify(controller)}) must be one of ${SCRAPED_CONTROLLERS.join(', ')}`,
    );
  }
  assertProps(options, OPTIONS, 'options');
  return { release: options.release ?? controller, namespace: options.namespace, interval: options.interval ?? '30s' };
}

/** The metrics endpoints of `controller` installed as `options.release` in `options.namespace`. */
export function scrapeTargets(controller: ScrapedController, options: ScrapeOptions): ScrapeTarget[] {
  const { release, namespace } = resolve(controller, options);
  return TARGETS[controller](release, namespace).map((t) => ({ controller, ...t }));
}

/** The monitor of one target, in `namespace`, selecting only that namespace. */
function monitorFor(target: ScrapeTarget, namespace: string, release: string, interval: string): MonitorObject {
  const metadata: MonitorMetadata = {
    name: `${release}-${target.component}`,
    namespace,
    labels: {
      'app.kubernetes.io/managed-by': 'switchyard',
      'switchyard.io/controller': target.controller,
      'switchyard.io/plane': target.plane,
    },
  };
  const selection: MonitorSelection = {
    selector: { matchLabels: { ...target.selector } },
    namespaceSelector: { matchNames: [namespace] },
  };
  const endpoints = [{ port: target.port.name, path: target.path, interval }];
  return target.kind === 'ServiceMonitor'
    ? {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'ServiceMonitor',
        metadata,
        spec: { ...selection, endpoints },
      }
    : {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PodMonitor',
        metadata,
        spec: { ...selection, podMetricsEndpoints: endpoints },
      };
}

/**
 * ServiceMonitors and PodMonitors for every metrics endpoint of `controller` (data and control plane),
 * created in the controller's namespace. Throws InvalidPropertyError for an unknown controller or bad options.
 */
export function scrapeMonitors(controller: ScrapedController, options: ScrapeOptions): MonitorObject[] {
  const { release, namespace, interval } = resolve(controller, options);
  return scrapeTargets(controller, options).map((t) => monitorFor(t, namespace, release, interval));
}
