import { describe, expect, it } from 'vitest';
import { formatSchemaFindings, parseApiVersion, SchemaRegistry } from '../../../constructs/guardrails/schema';

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop' },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } },
  },
};

describe('SchemaRegistry', () => {
  it('passes a valid built-in object', async () => {
    expect(await new SchemaRegistry().validate([deployment])).toEqual([]);
  });

  it('reports each schema error with the object and the JSON path', async () => {
    const bad = { ...deployment, spec: { ...deployment.spec, replicas: 'two' } };
    const findings = await new SchemaRegistry().validate([bad]);
    expect(findings).toEqual([
      { type: 'apps/v1/Deployment', object: 'shop/web', message: '/spec/replicas must be integer' },
    ]);
  });

  it('validates Gateway API, cert-manager, Traefik and Flux CRDs', async () => {
    const registry = new SchemaRegistry();
    const route = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'r' },
      spec: { rules: [{ backendRefs: [{ name: 'a', port: 80, weight: -1 }] }] },
    };
    expect(formatSchemaFindings(await registry.validate([route]))).toContain(
      '/spec/rules/0/backendRefs/0/weight must be >= 0',
    );
    for (const [apiVersion, kind] of [
      ['cert-manager.io/v1', 'Certificate'],
      ['traefik.io/v1alpha1', 'Middleware'],
      ['helm.toolkit.fluxcd.io/v2', 'HelmRelease'],
      ['source.toolkit.fluxcd.io/v1', 'HelmRepository'],
      ['gateway.networking.k8s.io/v1', 'GRPCRoute'],
      ['gateway.networking.k8s.io/v1', 'BackendTLSPolicy'],
    ] as const) {
      expect(await registry.has(apiVersion, kind), `${apiVersion}/${kind}`).toBe(true);
    }
  });

  it('fails an object of an unknown kind until a validator is registered', async () => {
    const registry = new SchemaRegistry();
    const route = { apiVersion: 'widgets.example.com/v1', kind: 'Widget', metadata: { name: 'r', namespace: 'n' } };
    const [finding] = await registry.validate([route]);
    expect(finding?.message).toMatch(/no schema is registered for widgets.example.com\/v1\/Widget/);
    registry.register('widgets.example.com/v1', 'Widget', (o) =>
      (o as { spec?: unknown }).spec ? [] : ['spec is required'],
    );
    expect(await registry.validate([route])).toEqual([
      { type: 'widgets.example.com/v1/Widget', object: 'n/r', message: 'spec is required' },
    ]);
  });

  it('fails an unknown version of a known group and an object without apiVersion', async () => {
    const findings = await new SchemaRegistry().validate([
      { apiVersion: 'apps/v9', kind: 'Deployment', metadata: { name: 'x' } },
      { kind: 'Deployment' },
    ]);
    expect(findings.map((f) => f.message)).toEqual([
      expect.stringMatching(/no schema is registered for apps\/v9\/Deployment/),
      'has no apiVersion or kind',
    ]);
  });

  it('parses core and grouped apiVersions', () => {
    expect(parseApiVersion('v1')).toEqual({ group: '', version: 'v1' });
    expect(parseApiVersion('gateway.networking.k8s.io/v1')).toEqual({
      group: 'gateway.networking.k8s.io',
      version: 'v1',
    });
  });
});
