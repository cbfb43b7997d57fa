/**
 * A k3s cluster on virtual machines Switchyard creates: EC2 instances or OpenStack servers with cloud-init,
 * then the same SSH bootstrap as {@link BareMetalCluster}. Each machine gets an ed25519 SSH host key
 * generated here (from a RandomBytes seed kept in the state) and installed by cloud-init, so the bootstrap
 * pins a key it knows before the machine first answers. Import it from `switchyard/vm`.
 */
import { assertOptionalPeers, requireOptional } from '../core/optional';

// Before the imports below, which CommonJS runs in order: without the engine, importing this entry names
// what to install instead of failing with MODULE_NOT_FOUND. The cloud SDKs are checked when a cluster is made.
assertOptionalPeers(['@pulumi/pulumi', '@pulumi/kubernetes'], "'switchyard/vm'");

import type * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { assertDnsLabel, InvalidPropertyError, show } from '../core/validate';
import { type ClusterAccess, validateClusterAccess } from './access';
import { assertServerCount, BareMetalCluster, type K3sInstallerPin, type SshHost } from './bare-metal';
import { cloudInitUserData, validateCloudInit } from './cloud-init';
import type { KubernetesCluster } from './cluster';
import { ed25519HostKey } from './host-key';
import { assertK3sInstaller, assertK3sVersion, K3S_VERSION, k3sInstallerUrl } from './k3s';
import { assertClusterArgs, VM_ARGS_SPEC } from './schema';
import { assertIpv4Cidr } from './subnets';
import type { ClusterTraits, ResolvedClusterTraits } from './traits';

/** Machines on AWS EC2. */
export interface Ec2Machines {
  readonly cloud: 'aws-ec2';
  /** AMI of a systemd Linux (Ubuntu, Debian, Amazon Linux 2023), pinned. */
  readonly ami: string;
  /** VPC of the subnets. */
  readonly vpcId: pulumi.Input<string>;
  /** Subnets the machines spread over, round-robin (one per zone for HA). */
  readonly subnetIds: readonly pulumi.Input<string>[];
  /** Ranges that may reach SSH and the API (where Pulumi and the pipeline run). */
  readonly adminCidrs: readonly string[];
  /** @default 'm6i.large' */
  readonly instanceType?: string;
}

/** Machines on OpenStack. */
export interface OpenStackMachines {
  readonly cloud: 'openstack';
  /** Image name, like 'ubuntu-24.04'. */
  readonly image: string;
  /** Flavor name, like 'm1.large'. */
  readonly flavor: string;
  /** Name of the network the machines attach to. */
  readonly network: string;
  /** Ranges that may reach SSH and the API. */
  readonly adminCidrs: readonly string[];
  /** @default - the project's default */
  readonly availabilityZones?: readonly string[];
}

/** Arguments of {@link VmCluster}. */
export interface VmClusterArgs {
  readonly machines: Ec2Machines | OpenStackMachines;
  /** Control-plane machines: 1, or an odd number of at least 3. @default 3 */
  readonly servers?: number;
  /** Worker machines. @default 0 */
  readonly agents?: number;
  /** Public key cloud-init authorizes (OpenSSH format). */
  readonly sshPublicKey: string;
  /**
   * Its private key, for the bootstrap; pass a Pulumi secret.
   * @default - the SSH agent at SSH_AUTH_SOCK
   */
  readonly sshPrivateKey?: pulumi.Input<string>;
  /** @default 'switchyard' */
  readonly sshUser?: string;
  /** Root disk size in GiB (encrypted on EC2). @default 50 */
  readonly diskSizeGiB?: number;
  /** @default K3S_VERSION */
  readonly k3sVersion?: string;
  /** The k3s installer, pinned by its SHA-256 (see BareMetalClusterArgs.k3sInstaller). */
  readonly k3sInstaller: K3sInstallerPin;
  /** @default - no bindings (see BareMetalClusterArgs.access) */
  readonly access?: ClusterAccess;
  /** @default { kind: 'vm' } (MetalLB provides load balancer addresses) */
  readonly traits?: Omit<ClusterTraits, 'kind'>;
  /** @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

// What k3s nodes need from each other: API, etcd, kubelet (metrics-server scrapes it too), flannel VXLAN.
const K3S_PORTS = [
  { protocol: 'tcp', from: 6443, to: 6443 },
  { protocol: 'tcp', from: 2379, to: 2380 },
  { protocol: 'tcp', from: 10250, to: 10250 },
  { protocol: 'udp', from: 8472, to: 8472 },
] as const;

/** Checks the arguments, naming the property. */
export function validateVmCluster(name: string, args: VmClusterArgs): void {
  assertDnsLabel('name', name);
  // The pin's own message says how to measure it; then types and keys (nearest key suggested), then values.
  if (args && typeof args === 'object' && (args.k3sInstaller === undefined || args.k3sInstaller === null)) {
    const version = typeof args.k3sVersion === 'string' ? args.k3sVersion : K3S_VERSION;
    throw new InvalidPropertyError(
      'k3sInstaller',
      `'k3sInstaller' is required: pin the installer's SHA-256 ({ sha256: '<64 hex>' }; measure it once with 'curl -sfL ${k3sInstallerUrl(version)} | sha256sum')`,
    );
  }
  assertClusterArgs(VM_ARGS_SPEC, args);
  const servers = args.servers ?? 3;
  const agents = args.agents ?? 0;
  if (!Number.isInteger(agents) || agents < 0 || agents > 100) {
    throw new InvalidPropertyError('agents', `'agents' (${show(agents)}) must be an integer from 0 to 100`);
  }
  assertServerCount(servers);
  if (args.k3sVersion !== undefined) assertK3sVersion('k3sVersion', args.k3sVersion);
  assertK3sInstaller('k3sInstaller', {
    url: args.k3sInstaller.url ?? k3sInstallerUrl(args.k3sVersion ?? K3S_VERSION),
    sha256: args.k3sInstaller.sha256,
  });
  if (args.access) validateClusterAccess('vm', args.access);
  validateCloudInit({ user: args.sshUser ?? 'switchyard', sshPublicKey: args.sshPublicKey });
  const machines = args.machines;
  if (machines.cloud !== 'aws-ec2' && machines.cloud !== 'openstack') {
    throw new InvalidPropertyError(
      'machines.cloud',
      `'machines.cloud' (${show((machines as { cloud: unknown }).cloud)}) must be 'aws-ec2' or 'openstack'`,
    );
  }
  if (machines.adminCidrs.length === 0) {
    throw new InvalidPropertyError(
      'machines.adminCidrs',
      `'machines.adminCidrs' is empty: Pulumi must reach SSH (22) and the API (6443); list the ranges it runs from`,
    );
  }
  for (const [i, cidr] of machines.adminCidrs.entries()) assertIpv4Cidr(`machines.adminCidrs[${i}]`, cidr);
  if (machines.cloud === 'aws-ec2') {
    if (!/^ami-[0-9a-f]{8,17}$/.test(machines.ami)) {
      throw new InvalidPropertyError(
        'machines.ami',
        `'machines.ami' (${show(machines.ami)}) must be an AMI id like ami-0abcdef1234567890`,
      );
    }
    if (machines.subnetIds.length === 0)
      throw new InvalidPropertyError('machines.subnetIds', `'machines.subnetIds' is empty`);
  } else {
    for (const key of ['image', 'flavor', 'network'] as const) {
      if (typeof machines[key] !== 'string' || !machines[key].trim()) {
        throw new InvalidPropertyError(`machines.${key}`, `'machines.${key}' must name an OpenStack ${key}`);
      }
    }
  }
  const disk = args.diskSizeGiB ?? 50;
  if (!Number.isInteger(disk) || disk < 20) {
    throw new InvalidPropertyError('diskSizeGiB', `'diskSizeGiB' (${show(disk)}) must be an integer of at least 20`);
  }
}

/** A machine to create: its role and its id (`server-0`, `agent-1`...), which names its resources. */
interface MachineRole {
  readonly role: 'server' | 'agent';
  readonly id: string;
}

/** A created machine: its name and the address the bootstrap connects to. */
interface Machine {
  readonly role: 'server' | 'agent';
  readonly address: pulumi.Output<string>;
  readonly resource: pulumi.Resource;
}

/** What one machine boots with: its user data (a secret: it holds the host key) and the host key to pin. */
interface MachineBoot {
  readonly userData: pulumi.Output<string>;
  readonly hostKey: pulumi.Output<string>;
}

export class VmCluster extends pulumi.ComponentResource implements KubernetesCluster {
  public readonly kubeconfig: pulumi.Output<string>;
  public readonly provider: k8s.Provider;
  public readonly traits: ResolvedClusterTraits;
  /** Private addresses of the control-plane machines. */
  public readonly serverAddresses: pulumi.Output<string>[];

  public constructor(name: string, args: VmClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    // Checked before anything registers: a refused argument leaves no half-registered component behind.
    validateVmCluster(name, args);
    // The SDKs are optional peers, loaded for the cloud in use (an OpenStack platform installs no AWS SDK);
    // all checked at once, so a missing one fails before anything registers.
    const cloudSdk = args.machines.cloud === 'aws-ec2' ? '@pulumi/aws' : '@pulumi/openstack';
    assertOptionalPeers([cloudSdk, '@pulumi/random', '@pulumi/command'], 'VmCluster');
    super('switchyard:cluster:VmCluster', name, {}, opts);
    const user = args.sshUser ?? 'switchyard';
    const roles: MachineRole[] = [
      ...Array.from({ length: args.servers ?? 3 }, (_, i) => ({ role: 'server' as const, id: `server-${i}` })),
      ...Array.from({ length: args.agents ?? 0 }, (_, i) => ({ role: 'agent' as const, id: `agent-${i}` })),
    ];
    const boots = roles.map(({ id }) => this.boot(name, id, user, args.sshPublicKey));
    const machines =
      args.machines.cloud === 'aws-ec2'
        ? this.ec2(name, args, args.machines, roles, boots)
        : this.openstack(name, args, args.machines, roles, boots);
    const host = (m: Machine, i: number): SshHost => ({
      address: m.address,
      hostKey: boots[i]!.hostKey,
      user,
      ...(args.sshPrivateKey !== undefined ? { privateKey: args.sshPrivateKey } : {}),
    });
    const hosts = machines.map((m, i) => ({ role: m.role, host: host(m, i) }));
    const k3s = new BareMetalCluster(
      name,
      {
        servers: hosts.filter((m) => m.role === 'server').map((m) => m.host),
        agents: hosts.filter((m) => m.role === 'agent').map((m) => m.host),
        k3sVersion: args.k3sVersion,
        k3sInstaller: args.k3sInstaller,
        access: args.access,
        traits: { ...args.traits, kind: 'vm' },
      },
      { parent: this, dependsOn: machines.map((m) => m.resource) },
    );
    this.kubeconfig = k3s.kubeconfig;
    this.provider = k3s.provider;
    this.traits = k3s.traits;
    this.serverAddresses = machines.filter((m) => m.role === 'server').map((m) => m.address);
    this.registerOutputs({ kubeconfig: this.kubeconfig, serverAddresses: this.serverAddresses, traits: this.traits });
  }

  /**
   * One machine's host key, from a 32-byte seed kept (as a secret) in the state, and the user data that
   * installs it. A seed of another length gives no key: the pinned check then refuses the machine.
   */
  private boot(name: string, id: string, user: string, sshPublicKey: string): MachineBoot {
    const random = requireOptional<typeof import('@pulumi/random')>('@pulumi/random', 'VmCluster');
    const seed = new random.RandomBytes(`${name}-${id}-host-key-seed`, { length: 32 }, { parent: this });
    const key = seed.base64.apply((b64) => ed25519HostKey(Buffer.from(b64 ?? '', 'base64'), `${name}-${id}`));
    return {
      // Inputs checked by validateVmCluster, so this does not throw.
      userData: pulumi.secret(key.apply((hostKey) => cloudInitUserData({ user, sshPublicKey, hostKey }))),
      hostKey: pulumi.unsecret(key.apply((k) => k?.publicKey ?? '')),
    };
  }

  private ec2(
    name: string,
    args: VmClusterArgs,
    machines: Ec2Machines,
    roles: readonly MachineRole[],
    boots: readonly MachineBoot[],
  ): Machine[] {
    const aws = requireOptional<typeof import('@pulumi/aws')>('@pulumi/aws', 'VmCluster on aws-ec2');
    const tags = { ...args.tags, 'switchyard/cluster': name };
    const group = new aws.ec2.SecurityGroup(
      `${name}-nodes`,
      {
        vpcId: machines.vpcId,
        description: `k3s nodes of ${name}`,
        ingress: [
          { protocol: '-1', fromPort: 0, toPort: 0, self: true, description: 'between the nodes' },
          ...[22, 6443].map((port) => ({
            protocol: 'tcp',
            fromPort: port,
            toPort: port,
            cidrBlocks: [...machines.adminCidrs],
            description: port === 22 ? 'bootstrap over SSH' : 'Kubernetes API',
          })),
        ],
        egress: [{ protocol: '-1', fromPort: 0, toPort: 0, cidrBlocks: ['0.0.0.0/0'], description: 'egress' }],
        tags,
      },
      { parent: this },
    );
    return roles.map(({ role, id }, i) => {
      const instance = new aws.ec2.Instance(
        `${name}-${id}`,
        {
          ami: machines.ami,
          instanceType: machines.instanceType ?? 'm6i.large',
          subnetId: machines.subnetIds[i % machines.subnetIds.length]!,
          vpcSecurityGroupIds: [group.id],
          userData: boots[i]!.userData,
          // IMDSv2 with one hop: the node reads its metadata, pods (one hop further) cannot take its credentials.
          metadataOptions: { httpTokens: 'required', httpEndpoint: 'enabled', httpPutResponseHopLimit: 1 },
          rootBlockDevice: { volumeSize: args.diskSizeGiB ?? 50, volumeType: 'gp3', encrypted: true },
          tags: { ...tags, Name: `${name}-${id}`, 'switchyard/role': role },
        },
        { parent: this, ignoreChanges: ['ami'] },
      );
      return { role, address: instance.privateIp, resource: instance };
    });
  }

  private openstack(
    name: string,
    args: VmClusterArgs,
    machines: OpenStackMachines,
    roles: readonly MachineRole[],
    boots: readonly MachineBoot[],
  ): Machine[] {
    const openstack = requireOptional<typeof import('@pulumi/openstack')>(
      '@pulumi/openstack',
      'VmCluster on openstack',
    );
    const group = new openstack.networking.SecGroup(
      `${name}-nodes`,
      { description: `k3s nodes of ${name}`, deleteDefaultRules: false },
      { parent: this },
    );
    const rule = (
      id: string,
      protocol: string,
      from: number,
      to: number,
      remote: { remoteGroupId?: pulumi.Input<string>; remoteIpPrefix?: string },
    ) =>
      new openstack.networking.SecGroupRule(
        `${name}-${id}`,
        {
          securityGroupId: group.id,
          direction: 'ingress',
          ethertype: 'IPv4',
          protocol,
          portRangeMin: from,
          portRangeMax: to,
          ...remote,
        },
        { parent: this },
      );
    const rules = [
      ...K3S_PORTS.map((p) => rule(`${p.protocol}-${p.from}`, p.protocol, p.from, p.to, { remoteGroupId: group.id })),
      ...machines.adminCidrs.flatMap((cidr, i) => [
        rule(`ssh-${i}`, 'tcp', 22, 22, { remoteIpPrefix: cidr }),
        rule(`api-${i}`, 'tcp', 6443, 6443, { remoteIpPrefix: cidr }),
      ]),
    ];
    const zones = machines.availabilityZones ?? [];
    return roles.map(({ role, id }, i) => {
      const server = new openstack.compute.Instance(
        `${name}-${id}`,
        {
          name: `${name}-${id}`,
          imageName: machines.image,
          flavorName: machines.flavor,
          networks: [{ name: machines.network }],
          securityGroups: [group.name],
          userData: boots[i]!.userData,
          ...(zones.length ? { availabilityZone: zones[i % zones.length]! } : {}),
          metadata: { ...args.tags, 'switchyard-cluster': name, 'switchyard-role': role },
        },
        { parent: this, dependsOn: rules, ignoreChanges: ['imageName'] },
      );
      return { role, address: server.accessIpV4, resource: server };
    });
  }
}
