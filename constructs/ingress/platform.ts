/**
 * An environment's add-ons in one call: from the cluster's traits and the chosen controller, the Helm
 * releases in install order (CRDs, the metrics stack, load balancer, cert-manager, logs, controller), the
 * objects applied after them (Gateway, GatewayClass, ClusterIssuers, address pools), their namespaces, the
 * routing target the environment's routes compile to, and where the telemetry stacks run. Pure.
 */
import { type ClusterTraits, DEFAULT_KUBERNETES_VERSION, resolveClusterTraits } from '../cluster/traits';
import { arr } from '../core/strict';
import { InvalidPropertyError } from '../core/validate';
import type { CompileTarget, KubeObject } from '../routing/types';
import { addonNetworkPolicies } from './addon-network-policies';
import {
  type AwsLoadBalancerControllerOptions,
  awsLoadBalancerController,
  type CertManagerOptions,
  certManager,
  gatewayApiCrds,
  type MetalLbOptions,
  metallb,
} from './addons';
import { type ControllerInstall, type EnvoyGatewayOptions, envoyGateway, type TrafficSource } from './envoy-gateway';
import { type ExternalSecretsOptions, externalSecretsOperator } from './external-secrets';
import { contour, haproxy, type IngressControllerOptions, ingressNginx, traefik } from './ingress-controllers';
import { LOKI_RELEASE, type LogsStackOptions, type LogsTelemetry, logsStack } from './logs-stack';
import { METRICS_RELEASE, type MetricsStackOptions, type MetricsTelemetry, metricsStack } from './metrics-stack';
import { POD_SECURITY_EXCEPTION_LABEL, POD_SECURITY_EXCEPTIONS } from './pod-security-exceptions';
import type { ReleaseSpec } from './release';
import { assertList, assertOptions, PLATFORM_ADDONS_PROPS_SPEC, RELEASE_SPEC } from './schema';

/** The ingress controller of an environment. */
export type IngressControllerChoice =
  | ({ readonly kind: 'envoy-gateway' } & EnvoyGatewayOptions)
  | ({ readonly kind: 'traefik' | 'haproxy' | 'contour' | 'ingress-nginx' } & IngressControllerOptions);

/** Properties of {@link platformAddons}. */
export interface PlatformAddonsProps {
  readonly cluster: ClusterTraits;
  readonly controller: IngressControllerChoice;
  /**
   * cert-manager and its ClusterIssuers; `false` leaves it out.
   * @default {} (cert-manager without issuers)
   */
  readonly certManager?: CertManagerOptions | false;
  /** MetalLB's address pools: required when the cluster's load balancer is 'metallb'. */
  readonly metallb?: MetalLbOptions;
  /** Required on EKS with a cloud load balancer: the controller provisions the NLBs. */
  readonly awsLoadBalancerController?: AwsLoadBalancerControllerOptions;
  /**
   * The External Secrets Operator and a ClusterSecretStore for AWS Secrets Manager.
   * @default - not installed (workloads reference Secrets created out of band)
   */
  readonly externalSecrets?: ExternalSecretsOptions;
  /**
   * Gateway API CRD channel.
   * @default 'standard'
   */
  readonly gatewayApiChannel?: 'standard' | 'experimental';
  /**
   * The API server's endpoint as CIDRs, for the add-on namespaces' NetworkPolicies (egress to it on TCP
   * 443 and 6443, and webhook ingress from it). The endpoint is outside the pod CIDRs on most clusters.
   * @default - unknown: any address (0.0.0.0/0), on those ports only
   */
  readonly apiServerCidrs?: readonly string[];
  /**
   * The nodes' addresses as CIDRs, for Prometheus' egress to the kubelets (10250) and node exporters (9100).
   * @default - unknown: any address, on those ports only
   */
  readonly nodeCidrs?: readonly string[];
  /**
   * The metrics stack (Prometheus Operator, Prometheus, Alertmanager, Grafana, kube-state-metrics, node
   * exporter). Installed before every add-on that creates ServiceMonitors, which then all get them.
   * @default - not installed
   */
  readonly metrics?: MetricsStackOptions;
  /**
   * The logs stack (Loki and the Alloy agent); Grafana gets Loki as a data source when both are installed.
   * @default - not installed
   */
  readonly logs?: LogsStackOptions;
}

/** Where an environment's telemetry stacks run, for the code that adds dashboards, monitors and policies. */
export interface PlatformTelemetry {
  /** The metrics stack, when installed: its namespace, release, dashboard label, Prometheus' pods, Alertmanager. */
  readonly metrics?: MetricsTelemetry;
  /** The logs stack, when installed: Loki's namespace, release, URLs and pods, the agent's. */
  readonly logs?: LogsTelemetry;
}

/** What {@link platformAddons} returns. */
export interface PlatformAddons {
  /** Releases in install order; each one's `dependsOn` names earlier ones only. */
  readonly releases: readonly ReleaseSpec[];
  /** Namespaces, applied before the releases. */
  readonly namespaces: readonly KubeObject[];
  /**
   * The NetworkPolicies of `networkPolicies` first, then the objects that need the releases' CRDs;
   * applied after the releases.
   */
  readonly objects: readonly KubeObject[];
  /**
   * Every namespace in `namespaces` gets a default deny and the allow policies its releases declare
   * (`ADDON_NETWORK`); also at the head of `objects`.
   */
  readonly networkPolicies: readonly KubeObject[];
  /** Where the environment's routes compile to. */
  readonly target: CompileTarget;
  /** The controller's proxies, which NetworkPolicies let reach the routes' backends. */
  readonly proxy: TrafficSource;
  readonly warnings: readonly string[];
  /** Where the metrics and logs stacks run; absent when neither is installed. */
  readonly telemetry?: PlatformTelemetry;
}

/**
 * A Namespace labelled for Pod Security admission (enforce the given level, warn and audit at
 * restricted) and, when `gateway` is set, admitted to attach routes to that Gateway. `exception` names
 * the release of `POD_SECURITY_EXCEPTIONS` whose exception a level below restricted enforces.
 * `kubernetesVersion` is the cluster's minor ('1.33'): enforcement is pinned to it (`v1.33`), never `latest`,
 * so a cluster upgrade does not change what is enforced before the label changes with it.
 * @default kubernetesVersion DEFAULT_KUBERNETES_VERSION
 */
export function namespaceObject(
  name: string,
  enforce: 'restricted' | 'baseline' | 'privileged',
  gateway?: string,
  exception?: string,
  kubernetesVersion: string = DEFAULT_KUBERNETES_VERSION,
): KubeObject {
  if (!/^1\.\d{2}$/.test(kubernetesVersion)) {
    throw new InvalidPropertyError(
      'kubernetesVersion',
      `'kubernetesVersion' (${JSON.stringify(kubernetesVersion)}) must be a minor version like '${DEFAULT_KUBERNETES_VERSION}'`,
    );
  }
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      labels: {
        'pod-security.kubernetes.io/enforce': enforce,
        'pod-security.kubernetes.io/enforce-version': `v${kubernetesVersion}`,
        'pod-security.kubernetes.io/warn': 'restricted',
        'pod-security.kubernetes.io/audit': 'restricted',
        ...(gateway ? { 'switchyard.io/gateway': gateway } : {}),
        ...(exception ? { [POD_SECURITY_EXCEPTION_LABEL]: exception } : {}),
      },
    },
  };
}

/**
 * A platform namespace: `restricted`, unless a release installed there has a recorded exception
 * (`POD_SECURITY_EXCEPTIONS`), whose level it then enforces and whose release it names.
 */
function platformNamespace(name: string, releases: readonly ReleaseSpec[], kubernetesVersion: string): KubeObject {
  const exception = releases.find((r) => r.namespace === name && POD_SECURITY_EXCEPTIONS[r.name] !== undefined);
  return exception
    ? namespaceObject(
        name,
        POD_SECURITY_EXCEPTIONS[exception.name]!.level,
        undefined,
        exception.name,
        kubernetesVersion,
      )
    : namespaceObject(name, 'restricted', undefined, undefined, kubernetesVersion);
}

/** Orders releases so each comes after what it depends on; a missing or circular dependency is an error. */
export function orderReleases(releases: readonly ReleaseSpec[]): ReleaseSpec[] {
  assertList(arr(RELEASE_SPEC), releases, 'releases');
  const byName = new Map(releases.map((r) => [r.name, r]));
  const ordered: ReleaseSpec[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (release: ReleaseSpec, chain: string[]) => {
    if (state.get(release.name) === 'done') return;
    if (state.get(release.name) === 'visiting')
      throw new InvalidPropertyError(
        'dependsOn',
        `releases depend on each other in a cycle: ${[...chain, release.name].join(' -> ')}`,
      );
    state.set(release.name, 'visiting');
    for (const dep of release.dependsOn) {
      const target = byName.get(dep);
      if (!target)
        throw new InvalidPropertyError(
          'dependsOn',
          `release '${release.name}' depends on '${dep}', which is not installed: add it or drop the dependency`,
        );
      visit(target, [...chain, release.name]);
    }
    state.set(release.name, 'done');
    ordered.push(release);
  };
  for (const r of releases) visit(r, []);
  return ordered;
}

function controllerInstall(
  cluster: ReturnType<typeof resolveClusterTraits>,
  choice: IngressControllerChoice,
): ControllerInstall {
  const { kind, ...options } = choice;
  switch (kind) {
    case 'envoy-gateway':
      return envoyGateway(cluster, options);
    case 'traefik':
      return traefik(cluster, options);
    case 'haproxy':
      return haproxy(cluster, options);
    case 'contour':
      return contour(cluster, options);
    case 'ingress-nginx':
      return ingressNginx(cluster, options);
    default:
      throw new InvalidPropertyError(
        'controller.kind',
        `'controller.kind' (${JSON.stringify(kind)}) must be envoy-gateway, traefik, haproxy, contour or ingress-nginx`,
      );
  }
}

/**
 * Everything a cluster needs before routes work: the controller, the load balancer (MetalLB or the AWS
 * Load Balancer Controller), cert-manager, the External Secrets Operator, the Gateway API CRDs, in install order.
 */
export function platformAddons(props: PlatformAddonsProps): PlatformAddons {
  assertOptions(PLATFORM_ADDONS_PROPS_SPEC, props, 'props');
  const resolved = resolveClusterTraits(props.cluster);
  // With the metrics stack, every add-on creates its monitors, and installs after the stack's CRDs.
  const cluster = props.metrics ? { ...resolved, prometheusOperator: true } : resolved;
  const logs = props.logs ? logsStack(cluster, props.logs) : undefined;
  const metrics = props.metrics
    ? metricsStack(cluster, props.metrics, logs ? { lokiUrl: logs.telemetry.queryUrl } : {})
    : undefined;
  const controller = controllerInstall(cluster, props.controller);
  const warnings = [...controller.warnings, ...(metrics?.warnings ?? [])];
  const releases: ReleaseSpec[] = [];
  const objects: KubeObject[] = [];
  const namespaces: string[] = [];
  const gatewayApi = controller.target.dialect === 'gateway-api';
  const loadBalancerReleases: string[] = [];

  if (gatewayApi)
    releases.push(
      gatewayApiCrds({ channel: props.gatewayApiChannel, envoyGatewayCrds: props.controller.kind === 'envoy-gateway' }),
    );
  for (const release of metrics?.releases ?? []) {
    releases.push(release);
    namespaces.push(release.namespace);
  }
  if (cluster.loadBalancer === 'metallb') {
    if (!props.metallb)
      throw new InvalidPropertyError(
        'metallb',
        `'metallb' is required: cluster '${cluster.kind}' gets load balancer addresses from MetalLB; give it an address pool`,
      );
    const lb = metallb(props.metallb);
    releases.push(lb.release);
    objects.push(...lb.objects);
    namespaces.push(lb.release.namespace);
    loadBalancerReleases.push(lb.release.name);
  } else if (props.metallb) {
    throw new InvalidPropertyError(
      'metallb',
      `'metallb' is set, but the cluster's load balancer is '${cluster.loadBalancer}': remove it or set cluster.loadBalancer to 'metallb'`,
    );
  }
  if (cluster.kind === 'eks' && cluster.loadBalancer === 'cloud') {
    if (!props.awsLoadBalancerController) {
      throw new InvalidPropertyError(
        'awsLoadBalancerController',
        "'awsLoadBalancerController' is required on EKS: it provisions the NLBs the controllers' Services ask for (clusterName, roleArn)",
      );
    }
    const lbc = awsLoadBalancerController(cluster, props.awsLoadBalancerController);
    releases.push(lbc);
    loadBalancerReleases.push(lbc.name);
  }
  if (props.certManager !== false) {
    const gateway = controller.target.gateway;
    const solver =
      gatewayApi && gateway
        ? { gateway: { name: gateway.name, namespace: gateway.namespace } }
        : { ingressClassName: controller.target.ingressClassName ?? 'nginx' };
    const cm = certManager(cluster, solver, props.certManager ?? {});
    releases.push(cm.release);
    objects.push(...cm.objects);
    namespaces.push(cm.release.namespace);
  }
  if (props.externalSecrets) {
    const eso = externalSecretsOperator(cluster, props.externalSecrets);
    releases.push(eso.release);
    objects.push(...eso.objects);
    namespaces.push(eso.release.namespace);
  }
  for (const release of logs?.releases ?? []) {
    releases.push(release);
    namespaces.push(release.namespace);
  }
  for (const release of controller.releases) {
    releases.push({ ...release, dependsOn: [...new Set([...release.dependsOn, ...loadBalancerReleases])] });
    namespaces.push(release.namespace);
  }
  objects.push(...controller.objects);
  const gateway = controller.target.gateway;
  if (gateway) namespaces.push(gateway.namespace);
  if (releases.some((r) => r.name === 'gateway-api-crds')) namespaces.push('gateway-system');
  // kube-system (the AWS Load Balancer Controller's) is the cluster's own: the platform does not create it.
  const created = [...new Set(namespaces)].filter((n) => n !== 'kube-system');
  const ordered = orderReleases(metrics ? releases.map((r) => monitoredAfter(r, metrics.releases)) : releases);
  const profiled = ordered.map((r) =>
    logs && r.name === LOKI_RELEASE ? { ...r, networkProfile: logs.networkProfile } : r,
  );
  const networkPolicies = addonNetworkPolicies(created, profiled, {
    apiServerCidrs: props.apiServerCidrs,
    nodeCidrs: props.nodeCidrs,
  });
  const telemetry: PlatformTelemetry = {
    ...(metrics ? { metrics: metrics.telemetry } : {}),
    ...(logs ? { logs: logs.telemetry } : {}),
  };
  return {
    releases: ordered,
    namespaces: created.map((name) => platformNamespace(name, releases, cluster.kubernetesVersion)),
    objects: [...networkPolicies, ...objects],
    networkPolicies,
    target: controller.target,
    proxy: controller.proxy,
    warnings,
    ...(metrics || logs ? { telemetry } : {}),
  };
}

// Releases that create no monitors and that the metrics stack itself may wait for.
const BEFORE_METRICS = new Set(['gateway-api-crds', 'metallb']);

/** A release that may create ServiceMonitors or PodMonitors waits for the metrics stack's CRDs. */
function monitoredAfter(release: ReleaseSpec, stack: readonly ReleaseSpec[]): ReleaseSpec {
  if (BEFORE_METRICS.has(release.name) || stack.some((r) => r.name === release.name)) return release;
  return { ...release, dependsOn: [...new Set([...release.dependsOn, METRICS_RELEASE])] };
}
