import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { InvalidPropertyError } from '../../../constructs/core/validate';
import { runGuardrails } from '../../../constructs/guardrails/engine';
import { WebApp, type WebAppProps } from '../../../constructs/workload/web-app';
import { expectSchemaValid } from '../../helpers/schema';

type Obj = { kind: string; metadata: { name: string; namespace?: string }; spec?: any; [k: string]: any };

function synth(props: Partial<WebAppProps> = {}): Obj[] {
  const chart = Testing.chart();
  new WebApp(chart, 'web', { image: 'ghcr.io/acme/web:1.0.0', ...props });
  return Testing.synth(chart) as Obj[];
}
const byKind = (objects: Obj[], kind: string) => objects.find((o) => o.kind === kind)!;

describe('WebApp', () => {
  it('synthesizes a ServiceAccount, Deployment, Service and PodDisruptionBudget, all schema-valid', async () => {
    const objects = synth({ namespace: 'shop' });
    expect(objects.map((o) => o.kind)).toEqual(['ServiceAccount', 'Deployment', 'Service', 'PodDisruptionBudget']);
    expect(objects.every((o) => o.metadata.name === 'web' && o.metadata.namespace === 'shop')).toBe(true);
    await expectSchemaValid(objects);
  });

  it('meets Pod Security Standards restricted by default', () => {
    const pod = byKind(synth(), 'Deployment').spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.containers[0].securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
  });

  it('defaults port to 8080, replicas to 2, health path to / and resources to 100m-500m / 128Mi-256Mi', () => {
    const objects = synth();
    const deployment = byKind(objects, 'Deployment');
    const container = deployment.spec.template.spec.containers[0];
    expect(deployment.spec.replicas).toBe(2);
    expect(container.ports).toEqual([{ containerPort: 8080 }]);
    expect(container.readinessProbe.httpGet).toMatchObject({ path: '/', port: 8080 });
    expect(container.livenessProbe.httpGet).toMatchObject({ path: '/', port: 8080 });
    expect(container.resources).toEqual({
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { cpu: '500m', memory: '256Mi' },
    });
    expect(byKind(objects, 'Service').spec.ports).toEqual([{ name: 'http', port: 8080, targetPort: 8080 }]);
    expect(byKind(objects, 'ServiceAccount').automountServiceAccountToken).toBe(false);
  });

  it('defaults to a PodDisruptionBudget (maxUnavailable 1, selecting its pods) only when replicas >= 2', () => {
    const objects = synth();
    const pdb = byKind(objects, 'PodDisruptionBudget');
    const podLabels = byKind(objects, 'Deployment').spec.template.metadata.labels;
    expect(pdb.spec.maxUnavailable).toBe(1);
    for (const [k, v] of Object.entries(pdb.spec.selector.matchLabels)) expect(podLabels[k]).toBe(v);
    expect(synth({ replicas: 1 }).map((o) => o.kind)).not.toContain('PodDisruptionBudget');
    expect(synth({ replicas: 1, disruptionBudget: true }).map((o) => o.kind)).toContain('PodDisruptionBudget');
    expect(synth({ replicas: 3, disruptionBudget: false }).map((o) => o.kind)).not.toContain('PodDisruptionBudget');
  });

  it('passes every guardrail but the digest reminder', () => {
    const findings = runGuardrails(synth({ namespace: 'shop' }), { profile: 'production' });
    expect(findings.map((f) => f.rule)).toEqual(['image-digest']);
    expect(
      runGuardrails(synth({ image: `ghcr.io/acme/web:1.0.0@sha256:${'a'.repeat(64)}` }), { profile: 'production' }),
    ).toEqual([]);
  });

  it('uses the given name, port, replicas, health path and resources', () => {
    const objects = synth({
      name: 'shop-api',
      port: 9000,
      replicas: 4,
      healthPath: '/healthz',
      cpuMillis: { request: 250, limit: 1000 },
      memoryMebibytes: { request: 512, limit: 1024 },
    });
    const deployment = byKind(objects, 'Deployment');
    const container = deployment.spec.template.spec.containers[0];
    expect(deployment.metadata.name).toBe('shop-api');
    expect(deployment.spec.replicas).toBe(4);
    expect(container.readinessProbe.httpGet).toMatchObject({ path: '/healthz', port: 9000 });
    expect(container.resources.limits).toEqual({ cpu: '1000m', memory: '1024Mi' });
  });

  it.each([
    [{ name: 'Shop_API' }, 'name', /'name' \("Shop_API"\) must be a DNS-1123 label/],
    [{ port: 70000 }, 'port', /'port' \(70000\) must be from 1 to 65535/],
    [{ replicas: -1 }, 'replicas', /'replicas' \(-1\) must be from 0 to 1000/],
    [{ image: 'nginx:latest' }, 'image', /'image' \("nginx:latest"\) uses the mutable tag 'latest'/],
    [{ image: 'nginx' }, 'image', /has no tag/],
    [{ cpuMillis: { request: 600, limit: 500 } }, 'cpuMillis.request', /must not exceed 'cpuMillis.limit' \(500\)/],
    [{ memoryMebibytes: { request: 600, limit: 500 } }, 'memoryMebibytes.request', /must not exceed/],
  ] as const)('rejects %j naming %s', (props, property, message) => {
    expect(() => synth(props as Partial<WebAppProps>)).toThrow(message);
    try {
      synth(props as Partial<WebAppProps>);
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidPropertyError);
      expect((e as InvalidPropertyError).property).toBe(property);
    }
  });
});
