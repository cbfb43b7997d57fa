import { type Chart, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { InvalidPropertyError } from '../../../constructs/core/validate';
import { externalSecret } from '../../../constructs/workload/external-secret';
import { namespaceNetworkPolicies } from '../../../constructs/workload/network-policies';
import { ScheduledJob } from '../../../constructs/workload/scheduled-job';
import { StatefulApp } from '../../../constructs/workload/stateful-app';
import { WebApp, type WebAppProps } from '../../../constructs/workload/web-app';
import { fuzzTarget, lastIs } from './harness';

// One chart per few hundred constructs, so 100,000 runs do not grow one tree without bound.
let chart: Chart = Testing.chart();
let built = 0;
function scope(): Chart {
  if (++built % 500 === 0) chart = Testing.chart();
  return chart;
}
const id = () => `w${built}`;

const WORKLOAD = {
  image: 'ghcr.io/acme/web:1.0.0',
  namespace: 'shop',
  cpuMillis: { request: 100, limit: 500 },
  memoryMebibytes: { request: 128, limit: 256 },
  ephemeralStorageGibibytes: { request: 1, limit: 2 },
  env: { LOG_LEVEL: 'info' },
  secretEnv: { DB_PASS: { secret: 'db', key: 'password' } },
  cluster: {
    kind: 'eks',
    loadBalancer: 'cloud',
    internalLoadBalancer: false,
    multiZone: true,
    prometheusOperator: true,
    openshift: false,
    zones: ['eu-west-1a'],
    storageClass: 'gp3',
    kubernetesVersion: '1.33',
  },
  priorityClassName: 'high',
  partOf: 'shop',
  dependencies: [
    { service: 'db', port: 5432, namespace: 'data' },
    { service: 'cache', port: 6379 },
  ],
};

const WEB_APP = {
  ...WORKLOAD,
  name: 'web',
  port: 8080,
  replicas: 1,
  healthPath: '/healthz',
  disruptionBudget: true,
  autoscaling: { minReplicas: 2, maxReplicas: 5, cpuUtilization: 70 },
  persistentVolume: { sizeGibibytes: 1, mountPath: '/data', storageClass: 'gp3', accessMode: 'ReadWriteMany' },
  metrics: { path: '/metrics' },
};

const STATEFUL_APP = {
  ...WORKLOAD,
  name: 'db',
  port: 5432,
  volume: { sizeGibibytes: 10, mountPath: '/var/lib/db', storageClass: 'gp3' },
  replicas: 3,
  healthPath: '/health',
  metricsPath: '/metrics',
  args: ['--password=$(DB_PASS)'],
};

const SCHEDULED_JOB = {
  ...WORKLOAD,
  name: 'report',
  schedule: '30 2 * * *',
  command: ['report'],
  args: ['--daily'],
  timeZone: 'Europe/Paris',
  timeoutSeconds: 600,
  retries: 1,
};

const EXTERNAL_SECRET = {
  name: 'db',
  namespace: 'shop',
  store: { name: 'aws', kind: 'ClusterSecretStore' },
  data: { password: { remoteKey: 'prod/db', property: 'password' } },
  refreshInterval: '1h',
};

const PROXY = { namespace: 'gw', podLabels: { app: 'proxy' } };
const NETWORK_POLICIES = {
  namespace: 'shop',
  workloads: [
    {
      name: 'web',
      namespace: 'shop',
      selector: { 'app.kubernetes.io/name': 'web' },
      ports: [8080],
      dependencies: [{ service: 'db', port: 5432 }],
    },
    { name: 'db', selector: { 'app.kubernetes.io/name': 'db' }, ports: [5432], dependencies: [] },
  ],
  routes: [
    {
      name: 'shop',
      hosts: ['shop.example.com'],
      rules: [
        {
          name: 'web',
          matches: [{ path: { type: 'PathPrefix', value: '/' } }],
          backends: [{ service: 'web', port: 8080 }],
        },
      ],
    },
  ],
  proxy: PROXY,
  dns: { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } },
};

/** Maps whose keys are the user's (env names, labels, Secret keys). */
const FREE_KEYS = lastIs('env', 'secretEnv', 'data', 'selector', 'podLabels');

describe('strict workload props (property tests)', () => {
  fuzzTarget({ name: 'WebApp', rich: WEB_APP, run: (p) => new WebApp(scope(), id(), p as never), freeKeys: FREE_KEYS });
  fuzzTarget({
    name: 'StatefulApp',
    rich: STATEFUL_APP,
    run: (p) => new StatefulApp(scope(), id(), p as never),
    freeKeys: FREE_KEYS,
  });
  fuzzTarget({
    name: 'ScheduledJob',
    rich: SCHEDULED_JOB,
    run: (p) => new ScheduledJob(scope(), id(), p as never),
    freeKeys: FREE_KEYS,
  });
  fuzzTarget({
    name: 'externalSecret',
    rich: EXTERNAL_SECRET,
    run: (p) => externalSecret(p as never),
    freeKeys: FREE_KEYS,
  });
  fuzzTarget({
    name: 'namespaceNetworkPolicies',
    rich: NETWORK_POLICIES,
    run: (p) => namespaceNetworkPolicies(p as never),
    freeKeys: FREE_KEYS,
  });

  it('the reported crashes are typed errors naming the field', () => {
    const web = (props: Record<string, unknown>) => () =>
      new WebApp(scope(), id(), { image: 'ghcr.io/acme/web:1.0.0', ...props } as WebAppProps);
    expect(web({ dependencies: [null] })).toThrow(/'dependencies\[0\]' \(null\) must be an object/);
    expect(web({ dependencies: 'db:5432' })).toThrow(/'dependencies' \("db:5432"\) must be an array/);
    expect(web({ dependencies: [{ service: 'db', port: '5432' }] })).toThrow(
      /'dependencies\[0\].port' \("5432"\) must be an integer from 1 to 65535/,
    );
    expect(web({ dependencies: [{ service: 'db', prot: 5432 }] })).toThrow(
      '`dependencies[0].prot`: unknown; did you mean `port`?',
    );
    expect(web({ secretEnv: { TOKEN: null } })).toThrow(/'secretEnv.TOKEN' \(null\) must be an object/);
    expect(web({ replicas: '3' })).toThrow(/'replicas' \("3"\) must be an integer from 0 to 1000/);
    expect(web({ disruptionBudget: 'false' })).toThrow(/'disruptionBudget' \("false"\) must be true or false/);
    expect(web({ autoscaling: null })).toThrow(/'autoscaling' \(null\) must be an object/);
    expect(web({ cluster: { kind: 'eks', multiZone: 'yes' } })).toThrow(/'cluster.multiZone' \("yes"\)/);
    expect(web({ replicaz: 3 })).toThrow('`replicaz`: unknown; did you mean `replicas`?');
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point
    expect(web({ dependencies: [, { service: 'db', port: 1 }] })).toThrow(/'dependencies\[0\]'.*hole/);
    expect(web({ port: 10n })).toThrow(InvalidPropertyError);
    expect(() => new WebApp(scope(), id(), null as never)).toThrow(/'props' \(null\) must be an object/);
  });
});
