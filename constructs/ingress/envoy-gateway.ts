/**
 * Envoy Gateway, the default Gateway API implementation: the controller release, an `EnvoyProxy` that
 * carries the data plane's cluster-aware settings (Service exposure, replicas, autoscaling, disruption
 * budget, spread) and telemetry (Prometheus stats, JSON access logs), the GatewayClass that points at it,
 * the Gateway routes attach to, and monitors for the controller and its proxies where the Prometheus
 * Operator runs. Pure.
 */
import type { ResolvedClusterTraits } from '../cluster/traits';
import { assertDnsLabel } from '../core/validate';
import { envoyGatewayAccessLog } from '../observability/access-logs';
import { scrapeMonitors } from '../observability/scrape';
import type { CompileTarget, KubeObject } from '../routing/types';
import { CHARTS } from './charts';
import {
  CONTROLLER_OPTION_KEYS,
  type ControllerOptions,
  resolveHighAvailability,
  serviceExposure,
  topologySpread,
} from './exposure';
import { buildGateway, buildGatewayClass, type CertificateRef } from './gateway';
import { assertKnownOptions, deepMerge, type ReleaseSpec, validateRelease } from './release';
import { assertOptions, assertResolvedTraits, ENVOY_GATEWAY_OPTIONS_SPEC } from './schema';

/** The controllerName Envoy Gateway's GatewayClass names. */
export const ENVOY_GATEWAY_CONTROLLER_NAME = 'gateway.envoyproxy.io/gatewayclass-controller';

/** Options of {@link envoyGateway}. */
export interface EnvoyGatewayOptions extends ControllerOptions {
  /**
   * Name of the GatewayClass (and of its EnvoyProxy).
   * @default 'envoy-gateway'
   */
  readonly gatewayClassName?: string;
  /**
   * The Gateway routes attach to.
   * @default { name: 'public', namespace: 'gateway-system' }
   */
  readonly gateway?: { readonly name: string; readonly namespace: string };
  /**
   * Certificate Secrets the Gateway's HTTPS listener serves (see `gatewayCertificateRefs`).
   * @default [] (no HTTPS listener)
   */
  readonly certificateRefs?: readonly CertificateRef[];
  /**
   * Add a TLS passthrough listener.
   * @default false
   */
  readonly tlsPassthrough?: boolean;
}

/** What installing a controller yields: releases, the objects applied after them, and the routing binding. */
/** Where the pods that forward route traffic to backends (the ingress proxies) run, for NetworkPolicies. */
export interface TrafficSource {
  readonly namespace: string;
  readonly podLabels: Readonly<Record<string, string>>;
}

/** What installing an ingress controller takes: releases, objects, the route target and its proxies. */
export interface ControllerInstall {
  readonly controller: string;
  /** The proxies that connect to the backends. */
  readonly proxy: TrafficSource;
  readonly releases: readonly ReleaseSpec[];
  readonly objects: readonly KubeObject[];
  /** Where the environment's routes compile to. */
  readonly target: CompileTarget;
  readonly warnings: readonly string[];
}

/** Envoy Gateway: the controller's release, its EnvoyProxy settings, the GatewayClass and the Gateway. */
export function envoyGateway(cluster: ResolvedClusterTraits, options: EnvoyGatewayOptions = {}): ControllerInstall {
  assertResolvedTraits(cluster);
  assertOptions(ENVOY_GATEWAY_OPTIONS_SPEC, options);
  assertKnownOptions('envoyGateway', options, [
    ...CONTROLLER_OPTION_KEYS,
    'gatewayClassName',
    'gateway',
    'certificateRefs',
    'tlsPassthrough',
  ]);
  const namespace = options.namespace ?? 'envoy-gateway-system';
  const className = options.gatewayClassName ?? 'envoy-gateway';
  const gateway = options.gateway ?? { name: 'public', namespace: 'gateway-system' };
  assertDnsLabel('namespace', namespace);
  assertDnsLabel('gatewayClassName', className);
  const ha = resolveHighAvailability(options);
  const exposure = serviceExposure(cluster, 'envoy-gateway', options.preserveClientIp);
  const controllerLabels = { 'app.kubernetes.io/name': 'gateway-helm', 'app.kubernetes.io/instance': 'envoy-gateway' };

  const release = validateRelease({
    name: 'envoy-gateway',
    namespace,
    chart: CHARTS.envoyGateway,
    values: deepMerge(
      {
        deployment: {
          replicas: ha.replicas,
          pod: { topologySpreadConstraints: topologySpread(cluster, controllerLabels) },
          envoyGateway: { resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1024Mi' } } },
        },
        podDisruptionBudget: { minAvailable: 1 },
        config: { envoyGateway: { gateway: { controllerName: ENVOY_GATEWAY_CONTROLLER_NAME } } },
      },
      options.values,
    ),
    dependsOn: ['gateway-api-crds'],
    skipCrds: true, // the gateway-api-crds release installs (and upgrades) them
    awaitsLoadBalancer: false, // the controller has no LoadBalancer; the Envoy proxies it provisions do
    timeoutSeconds: 600,
  });

  // The proxies' settings: Envoy Gateway provisions one Envoy Deployment and Service per Gateway.
  const proxyLabels = {
    'gateway.envoyproxy.io/owning-gateway-name': gateway.name,
    'gateway.envoyproxy.io/owning-gateway-namespace': gateway.namespace,
  };
  const envoyProxy: KubeObject = {
    apiVersion: 'gateway.envoyproxy.io/v1alpha1',
    kind: 'EnvoyProxy',
    metadata: { name: className, namespace },
    spec: {
      provider: {
        type: 'Kubernetes',
        kubernetes: {
          envoyDeployment: {
            pod: { topologySpreadConstraints: topologySpread(cluster, proxyLabels) },
            container: { resources: { requests: { cpu: '200m', memory: '256Mi' }, limits: { memory: '1Gi' } } },
          },
          envoyHpa: {
            minReplicas: ha.replicas,
            maxReplicas: ha.maxReplicas,
            metrics: [
              { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
            ],
          },
          envoyPDB: { maxUnavailable: 1 },
          envoyService: {
            type: exposure.type,
            externalTrafficPolicy: exposure.externalTrafficPolicy,
            ...(Object.keys(exposure.annotations).length ? { annotations: { ...exposure.annotations } } : {}),
          },
        },
      },
      // Stats on the proxies' port 19001 with the default cluster stat name (the golden signals' route label);
      // access logs as JSON on stdout with the route and upstream cluster (ACCESS_LOG_FIELDS['gateway-api']).
      telemetry: { accessLog: envoyGatewayAccessLog(), metrics: { prometheus: {} } },
    },
  };
  const gatewayClass = buildGatewayClass(className, ENVOY_GATEWAY_CONTROLLER_NAME);
  const gatewayClassWithParameters: KubeObject = {
    ...gatewayClass,
    spec: {
      ...(gatewayClass.spec as object),
      parametersRef: { group: 'gateway.envoyproxy.io', kind: 'EnvoyProxy', name: className, namespace },
    },
  };
  return {
    controller: 'envoy-gateway',
    // Envoy Gateway runs the proxies of every Gateway in its own namespace.
    proxy: { namespace, podLabels: proxyLabels },
    releases: [release],
    objects: [
      envoyProxy,
      gatewayClassWithParameters,
      buildGateway({
        ...gateway,
        gatewayClassName: className,
        certificateRefs: options.certificateRefs ?? [],
        tlsPassthrough: options.tlsPassthrough ?? false,
      }),
      // The controller's /metrics and every proxy's /stats/prometheus, in the controller's namespace.
      ...(cluster.prometheusOperator ? scrapeMonitors('envoy-gateway', { namespace }) : []),
    ],
    target: {
      dialect: 'gateway-api',
      implementation: 'envoy-gateway',
      gateway: { name: gateway.name, namespace: gateway.namespace },
    },
    warnings: [...exposure.warnings],
  };
}
