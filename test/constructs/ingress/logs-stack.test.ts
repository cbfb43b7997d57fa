import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ClusterTraits, resolveClusterTraits } from '../../../constructs/cluster/traits';
import { ACCESS_LOG_METADATA, accessLogExpressions, alloyPipeline } from '../../../constructs/ingress/alloy-pipeline';
import { CHARTS } from '../../../constructs/ingress/charts';
import {
  LOGS_DEFAULT_RESOURCES,
  type LogsStackOptions,
  type LokiStorage,
  logsStack,
} from '../../../constructs/ingress/logs-stack';
import { ACCESS_LOG_FIELDS } from '../../../constructs/observability/access-logs';
import { expectInvalid } from '../../helpers/errors';
import { restrictedFindings } from './telemetry-checks';

const S3: LokiStorage = {
  type: 's3',
  bucket: 'shop-logs',
  region: 'eu-west-1',
  roleArn: 'arn:aws:iam::111122223333:role/loki',
};
const stack = (options: LogsStackOptions = {}, cluster: ClusterTraits = { kind: 'eks' }) =>
  logsStack(resolveClusterTraits(cluster), options);
const values = (s: ReturnType<typeof stack>, release = 'loki') =>
  s.releases.find((r) => r.name === release)!.values as any;

describe('logsStack', () => {
  it('installs pinned Loki (OCI) and then the Alloy agent in its own namespace', () => {
    const s = stack();
    expect(s.releases.map((r) => [r.name, r.namespace, r.chart, r.dependsOn])).toEqual([
      ['loki', 'logging', CHARTS.loki, []],
      ['alloy', 'logging-agent', CHARTS.alloy, ['loki']],
    ]);
    expect(CHARTS.loki).toEqual({
      repository: 'oci://ghcr.io/grafana-community/helm-charts',
      name: 'loki',
      version: '18.11.0',
    });
    expect(CHARTS.alloy).toEqual({
      repository: 'https://grafana.github.io/helm-charts',
      name: 'alloy',
      version: '1.11.1',
    });
  });

  it('defaults: filesystem storage, one replica, 14d retention, 20Gi of the cluster class, resources', () => {
    const v = values(stack());
    expect(v.deploymentMode).toBe('Monolithic');
    expect(v.loki.storage).toEqual({ type: 'filesystem' });
    expect(v.loki.commonConfig).toEqual({ replication_factor: 1 });
    expect(v.loki.limits_config.retention_period).toBe('336h');
    expect(v.loki.compactor).toEqual({ retention_enabled: true, delete_request_store: 'filesystem' });
    expect(v.loki.schemaConfig.configs[0]).toMatchObject({ store: 'tsdb', object_store: 'filesystem', schema: 'v13' });
    expect(v.singleBinary).toMatchObject({
      replicas: 1,
      persistence: { enabled: true, size: '20Gi', storageClass: 'gp3' },
    });
    expect(v.singleBinary.podDisruptionBudget).toBeUndefined();
    expect(v.singleBinary.topologySpreadConstraints).toEqual([]);
    expect([v.read.replicas, v.write.replicas, v.backend.replicas]).toEqual([0, 0, 0]);
    expect(v.gateway.replicas).toBe(1);
    expect(v.singleBinary.resources).toEqual(LOGS_DEFAULT_RESOURCES.loki);
    expect(v.gateway.resources).toEqual(LOGS_DEFAULT_RESOURCES.gateway);
    expect(values(stack(), 'alloy').alloy.resources).toEqual(LOGS_DEFAULT_RESOURCES.agent);
    expect(v.loki.auth_enabled).toBe(false);
    expect([v.chunksCache.enabled, v.resultsCache.enabled, v.lokiCanary.enabled, v.test.enabled]).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect(v.serviceAccount).toBeUndefined();
  });

  it('runs three replicas with replication 3, budgets and spread on S3 with the IRSA role, no keys', () => {
    const v = values(stack({ storage: S3 }));
    expect(v.loki.storage).toEqual({
      type: 's3',
      bucketNames: { chunks: 'shop-logs', ruler: 'shop-logs', admin: 'shop-logs' },
      s3: { region: 'eu-west-1' },
    });
    expect(v.serviceAccount).toEqual({ annotations: { 'eks.amazonaws.com/role-arn': S3.roleArn } });
    expect(v.singleBinary.replicas).toBe(3);
    expect(v.loki.commonConfig.replication_factor).toBe(3);
    expect(v.singleBinary.podDisruptionBudget).toEqual({ enabled: true, maxUnavailable: 1 });
    expect(v.gateway).toMatchObject({ replicas: 2, podDisruptionBudget: { enabled: true, maxUnavailable: 1 } });
    expect(v.singleBinary.topologySpreadConstraints.map((c: any) => c.topologyKey)).toEqual([
      'topology.kubernetes.io/zone',
      'kubernetes.io/hostname',
    ]);
    expect(v.loki.schemaConfig.configs[0].object_store).toBe('s3');
    expect(stack({ storage: S3 }).networkProfile).toBe('loki-object-storage');
    expect(stack().networkProfile).toBe('loki');
    expect(JSON.stringify(v)).not.toMatch(/accessKeyId|secretAccessKey|accountKey/);
  });

  it('stores in GCS through Workload Identity and in Azure Blob through a federated token', () => {
    const gcs = values(
      stack(
        {
          storage: {
            type: 'gcs',
            bucket: 'logs-bucket',
            serviceAccount: 'loki-logs@shop-prod.iam.gserviceaccount.com',
          },
        },
        { kind: 'gke' },
      ),
    );
    expect(gcs.loki.storage).toMatchObject({ type: 'gcs', bucketNames: { chunks: 'logs-bucket' } });
    expect(gcs.serviceAccount.annotations).toEqual({
      'iam.gke.io/gcp-service-account': 'loki-logs@shop-prod.iam.gserviceaccount.com',
    });
    const azure = values(
      stack(
        {
          storage: {
            type: 'azure',
            accountName: 'shoplogs',
            container: 'loki',
            clientId: '00000000-1111-2222-3333-444444444444',
          },
        },
        { kind: 'aks' },
      ),
    );
    expect(azure.loki.storage).toMatchObject({
      type: 'azure',
      azure: { accountName: 'shoplogs', useFederatedToken: true },
    });
    expect(azure.loki.podLabels).toEqual({ 'azure.workload.identity/use': 'true' });
    expect(azure.singleBinary.replicas).toBe(3);
  });

  it('runs the agent as a DaemonSet on every node reading /var/log/pods, shipping to the gateway, no reporting', () => {
    const a = values(stack({ namespace: 'logs' }), 'alloy');
    expect(a.controller).toMatchObject({ type: 'daemonset', tolerations: [{ operator: 'Exists' }] });
    expect(a.alloy.mounts.varlog).toBe(true);
    expect(a.alloy.enableReporting).toBe(false);
    expect(a.crds).toEqual({ create: false });
    const config: string = a.alloy.configMap.content;
    expect(config).toBe(alloyPipeline('http://loki-gateway.logs.svc.cluster.local/loki/api/v1/push'));
    for (const label of ['namespace', 'pod', 'container']) expect(config).toContain(`target_label  = "${label}"`);
    expect(config).toContain('replacement   = "/var/log/pods/*$1/*.log"');
    expect(config).toContain('field = "spec.nodeName=" + sys.env("HOSTNAME")');
    expect(config).toMatch(/stage\.cri \{\}[\s\S]*stage\.json \{[\s\S]*stage\.structured_metadata/);
    expect(config).toContain('url = "http://loki-gateway.logs.svc.cluster.local/loki/api/v1/push"');
    // Every controller's JSON keys for the request fields, as ACCESS_LOG_FIELDS names them.
    const expressions = accessLogExpressions();
    for (const [dialect, fields] of Object.entries(ACCESS_LOG_FIELDS))
      for (const role of ['status', 'duration', 'method', 'path'] as const)
        expect(expressions[ACCESS_LOG_METADATA[role]!], `${dialect} ${role}`).toContain(fields.roles[role]!);
    expect(config).toContain(`status = "${expressions.status}"`);
    expect(config).toContain('values = { level = "" }');
    // Balanced braces: a malformed block would stop the agent.
    expect(config.split('{').length).toBe(config.split('}').length);
  });

  it('hardens Loki and its gateway to restricted, and the agent as far as reading host logs allows', () => {
    const v = values(stack());
    expect(restrictedFindings(v.loki.podSecurityContext, v.loki.containerSecurityContext)).toEqual([]);
    expect(restrictedFindings(v.gateway.podSecurityContext, v.gateway.containerSecurityContext)).toEqual([]);
    const a = values(stack(), 'alloy');
    expect(a.alloy.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      runAsUser: 0,
    });
    expect(a.global.podSecurityContext).toEqual({ seccompProfile: { type: 'RuntimeDefault' } });
    // Only what restricted must refuse: running as root (to read root-owned logs); the hostPaths are in the pod.
    expect(restrictedFindings(a.global.podSecurityContext, a.alloy.securityContext).join('\n')).toMatch(/root/i);
  });

  it('turns on the charts’ ServiceMonitors only where the Prometheus Operator runs, and merges raw values last', () => {
    expect(values(stack()).monitoring.serviceMonitor.enabled).toBe(false);
    const monitored = stack(
      { values: { gateway: { replicas: 4 } }, agentValues: { alloy: { enableReporting: true } } },
      {
        kind: 'eks',
        prometheusOperator: true,
      },
    );
    expect(values(monitored).monitoring.serviceMonitor.enabled).toBe(true);
    expect(values(monitored, 'alloy').serviceMonitor.enabled).toBe(true);
    expect(values(monitored).gateway.replicas).toBe(4);
    expect(values(monitored, 'alloy').alloy.enableReporting).toBe(true);
  });

  it('describes where it runs', () => {
    expect(stack({ storage: S3 }).telemetry).toEqual({
      namespace: 'logging',
      release: 'loki',
      storage: 's3',
      pushUrl: 'http://loki-gateway.logging.svc.cluster.local/loki/api/v1/push',
      queryUrl: 'http://loki-gateway.logging.svc.cluster.local',
      lokiPods: { 'app.kubernetes.io/name': 'loki', 'app.kubernetes.io/instance': 'loki' },
      agent: {
        namespace: 'logging-agent',
        release: 'alloy',
        pods: { 'app.kubernetes.io/name': 'alloy', 'app.kubernetes.io/instance': 'alloy' },
      },
      streamLabels: ['namespace', 'pod', 'container', 'level'],
    });
  });

  it.each<[string, LogsStackOptions, string, RegExp]>([
    [
      'HA with filesystem storage',
      { highAvailability: true },
      'logs.highAvailability',
      /needs object storage.*'logs.storage' to \{ type: 's3'/,
    ],
    [
      'HA with explicit filesystem storage',
      { highAvailability: true, storage: { type: 'filesystem' } },
      'logs.highAvailability',
      /filesystem store lives on one replica/,
    ],
    ['an unknown option', { retension: '1d' } as never, 'logs.retension', /did you mean `retention`/],
    [
      'an unknown storage type',
      { storage: { type: 'nfs' } } as never,
      'logs.storage.type',
      /filesystem, s3, gcs or azure/,
    ],
    [
      'S3 without a role',
      { storage: { type: 's3', bucket: 'b-1', region: 'eu-west-1' } } as never,
      'logs.storage.roleArn',
      /\(undefined\) must be a string/,
    ],
    [
      'S3 with static keys',
      { storage: { ...S3, secretAccessKey: 'x' } } as never,
      'logs.storage.secretAccessKey',
      /unknown/,
    ],
    ['a bad bucket', { storage: { ...S3, bucket: 'Logs_Bucket' } }, 'logs.storage.bucket', /S3 bucket name/],
    ['a bad region', { storage: { ...S3, region: 'europe' } }, 'logs.storage.region', /AWS region/],
    ['a bad role', { storage: { ...S3, roleArn: 'loki' } }, 'logs.storage.roleArn', /IAM role ARN/],
    [
      'a bad Google account',
      { storage: { type: 'gcs', bucket: 'logs-bucket', serviceAccount: 'loki' } },
      'logs.storage.serviceAccount',
      /service account e-mail/,
    ],
    [
      'a bad Azure client id',
      { storage: { type: 'azure', accountName: 'shoplogs', container: 'loki', clientId: 'me' } },
      'logs.storage.clientId',
      /GUID/,
    ],
    [
      'an S3 secret key in raw values',
      { storage: S3, values: { loki: { storage: { s3: { secretAccessKey: 'x' } } } } },
      'logs.values.loki.storage.s3.secretAccessKey',
      /plain text.*workload identity/,
    ],
    ['a retention in minutes', { retention: '90m' }, 'logs.retention', /h, d or w/],
    ['a retention of part of a day', { retention: '36h' }, 'logs.retention', /whole number of days/],
    ['a negative volume', { volume: { size: '-1Gi' } }, 'logs.volume.size', /negative sizes/],
    ['one namespace for both', { namespace: 'logs', agentNamespace: 'logs' }, 'logs.agentNamespace', /must differ/],
    [
      'a bad CPU limit',
      { resources: { agent: { limits: { cpu: 'fast' } } } },
      'logs.resources.agent.limits.cpu',
      /"fast"/,
    ],
  ])('refuses %s, naming the field', (_what, options, property, message) => {
    expectInvalid(() => stack(options), property, message);
  });

  it('keeps a whole number of days in hours for any retention in h, d or w (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 }), fc.constantFrom('d', 'w'), (n, unit) => {
        const hours = n * (unit === 'd' ? 24 : 168);
        expect(values(stack({ retention: `${n}${unit}` })).loki.limits_config.retention_period).toBe(`${hours}h`);
        expect(values(stack({ retention: `${hours}h` })).loki.limits_config.retention_period).toBe(`${hours}h`);
      }),
      { numRuns: 100 },
    );
  });
});
