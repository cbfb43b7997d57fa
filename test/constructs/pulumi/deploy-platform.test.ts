import * as pulumi from '@pulumi/pulumi';
import { describe, expect, it } from 'vitest';
import { ed25519HostKey } from '../../../constructs/cluster/host-key';
import { InvalidPropertyError } from '../../../constructs/core/validate';
import { definePlatform } from '../../../constructs/platform/define';
import type { Environment } from '../../../constructs/platform/model';
import { assertRoleMatches, deployPlatform } from '../../../constructs/pulumi/deploy-platform';
import { promiseOf, settle, useMocks } from '../../helpers/pulumi';

const IMAGE = 'ghcr.io/nginxinc/nginx-unprivileged:1.27.3-alpine';
const HOST_KEY = ed25519HostKey(Buffer.alloc(32, 7))!.publicKey;
const SHA = 'a'.repeat(64);
const apps = [{ kind: 'web', name: 'web', props: { image: IMAGE, replicas: 2 } }] as const;
const existing: Environment = { name: 'dev', namespace: 'shop', cluster: { traits: { kind: 'existing' } }, apps };
const bareMetal: Environment = {
  name: 'lab',
  namespace: 'shop',
  cluster: { traits: { kind: 'bare-metal' }, create: { kind: 'bare-metal', servers: ['10.0.0.1'] } },
  addons: { metallb: { addresses: ['10.0.0.240-10.0.0.250'] } },
  apps,
};

async function deploy(env: Environment, config: Record<string, string> = {}) {
  const registered = useMocks(env.name, config);
  const outputs = await deployPlatform(definePlatform({ environments: [env] }));
  await settle();
  return { registered, outputs };
}

async function refusal(env: Environment, config: Record<string, string>): Promise<InvalidPropertyError> {
  const error = await deploy(env, config).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InvalidPropertyError);
  return error as InvalidPropertyError;
}

describe('deployPlatform', () => {
  it('deploys an environment without a created cluster to the ambient kubeconfig by default', async () => {
    const { registered, outputs } = await deploy(existing);
    expect(outputs).toMatchObject({ environment: 'dev', namespace: 'shop', clusterKind: 'existing' });
    const provider = registered.find((r) => r.type === 'pulumi:providers:kubernetes');
    expect(provider).toBeDefined();
    expect(provider?.inputs.context).toBeUndefined();
    expect(await promiseOf(outputs.objectCount)).toBeGreaterThan(0);
    expect(await promiseOf(outputs.releases)).toContain('envoy-gateway');
  });

  it('reaches the context switchyard:kubeContext names, even for an environment that creates its cluster', async () => {
    const { registered, outputs } = await deploy(bareMetal, { 'switchyard:kubeContext': 'lab-admin' });
    expect(outputs.clusterKind).toBe('existing');
    expect(registered.some((r) => r.type.startsWith('command:'))).toBe(false);
    expect(registered.find((r) => r.type === 'pulumi:providers:kubernetes')?.inputs).toMatchObject({
      context: 'lab-admin',
    });
  });

  it('bootstraps bare metal with the stack file machine facts', async () => {
    const config = {
      'switchyard:hostKeys': JSON.stringify({ '10.0.0.1': HOST_KEY }),
      'switchyard:k3sInstallerSha256': SHA,
    };
    const { registered, outputs } = await deploy(bareMetal, config);
    expect(outputs.clusterKind).toBe('bare-metal');
    expect(registered.some((r) => r.type === 'command:remote:Command')).toBe(true);
    expect(registered.find((r) => r.type === 'switchyard:cluster:BareMetalCluster')?.name).toBe('lab-cluster');
  });

  it('names the machine without a host key and the missing installer hash, with the stack file', async () => {
    const noKey = await refusal(bareMetal, { 'switchyard:k3sInstallerSha256': SHA });
    expect(noKey.property).toBe('switchyard:hostKeys');
    expect(noKey.message).toMatch(/Pulumi.lab.yaml: switchyard:hostKeys has no SSH host key for 10.0.0.1/);
    const noHash = await refusal(bareMetal, { 'switchyard:hostKeys': JSON.stringify({ '10.0.0.1': HOST_KEY }) });
    expect(noHash.property).toBe('switchyard:k3sInstallerSha256');
  });

  it('refuses a misspelt switchyard key as synth does, and a key the cluster kind does not take', async () => {
    const typo = await refusal(existing, { 'switchyard:kubeContxt': 'x' });
    expect(typo.message).toMatch(
      /Pulumi.dev.yaml: unknown key switchyard:kubeContxt.*did you mean switchyard:kubeContext/,
    );
    const foreign = await refusal(existing, { 'switchyard:servers': '10.0.0.9' });
    expect(foreign.message).toMatch(/switchyard:servers does not apply: dev runs on existing/);
  });

  it('refuses a stack the platform does not define, naming the environments', async () => {
    useMocks('qa');
    await expect(deployPlatform(definePlatform({ environments: [existing] }))).rejects.toThrow(
      /Unknown stack "qa": the platform defines the environments dev/,
    );
  });

  it('takes the stack and config from the options', async () => {
    const registered = useMocks('anything', { 'other:kubeContext': 'kind-dev' });
    const outputs = await deployPlatform(definePlatform({ environments: [existing] }), {
      stack: 'dev',
      config: new pulumi.Config('other'),
    });
    await settle();
    expect(outputs.environment).toBe('dev');
    expect(registered.find((r) => r.type === 'pulumi:providers:kubernetes')?.inputs).toMatchObject({
      context: 'kind-dev',
    });
  });

  it.each([
    [
      'gke',
      {
        kind: 'gke',
        project: 'acme-shop',
        region: 'europe-west1',
        access: { deployer: 'deploy@acme-shop.iam.gserviceaccount.com' },
      },
      'switchyard:cluster:GkeCluster',
    ],
    [
      'aks',
      { kind: 'aks', location: 'westeurope', access: { deployer: '00000000-0000-0000-0000-000000000001' } },
      'switchyard:cluster:AksCluster',
    ],
  ] as const)('creates a %s cluster when the environment says so', async (kind, create, type) => {
    const env: Environment = {
      name: 'prod',
      namespace: 'shop',
      cluster: { traits: { kind }, create: create as never },
      apps,
    };
    const { registered, outputs } = await deploy(env);
    expect(outputs.clusterKind).toBe(kind);
    expect(registered.map((r) => r.type)).toContain(type);
  });
});

describe('assertRoleMatches', () => {
  it('passes unknown or equal ARNs and refuses a different one, naming the fix', () => {
    expect(() => assertRoleMatches(existing, 'External Secrets Operator', undefined, 'arn:a')).not.toThrow();
    expect(() => assertRoleMatches(existing, 'External Secrets Operator', 'arn:a', 'arn:a')).not.toThrow();
    expect(() => assertRoleMatches(existing, 'External Secrets Operator', 'arn:a', 'arn:b')).toThrow(
      /External Secrets Operator role is arn:b, but dev's chart values name arn:a: set the role ARN/,
    );
  });
});
