import * as fs from 'node:fs';
import * as path from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { describe, expect, it, vi } from 'vitest';
import { parsePulumiProject, parseStackConfig } from '../../constructs/cli/pulumi-project';
import { environmentObjects } from '../../constructs/platform';
import { assertRoleMatches, type PlatformDeploymentOutputs } from '../../constructs/pulumi';
import { platform } from '../../stacks/platform';

import { promiseOf, settle, useMocks } from '../helpers/pulumi';

const ENVIRONMENTS = platform.environments;

/** Runs the program (Pulumi.yaml `main`) afresh; it exports the promise of its outputs. */
async function runProgram(): Promise<PlatformDeploymentOutputs> {
  vi.resetModules();
  const program = (await import('../../stacks/pulumi/index')) as unknown as {
    default: Promise<PlatformDeploymentOutputs>;
  };
  return program.default;
}

/** The `switchyard:` values of Pulumi.<stack>.yaml, as the Pulumi CLI hands them to the program. */
function stackFileConfig(stack: string): Record<string, string> {
  const root = path.resolve(__dirname, '../..');
  const project = parsePulumiProject(fs.readFileSync(path.join(root, 'Pulumi.yaml'), 'utf8'), 'Pulumi.yaml');
  const file = path.join(root, `Pulumi.${stack}.yaml`);
  return parseStackConfig(fs.readFileSync(file, 'utf8'), file, project).values;
}

describe.each(ENVIRONMENTS.map((e) => [e.name, e] as const))('Pulumi program, stack %s', (stack, env) => {
  it('registers a provider and the environment objects, the same ones cdk8s synthesizes', async () => {
    const registered = useMocks(stack, { 'switchyard:kubeContext': `kind-${stack}` });
    const program = await runProgram();
    await settle();
    expect(program.environment).toBe(stack);
    expect(program.namespace).toBe(env.namespace);
    const objects = environmentObjects(env);
    expect(await promiseOf(program.objectCount)).toBe(objects.manifests.length);

    const provider = registered.find((r) => r.type === 'pulumi:providers:kubernetes');
    expect(provider?.inputs).toMatchObject({ context: `kind-${stack}` });
    const groups = registered.filter((r) => r.type === 'kubernetes:yaml/v2:ConfigGroup');
    expect(groups.map((g) => g.name)).toEqual([`${stack}-namespaces-objects`, `${stack}-platform-objects`]);
    expect(groups[0]!.inputs.objs).toEqual(objects.namespaces);
    expect(groups[1]!.inputs.objs).toEqual(objects.manifests);

    // Helm releases: the same charts, versions and values as the Flux HelmReleases cdk8s writes.
    const releases = registered.filter((r) => r.type === 'kubernetes:helm.sh/v3:Release');
    const flux = objects.flux.filter((o) => o.kind === 'HelmRelease') as any[];
    // Registration order under mocks follows when each release's inputs resolve; installOrder is the order.
    expect(releases.map((r) => r.inputs.name).sort()).toEqual(flux.map((f) => f.metadata.name).sort());
    for (const release of releases) {
      const twin = flux.find((f) => f.metadata.name === release.inputs.name);
      expect(release.inputs.values).toEqual(twin.spec.values);
      expect(release.inputs.namespace).toBe(twin.spec.targetNamespace);
      expect(release.inputs).toMatchObject({ atomic: true, cleanupOnFail: true, createNamespace: true });
      if (twin.spec.chart)
        expect(release.inputs).toMatchObject({
          chart: twin.spec.chart.spec.chart,
          version: twin.spec.chart.spec.version,
        });
    }
    expect(await promiseOf(program.releases)).toEqual(flux.map((f) => f.metadata.name));
    // Phases: namespaces, then the releases, then the platform objects (routes included).
    const at = (name: string) => registered.findIndex((r) => r.name === name);
    const lastRelease = Math.max(...releases.map((r) => at(r.name)));
    expect(at(`${stack}-namespaces-objects`)).toBeLessThan(Math.min(...releases.map((r) => at(r.name))));
    expect(at(`${stack}-platform-objects`)).toBeGreaterThan(lastRelease);
  });
});

describe('Pulumi program, creating the cluster (no kubeContext)', () => {
  it('dev bootstraps k3s on the bare metal hosts and deploys everything through its provider', async () => {
    // The settings Pulumi.dev.yaml commits (the machines' host keys, the installer's hash), as the CLI passes them.
    const registered = useMocks('dev', stackFileConfig('dev'), { 'command:remote:Command': () => ({ stdout: '' }) });
    const program = await runProgram();
    await settle();
    expect(program.clusterKind).toBe('bare-metal');
    expect(registered.find((r) => r.type === 'switchyard:cluster:BareMetalCluster')?.name).toBe('dev-cluster');
    const hosts = registered
      .filter((r) => r.type === 'command:remote:Command' && /server|agent/.test(r.name))
      .map((r) => (r.inputs.connection as { host: string }).host);
    expect(hosts).toEqual(expect.arrayContaining(['192.168.50.11', '192.168.50.12', '192.168.50.13', '192.168.50.21']));
    const deployed = registered.filter(
      (r) => r.type === 'kubernetes:helm.sh/v3:Release' || r.type === 'kubernetes:yaml/v2:ConfigGroup',
    );
    expect(deployed.length).toBeGreaterThan(3);
    for (const r of deployed) expect(r.provider).toMatch(/::dev-cluster-provider::/);
    // Without switchyard:sshPrivateKey the bootstrap uses the SSH agent: no key in the connection.
    const first = registered.find((r) => r.name === 'dev-cluster-server-0')!;
    expect((first.inputs.connection as Record<string, unknown>).privateKey).toBeUndefined();
  });

  it('prod creates the EKS cluster whose controller role matches the ARN synth wrote', async () => {
    const registered = useMocks(
      'prod',
      {},
      {
        'aws:iam/role:Role': (inputs) => ({ arn: `arn:aws:iam::111122223333:role/${inputs.name ?? 'generated'}` }),
      },
    );
    const program = await runProgram();
    await settle();
    expect(program.clusterKind).toBe('eks');
    const cluster = registered.find((r) => r.type === 'aws:eks/cluster:Cluster')!;
    expect(cluster.inputs).toMatchObject({
      name: 'switchyard-prod',
      deletionProtection: true,
      vpcConfig: { endpointPrivateAccess: true, publicAccessCidrs: ['203.0.113.0/24'] },
    });
    expect(registered.find((r) => r.type === 'aws:eks/nodeGroup:NodeGroup')!.inputs).toMatchObject({
      instanceTypes: ['m6i.xlarge'],
      scalingConfig: { minSize: 3, maxSize: 12 },
    });
    const entries = registered.filter((r) => r.type === 'aws:eks/accessPolicyAssociation:AccessPolicyAssociation');
    expect(entries.map((e) => e.inputs.principalArn)).toEqual([
      'arn:aws:iam::111122223333:role/switchyard-prod-deploy',
      'arn:aws:iam::111122223333:role/switchyard-readonly',
    ]);
    const releases = registered.filter((r) => r.type === 'kubernetes:helm.sh/v3:Release');
    for (const r of releases) expect(r.provider).toMatch(/::prod-cluster-provider::/);
  });

  it('staging shares one NAT gateway and may be deleted', async () => {
    const registered = useMocks('staging');
    await runProgram();
    await settle();
    expect(registered.filter((r) => r.type === 'aws:ec2/natGateway:NatGateway')).toHaveLength(1);
    expect(registered.find((r) => r.type === 'aws:eks/cluster:Cluster')!.inputs.deletionProtection).toBe(false);
  });
});

describe('Pulumi program, unknown stack', () => {
  it('fails with an error that names the stack and the known environments', async () => {
    useMocks('qa');
    await expect(runProgram()).rejects.toThrow(
      /Unknown stack "qa": the platform defines the environments dev, staging, prod/,
    );
  });

  it('reads the stack name from pulumi.getStack()', () => {
    useMocks('staging');
    expect(pulumi.getStack()).toBe('staging');
  });
});

describe('assertRoleMatches', () => {
  it('accepts the ARN synth wrote or an unknown one, and names the fix for another account', async () => {
    const prod = platform.environment('prod');
    const expected = prod.addons!.awsLoadBalancerController!.roleArn;
    expect(() => assertRoleMatches(prod, 'AWS Load Balancer Controller', expected, expected)).not.toThrow();
    expect(() => assertRoleMatches(prod, 'AWS Load Balancer Controller', expected, undefined)).not.toThrow();
    expect(() =>
      assertRoleMatches(
        prod,
        'External Secrets Operator',
        prod.addons!.externalSecrets!.roleArn,
        'arn:aws:iam::444455556666:role/switchyard-prod-external-secrets',
      ),
    ).toThrow(/the External Secrets Operator role is .*444455556666.*set the role ARN in the environment's addons/);
  });
});
