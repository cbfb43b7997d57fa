import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cloudInitUserData } from '../../../constructs/cluster/cloud-init';
import { ed25519HostKey } from '../../../constructs/cluster/host-key';
import { VmCluster, type VmClusterArgs, validateVmCluster } from '../../../constructs/cluster/vm';
import { expectInvalid } from '../../helpers/errors';
import { type MockedResource, SECRET_SIG, settle, useMocks } from '../../helpers/pulumi';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTestsOnly0123456789abcdefghij ops@example.com';
const EC2: VmClusterArgs = {
  machines: {
    cloud: 'aws-ec2',
    ami: 'ami-0abcdef1234567890',
    vpcId: 'vpc-1',
    subnetIds: ['subnet-a', 'subnet-b', 'subnet-c'],
    adminCidrs: ['10.0.0.0/16'],
  },
  agents: 1,
  sshPublicKey: KEY,
  sshPrivateKey: 'PRIVATE',
  k3sInstaller: { sha256: 'e'.repeat(64) },
};

function mocks(): MockedResource[] {
  let next = 10;
  let seed = 1;
  return useMocks(
    'dev',
    {},
    {
      'aws:ec2/instance:Instance': () => ({ privateIp: `10.0.1.${next++}` }),
      'openstack:compute/instance:Instance': () => ({ accessIpV4: `192.168.7.${next++}` }),
      'command:remote:Command': () => ({ stdout: '' }),
      // A seed per machine: bytes 1, 2, 3...
      'random:index/randomBytes:RandomBytes': () => ({ base64: Buffer.alloc(32, seed++).toString('base64') }),
    },
  );
}

/** The value of a secret input as the mocks see it. */
function secretValue(input: unknown): string {
  expect((input as Record<string, unknown>)[SECRET_SIG]).toBeDefined();
  return String((input as Record<string, unknown>).value);
}

describe('cloudInitUserData', () => {
  it('creates one key-only sudo user, no root login or passwords, and the kernel settings k3s needs', () => {
    const text = cloudInitUserData({ user: 'switchyard', sshPublicKey: KEY });
    expect(text.startsWith('#cloud-config\n')).toBe(true);
    const config = parse(text);
    expect(config.users).toEqual([
      expect.objectContaining({ name: 'switchyard', lock_passwd: true, ssh_authorized_keys: [KEY] }),
    ]);
    expect(config).toMatchObject({ disable_root: true, ssh_pwauth: false, packages: ['curl', 'ca-certificates'] });
    expect(config.write_files[0].content).toContain('net.ipv4.ip_forward = 1');
    expect(config.runcmd).toContainEqual(['swapoff', '-a']);
  });

  it('keeps the image host keys by default, and installs a given host key instead of them', () => {
    expect(parse(cloudInitUserData({ user: 'ops', sshPublicKey: KEY }))).not.toHaveProperty('ssh_keys');
    const hostKey = ed25519HostKey(Buffer.alloc(32, 5))!;
    const config = parse(cloudInitUserData({ user: 'ops', sshPublicKey: KEY, hostKey }));
    expect(config).toMatchObject({
      ssh_deletekeys: true,
      ssh_keys: { ed25519_private: hostKey.privateKey, ed25519_public: hostKey.publicKey },
    });
  });

  it('rejects root and keys that are not OpenSSH public keys', () => {
    expectInvalid(() => cloudInitUserData({ user: 'root', sshPublicKey: KEY }), 'sshUser', /other than root/);
    expectInvalid(
      () => cloudInitUserData({ user: 'ops', sshPublicKey: '-----BEGIN OPENSSH PRIVATE KEY-----' }),
      'sshPublicKey',
      /OpenSSH public key/,
    );
  });
});

describe('VmCluster on EC2', () => {
  let registered: MockedResource[];
  let cluster: VmCluster;
  beforeAll(async () => {
    registered = mocks();
    cluster = new VmCluster('lab', EC2);
    await settle();
  });
  const instances = () => registered.filter((r) => r.type === 'aws:ec2/instance:Instance');

  it('creates three servers and an agent over the subnets, IMDSv2 only, with encrypted disks and cloud-init', () => {
    expect(instances().map((i) => [i.name, i.inputs.subnetId])).toEqual([
      ['lab-server-0', 'subnet-a'],
      ['lab-server-1', 'subnet-b'],
      ['lab-server-2', 'subnet-c'],
      ['lab-agent-0', 'subnet-a'],
    ]);
    const first = instances()[0]!.inputs;
    expect(first).toMatchObject({
      ami: 'ami-0abcdef1234567890',
      instanceType: 'm6i.large',
      metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 1 },
      rootBlockDevice: { volumeSize: 50, volumeType: 'gp3', encrypted: true },
    });
    expect(parse(secretValue(first.userData)).users[0].name).toBe('switchyard');
  });

  it('gives each machine its own host key through cloud-init, and pins exactly that key', () => {
    const keys = instances().map((i) => parse(secretValue(i.inputs.userData)));
    const publics = keys.map((k) => k.ssh_keys.ed25519_public as string);
    expect(new Set(publics).size).toBe(4);
    for (const [i, config] of keys.entries()) {
      expect(config.ssh_deletekeys).toBe(true);
      expect(config.ssh_keys.ed25519_private).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
      const step = registered.find((r) => r.name === `${instances()[i]!.name}-host-key`)!;
      expect(String(step.inputs.create)).toContain(`switchyard-pinned-host ${publics[i]}`);
    }
    const seeds = registered.filter((r) => r.type === 'random:index/randomBytes:RandomBytes');
    expect(seeds.map((s) => [s.name, s.inputs.length])).toEqual([
      ['lab-server-0-host-key-seed', 32],
      ['lab-server-1-host-key-seed', 32],
      ['lab-server-2-host-key-seed', 32],
      ['lab-agent-0-host-key-seed', 32],
    ]);
  });

  it('refuses to connect when no host key could be derived (fails closed, never unpinned)', async () => {
    const registered = useMocks('dev', {}, { 'aws:ec2/instance:Instance': () => ({ privateIp: '10.0.9.1' }) });
    new VmCluster('nokey', { ...EC2, servers: 1, agents: 0 });
    await settle();
    const step = registered.find((r) => r.name === 'nokey-server-0-host-key')!;
    expect(String(step.inputs.create)).toMatch(/refusing to connect: the pinned host key must be an SSH host key/);
    expect(String(step.inputs.create)).not.toContain('ssh -o');
  });

  it('opens SSH and the API to the admin ranges only, and everything between the nodes', () => {
    const group = registered.find((r) => r.type === 'aws:ec2/securityGroup:SecurityGroup')!.inputs;
    const ingress = group.ingress as Record<string, unknown>[];
    expect(ingress).toEqual([
      expect.objectContaining({ protocol: '-1', self: true }),
      expect.objectContaining({ fromPort: 22, cidrBlocks: ['10.0.0.0/16'] }),
      expect.objectContaining({ fromPort: 6443, cidrBlocks: ['10.0.0.0/16'] }),
    ]);
  });

  it('bootstraps k3s on the machines over SSH as the cloud-init user, with vm traits', () => {
    const commands = registered.filter((r) => r.type === 'command:remote:Command');
    const hosts = commands
      .filter((c) => /server|agent/.test(c.name))
      .map((c) => c.inputs.connection as { host: string; user: string });
    expect(hosts.map((h) => h.host).sort()).toEqual(['10.0.1.10', '10.0.1.11', '10.0.1.12', '10.0.1.13']);
    expect(new Set(hosts.map((h) => h.user))).toEqual(new Set(['switchyard']));
    expect(cluster.traits).toMatchObject({ kind: 'vm', loadBalancer: 'metallb', storageClass: 'local-path' });
  });
});

describe('VmCluster on OpenStack', () => {
  it('creates servers with the image, flavor and network, and security group rules for k3s', async () => {
    const registered = mocks();
    new VmCluster('stack', {
      ...EC2,
      servers: 1,
      agents: 2,
      machines: {
        cloud: 'openstack',
        image: 'ubuntu-24.04',
        flavor: 'm1.large',
        network: 'private',
        adminCidrs: ['192.168.0.0/16'],
        availabilityZones: ['az1', 'az2'],
      },
    });
    await settle();
    const servers = registered.filter((r) => r.type === 'openstack:compute/instance:Instance');
    expect(servers.map((s) => [s.name, s.inputs.availabilityZone])).toEqual([
      ['stack-server-0', 'az1'],
      ['stack-agent-0', 'az2'],
      ['stack-agent-1', 'az1'],
    ]);
    expect(servers[0]!.inputs).toMatchObject({
      imageName: 'ubuntu-24.04',
      flavorName: 'm1.large',
      networks: [{ name: 'private' }],
    });
    const rules = registered
      .filter((r) => r.type === 'openstack:networking/secGroupRule:SecGroupRule')
      .map((r) => r.inputs);
    expect(rules.filter((r) => r.remoteIpPrefix).map((r) => r.portRangeMin)).toEqual([22, 6443]);
    expect(rules.filter((r) => r.remoteGroupId).map((r) => `${r.protocol}/${r.portRangeMin}`)).toEqual([
      'tcp/6443',
      'tcp/2379',
      'tcp/10250',
      'udp/8472',
    ]);
  });
});

describe('validateVmCluster', () => {
  it.each([
    [{ servers: 2 }, 'servers', /has 2 host/],
    [{ agents: -1 }, 'agents', /0 to 100/],
    [{ sshPublicKey: 'AAAA' }, 'sshPublicKey', /OpenSSH public key/],
    [{ machines: { ...EC2.machines, adminCidrs: [] } }, 'machines.adminCidrs', /Pulumi must reach SSH/],
    [{ machines: { ...EC2.machines, adminCidrs: ['everywhere'] } }, 'machines.adminCidrs[0]', /IPv4 CIDR/],
    [{ machines: { ...EC2.machines, ami: 'ubuntu' } }, 'machines.ami', /AMI id/],
    [{ machines: { ...EC2.machines, subnetIds: [] } }, 'machines.subnetIds', /empty/],
    [
      { machines: { cloud: 'openstack', image: '', flavor: 'f', network: 'n', adminCidrs: ['10.0.0.0/8'] } },
      'machines.image',
      /OpenStack image/,
    ],
    [{ diskSizeGiB: 8 }, 'diskSizeGiB', /at least 20/],
    [{ access: { deployer: 'root' } }, 'access.deployer', /not a vm deploy identity/],
    [{ k3sInstaller: undefined }, 'k3sInstaller', /'k3sInstaller' is required: pin the installer's SHA-256/],
    [{ k3sInstaller: { sha256: 'E'.repeat(64) } }, 'k3sInstaller.sha256', /64 lowercase hex digits/],
  ] as const)('rejects %j naming %s', (override, property, message) => {
    expectInvalid(() => validateVmCluster('lab', { ...EC2, ...override } as VmClusterArgs), property, message);
  });
});
