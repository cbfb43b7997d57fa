import { beforeAll, describe, expect, it } from 'vitest';
import {
  BareMetalCluster,
  type BareMetalClusterArgs,
  validateBareMetalCluster,
} from '../../../constructs/cluster/bare-metal';
import { ExistingCluster } from '../../../constructs/cluster/existing';
import { K3S_VERSION } from '../../../constructs/cluster/k3s';
import { InvalidPropertyError } from '../../../constructs/core/validate';
import { type MockedResource, promiseOf, SECRET_SIG, settle, useMocks } from '../../helpers/pulumi';

const host = (address: string) => ({ address, privateKey: 'KEY' });

/** The install script a remote command carries, decoded from its wrapper. */
function scriptOf(create: string): string {
  const encoded = /printf '%s' '([A-Za-z0-9+/=]+)'/.exec(create)![1]!;
  return Buffer.from(encoded, 'base64').toString('utf8');
}

describe('BareMetalCluster', () => {
  let registered: MockedResource[];
  let cluster: BareMetalCluster;
  beforeAll(async () => {
    // What `sudo cat /etc/rancher/k3s/k3s.yaml` prints on a server.
    const k3sYaml =
      'clusters:\n- cluster:\n    server: https://127.0.0.1:6443\n  name: default\ncurrent-context: default\n';
    registered = useMocks(
      'dev',
      {},
      {
        'command:remote:Command': (inputs) => ({
          stdout: inputs.create === 'sudo cat /etc/rancher/k3s/k3s.yaml' ? k3sYaml : '',
        }),
        'random:index/randomPassword:RandomPassword': () => ({ result: 'T'.repeat(48) }),
      },
    );
    cluster = new BareMetalCluster('edge', {
      servers: [host('10.0.0.11'), host('10.0.0.12'), host('10.0.0.13')],
      agents: [{ ...host('10.0.0.21'), user: 'ubuntu', port: 2222 }],
      apiAddress: '10.0.0.10',
    });
    await settle();
  });
  const commands = () => registered.filter((r) => r.type === 'command:remote:Command');
  const named = (name: string) => commands().find((c) => c.name === name)!;

  it('generates the join token as a secret, 48 characters', () => {
    const token = registered.find((r) => r.type === 'random:index/randomPassword:RandomPassword');
    expect(token).toMatchObject({ name: 'edge-join-token', inputs: { length: 48, special: false } });
  });

  it('installs the first server with --cluster-init, then the others and the agents join the API address', () => {
    expect(
      commands()
        .map((c) => c.name)
        .sort(),
    ).toEqual(['edge-agent-0', 'edge-kubeconfig', 'edge-server-0', 'edge-server-1', 'edge-server-2']);
    const [init, join, agent] = ['edge-server-0', 'edge-server-1', 'edge-agent-0'].map((n) =>
      scriptOf(String(named(n).inputs.create)),
    );
    expect(init).toMatch(
      / server --cluster-init --disable traefik --disable servicelb .*--tls-san '10\.0\.0\.10' --tls-san '10\.0\.0\.11'/,
    );
    expect(join).toMatch(/ server --server 'https:\/\/10\.0\.0\.10:6443' --disable traefik/);
    expect(agent).toMatch(/ agent --server 'https:\/\/10\.0\.0\.10:6443'/);
    for (const script of [init, join, agent]) expect(script).toContain(`version='${K3S_VERSION}'`);
  });

  it('connects over SSH with the host settings and feeds the token on stdin as a secret', () => {
    const [first, agent] = [named('edge-server-0'), named('edge-agent-0')];
    expect(first!.inputs.connection).toMatchObject({ host: '10.0.0.11', user: 'root', port: 22 });
    expect(agent!.inputs.connection).toMatchObject({ host: '10.0.0.21', user: 'ubuntu', port: 2222 });
    expect((first!.inputs.stdin as Record<string, unknown>)[SECRET_SIG]).toBeDefined();
    expect(first!.inputs.triggers).toEqual([K3S_VERSION]);
  });

  it('fetches the kubeconfig from the first server, as a secret pointing at the API address', async () => {
    const read = named('edge-kubeconfig');
    expect(read.inputs).toMatchObject({
      create: 'sudo cat /etc/rancher/k3s/k3s.yaml',
      connection: { host: '10.0.0.11' },
    });
    const provider = registered.find((r) => r.type === 'pulumi:providers:kubernetes' && r.name === 'edge-provider')!;
    expect((provider.inputs.kubeconfig as Record<string, unknown>)[SECRET_SIG]).toBeDefined();
    expect(provider.inputs.enableServerSideApply).toBe('true');
    expect(await promiseOf(cluster.kubeconfig)).toBe(
      'clusters:\n- cluster:\n    server: https://10.0.0.10:6443\n  name: edge\ncurrent-context: edge\n',
    );
  });

  it('defaults to bare-metal traits with MetalLB', () => {
    expect(cluster.traits).toMatchObject({ kind: 'bare-metal', loadBalancer: 'metallb', openshift: false });
  });

  it.each([
    [{ servers: [] }, 'servers', /'servers' has 0 host\(s\): use 1 .* or an odd number of at least 3/],
    [{ servers: [host('a'), host('b')] }, 'servers', /has 2 host\(s\)/],
    [{ servers: [host('a'), host('b'), host('c'), host('d')] }, 'servers', /has 4 host\(s\)/],
    [{ servers: [host('bad host')] }, 'servers[0].address', /hostname or an IP address/],
    [{ servers: [host('a')], agents: [host('a')] }, 'agents', /host a appears twice/],
    [{ servers: [host('a')], apiAddress: 'http://x' }, 'apiAddress', /hostname or an IP address/],
    [{ servers: [host('a')], k3sVersion: 'latest' }, 'k3sVersion', /k3s release tag/],
  ] as const)('rejects %j naming %s', (args, property, message) => {
    let error: unknown;
    try {
      validateBareMetalCluster('edge', args as unknown as BareMetalClusterArgs);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidPropertyError);
    expect((error as InvalidPropertyError).property).toBe(property);
    expect((error as Error).message).toMatch(message);
  });
});

describe('ExistingCluster', () => {
  let registered: MockedResource[];
  beforeAll(() => {
    registered = useMocks('dev');
  });

  it('creates only a provider for the kubeconfig (a secret) and context, with the declared traits', async () => {
    const cluster = new ExistingCluster('lab', {
      kubeconfig: 'apiVersion: v1',
      context: 'kind-lab',
      traits: { openshift: true, loadBalancer: 'metallb' },
    });
    await settle();
    const provider = registered.find((r) => r.name === 'lab-provider')!;
    expect(provider.inputs.context).toBe('kind-lab');
    expect((provider.inputs.kubeconfig as Record<string, unknown>)[SECRET_SIG]).toBeDefined();
    expect(registered.filter((r) => r.type !== 'switchyard:cluster:ExistingCluster').map((r) => r.type)).toEqual([
      'pulumi:providers:kubernetes',
    ]);
    expect(cluster.traits).toMatchObject({ kind: 'existing', openshift: true, loadBalancer: 'metallb' });
  });

  it('defaults to no load balancer and the current context', async () => {
    const cluster = new ExistingCluster('local', { kubeconfig: 'x' });
    await settle();
    expect(cluster.traits.loadBalancer).toBe('none');
    expect(registered.find((r) => r.name === 'local-provider')!.inputs.context).toBeUndefined();
  });

  it('rejects an empty context and a bad name', () => {
    expect(() => new ExistingCluster('lab2', { kubeconfig: 'x', context: ' ' })).toThrow(
      /'context' \(" "\) must name a kubeconfig context/,
    );
    expect(() => new ExistingCluster('Lab', { kubeconfig: 'x' })).toThrow(InvalidPropertyError);
  });
});

describe('cluster access on Kubernetes RBAC', () => {
  it('binds the deployer and readers with the cluster provider when access is given', async () => {
    const registered = useMocks('dev', {}, { 'command:remote:Command': () => ({ stdout: '' }) });
    new ExistingCluster('shared', {
      kubeconfig: 'x',
      access: { deployer: 'Group:deployers', readers: ['Group:devs'] },
    });
    new BareMetalCluster('rack', { servers: [host('10.1.0.1')], access: { deployer: 'ServiceAccount:ci/deployer' } });
    await settle();
    const bindings = registered.filter((r) => r.type === 'kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding');
    expect(bindings.map((b) => [b.name, (b.inputs.roleRef as { name: string }).name])).toEqual([
      ['shared-deployer', 'cluster-admin'],
      ['shared-readers', 'view'],
      ['rack-deployer', 'cluster-admin'],
    ]);
    expect(bindings[0]!.provider).toMatch(/shared-provider/);
  });

  it('rejects subjects that are not Kubernetes subjects', () => {
    expect(() => new ExistingCluster('bad', { kubeconfig: 'x', access: { deployer: 'deployers' } })).toThrow(
      /'access.deployer' \("deployers"\) is not a existing deploy identity/,
    );
  });
});
