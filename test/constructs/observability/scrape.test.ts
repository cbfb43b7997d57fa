import { PodMonitor, ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { describe, expect, it } from 'vitest';
import { resolveClusterTraits } from '../../../constructs/cluster/traits';
import { InvalidPropertyError } from '../../../constructs/core/validate';
import { type ControllerInstall, envoyGateway } from '../../../constructs/ingress/envoy-gateway';
import { contour, haproxy, ingressNginx, traefik } from '../../../constructs/ingress/ingress-controllers';
import { METRIC_CATALOG } from '../../../constructs/observability/catalog';
import {
  type MonitorObject,
  SCRAPED_CONTROLLERS,
  type ScrapedController,
  scrapeMonitors,
  scrapeTargets,
} from '../../../constructs/observability/scrape';
import { expectSchemaValid } from '../../helpers/schema';

const monitored = resolveClusterTraits({ kind: 'gke', prometheusOperator: true });
const unmonitored = resolveClusterTraits({ kind: 'gke' });

const INSTALL: Record<ScrapedController, (c: typeof monitored, o?: { namespace?: string }) => ControllerInstall> = {
  'envoy-gateway': envoyGateway,
  traefik,
  haproxy,
  contour,
  'ingress-nginx': ingressNginx,
};

/** Fields of a ServiceMonitor/PodMonitor spec and endpoint that the CRD defines (the models let others through). */
const SPEC_KEYS = new Set(['selector', 'namespaceSelector', 'endpoints', 'podMetricsEndpoints', 'jobLabel']);
const ENDPOINT_KEYS = new Set(['port', 'path', 'interval', 'scrapeTimeout', 'scheme', 'honorLabels', 'relabelings']);

function assertValidMonitor(object: MonitorObject): void {
  const plain = JSON.parse(JSON.stringify(object));
  if (object.kind === 'ServiceMonitor') new ServiceMonitor(plain).validate();
  else new PodMonitor(plain).validate();
  expect(Object.keys(object).sort()).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
  for (const key of Object.keys(object.spec)) expect(SPEC_KEYS.has(key), `spec field ${key}`).toBe(true);
  const endpoints = object.kind === 'ServiceMonitor' ? object.spec.endpoints : object.spec.podMetricsEndpoints;
  expect(endpoints.length).toBeGreaterThan(0);
  for (const e of endpoints)
    for (const key of Object.keys(e)) expect(ENDPOINT_KEYS.has(key), `endpoint field ${key}`).toBe(true);
}

/**
 * What the pinned charts render for Switchyard's release names and default namespaces: the labels of the Service
 * (ServiceMonitor targets) or pods (PodMonitor targets), and their ports by name. Written from the templates named
 * in each entry (their `helm.sh/chart` and `app.kubernetes.io/version` labels left out).
 */
const RENDERED: Record<string, { labels: Record<string, string>; ports: Record<string, number>; from: string }> = {
  // charts/gateway-helm/templates/envoy-gateway-service.yaml: control-plane label + eg.labels; ports from deployment.ports.
  'envoy-gateway/controller': {
    labels: {
      'control-plane': 'envoy-gateway',
      'app.kubernetes.io/name': 'gateway-helm',
      'app.kubernetes.io/instance': 'envoy-gateway',
      'app.kubernetes.io/managed-by': 'Helm',
    },
    ports: { grpc: 18000, ratelimit: 18001, wasm: 18002, metrics: 19001 },
    from: 'Service envoy-gateway',
  },
  // internal/infrastructure/kubernetes/proxy/resource.go EnvoyAppLabel + GatewayOwnerLabels; container ports metrics, readiness.
  'envoy-gateway/proxy': {
    labels: {
      'app.kubernetes.io/name': 'envoy',
      'app.kubernetes.io/component': 'proxy',
      'app.kubernetes.io/managed-by': 'envoy-gateway',
      'gateway.envoyproxy.io/owning-gateway-name': 'public',
      'gateway.envoyproxy.io/owning-gateway-namespace': 'gateway-system',
    },
    ports: { metrics: 19001, readiness: 19003 },
    from: 'Envoy proxy pods',
  },
  // traefik/templates/service-metrics.yaml with _service-metrics.tpl (traefik.metricsservicelabels); port 'metrics'.
  'traefik/proxy': {
    labels: {
      'app.kubernetes.io/name': 'traefik',
      'app.kubernetes.io/instance': 'traefik-traefik',
      'app.kubernetes.io/component': 'metrics',
      'app.kubernetes.io/managed-by': 'Helm',
    },
    ports: { metrics: 9100 },
    from: 'Service traefik-metrics',
  },
  // kubernetes-ingress/templates/controller-deployment.yaml pod labels (selectorLabels); _podspec.tpl ports from containerPort.
  'haproxy/proxy': {
    labels: { 'app.kubernetes.io/name': 'kubernetes-ingress', 'app.kubernetes.io/instance': 'haproxy' },
    ports: { http: 8080, https: 8443, stat: 1024, admin: 6060 },
    from: 'controller pods',
  },
  'haproxy/controller': {
    labels: { 'app.kubernetes.io/name': 'kubernetes-ingress', 'app.kubernetes.io/instance': 'haproxy' },
    ports: { http: 8080, https: 8443, stat: 1024, admin: 6060 },
    from: 'controller pods',
  },
  // charts/contour/templates/contour/deployment.yaml pod labels (common.labels.standard + component contour).
  'contour/controller': {
    labels: {
      'app.kubernetes.io/name': 'contour',
      'app.kubernetes.io/instance': 'contour',
      'app.kubernetes.io/managed-by': 'Helm',
      'app.kubernetes.io/component': 'contour',
    },
    ports: { xds: 8001, metrics: 8000 },
    from: 'contour pods',
  },
  // charts/contour/templates/envoy/deployment.yaml pod labels (common.labels.standard + component envoy).
  'contour/envoy': {
    labels: {
      'app.kubernetes.io/name': 'contour',
      'app.kubernetes.io/instance': 'contour',
      'app.kubernetes.io/managed-by': 'Helm',
      'app.kubernetes.io/component': 'envoy',
    },
    ports: { http: 8080, https: 8443, metrics: 8002 },
    from: 'envoy pods',
  },
  // charts/ingress-nginx/templates/controller-service-metrics.yaml: ingress-nginx.labels + component controller.
  'ingress-nginx/controller': {
    labels: {
      'app.kubernetes.io/name': 'ingress-nginx',
      'app.kubernetes.io/instance': 'ingress-nginx',
      'app.kubernetes.io/part-of': 'ingress-nginx',
      'app.kubernetes.io/managed-by': 'Helm',
      'app.kubernetes.io/component': 'controller',
    },
    ports: { metrics: 10254 },
    from: 'Service ingress-nginx-controller-metrics',
  },
};

const get = (values: unknown, path: string) =>
  path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], values);

describe('scrapeTargets', () => {
  it.each(SCRAPED_CONTROLLERS)('%s: selectors, ports and paths match what the pinned chart renders', (controller) => {
    const install = INSTALL[controller](monitored);
    const targets = scrapeTargets(controller, { namespace: install.proxy.namespace });
    expect(new Set(targets.map((t) => t.plane)).has('control') || targets.some((t) => t.plane === 'both')).toBe(true);
    expect(targets.some((t) => t.plane === 'data' || t.plane === 'both')).toBe(true);
    for (const target of targets) {
      const rendered = RENDERED[`${controller}/${target.component}`]!;
      expect(rendered, `${controller}/${target.component}`).toBeDefined();
      // GIVEN the labels of the chart's Service or pods THEN the selector picks them (a subset of those labels)
      expect(rendered.labels, rendered.from).toMatchObject(target.selector);
      // AND the port is there by name, with the number the chart gives it
      expect(rendered.ports[target.port.name], `${rendered.from} port ${target.port.name}`).toBe(target.port.number);
      expect(target.path).toMatch(/^\/(metrics|stats\/prometheus)$/);
      expect(target.sources.length).toBeGreaterThan(0);
    }
  });

  it('derives Traefik instance labels from the namespace, as the chart does, and the proxies carry the same', () => {
    const install = traefik(monitored, { namespace: 'edge' });
    const [target] = scrapeTargets('traefik', { namespace: 'edge' });
    expect(target!.selector['app.kubernetes.io/instance']).toBe('traefik-edge');
    expect(install.proxy.podLabels['app.kubernetes.io/instance']).toBe('traefik-edge');
    const [monitor] = install.objects as MonitorObject[];
    expect(monitor!.metadata.namespace).toBe('edge');
    expect(monitor!.spec.namespaceSelector).toEqual({ matchNames: ['edge'] });
  });

  it('the Envoy Gateway proxies selector matches the pods of the Gateway the install creates', () => {
    const install = envoyGateway(monitored);
    const proxy = scrapeTargets('envoy-gateway', { namespace: install.proxy.namespace }).find(
      (t) => t.component === 'proxy',
    )!;
    expect({ ...RENDERED['envoy-gateway/proxy']!.labels, ...install.proxy.podLabels }).toMatchObject(proxy.selector);
  });
});

describe('controller installs', () => {
  it.each(SCRAPED_CONTROLLERS)(
    '%s: emits schema-valid monitors only with the Prometheus Operator, its chart monitors off',
    async (controller) => {
      const install = INSTALL[controller](monitored);
      const monitors = install.objects.filter((o) => /Monitor$/.test(o.kind)) as MonitorObject[];
      const namespace = install.proxy.namespace;
      expect(monitors).toEqual(scrapeMonitors(controller, { namespace }));
      for (const m of monitors) {
        assertValidMonitor(m);
        expect(m.metadata.namespace).toBe(namespace);
        expect(m.spec.namespaceSelector.matchNames).toEqual([namespace]);
      }
      await expectSchemaValid(monitors);
      expect(new Set(monitors.map((m) => m.metadata.name)).size).toBe(monitors.length);
      // The chart values expose what the monitors select: each target's required values are set.
      const values = install.releases.find((r) => r.name === controller)!.values;
      for (const target of scrapeTargets(controller, { namespace }))
        for (const [path, value] of Object.entries(target.requires)) expect(get(values, path), path).toEqual(value);
      // No chart ServiceMonitor or PodMonitor: every such switch in the values is off.
      const json = JSON.stringify(values);
      expect(json).not.toMatch(/"(serviceMonitor|podMonitor)":\{"enabled":true/);
      // WHEN the cluster runs no Prometheus Operator THEN no monitor at all
      expect(INSTALL[controller](unmonitored).objects.filter((o) => /Monitor$/.test(o.kind))).toEqual([]);
    },
  );

  it('sets what the metric catalog requires, with or without the Prometheus Operator', () => {
    for (const cluster of [monitored, unmonitored]) {
      const traefikValues = traefik(cluster).releases[0]!.values;
      expect(METRIC_CATALOG.traefik!.requires).toMatch(/addRoutersLabels/);
      expect(get(traefikValues, 'metrics.prometheus.addRoutersLabels')).toBe(true);
      expect(get(ingressNginx(cluster).releases[0]!.values, 'controller.metrics.enabled')).toBe(true);
      expect(get(haproxy(cluster).releases[0]!.values, 'controller.prometheus.enabled')).toBe(true);
      const proxy = envoyGateway(cluster).objects.find((o) => o.kind === 'EnvoyProxy')!;
      // The catalog's envoy_cluster_name needs the default cluster stat name.
      expect(METRIC_CATALOG['gateway-api']!.requires).toMatch(/clusterStatName/);
      expect(get(proxy, 'spec.telemetry.metrics')).toEqual({ prometheus: {} });
    }
  });
});

describe('scrapeMonitors', () => {
  it('labels monitors with the controller and plane, and takes a release and an interval', () => {
    const monitors = scrapeMonitors('contour', { namespace: 'ingress', release: 'edge', interval: '15s' });
    expect(monitors.map((m) => [m.kind, m.metadata.name, m.metadata.labels['switchyard.io/plane']])).toEqual([
      ['PodMonitor', 'edge-controller', 'control'],
      ['PodMonitor', 'edge-envoy', 'data'],
    ]);
    expect(monitors[1]!.spec.selector.matchLabels['app.kubernetes.io/instance']).toBe('edge');
    expect(monitors[1]).toMatchObject({ spec: { podMetricsEndpoints: [{ port: 'metrics', interval: '15s' }] } });
  });

  it.each<[string, () => unknown, RegExp]>([
    ['an unknown controller', () => scrapeMonitors('nginx-plus' as never, { namespace: 'x' }), /'controller'/],
    ['a bad namespace', () => scrapeMonitors('traefik', { namespace: 'Edge' }), /'namespace' \("Edge"\)/],
    ['a long release', () => scrapeMonitors('traefik', { namespace: 'x', release: 'a'.repeat(54) }), /53/],
    ['a bad interval', () => scrapeMonitors('traefik', { namespace: 'x', interval: '30' }), /'interval' \("30"\)/],
    ['an unknown option', () => scrapeMonitors('traefik', { namespace: 'x', intervl: '1m' } as never), /intervl/],
  ])('refuses %s with an InvalidPropertyError naming the field', (_what, build, message) => {
    expect(build).toThrow(InvalidPropertyError);
    expect(build).toThrow(message);
  });
});
