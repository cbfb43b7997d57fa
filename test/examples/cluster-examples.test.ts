import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { podSecurityExceptionsOf, runGuardrails } from '../../constructs';
import type { PlannedResource } from '../../constructs/cli/plan-command';
import { expectSchemaValid } from '../helpers/schema';

const root = path.resolve(__dirname, '../..');

/** `switchyard plan` on an example, as users run it: its own Pulumi.yaml and stack file, no cloud. */
function plan(example: string, stack: string): PlannedResource[] {
  const run = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(root, 'constructs/cli/main.ts'),
      'plan',
      path.join('examples', example),
      '--stack',
      stack,
      '--json',
      // npm run typecheck already checks the examples; plan's own check is tested in test/package/init.test.ts.
      '--no-typecheck',
    ],
    { cwd: root, encoding: 'utf8' },
  );
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as PlannedResource[];
}

const objectsOf = (resources: PlannedResource[], name: string) =>
  resources.find((r) => r.name === name)!.inputs.objs as {
    kind: string;
    apiVersion: string;
    metadata: { name: string };
  }[];

describe.each([
  {
    example: 'gke-envoy-gateway',
    stack: 'prod',
    cluster: 'switchyard:cluster:GkeCluster',
    controlPlane: [
      'gcp:container/cluster:Cluster',
      { location: 'europe-west1', privateClusterConfig: { enablePrivateNodes: true } },
    ],
    controller: 'envoy-gateway',
    routeKinds: ['HTTPRoute', 'Gateway'],
  },
  {
    example: 'aks-traefik',
    stack: 'prod',
    cluster: 'switchyard:cluster:AksCluster',
    controlPlane: [
      'azure-native:containerservice:ManagedCluster',
      { disableLocalAccounts: true, location: 'westeurope' },
    ],
    controller: 'traefik',
    routeKinds: ['IngressRoute'],
  },
  {
    example: 'openstack-haproxy',
    stack: 'lab',
    cluster: 'switchyard:cluster:VmCluster',
    controlPlane: ['openstack:compute/instance:Instance', { flavorName: 'm1.large', imageName: 'ubuntu-24.04' }],
    controller: 'haproxy',
    routeKinds: ['Ingress', 'IPAddressPool'],
  },
] as const)('example $example', ({ example, stack, cluster, controlPlane, controller, routeKinds }) => {
  let resources: PlannedResource[];
  it('plans offline: the cluster, its add-ons, then apps and routes on its provider', () => {
    resources = plan(example, stack);
    const top = resources.filter((r) => r.parent === '').map((r) => r.type);
    expect(top).toEqual([cluster, 'switchyard:deploy:PlatformDeployment']);
    const [type, inputs] = controlPlane;
    expect(resources.find((r) => r.type === type)?.inputs).toMatchObject(inputs);
    const releases = resources.filter((r) => r.type === 'kubernetes:helm.sh/v3:Release').map((r) => r.inputs.name);
    expect(releases).toEqual(expect.arrayContaining([controller, 'cert-manager']));
    expect(resources.find((r) => r.type === 'pulumi:providers:kubernetes')?.inputs.kubeconfig).toBe('[secret]');
  }, 120_000);

  it('deploys schema-valid manifests in the controller dialect that pass the production guardrails', async () => {
    const manifests = objectsOf(resources, 'shop-platform-objects');
    const kinds = new Set(manifests.map((o) => o.kind));
    for (const kind of [...routeKinds, 'Deployment', 'Service', 'PodDisruptionBudget']) expect(kinds).toContain(kind);
    await expectSchemaValid([...objectsOf(resources, 'shop-namespaces-objects'), ...manifests]);
    const blocking = runGuardrails(manifests as never, { profile: 'production' }).filter(
      (f) => f.severity === 'danger',
    );
    expect(blocking).toEqual([]);
  });

  it('locks every Namespace down: a default deny over all its pods, and restricted or a recorded exception', async () => {
    const namespaces = objectsOf(resources, 'shop-namespaces-objects').filter((o) => o.kind === 'Namespace') as any[];
    const policies = objectsOf(resources, 'shop-platform-objects').filter((o) => o.kind === 'NetworkPolicy') as any[];
    expect(namespaces.map((n) => n.metadata.name)).toContain('shop');
    for (const ns of namespaces) {
      const deny = policies.find(
        (p) => p.metadata.namespace === ns.metadata.name && p.metadata.name === 'default-deny',
      );
      expect(deny?.spec, ns.metadata.name).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    }
    const below = podSecurityExceptionsOf(namespaces);
    for (const e of below)
      expect(e.reason, `${e.namespace} enforces ${e.level} without a recorded exception`).toBeDefined();
    await expectSchemaValid(policies);
  });
});
