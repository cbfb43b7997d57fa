/**
 * A k3s cluster on machines reachable over SSH, as a Pulumi component: a join token generated as a secret,
 * the first server initializing an HA control plane with embedded etcd, the other servers and the agents
 * joining it, and the kubeconfig fetched and rewritten to the API address. Bare metal and VMs alike.
 */
import * as command from '@pulumi/command';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import { assertDnsLabel, InvalidPropertyError } from '../core/validate';
import type { KubernetesCluster } from './cluster';
import {
  assertAddress,
  assertK3sVersion,
  K3S_READ_KUBECONFIG,
  K3S_VERSION,
  k3sInstallScript,
  k3sRemoteCommand,
  k3sServerUrl,
  rewriteKubeconfig,
} from './k3s';
import { type ClusterTraits, type ResolvedClusterTraits, resolveClusterTraits } from './traits';

/** A machine the cluster runs on. */
export interface SshHost {
  /** Address SSH connects to (and, for servers, one the API certificate covers). */
  readonly address: string;
  /** @default 'root' (any user with passwordless sudo works) */
  readonly user?: string;
  /** Private key of `user`; pass a Pulumi secret (`config.requireSecret(...)`). */
  readonly privateKey: pulumi.Input<string>;
  /** @default 22 */
  readonly port?: number;
}

/** Arguments of {@link BareMetalCluster}. */
export interface BareMetalClusterArgs {
  /** Control-plane nodes: 1 (no HA) or an odd number of at least 3 (embedded etcd needs a majority). */
  readonly servers: readonly SshHost[];
  /**
   * Worker nodes.
   * @default - none (servers run workloads)
   */
  readonly agents?: readonly SshHost[];
  /**
   * Address clients and joining nodes use for the API: a load balancer or virtual IP in front of the servers.
   * @default - the first server's address
   */
  readonly apiAddress?: string;
  /**
   * k3s release, pinned.
   * @default K3S_VERSION
   */
  readonly k3sVersion?: string;
  /**
   * Traits the add-ons adapt to; `kind` is 'bare-metal' (or 'vm' when the machines are virtual).
   * @default { kind: 'bare-metal' } (MetalLB provides load balancer addresses)
   */
  readonly traits?: Omit<ClusterTraits, 'kind'> & { readonly kind?: 'bare-metal' | 'vm' };
}

/** Checks the arguments, naming the property. */
export function validateBareMetalCluster(name: string, args: BareMetalClusterArgs): void {
  assertDnsLabel('name', name);
  const count = args.servers.length;
  if (count === 0 || count === 2 || (count > 2 && count % 2 === 0)) {
    throw new InvalidPropertyError(
      'servers',
      `'servers' has ${count} host(s): use 1 (no high availability) or an odd number of at least 3, so embedded etcd keeps a majority when one fails`,
    );
  }
  for (const [i, h] of args.servers.entries()) assertAddress(`servers[${i}].address`, h.address);
  for (const [i, h] of (args.agents ?? []).entries()) assertAddress(`agents[${i}].address`, h.address);
  if (args.apiAddress !== undefined) assertAddress('apiAddress', args.apiAddress);
  if (args.k3sVersion !== undefined) assertK3sVersion('k3sVersion', args.k3sVersion);
  const all = [...args.servers, ...(args.agents ?? [])].map((h) => h.address);
  const twice = all.find((a, i) => all.indexOf(a) !== i);
  if (twice) throw new InvalidPropertyError('agents', `host ${twice} appears twice among servers and agents`);
}

export class BareMetalCluster extends pulumi.ComponentResource implements KubernetesCluster {
  /** Admin kubeconfig, pointing at the API address (a secret). */
  public readonly kubeconfig: pulumi.Output<string>;
  /** A Kubernetes provider for the cluster, for `opts.providers` of what runs on it. */
  public readonly provider: k8s.Provider;
  /** What add-ons and routes adapt to. */
  public readonly traits: ResolvedClusterTraits;

  public constructor(name: string, args: BareMetalClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super('switchyard:cluster:BareMetalCluster', name, {}, opts);
    validateBareMetalCluster(name, args);
    const version = args.k3sVersion ?? K3S_VERSION;
    const [first, ...others] = args.servers;
    const apiAddress = args.apiAddress ?? first!.address;
    this.traits = resolveClusterTraits({ ...args.traits, kind: args.traits?.kind ?? 'bare-metal' });

    const token = new random.RandomPassword(`${name}-join-token`, { length: 48, special: false }, { parent: this });
    const connection = (h: SshHost) => ({
      host: h.address,
      user: h.user ?? 'root',
      port: h.port ?? 22,
      privateKey: h.privateKey,
    });
    const tlsSans = [...new Set([apiAddress, ...args.servers.map((s) => s.address)])];
    const install = (host: SshHost, id: string, script: string, dependsOn: pulumi.Resource[]) =>
      new command.remote.Command(
        `${name}-${id}`,
        {
          connection: connection(host),
          create: k3sRemoteCommand(script),
          stdin: pulumi.secret(token.result),
          // A new version re-runs the (idempotent) installer.
          triggers: [version],
        },
        { parent: this, dependsOn, additionalSecretOutputs: ['stdin'] },
      );

    const init = install(first!, 'server-0', k3sInstallScript({ version, role: { kind: 'init' }, tlsSans }), []);
    const serverUrl = k3sServerUrl(apiAddress);
    const joined = others.map((host, i) =>
      install(host, `server-${i + 1}`, k3sInstallScript({ version, role: { kind: 'server', serverUrl }, tlsSans }), [
        init,
      ]),
    );
    const agents = (args.agents ?? []).map((host, i) =>
      install(host, `agent-${i}`, k3sInstallScript({ version, role: { kind: 'agent', serverUrl } }), [init, ...joined]),
    );

    const read = new command.remote.Command(
      `${name}-kubeconfig`,
      { connection: connection(first!), create: K3S_READ_KUBECONFIG, triggers: [version] },
      { parent: this, dependsOn: [init, ...joined, ...agents], additionalSecretOutputs: ['stdout'] },
    );
    this.kubeconfig = pulumi.secret(read.stdout.apply((raw) => rewriteKubeconfig(raw, apiAddress, name)));
    this.provider = new k8s.Provider(
      `${name}-provider`,
      { kubeconfig: this.kubeconfig, enableServerSideApply: true },
      { parent: this },
    );
    this.registerOutputs({ kubeconfig: this.kubeconfig, traits: this.traits });
  }
}
