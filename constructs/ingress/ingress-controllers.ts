/**
 * Ingress-class controllers: Traefik, HAProxy (haproxytech), Contour and the legacy ingress-nginx.
 * Each gets HA defaults, the cluster's Service exposure, the metrics the route golden signals need
 * (METRIC_CATALOG `requires`), JSON access logs on stdout (ACCESS_LOG_FIELDS), Switchyard's own
 * ServiceMonitors/PodMonitors where the Prometheus Operator runs (the charts' stay off), and its own
 * IngressClass that is never the cluster default. Value paths follow each chart's values.yaml (routing
 * matrix, Helm section). Pure.
 */
import type { ResolvedClusterTraits } from '../cluster/traits';
import { assertDnsLabel } from '../core/validate';
import {
  contourJsonFields,
  HAPROXY_REQUEST_CAPTURE,
  haproxyLogFormat,
  ingressNginxLogFormat,
  TRAEFIK_KEPT_HEADERS,
} from '../observability/access-logs';
import { type ScrapedController, scrapeMonitors } from '../observability/scrape';
import type { Dialect } from '../routing/types';
import { CHARTS } from './charts';
import type { ControllerInstall } from './envoy-gateway';
import {
  CONTROLLER_OPTION_KEYS,
  type ControllerOptions,
  resolveHighAvailability,
  serviceExposure,
  topologySpread,
} from './exposure';
import { assertKnownOptions, type ChartRef, deepMerge, validateRelease } from './release';
import { assertOptions, assertResolvedTraits, INGRESS_CONTROLLER_OPTIONS_SPEC } from './schema';

/** Options of an Ingress-class controller. */
export interface IngressControllerOptions extends ControllerOptions {
  /**
   * Name of the IngressClass the controller serves.
   * @default - the controller's name ('traefik', 'haproxy', 'contour', 'nginx')
   */
  readonly ingressClassName?: string;
}

const KEYS = [...CONTROLLER_OPTION_KEYS, 'ingressClassName'];

interface Flavour {
  readonly controller: ScrapedController;
  readonly dialect: Dialect;
  readonly chart: ChartRef;
  readonly namespace: string;
  readonly className: string;
  /** Labels of the proxy pods the chart creates, in `namespace`. */
  readonly instanceLabels: (namespace: string) => Readonly<Record<string, string>>;
  readonly values: (ctx: {
    className: string;
    ha: { replicas: number; maxReplicas: number };
    service: { type: string; annotations: Record<string, string>; externalTrafficPolicy: string };
    spread: Record<string, unknown>[];
    /** Switchyard's monitors scrape the controller (the Prometheus Operator runs). */
    monitored: boolean;
  }) => Record<string, unknown>;
  readonly deprecation?: string;
}

function install(
  flavour: Flavour,
  cluster: ResolvedClusterTraits,
  options: IngressControllerOptions,
): ControllerInstall {
  assertResolvedTraits(cluster);
  assertOptions(INGRESS_CONTROLLER_OPTIONS_SPEC, options);
  assertKnownOptions(flavour.controller, options, KEYS);
  const namespace = options.namespace ?? flavour.namespace;
  const className = options.ingressClassName ?? flavour.className;
  assertDnsLabel('namespace', namespace);
  assertDnsLabel('ingressClassName', className);
  const ha = resolveHighAvailability(options);
  const exposure = serviceExposure(cluster, flavour.controller, options.preserveClientIp);
  const podLabels = flavour.instanceLabels(namespace);
  const values = flavour.values({
    className,
    ha,
    service: {
      type: exposure.type,
      annotations: { ...exposure.annotations },
      externalTrafficPolicy: exposure.externalTrafficPolicy,
    },
    spread: topologySpread(cluster, podLabels),
    monitored: cluster.prometheusOperator,
  });
  return {
    controller: flavour.controller,
    proxy: { namespace, podLabels: { ...podLabels } },
    releases: [
      validateRelease({
        name: flavour.controller,
        namespace,
        chart: flavour.chart,
        values: deepMerge(values, options.values),
        awaitsLoadBalancer: exposure.awaitsLoadBalancer,
        timeoutSeconds: 600,
        ...(flavour.deprecation ? { deprecation: flavour.deprecation } : {}),
      }),
    ],
    objects: cluster.prometheusOperator ? scrapeMonitors(flavour.controller, { namespace }) : [],
    target: { dialect: flavour.dialect, ingressClassName: className },
    warnings: [...exposure.warnings, ...(flavour.deprecation ? [flavour.deprecation] : [])],
  };
}

const resources = (cpu: string, memory: string) => ({ requests: { cpu, memory }, limits: { memory } });

/** Traefik v3 (chart traefik): IngressRoute CRDs and Ingress, its own class only. */
export function traefik(cluster: ResolvedClusterTraits, options: IngressControllerOptions = {}): ControllerInstall {
  return install(
    {
      controller: 'traefik',
      dialect: 'traefik',
      chart: CHARTS.traefik,
      namespace: 'traefik',
      className: 'traefik',
      // traefik.labelselector: the instance label is <release>-<namespace> (templates/_helpers.tpl).
      instanceLabels: (namespace) => ({
        'app.kubernetes.io/name': 'traefik',
        'app.kubernetes.io/instance': `traefik-${namespace}`,
      }),
      values: ({ className, ha, service, spread, monitored }) => ({
        deployment: { replicas: ha.replicas },
        autoscaling: { enabled: true, minReplicas: ha.replicas, maxReplicas: ha.maxReplicas },
        podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
        topologySpreadConstraints: spread,
        resources: resources('100m', '128Mi'),
        ingressClass: { enabled: true, isDefaultClass: false, name: className },
        providers: {
          kubernetesCRD: { enabled: true, allowCrossNamespace: false },
          kubernetesIngress: { enabled: true },
        },
        service: {
          type: service.type,
          annotations: service.annotations,
          spec: { externalTrafficPolicy: service.externalTrafficPolicy },
        },
        metrics: {
          prometheus: {
            entryPoint: 'metrics',
            addRoutersLabels: true, // router series: the catalog's per-route label
            service: { enabled: monitored }, // the Service our ServiceMonitor selects
            serviceMonitor: { enabled: false },
          },
        },
        // JSON to stdout (no filePath); RouterName kept, headers dropped but the request id and user agent.
        accessLog: {
          enabled: true,
          format: 'json',
          fields: {
            defaultMode: 'keep',
            names: { RouterName: 'keep' },
            headers: { defaultMode: 'drop', names: Object.fromEntries(TRAEFIK_KEPT_HEADERS.map((h) => [h, 'keep'])) },
          },
        },
      }),
    },
    cluster,
    options,
  );
}

/** HAProxy Kubernetes Ingress (haproxytech chart kubernetes-ingress); its Service defaults to NodePort, so set it. */
export function haproxy(cluster: ResolvedClusterTraits, options: IngressControllerOptions = {}): ControllerInstall {
  return install(
    {
      controller: 'haproxy',
      dialect: 'haproxy',
      chart: CHARTS.haproxy,
      namespace: 'haproxy-controller',
      className: 'haproxy',
      instanceLabels: () => ({
        'app.kubernetes.io/name': 'kubernetes-ingress',
        'app.kubernetes.io/instance': 'haproxy',
      }),
      values: ({ className, ha, service, spread }) => ({
        controller: {
          kind: 'Deployment',
          replicaCount: ha.replicas,
          autoscaling: {
            enabled: true,
            minReplicas: ha.replicas,
            maxReplicas: ha.maxReplicas,
            targetCPUUtilizationPercentage: 70,
          },
          PodDisruptionBudget: { enable: true, maxUnavailable: 1 },
          topologySpreadConstraints: spread,
          resources: resources('250m', '256Mi'),
          ingressClass: className,
          ingressClassResource: { name: className, default: false },
          service: {
            type: service.type,
            annotations: service.annotations,
            externalTrafficPolicy: service.externalTrafficPolicy,
          },
          prometheus: { enabled: true }, // --prometheus: the controller's own /metrics on the admin port
          serviceMonitor: { enabled: false },
          podMonitor: { enabled: false },
          // syslog-server "address:stdout, format:raw, facility:daemon": traffic logs on stdout, unwrapped.
          logging: { traffic: { address: 'stdout', format: 'raw', facility: 'daemon' } },
          config: { 'log-format': haproxyLogFormat(), 'request-capture': HAPROXY_REQUEST_CAPTURE },
        },
      }),
    },
    cluster,
    options,
  );
}

/** Contour (projectcontour chart contour): HTTPProxy CRDs; Envoy as a Deployment so it can scale and keep a budget. */
export function contour(cluster: ResolvedClusterTraits, options: IngressControllerOptions = {}): ControllerInstall {
  return install(
    {
      controller: 'contour',
      dialect: 'contour',
      chart: CHARTS.contour,
      namespace: 'projectcontour',
      className: 'contour',
      instanceLabels: () => ({ 'app.kubernetes.io/name': 'contour', 'app.kubernetes.io/component': 'envoy' }),
      values: ({ className, ha, service, spread }) => ({
        // Contour's config file (contour.configPath): Envoy writes JSON access logs to /dev/stdout.
        configInline: { 'accesslog-format': 'json', 'json-fields': contourJsonFields() },
        contour: {
          replicaCount: 2,
          ingressClass: { name: className, create: true, default: false },
          pdb: { create: true },
        },
        envoy: {
          kind: 'deployment',
          replicaCount: ha.replicas,
          autoscaling: { enabled: true, minReplicas: ha.replicas, maxReplicas: ha.maxReplicas },
          pdb: { create: true },
          topologySpreadConstraints: spread,
          resources: resources('200m', '256Mi'),
          service: {
            type: service.type,
            annotations: service.annotations,
            externalTrafficPolicy: service.externalTrafficPolicy,
          },
        },
        metrics: { serviceMonitor: { enabled: false } },
      }),
    },
    cluster,
    options,
  );
}

/** ingress-nginx, final chart 4.15.1: legacy only; compiling for it warns, and so does installing it. */
export function ingressNginx(
  cluster: ResolvedClusterTraits,
  options: IngressControllerOptions = {},
): ControllerInstall {
  return install(
    {
      controller: 'ingress-nginx',
      dialect: 'ingress-nginx',
      chart: CHARTS.ingressNginx,
      namespace: 'ingress-nginx',
      className: 'nginx',
      instanceLabels: () => ({
        'app.kubernetes.io/name': 'ingress-nginx',
        'app.kubernetes.io/component': 'controller',
      }),
      deprecation:
        'ingress-nginx was retired upstream in March 2026 (final chart 4.15.1, no more security fixes): migrate to Envoy Gateway (Gateway API) by compiling the same policies with dialect gateway-api',
      values: ({ className, ha, service, spread }) => ({
        controller: {
          replicaCount: ha.replicas,
          minAvailable: 1,
          autoscaling: {
            enabled: true,
            minReplicas: ha.replicas,
            maxReplicas: ha.maxReplicas,
            targetCPUUtilizationPercentage: 70,
          },
          topologySpreadConstraints: spread,
          resources: resources('100m', '256Mi'),
          ingressClass: className,
          ingressClassResource: {
            name: className,
            enabled: true,
            default: false,
            controllerValue: 'k8s.io/ingress-nginx',
          },
          allowSnippetAnnotations: false,
          service: {
            type: service.type,
            annotations: service.annotations,
            externalTrafficPolicy: service.externalTrafficPolicy,
          },
          metrics: { enabled: true, service: { enabled: true }, serviceMonitor: { enabled: false } },
          // The access log (/var/log/nginx/access.log, linked to stdout in the image) as JSON.
          config: { 'log-format-escape-json': 'true', 'log-format-upstream': ingressNginxLogFormat() },
        },
      }),
    },
    cluster,
    options,
  );
}
