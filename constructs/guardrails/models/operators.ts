/**
 * Typed models of the operator CRDs Switchyard workloads emit, written from their API references: the
 * Prometheus Operator's ServiceMonitor and PodMonitor (monitoring.coreos.com/v1) and the External Secrets
 * Operator's ExternalSecret (external-secrets.io/v1). Only the fields Switchyard sets and their neighbours. Pure.
 */
import { any, arr, bool, int, map, obj, objectMeta, type Schema, str } from './structural';

const DURATION = /^(0|(\d+(ms|s|m|h))+)$/;
const labelSelector = obj({
  matchLabels: map(str()),
  matchExpressions: arr(
    obj(
      {
        key: str({ minLength: 1 }),
        operator: str({ enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'] }),
        values: arr(str()),
      },
      ['key', 'operator'],
    ),
  ),
});
const namespaceSelector = obj({ any: bool, matchNames: arr(str()) });
const endpoint = (portField: Record<string, Schema>) =>
  obj({
    ...portField,
    path: str({ pattern: /^\// }),
    scheme: str({ enum: ['http', 'https', 'HTTP', 'HTTPS'] }),
    interval: str({ pattern: DURATION }),
    scrapeTimeout: str({ pattern: DURATION }),
    honorLabels: bool,
    relabelings: arr(any),
    metricRelabelings: arr(any),
  });

const monitor = (kind: string, spec: Record<string, Schema>, required: string[]): Schema =>
  obj(
    {
      apiVersion: str({ enum: ['monitoring.coreos.com/v1'] }),
      kind: str({ enum: [kind] }),
      metadata: objectMeta,
      spec: obj({ ...spec, selector: labelSelector, namespaceSelector, jobLabel: str() }, ['selector', ...required]),
    },
    ['apiVersion', 'kind', 'metadata', 'spec'],
  );

export const SERVICE_MONITOR: Schema = monitor(
  'ServiceMonitor',
  { endpoints: arr(endpoint({ port: str({ minLength: 1 }), targetPort: any }), 1) },
  ['endpoints'],
);

export const POD_MONITOR: Schema = monitor(
  'PodMonitor',
  { podMetricsEndpoints: arr(endpoint({ port: str({ minLength: 1 }), portNumber: int(1, 65535) }), 1) },
  ['podMetricsEndpoints'],
);

const storeRef = obj({ name: str({ minLength: 1 }), kind: str({ enum: ['SecretStore', 'ClusterSecretStore'] }) }, [
  'name',
]);
const remoteRef = obj(
  {
    key: str({ minLength: 1 }),
    property: str(),
    version: str(),
    decodingStrategy: str({ enum: ['Auto', 'Base64', 'Base64URL', 'None'] }),
  },
  ['key'],
);

export const EXTERNAL_SECRET: Schema = obj(
  {
    apiVersion: str({ enum: ['external-secrets.io/v1'] }),
    kind: str({ enum: ['ExternalSecret'] }),
    metadata: objectMeta,
    spec: obj(
      {
        secretStoreRef: storeRef,
        refreshInterval: str({ pattern: DURATION }),
        target: obj({
          name: str({ minLength: 1 }),
          creationPolicy: str({ enum: ['Owner', 'Orphan', 'Merge', 'None'] }),
          deletionPolicy: str({ enum: ['Retain', 'Delete', 'Merge'] }),
        }),
        data: arr(obj({ secretKey: str({ minLength: 1 }), remoteRef }, ['secretKey', 'remoteRef'])),
        dataFrom: arr(any),
      },
      ['secretStoreRef'],
    ),
    status: any,
  },
  ['apiVersion', 'kind', 'metadata', 'spec'],
);

export const CLUSTER_SECRET_STORE: Schema = obj(
  {
    apiVersion: str({ enum: ['external-secrets.io/v1'] }),
    kind: str({ enum: ['ClusterSecretStore', 'SecretStore'] }),
    metadata: objectMeta,
    spec: obj(
      {
        provider: obj({
          aws: obj(
            {
              service: str({ enum: ['SecretsManager', 'ParameterStore'] }),
              region: str({ pattern: /^[a-z]{2}(-[a-z]+)+-\d$/ }),
              role: str(),
              auth: any,
            },
            ['service'],
          ),
          gcpsm: any,
          azurekv: any,
          vault: any,
          kubernetes: any,
        }),
        refreshInterval: int(0),
        conditions: arr(any),
      },
      ['provider'],
    ),
    status: any,
  },
  ['apiVersion', 'kind', 'metadata', 'spec'],
);

const identity = obj({
  issuer: str(),
  subject: str(),
  issuerRegExp: str(),
  subjectRegExp: str(),
});
const authority = obj(
  {
    name: str({ minLength: 1 }),
    key: any,
    keyless: obj(
      {
        url: str({ pattern: /^https:\/\// }),
        identities: arr(identity, 1),
        'ca-cert': any,
        trustRootRef: str(),
        insecureIgnoreSCT: bool,
      },
      ['identities'],
    ),
    static: obj({ action: str({ enum: ['pass', 'fail'] }), message: str() }, ['action']),
    source: arr(any),
    ctlog: obj({ url: str({ pattern: /^https:\/\// }), trustRootRef: str() }),
    attestations: arr(any),
    rfc3161timestamp: any,
    signatureFormat: str(),
  },
  [],
);

/** Sigstore policy-controller's ClusterImagePolicy (policy.sigstore.dev/v1beta1), from its Go types. */
export const CLUSTER_IMAGE_POLICY: Schema = obj(
  {
    apiVersion: str({ enum: ['policy.sigstore.dev/v1beta1'] }),
    kind: str({ enum: ['ClusterImagePolicy'] }),
    metadata: objectMeta,
    spec: obj(
      {
        images: arr(obj({ glob: str({ minLength: 1 }) }, ['glob']), 1),
        authorities: arr(authority, 1),
        policy: any,
        mode: str({ enum: ['enforce', 'warn'] }),
        match: arr(any),
      },
      ['images'],
    ),
    status: any,
  },
  ['apiVersion', 'kind', 'metadata', 'spec'],
);
