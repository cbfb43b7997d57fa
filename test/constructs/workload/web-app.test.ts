import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { runGuardrails } from '../../../constructs/guardrails/engine';
import { namespaceNetworkPolicies } from '../../../constructs/workload/network-policies';
import { WebApp, type WebAppProps } from '../../../constructs/workload/web-app';
import { expectInvalid } from '../../helpers/errors';
import { expectSchemaValid } from '../../helpers/schema';

type Obj = {
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: any };
  spec?: any;
  [k: string]: any;
};

function synth(props: Partial<WebAppProps> = {}): Obj[] {
  const chart = Testing.chart();
  new WebApp(chart, 'web', { image: 'ghcr.io/acme/web:1.0.0', ...props });
  return Testing.synth(chart) as Obj[];
}
const byKind = (objects: Obj[], kind: string) => objects.find((o) => o.kind === kind)!;
const podOf = (objects: Obj[]) => byKind(objects, 'Deployment').spec.template.spec;

describe('WebApp', () => {
  it('synthesizes a ServiceAccount, Deployment, Service and PodDisruptionBudget, all schema-valid', async () => {
    const objects = synth({ namespace: 'shop' });
    expect(objects.map((o) => o.kind)).toEqual(['ServiceAccount', 'Deployment', 'Service', 'PodDisruptionBudget']);
    expect(objects.every((o) => o.metadata.name === 'web' && o.metadata.namespace === 'shop')).toBe(true);
    await expectSchemaValid(objects);
  });

  it('meets Pod Security Standards restricted by default', () => {
    const pod = podOf(synth());
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.containers[0].securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
  });

  it('labels everything with the standard labels and selects on name and instance only', () => {
    const objects = synth({ partOf: 'shop' });
    for (const o of objects) {
      expect(o.metadata.labels).toEqual({
        'app.kubernetes.io/name': 'web',
        'app.kubernetes.io/instance': 'web',
        'app.kubernetes.io/version': '1.0.0',
        'app.kubernetes.io/component': 'web',
        'app.kubernetes.io/part-of': 'shop',
        'app.kubernetes.io/managed-by': 'switchyard',
      });
    }
    const selector = { 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/instance': 'web' };
    expect(byKind(objects, 'Deployment').spec.selector.matchLabels).toEqual(selector);
    expect(byKind(objects, 'Service').spec.selector).toEqual(selector);
    expect(byKind(objects, 'PodDisruptionBudget').spec.selector.matchLabels).toEqual(selector);
    expect(byKind(objects, 'Deployment').spec.template.metadata.labels).toMatchObject(selector);
  });

  it('defaults port 8080, 2 replicas, health path /, resources 100m-500m / 128Mi-256Mi / 1Gi-2Gi, a writable /tmp', () => {
    const objects = synth();
    const deployment = byKind(objects, 'Deployment');
    const container = deployment.spec.template.spec.containers[0];
    expect(deployment.spec.replicas).toBe(2);
    expect(container.ports).toEqual([{ containerPort: 8080 }]);
    expect(container.readinessProbe.httpGet).toMatchObject({ path: '/', port: 8080 });
    expect(container.livenessProbe.httpGet).toMatchObject({ path: '/', port: 8080 });
    expect(container.readinessProbe).not.toEqual(container.livenessProbe);
    expect(container.resources).toEqual({
      requests: { cpu: '100m', memory: '128Mi', 'ephemeral-storage': '1Gi' },
      limits: { cpu: '500m', memory: '256Mi', 'ephemeral-storage': '2Gi' },
    });
    expect(container.imagePullPolicy).toBe('Always');
    expect(container.volumeMounts).toEqual([{ mountPath: '/tmp', name: 'tmp' }]);
    expect(deployment.spec.template.spec.volumes).toEqual([{ name: 'tmp', emptyDir: {} }]);
    expect(byKind(objects, 'Service').spec.ports).toEqual([{ name: 'http', port: 8080, targetPort: 8080 }]);
    expect(byKind(objects, 'ServiceAccount').automountServiceAccountToken).toBe(false);
  });

  it('spreads pods over nodes by default, and over zones too on a multi-zone cluster with zone-local routing', () => {
    const single = podOf(synth());
    expect(single.topologySpreadConstraints.map((c: any) => c.topologyKey)).toEqual(['kubernetes.io/hostname']);
    expect(
      single.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm,
    ).toMatchObject({
      topologyKey: 'kubernetes.io/hostname',
      labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'web' } },
    });
    expect(byKind(synth(), 'Service').metadata.annotations).toBeUndefined();
    const zonal = synth({ cluster: { kind: 'eks' } });
    expect(podOf(zonal).topologySpreadConstraints.map((c: any) => c.topologyKey)).toEqual([
      'topology.kubernetes.io/zone',
      'kubernetes.io/hostname',
    ]);
    expect(byKind(zonal, 'Service').metadata.annotations).toEqual({ 'service.kubernetes.io/topology-mode': 'Auto' });
  });

  it('leaves the UID to OpenShift: no runAsUser, runAsGroup or fsGroup', () => {
    const pod = podOf(synth({ cluster: { kind: 'existing', openshift: true } }));
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true,
      fsGroupChangePolicy: 'Always',
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.containers[0].securityContext.runAsUser).toBeUndefined();
    expect(pod.containers[0].securityContext.runAsGroup).toBeUndefined();
  });

  it('defaults to a PodDisruptionBudget (maxUnavailable 1) only when replicas >= 2', () => {
    expect(byKind(synth(), 'PodDisruptionBudget').spec.maxUnavailable).toBe(1);
    expect(synth({ replicas: 1 }).map((o) => o.kind)).not.toContain('PodDisruptionBudget');
    expect(synth({ replicas: 1, disruptionBudget: true }).map((o) => o.kind)).toContain('PodDisruptionBudget');
    expect(synth({ replicas: 3, disruptionBudget: false }).map((o) => o.kind)).not.toContain('PodDisruptionBudget');
  });

  it('autoscales on CPU: an HPA from 2 (default) and no fixed replicas on the Deployment', async () => {
    const objects = synth({ autoscaling: { maxReplicas: 8 } });
    const hpa = byKind(objects, 'HorizontalPodAutoscaler');
    expect(hpa.spec).toMatchObject({
      minReplicas: 2,
      maxReplicas: 8,
      scaleTargetRef: { kind: 'Deployment', name: 'web' },
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
      ],
    });
    expect(byKind(objects, 'Deployment').spec.replicas).toBeUndefined();
    expect(objects.map((o) => o.kind)).toContain('PodDisruptionBudget');
    await expectSchemaValid(objects);
  });

  it('puts plain env in a ConfigMap and reads secrets by reference, never by value', async () => {
    const objects = synth({
      env: { LOG_LEVEL: 'info', FEATURE_FLAGS: 'cart,search' },
      secretEnv: { DATABASE_PASSWORD: { secret: 'shop-db', key: 'password' } },
    });
    expect(byKind(objects, 'ConfigMap')).toMatchObject({
      metadata: { name: 'web-config' },
      data: { LOG_LEVEL: 'info', FEATURE_FLAGS: 'cart,search' },
    });
    const container = podOf(objects).containers[0];
    expect(container.envFrom).toEqual([{ configMapRef: { name: 'web-config' } }]);
    expect(container.env).toEqual([
      { name: 'DATABASE_PASSWORD', valueFrom: { secretKeyRef: { name: 'shop-db', key: 'password' } } },
    ]);
    expect(objects.some((o) => o.kind === 'Secret')).toBe(false);
    await expectSchemaValid(objects);
  });

  it('claims a persistent volume and mounts it', async () => {
    const objects = synth({
      replicas: 1,
      persistentVolume: { sizeGibibytes: 5, mountPath: '/var/lib/app', storageClass: 'gp3' },
    });
    expect(byKind(objects, 'PersistentVolumeClaim').spec).toMatchObject({
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '5Gi' } },
      storageClassName: 'gp3',
    });
    expect(podOf(objects).containers[0].volumeMounts).toContainEqual(
      expect.objectContaining({ mountPath: '/var/lib/app' }),
    );
    await expectSchemaValid(objects);
  });

  it('adds a ServiceMonitor for its metrics only when the cluster runs the Prometheus Operator', async () => {
    expect(synth({ metrics: {} }).map((o) => o.kind)).not.toContain('ServiceMonitor');
    const objects = synth({ metrics: { path: '/stats' }, cluster: { kind: 'gke', prometheusOperator: true } });
    expect(byKind(objects, 'ServiceMonitor').spec).toEqual({
      selector: { matchLabels: { 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/instance': 'web' } },
      endpoints: [{ port: 'http', path: '/stats', interval: '30s' }],
    });
    await expectSchemaValid(objects);
  });

  it('sets a priority class when given', () => {
    expect(podOf(synth({ priorityClassName: 'shop-critical' })).priorityClassName).toBe('shop-critical');
    expect(podOf(synth()).priorityClassName).toBeUndefined();
  });

  it('passes every guardrail but the digest reminder once its namespace policies exist', () => {
    const chart = Testing.chart();
    const app = new WebApp(chart, 'web', { image: 'ghcr.io/acme/web:1.0.0', namespace: 'shop' });
    const alone = Testing.synth(chart) as Obj[];
    expect(runGuardrails(alone, { profile: 'production' }).map((f) => f.rule)).toEqual([
      'image-digest',
      'network-policy',
    ]);
    const policies = namespaceNetworkPolicies({ namespace: 'shop', workloads: [app.endpoint] }) as Obj[];
    expect(runGuardrails([...alone, ...policies], { profile: 'production' }).map((f) => f.rule)).toEqual([
      'image-digest',
    ]);
    const pinned = synth({ image: `ghcr.io/acme/web:1.0.0@sha256:${'a'.repeat(64)}`, namespace: 'shop' });
    const pinnedPolicies = namespaceNetworkPolicies({ namespace: 'shop', workloads: [{ ...app.endpoint }] }) as Obj[];
    expect(runGuardrails([...pinned, ...pinnedPolicies], { profile: 'production' })).toEqual([]);
  });

  it('describes itself for NetworkPolicies', () => {
    const chart = Testing.chart();
    const app = new WebApp(chart, 'api', {
      image: 'ghcr.io/acme/api:2.0.0',
      namespace: 'shop',
      port: 9000,
      dependencies: [{ service: 'cache', port: 6379 }],
    });
    expect(app.endpoint).toEqual({
      name: 'api',
      namespace: 'shop',
      selector: { 'app.kubernetes.io/name': 'api', 'app.kubernetes.io/instance': 'api' },
      ports: [9000],
      dependencies: [{ service: 'cache', port: 6379 }],
    });
    const scraped = new WebApp(Testing.chart(), 'web', { image: 'ghcr.io/acme/web:1.0.0', metrics: {} });
    expect(scraped.endpoint.metricsPorts).toEqual([8080]);
  });

  it('uses the given name, port, replicas, health path and resources', () => {
    const objects = synth({
      name: 'shop-api',
      port: 9000,
      replicas: 4,
      healthPath: '/healthz',
      cpuMillis: { request: 250, limit: 1000 },
      memoryMebibytes: { request: 512, limit: 1024 },
      ephemeralStorageGibibytes: { request: 2, limit: 4 },
    });
    const deployment = byKind(objects, 'Deployment');
    const container = deployment.spec.template.spec.containers[0];
    expect(deployment.metadata.name).toBe('shop-api');
    expect(deployment.spec.replicas).toBe(4);
    expect(container.readinessProbe.httpGet).toMatchObject({ path: '/healthz', port: 9000 });
    expect(container.resources.limits).toEqual({ cpu: '1000m', memory: '1024Mi', 'ephemeral-storage': '4Gi' });
  });

  it.each([
    [{ name: 'Shop_API' }, 'name', /'name' \("Shop_API"\) must be a DNS-1123 label/],
    [{ namespace: 'Shop' }, 'namespace', /DNS-1123 label/],
    [{ port: 70000 }, 'port', /'port' \(70000\) must be from 1 to 65535/],
    [{ replicas: -1 }, 'replicas', /'replicas' \(-1\) must be from 0 to 1000/],
    [{ image: 'nginx:latest' }, 'image', /'image' \("nginx:latest"\) uses the mutable tag 'latest'/],
    [{ image: 'nginx' }, 'image', /has no tag/],
    [{ healthPath: 'healthz' }, 'healthPath', /must start with \//],
    [{ cpuMillis: { request: 600, limit: 500 } }, 'cpuMillis.request', /must not exceed 'cpuMillis.limit' \(500\)/],
    [{ memoryMebibytes: { request: 600, limit: 500 } }, 'memoryMebibytes.request', /must not exceed/],
    [{ ephemeralStorageGibibytes: { request: 0, limit: 1 } }, 'ephemeralStorageGibibytes.request', /from 1/],
    [{ env: { DB_PASSWORD: 'hunter2' } }, 'env.DB_PASSWORD', /looks like a secret.*reference a Secret in 'secretEnv'/],
    [{ env: { 'log-level': 'x' } }, 'env.log-level', /C identifier/],
    [{ env: { A: 'x' }, secretEnv: { A: { secret: 's', key: 'k' } } }, 'secretEnv.A', /both 'env' and 'secretEnv'/],
    [{ secretEnv: { TOKEN: { secret: 'Bad Name', key: 'k' } } }, 'secretEnv.TOKEN.secret', /DNS-1123 label/],
    [{ secretEnv: { TOKEN: { secret: 's', key: 'a/b' } } }, 'secretEnv.TOKEN.key', /must be a Secret key/],
    [{ autoscaling: { maxReplicas: 2 } }, 'autoscaling.maxReplicas', /must exceed 'autoscaling.minReplicas' \(2\)/],
    [{ autoscaling: { maxReplicas: 5, cpuUtilization: 5 } }, 'autoscaling.cpuUtilization', /from 10 to 100/],
    [
      { persistentVolume: { sizeGibibytes: 1, mountPath: '/data' } },
      'persistentVolume.accessMode',
      /ReadWriteOnce.*StatefulApp/,
    ],
    [
      { replicas: 1, persistentVolume: { sizeGibibytes: 1, mountPath: '/tmp' } },
      'persistentVolume.mountPath',
      /other than \/ and \/tmp/,
    ],
    [{ dependencies: [{ service: 'db', port: 0 }] }, 'dependencies[0].port', /from 1 to 65535/],
    [{ priorityClassName: 'High' }, 'priorityClassName', /DNS-1123 label/],
  ] as const)('rejects %j naming %s', (props, property, message) => {
    expectInvalid(() => synth(props as Partial<WebAppProps>), property, message);
  });
});
