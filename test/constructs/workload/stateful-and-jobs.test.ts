import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { runGuardrails } from '../../../constructs/guardrails/engine';
import { ScheduledJob, type ScheduledJobProps } from '../../../constructs/workload/scheduled-job';
import { StatefulApp, type StatefulAppProps } from '../../../constructs/workload/stateful-app';
import { expectInvalid } from '../../helpers/errors';
import { expectSchemaValid } from '../../helpers/schema';

type Obj = { kind: string; metadata: { name: string; [k: string]: any }; spec?: any };
const byKind = (objects: Obj[], kind: string) => objects.find((o) => o.kind === kind)!;

function stateful(props: Partial<StatefulAppProps> = {}): Obj[] {
  const chart = Testing.chart();
  new StatefulApp(chart, 'cache', {
    image: 'ghcr.io/acme/valkey:8.0.1',
    namespace: 'shop',
    port: 6379,
    volume: { sizeGibibytes: 10, mountPath: '/data' },
    ...props,
  });
  return Testing.synth(chart) as Obj[];
}

function job(props: Partial<ScheduledJobProps> = {}): Obj[] {
  const chart = Testing.chart();
  new ScheduledJob(chart, 'report', {
    image: 'ghcr.io/acme/report:1.0.0',
    namespace: 'shop',
    schedule: '30 2 * * *',
    command: ['report', '--daily'],
    ...props,
  });
  return Testing.synth(chart) as Obj[];
}

describe('StatefulApp', () => {
  it('runs 3 pods with a volume each behind a headless Service, with a PDB, all schema-valid', async () => {
    const objects = stateful();
    expect(objects.map((o) => o.kind).sort()).toEqual([
      'PodDisruptionBudget',
      'Service',
      'ServiceAccount',
      'StatefulSet',
    ]);
    const set = byKind(objects, 'StatefulSet');
    expect(set.spec).toMatchObject({
      replicas: 3,
      serviceName: 'cache',
      podManagementPolicy: 'Parallel',
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      volumeClaimTemplates: [
        {
          metadata: { name: 'data' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } },
        },
      ],
    });
    const container = set.spec.template.spec.containers[0];
    expect(container.volumeMounts).toEqual([
      { mountPath: '/tmp', name: 'tmp' },
      { name: 'data', mountPath: '/data' },
    ]);
    expect(container.readinessProbe.tcpSocket).toEqual({ port: 6379 });
    expect(byKind(objects, 'Service').spec).toMatchObject({
      clusterIP: 'None',
      selector: { 'app.kubernetes.io/name': 'cache', 'app.kubernetes.io/instance': 'cache' },
    });
    await expectSchemaValid(objects);
  });

  it('has the same hardened pods as WebApp and passes the production guardrails but the digest reminder', () => {
    const objects = stateful();
    const pod = byKind(objects, 'StatefulSet').spec.template.spec;
    expect(pod.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    expect(pod.containers[0].securityContext.capabilities).toEqual({ drop: ['ALL'] });
    expect(pod.topologySpreadConstraints).toHaveLength(1);
    expect(runGuardrails(objects as never, { profile: 'production' }).map((f) => f.rule)).toEqual([
      'image-digest',
      'network-policy',
    ]);
  });

  it('passes arguments that expand a secret reference, never its value', () => {
    const objects = stateful({
      secretEnv: { VALKEY_PASSWORD: { secret: 'cache', key: 'password' } },
      args: ['--requirepass', '$(VALKEY_PASSWORD)'],
    });
    const container = byKind(objects, 'StatefulSet').spec.template.spec.containers[0];
    expect(container.args).toEqual(['--requirepass', '$(VALKEY_PASSWORD)']);
    expect(container.env).toEqual([
      { name: 'VALKEY_PASSWORD', valueFrom: { secretKeyRef: { name: 'cache', key: 'password' } } },
    ]);
  });

  it('uses HTTP probes, a storage class, one replica without a PDB, and a ServiceMonitor when asked', async () => {
    const objects = stateful({
      replicas: 1,
      healthPath: '/health',
      metricsPath: '/metrics',
      volume: { sizeGibibytes: 1, mountPath: '/var/lib/db', storageClass: 'standard-rwo' },
      cluster: { kind: 'gke', prometheusOperator: true },
    });
    expect(objects.map((o) => o.kind)).not.toContain('PodDisruptionBudget');
    const set = byKind(objects, 'StatefulSet');
    expect(set.spec.volumeClaimTemplates[0].spec.storageClassName).toBe('standard-rwo');
    expect(set.spec.template.spec.containers[0].readinessProbe.httpGet.path).toBe('/health');
    expect(byKind(objects, 'ServiceMonitor').spec.endpoints).toEqual([
      { port: 'tcp', path: '/metrics', interval: '30s' },
    ]);
    await expectSchemaValid(objects);
  });

  it.each([
    [{ port: 0 }, 'port', /from 1 to 65535/],
    [{ replicas: 0 }, 'replicas', /from 1 to 100/],
    [{ volume: { sizeGibibytes: 0, mountPath: '/data' } }, 'volume.sizeGibibytes', /from 1/],
    [{ volume: { sizeGibibytes: 1, mountPath: 'data' } }, 'volume.mountPath', /absolute path/],
    [{ healthPath: 'health' }, 'healthPath', /must start with \//],
  ] as const)('rejects %j naming %s', (props, property, message) => {
    expectInvalid(() => stateful(props as Partial<StatefulAppProps>), property, message);
  });
});

describe('ScheduledJob', () => {
  it('runs a CronJob that never overlaps, times out and keeps a short history, schema-valid', async () => {
    const objects = job();
    expect(objects.map((o) => o.kind).sort()).toEqual(['CronJob', 'ServiceAccount']);
    const cron = byKind(objects, 'CronJob');
    expect(cron.spec).toMatchObject({
      schedule: '30 2 * * *',
      timeZone: 'Etc/UTC',
      concurrencyPolicy: 'Forbid',
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
      jobTemplate: { spec: { activeDeadlineSeconds: 3600, backoffLimit: 2 } },
    });
    const pod = cron.spec.jobTemplate.spec.template.spec;
    expect(pod.containers[0]).toMatchObject({
      command: ['report', '--daily'],
      securityContext: { capabilities: { drop: ['ALL'] } },
    });
    expect(pod.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    expect(pod.topologySpreadConstraints).toBeUndefined();
    expect(pod.containers[0].readinessProbe).toBeUndefined();
    await expectSchemaValid(objects);
    expect(runGuardrails(objects as never, { profile: 'production' }).map((f) => f.rule)).toEqual(['image-digest']);
  });

  it('takes a time zone, timeout, retries and arguments', () => {
    const cron = byKind(
      job({ timeZone: 'Europe/Paris', timeoutSeconds: 600, retries: 0, args: ['--full'] }),
      'CronJob',
    );
    expect(cron.spec.timeZone).toBe('Europe/Paris');
    expect(cron.spec.jobTemplate.spec).toMatchObject({ activeDeadlineSeconds: 600, backoffLimit: 0 });
    expect(cron.spec.jobTemplate.spec.template.spec.containers[0].args).toEqual(['--full']);
  });

  it.each([
    [{ schedule: '@daily' }, 'schedule', /five cron fields/],
    [{ schedule: '30 2 * *' }, 'schedule', /five cron fields/],
    [{ schedule: '30 2 * * * *' }, 'schedule', /five cron fields/],
    [{ timeZone: 'Paris time' }, 'timeZone', /IANA time zone/],
    [{ timeoutSeconds: 0 }, 'timeoutSeconds', /from 1/],
    [{ retries: 11 }, 'retries', /from 0 to 10/],
  ] as const)('rejects %j naming %s', (props, property, message) => {
    expectInvalid(() => job(props as Partial<ScheduledJobProps>), property, message);
  });
});
