/**
 * The declarative shapes of the add-on catalog's options, for the strict input layer (core/strict.ts):
 * unknown keys refused with the nearest key suggested, exact types, `null` refused (raw chart `values`
 * included: leave a key out instead), dense arrays only. `shapeOf<T>()` ties each shape's keys to its
 * interface at compile time. The shapes check types; the catalog's own checks still judge the values,
 * with their messages. Pure.
 */
import { CLUSTER_TRAITS_SPEC, RESOLVED_CLUSTER_TRAITS_SPEC } from '../cluster/schema';
import type { ResolvedClusterTraits } from '../cluster/traits';
import {
  arr,
  assertProps,
  bool,
  type Defined,
  isPlainObject,
  json,
  num,
  oneOf,
  opaque,
  opt,
  rec,
  req,
  type Spec,
  shapeOf,
  str,
  strings,
  tagged,
  union,
} from '../core/strict';
import type { NetworkContext } from './addon-network-policies';
import type {
  AcmeIssuer,
  AwsLoadBalancerControllerOptions,
  CertManagerOptions,
  Http01Solver,
  MetalLbOptions,
} from './addons';
import type { EnvoyGatewayOptions } from './envoy-gateway';
import type { ExternalSecretsOptions } from './external-secrets';
import type { FluxOptions } from './flux';
import type { CertificateRef, GatewayOptions } from './gateway';
import type { IngressControllerOptions } from './ingress-controllers';
import type { LogsStackOptions, LokiStorage } from './logs-stack';
import type { MetricsStackOptions } from './metrics-stack';
import type { PlatformAddonsProps } from './platform';
import type { ComponentResources } from './telemetry-values';
import type { ObjectSource } from './unique-objects';

/** Raw chart values: a plain object of plain data, deep-merged last. */
const VALUES = rec(json);

const NAMESPACED = shapeOf<{ readonly name: string; readonly namespace: string }>()({
  name: req(str()),
  namespace: req(str()),
});

const CERTIFICATE_REF = shapeOf<CertificateRef>()({
  name: req(str()),
  namespace: req(str()),
  kind: opt(oneOf('Secret')),
});

/** The fields of `ControllerOptions` (exposure.ts), shared by every controller's options. */
const CONTROLLER_FIELDS = {
  namespace: opt(str()),
  replicas: opt(num()),
  maxReplicas: opt(num()),
  preserveClientIp: opt(bool),
  values: opt(VALUES),
} as const;

const ENVOY_FIELDS = {
  ...CONTROLLER_FIELDS,
  gatewayClassName: opt(str()),
  gateway: opt(NAMESPACED),
  certificateRefs: opt(arr(CERTIFICATE_REF)),
  tlsPassthrough: opt(bool),
} as const;
const INGRESS_FIELDS = { ...CONTROLLER_FIELDS, ingressClassName: opt(str()) } as const;

/** The shape of {@link EnvoyGatewayOptions}. */
export const ENVOY_GATEWAY_OPTIONS_SPEC = shapeOf<EnvoyGatewayOptions>()(ENVOY_FIELDS);
/** The shape of {@link IngressControllerOptions} (Traefik, HAProxy, Contour, ingress-nginx). */
export const INGRESS_CONTROLLER_OPTIONS_SPEC = shapeOf<IngressControllerOptions>()(INGRESS_FIELDS);

/** The shape of {@link CertManagerOptions}. */
export const CERT_MANAGER_OPTIONS_SPEC = shapeOf<CertManagerOptions>()({
  issuers: opt(arr(shapeOf<AcmeIssuer>()({ name: req(str()), email: req(str()), server: opt(str()) }))),
  namespace: opt(str()),
  values: opt(VALUES),
});

/** The shape of {@link Http01Solver}. */
export const HTTP01_SOLVER_SPEC: Spec = union(
  "must be { gateway: { name, namespace } } or { ingressClassName: '<class>' }",
  shapeOf<Extract<Http01Solver, { gateway: unknown }>>()({ gateway: req(NAMESPACED) }),
  shapeOf<Extract<Http01Solver, { ingressClassName: string }>>()({ ingressClassName: req(str()) }),
);

type Advertisement = Defined<MetalLbOptions['advertisement']>;
/** The shape of {@link MetalLbOptions}. */
export const METALLB_OPTIONS_SPEC = shapeOf<MetalLbOptions>()({
  addresses: req(strings),
  advertisement: opt(
    tagged('mode', {
      l2: shapeOf<Extract<Advertisement, { mode: 'l2' }>>()({ mode: req(str()) }),
      bgp: shapeOf<Extract<Advertisement, { mode: 'bgp' }>>()({
        mode: req(str()),
        myAsn: req(num()),
        peerAsn: req(num()),
        peerAddress: req(str()),
      }),
    }),
  ),
  namespace: opt(str()),
});

/** The shape of {@link AwsLoadBalancerControllerOptions}. */
export const AWS_LOAD_BALANCER_CONTROLLER_OPTIONS_SPEC = shapeOf<AwsLoadBalancerControllerOptions>()({
  clusterName: req(str()),
  roleArn: req(str()),
  region: opt(str()),
  vpcId: opt(str()),
  values: opt(VALUES),
});

/** The shape of {@link ExternalSecretsOptions}. */
export const EXTERNAL_SECRETS_OPTIONS_SPEC = shapeOf<ExternalSecretsOptions>()({
  awsSecretsManager: req(
    shapeOf<ExternalSecretsOptions['awsSecretsManager']>()({ region: req(str()), storeName: req(str()) }),
  ),
  roleArn: req(str()),
  values: opt(VALUES),
});

/** The shape of {@link FluxOptions}. */
export const FLUX_OPTIONS_SPEC = shapeOf<FluxOptions>()({ namespace: opt(str()), interval: opt(str()) });

/** The shape of {@link GatewayOptions}. */
export const GATEWAY_OPTIONS_SPEC = shapeOf<GatewayOptions>()({
  name: req(str()),
  namespace: req(str()),
  gatewayClassName: req(str()),
  certificateRefs: opt(arr(CERTIFICATE_REF)),
  tlsPassthrough: opt(bool),
});

const CPU_MEMORY = shapeOf<{ readonly cpu?: string; readonly memory?: string }>()({
  cpu: opt(str()),
  memory: opt(str()),
});
const RESOURCES = shapeOf<ComponentResources>()({ requests: opt(CPU_MEMORY), limits: opt(CPU_MEMORY) });

/** The shape of {@link MetricsStackOptions}. */
export const METRICS_STACK_OPTIONS_SPEC = shapeOf<MetricsStackOptions>()({
  namespace: opt(str()),
  nodeExporterNamespace: opt(str()),
  retention: opt(str()),
  storage: opt(
    shapeOf<Defined<MetricsStackOptions['storage']>>()({
      size: opt(str()),
      alertmanagerSize: opt(str()),
      storageClass: opt(str()),
    }),
  ),
  highAvailability: opt(bool),
  resources: opt(
    shapeOf<Defined<MetricsStackOptions['resources']>>()({
      prometheus: opt(RESOURCES),
      alertmanager: opt(RESOURCES),
      grafana: opt(RESOURCES),
      operator: opt(RESOURCES),
      kubeStateMetrics: opt(RESOURCES),
      nodeExporter: opt(RESOURCES),
    }),
  ),
  grafana: opt(
    shapeOf<Defined<MetricsStackOptions['grafana']>>()({
      admin: opt(
        shapeOf<Defined<Defined<MetricsStackOptions['grafana']>['admin']>>()({
          existingSecret: opt(str()),
          userKey: opt(str()),
          passwordKey: opt(str()),
        }),
      ),
    }),
  ),
  values: opt(VALUES),
  nodeExporterValues: opt(VALUES),
});

/** The shape of {@link LokiStorage}. */
export const LOKI_STORAGE_SPEC: Spec = tagged(
  'type',
  {
    filesystem: shapeOf<Extract<LokiStorage, { type: 'filesystem' }>>()({ type: req(str()) }),
    s3: shapeOf<Extract<LokiStorage, { type: 's3' }>>()({
      type: req(str()),
      bucket: req(str()),
      region: req(str()),
      roleArn: req(str()),
    }),
    gcs: shapeOf<Extract<LokiStorage, { type: 'gcs' }>>()({
      type: req(str()),
      bucket: req(str()),
      serviceAccount: req(str()),
    }),
    azure: shapeOf<Extract<LokiStorage, { type: 'azure' }>>()({
      type: req(str()),
      accountName: req(str()),
      container: req(str()),
      clientId: req(str()),
    }),
  },
  'must be filesystem, s3, gcs or azure',
);

/** The shape of {@link LogsStackOptions}. */
export const LOGS_STACK_OPTIONS_SPEC = shapeOf<LogsStackOptions>()({
  namespace: opt(str()),
  agentNamespace: opt(str()),
  retention: opt(str()),
  storage: opt(LOKI_STORAGE_SPEC),
  volume: opt(shapeOf<Defined<LogsStackOptions['volume']>>()({ size: opt(str()), storageClass: opt(str()) })),
  highAvailability: opt(bool),
  resources: opt(
    shapeOf<Defined<LogsStackOptions['resources']>>()({
      loki: opt(RESOURCES),
      gateway: opt(RESOURCES),
      agent: opt(RESOURCES),
    }),
  ),
  values: opt(VALUES),
  agentValues: opt(VALUES),
});

const ingressVariant = shapeOf<IngressControllerOptions & { readonly kind: string }>()({
  kind: req(str()),
  ...INGRESS_FIELDS,
});

/** The shape of {@link PlatformAddonsProps}. */
export const PLATFORM_ADDONS_PROPS_SPEC = shapeOf<PlatformAddonsProps>()({
  cluster: req(CLUSTER_TRAITS_SPEC),
  controller: req(
    tagged(
      'kind',
      {
        'envoy-gateway': shapeOf<EnvoyGatewayOptions & { readonly kind: string }>()({
          kind: req(str()),
          ...ENVOY_FIELDS,
        }),
        traefik: ingressVariant,
        haproxy: ingressVariant,
        contour: ingressVariant,
        'ingress-nginx': ingressVariant,
      },
      'must be envoy-gateway, traefik, haproxy, contour or ingress-nginx',
    ),
  ),
  certManager: opt(
    union(
      'must be cert-manager options or false',
      CERT_MANAGER_OPTIONS_SPEC,
      opaque('must be false', (v) => v === false),
    ),
  ),
  metallb: opt(METALLB_OPTIONS_SPEC),
  awsLoadBalancerController: opt(AWS_LOAD_BALANCER_CONTROLLER_OPTIONS_SPEC),
  externalSecrets: opt(EXTERNAL_SECRETS_OPTIONS_SPEC),
  gatewayApiChannel: opt(str()),
  apiServerCidrs: opt(strings),
  nodeCidrs: opt(strings),
  metrics: opt(METRICS_STACK_OPTIONS_SPEC),
  logs: opt(LOGS_STACK_OPTIONS_SPEC),
});

/** Checks an add-on's options; paths start at the options (`replicas`, `gateway.name`). */
export function assertOptions(spec: Spec, options: unknown, root = 'options'): void {
  assertProps(options, spec, root);
}

/** Checks a list argument; paths start with its name (`releases[0]`). */
export function assertList(spec: Spec, list: unknown, name: string): void {
  assertProps(list, spec, name, name);
}

/** Checks the cluster traits handed to a catalog function (resolved: every trait present). */
export function assertResolvedTraits(cluster: ResolvedClusterTraits): void {
  assertProps(cluster, RESOLVED_CLUSTER_TRAITS_SPEC, 'cluster', 'cluster');
}

/** The shape of {@link NetworkContext}. */
export const NETWORK_CONTEXT_SPEC = shapeOf<NetworkContext>()({
  apiServerCidrs: opt(strings),
  nodeCidrs: opt(strings),
  dns: opt(shapeOf<Defined<NetworkContext['dns']>>()({ namespace: req(str()), podLabels: req(rec(str())) })),
});

const isObjectWith = (value: unknown, keys: readonly string[]): value is Record<string, unknown> =>
  isPlainObject(value) && keys.every((k) => typeof value[k] === 'string');

/** A Kubernetes object as the catalog emits it: apiVersion, kind and metadata.name strings at least. */
export const KUBE_OBJECT_SPEC: Spec = opaque(
  'must be a Kubernetes object with string apiVersion, kind and metadata.name (and metadata.namespace, when set)',
  (v) =>
    isObjectWith(v, ['apiVersion', 'kind']) &&
    isObjectWith(v.metadata, ['name']) &&
    (v.metadata.namespace === undefined || typeof v.metadata.namespace === 'string'),
);

/** A release, as the catalog builds it (see validateRelease): a name, a namespace, its dependencies. */
export const RELEASE_SPEC: Spec = opaque(
  'must be a release with string name and namespace and a dependsOn list of release names',
  (v) =>
    isObjectWith(v, ['name', 'namespace']) &&
    (v.dependsOn === undefined ||
      (Array.isArray(v.dependsOn) && v.dependsOn.every((d: unknown) => typeof d === 'string'))),
);

/** The shape of the {@link ObjectSource} list assertUniqueObjects takes. */
export const OBJECT_SOURCES_SPEC: Spec = arr(
  shapeOf<ObjectSource>()({ source: req(str()), objects: req(arr(KUBE_OBJECT_SPEC)) }),
);
