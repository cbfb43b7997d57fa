import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import fc from 'fast-check';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  BareMetalCluster,
  type BareMetalClusterArgs,
  validateBareMetalCluster,
} from '../../../constructs/cluster/bare-metal';
import { ExistingCluster } from '../../../constructs/cluster/existing';
import { ed25519HostKey, SSH_PRIVATE_KEY_ENV } from '../../../constructs/cluster/host-key';
import {
  K3S_READ_KUBECONFIG,
  K3S_READ_SERVER_TOKEN,
  K3S_VERSION,
  K3S_WRITE_TOKEN,
  k3sConfigYaml,
  k3sInstallerUrl,
} from '../../../constructs/cluster/k3s';
import { InvalidPropertyError } from '../../../constructs/core/validate';
import { expectInvalid } from '../../helpers/errors';
import { type MockedResource, promiseOf, SECRET_SIG, settle, useMocks } from '../../helpers/pulumi';

const KEYS = Array.from({ length: 5 }, (_, i) => ed25519HostKey(Buffer.alloc(32, i + 1))!.publicKey);
const SHA = 'e'.repeat(64);
const host = (address: string, i = 0) => ({ address, hostKey: KEYS[i]!, privateKey: 'KEY' });
const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
/** A command's text, whether or not it was made a secret. */
const createOf = (r: MockedResource) => {
  const create = r.inputs.create as unknown;
  return typeof create === 'string' ? create : String((create as Record<string, unknown>).value);
};
const SECURE = `K10${'ab'.repeat(32)}::server:${'T'.repeat(48)}`;

/** The install script a remote command carries, decoded from its wrapper. */
function scriptOf(create: string): string {
  const encoded = /printf '%s' '([A-Za-z0-9+/=]+)'/.exec(create)![1]!;
  return Buffer.from(encoded, 'base64').toString('utf8');
}

describe('BareMetalCluster', () => {
  let registered: MockedResource[];
  let cluster: BareMetalCluster;
  const dependsOn = new Map<string, string[]>();
  beforeAll(async () => {
    // What `sudo cat /etc/rancher/k3s/k3s.yaml` prints on a server.
    const k3sYaml =
      'clusters:\n- cluster:\n    server: https://127.0.0.1:6443\n  name: default\ncurrent-context: default\n';
    registered = useMocks(
      'dev',
      {},
      {
        'command:local:Command': (inputs) => ({
          stdout: JSON.stringify(inputs.create).includes('/etc/rancher/k3s/k3s.yaml')
            ? k3sYaml
            : JSON.stringify(inputs.create).includes('/var/lib/rancher/k3s/server/token')
              ? `${SECURE}\n`
              : '',
        }),
        'random:index/randomPassword:RandomPassword': () => ({ result: 'T'.repeat(48) }),
      },
    );
    // Records each child's dependsOn by name (transformations see the options a resource is created with).
    const names = new Map<pulumi.Resource, string>();
    const record: pulumi.ResourceTransformation = ({ resource, name, opts }) => {
      names.set(resource, name);
      const deps = (opts.dependsOn ?? []) as pulumi.Resource[];
      queueMicrotask(() =>
        dependsOn.set(
          name,
          deps.map((d) => names.get(d) ?? '?'),
        ),
      );
      return undefined;
    };
    cluster = new BareMetalCluster(
      'edge',
      {
        servers: [host('10.0.0.11', 0), host('10.0.0.12', 1), host('10.0.0.13', 2)],
        agents: [{ ...host('10.0.0.21', 3), user: 'ubuntu', port: 2222, nodeLabels: ['tier=web'] }],
        apiAddress: '10.0.0.10',
        k3sInstaller: { sha256: SHA },
      },
      { transformations: [record] },
    );
    await settle();
  });
  const remote = () => registered.filter((r) => r.type === 'command:remote:Command');
  const local = () => registered.filter((r) => r.type === 'command:local:Command');
  const named = (name: string) => registered.find((c) => c.name === name)!;

  it('generates the join token as a secret, 48 characters', () => {
    const token = registered.find((r) => r.type === 'random:index/randomPassword:RandomPassword');
    expect(token).toMatchObject({ name: 'edge-join-token', inputs: { length: 48, special: false } });
  });

  it('proves each host key first, then writes the token over a pinned connection, then installs', () => {
    expect(
      remote()
        .map((c) => c.name)
        .sort(),
    ).toEqual(['edge-agent-0', 'edge-server-0', 'edge-server-1', 'edge-server-2']);
    expect(
      local()
        .map((c) => c.name)
        .sort(),
    ).toEqual([
      'edge-agent-0-host-key',
      'edge-agent-0-token',
      'edge-kubeconfig',
      'edge-server-0-host-key',
      'edge-server-0-token',
      'edge-server-1-host-key',
      'edge-server-1-token',
      'edge-server-2-host-key',
      'edge-server-2-token',
      'edge-server-token',
    ]);
    expect(dependsOn.get('edge-server-0-host-key')).toEqual([]);
    expect(dependsOn.get('edge-server-0-token')).toEqual(['edge-server-0-host-key']);
    expect(dependsOn.get('edge-server-0')).toEqual(['edge-server-0-token']);
    expect(dependsOn.get('edge-server-token')).toEqual(['edge-server-0']);
    expect(dependsOn.get('edge-server-1-token')).toEqual(['edge-server-1-host-key', 'edge-server-token']);
    expect(dependsOn.get('edge-agent-0-token')).toEqual([
      'edge-agent-0-host-key',
      'edge-server-token',
      'edge-server-1',
      'edge-server-2',
    ]);
    expect(dependsOn.get('edge-kubeconfig')).toEqual([
      'edge-server-0',
      'edge-server-1',
      'edge-server-2',
      'edge-agent-0',
    ]);
  });

  it('runs every secret step through the system ssh with the host key pinned, the login key in the environment', () => {
    for (const step of local()) {
      expect(step.inputs.interpreter).toEqual(['bash', '-c']);
      expect(createOf(step)).toContain('-o StrictHostKeyChecking=yes');
      // Steps that read a secret back have a secret command: the provider then keeps their output out of the log.
      const reads = ['edge-server-token', 'edge-kubeconfig'].includes(step.name);
      expect((step.inputs.create as Record<string, unknown>)[SECRET_SIG] !== undefined).toBe(reads);
      // The whole environment is a secret: the login key never shows in the state or a plan.
      expect(step.inputs.environment).toEqual({
        [SECRET_SIG]: expect.any(String),
        value: { [SSH_PRIVATE_KEY_ENV]: 'KEY' },
      });
    }
    expect(String(named('edge-server-1-host-key').inputs.create)).toContain(`switchyard-pinned-host ${KEYS[1]}`);
    expect(String(named('edge-agent-0-token').inputs.create)).toContain(`-p 2222 -l 'ubuntu'`);
    expect(String(named('edge-agent-0-token').inputs.create)).toContain(
      `-- '10.0.0.21' '${K3S_WRITE_TOKEN.replace(/'/g, `'\\''`)}'`,
    );
    // The host-key step retries while a machine boots; a step that carries a secret tries once.
    expect(String(named('edge-server-0-host-key').inputs.create)).toContain('attempts=30');
    expect(String(named('edge-server-0-token').inputs.create)).toContain('attempts=1');
  });

  it('feeds the first server the generated secret and the others the secure K10<CA hash>:: token it wrote', () => {
    expect(named('edge-server-0-token').inputs.stdin).toEqual({
      [SECRET_SIG]: expect.any(String),
      value: 'T'.repeat(48),
    });
    for (const joining of ['edge-server-1-token', 'edge-agent-0-token']) {
      expect(named(joining).inputs.stdin).toEqual({ [SECRET_SIG]: expect.any(String), value: SECURE });
    }
    expect(createOf(named('edge-server-token'))).toContain(quote(K3S_READ_SERVER_TOKEN));
  });

  it('installs over the remote connection with no secret, re-run when the version, installer or config changes', () => {
    const [init, join, agent] = ['edge-server-0', 'edge-server-1', 'edge-agent-0'].map(named);
    expect(init!.inputs.connection).toMatchObject({ host: '10.0.0.11', user: 'root', port: 22 });
    expect(agent!.inputs.connection).toMatchObject({ host: '10.0.0.21', user: 'ubuntu', port: 2222 });
    expect(init!.inputs.stdin).toBeUndefined();
    const config = {
      version: K3S_VERSION,
      role: { kind: 'init' as const },
      tlsSans: ['10.0.0.10', '10.0.0.11', '10.0.0.12', '10.0.0.13'],
    };
    expect(init!.inputs.triggers).toEqual([K3S_VERSION, k3sInstallerUrl(K3S_VERSION), SHA, k3sConfigYaml(config)]);
    expect(scriptOf(String(init!.inputs.create))).toContain(`installer_sha256='${SHA}'`);
    expect(String(join!.inputs.triggers)).toContain('server: https://10.0.0.10:6443');
    expect(String((agent!.inputs.triggers as string[])[3])).toContain('node-label:\n  - tier=web');
  });

  it('fetches the kubeconfig from the first server over the pinned connection, as a secret pointing at the API', async () => {
    expect(createOf(named('edge-kubeconfig'))).toContain(`-- '10.0.0.11' '${K3S_READ_KUBECONFIG}'`);
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

  it('accepts addresses and host keys as Outputs (machines created in the same program)', async () => {
    const registered = useMocks('dev');
    new BareMetalCluster('later', {
      servers: [{ address: pulumi.output('10.2.0.1'), hostKey: pulumi.output(KEYS[0]!) }],
      k3sInstaller: { sha256: SHA, url: 'https://mirror.example.com/k3s/install-v1.33.5.sh' },
    });
    await settle();
    const first = registered.find((r) => r.name === 'later-server-0-host-key')!;
    expect(String(first.inputs.create)).toContain(`switchyard-pinned-host ${KEYS[0]}`);
    expect(first.inputs.environment).toBeUndefined();
    const install = registered.find((r) => r.name === 'later-server-0')!;
    expect((install.inputs.triggers as string[])[1]).toBe('https://mirror.example.com/k3s/install-v1.33.5.sh');
  });

  it('refuses a bad address that arrives as an Output without throwing in an apply: a failing command and an error', async () => {
    const registered = useMocks('dev');
    const marker = path.join(os.tmpdir(), `switchyard-injected-${process.pid}`);
    const error = vi.spyOn(pulumi.log, 'error').mockImplementation(() => Promise.resolve());
    new BareMetalCluster('odd', {
      servers: [{ address: pulumi.output(`10.0.0.1'; touch ${marker}; '`), hostKey: KEYS[0]! }],
      k3sInstaller: { sha256: SHA },
    });
    await settle();
    const install = registered.find((r) => r.name === 'odd-server-0')!;
    // Run it: it fails with the reason, and the address's shell text stays text.
    const run = spawnSync('bash', ['-c', String(install.inputs.create)], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /^refusing to install: odd-server-0: 'tlsSans' .* must be a hostname or an IP address\n$/,
    );
    expect(fs.existsSync(marker)).toBe(false);
    expect(error).toHaveBeenCalledWith(expect.stringMatching(/^odd-server-0: 'tlsSans'/), expect.anything());
    error.mockRestore();
  });

  const one = { servers: [host('a')], k3sInstaller: { sha256: SHA } };
  it.each([
    [{ ...one, servers: [] }, 'servers', /'servers' has 0 host\(s\): use 1 .* or an odd number of at least 3/],
    [{ ...one, servers: [host('a'), host('b')] }, 'servers', /has 2 host\(s\)/],
    [{ ...one, servers: [host('a'), host('b'), host('c'), host('d')] }, 'servers', /has 4 host\(s\)/],
    [{ ...one, servers: [host('bad host')] }, 'servers[0].address', /hostname or an IP address/],
    [
      { ...one, servers: [{ address: 'a' }] },
      'servers[0].hostKey',
      /'servers\[0\]\.hostKey' is required: pin the host's SSH host key/,
    ],
    [
      { ...one, servers: [{ address: 'a', hostKey: 'AAAAC3' }] },
      'servers[0].hostKey',
      /starts with "AAAAC3", not one of/,
    ],
    [{ ...one, agents: [{ ...host('b'), hostKey: `ssh-ed25519 ${'A'.repeat(8)}` }] }, 'agents[0].hostKey', /ed25519/],
    [{ ...one, agents: [{ ...host('b'), port: 0 }] }, 'agents[0].port', /integer from 1 to 65535/],
    [{ ...one, agents: [{ ...host('b'), user: 'Bad User' }] }, 'agents[0].user', /Linux user name/],
    [{ ...one, agents: [{ ...host('b'), nodeLabels: ['x'] }] }, 'agents[0].nodeLabels', /key=value/],
    [{ ...one, agents: [host('a')] }, 'agents', /host a appears twice/],
    [{ ...one, apiAddress: 'http://x' }, 'apiAddress', /hostname or an IP address/],
    [{ ...one, k3sVersion: 'latest' }, 'k3sVersion', /k3s release tag/],
    [
      { servers: [host('a')] },
      'k3sInstaller',
      /'k3sInstaller' is required: pin the installer's SHA-256 .*curl -sfL https:\/\/raw/,
    ],
    [{ ...one, k3sInstaller: { sha256: 'abc' } }, 'k3sInstaller.sha256', /64 lowercase hex digits/],
    [{ ...one, k3sInstaller: { sha256: SHA, url: 'http://get.k3s.io' } }, 'k3sInstaller.url', /https URL/],
    [{ ...one, servers: [{ ...host('a'), hostkey: 'x' }] }, 'servers[0].hostkey', /unknown; did you mean `hostKey`\?/],
    [{ ...one, servers: [null] }, 'servers[0]', /must be an object/],
    [{ ...one, servers: [{ ...host('a'), port: '22' }] }, 'servers[0].port', /must be a number/],
    [{ ...one, k3sInstaller: { sha: SHA } }, 'k3sInstaller.sha', /unknown; known keys: `sha256`, `url`/],
  ] as const)('rejects %j naming %s', (args, property, message) => {
    expectInvalid(() => validateBareMetalCluster('edge', args as unknown as BareMetalClusterArgs), property, message);
  });

  it('refuses any malformed arguments with a typed error naming a field, never a crash (property)', () => {
    const valid = { servers: [host('10.0.0.1')], k3sInstaller: { sha256: SHA } };
    const field = fc.constantFrom('servers', 'agents', 'apiAddress', 'k3sVersion', 'k3sInstaller', 'traits', 'access');
    const hostField = fc.constantFrom('address', 'hostKey', 'user', 'privateKey', 'port', 'nodeLabels', 'hostkey');
    fc.assert(
      fc.property(field, hostField, fc.anything(), fc.anything(), (key, hostKey, value, hostValue) => {
        for (const args of [
          { ...valid, [key]: value },
          { ...valid, servers: [{ ...host('10.0.0.1'), [hostKey]: hostValue }] },
        ]) {
          try {
            validateBareMetalCluster('edge', args as unknown as BareMetalClusterArgs);
          } catch (e) {
            expect(e).toBeInstanceOf(InvalidPropertyError);
            expect((e as InvalidPropertyError).property).toMatch(
              /^(servers|agents|apiAddress|k3sVersion|k3sInstaller|traits|access)/,
            );
          }
        }
      }),
    );
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
    new BareMetalCluster('rack', {
      servers: [host('10.1.0.1')],
      k3sInstaller: { sha256: SHA },
      access: { deployer: 'ServiceAccount:ci/deployer' },
    });
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
