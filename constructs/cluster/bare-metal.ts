/**
 * A k3s cluster on machines reachable over SSH, as a Pulumi component: a join token generated as a secret,
 * the first server initializing an HA control plane with embedded etcd, the other servers and the agents
 * joining it, and the kubeconfig fetched and rewritten to the API address. Bare metal and VMs alike.
 */
import * as command from '@pulumi/command';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import { assertDnsLabel, firstDuplicate, InvalidPropertyError } from '../core/validate';
import { type ClusterAccess, validateClusterAccess } from './access';
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
import { grantRbacAccess } from './rbac-access';
import { type ClusterTraits, type ResolvedClusterTraits, resolveClusterTraits } from './traits';

/** A machine the cluster runs on. */
export interface SshHost {
  /**
   * Address SSH connects to (and, for servers, one the API certificate covers). Outputs are accepted, e.g. a
   * created machine's private IP (see VmCluster); plain strings are checked at once.
   */
  readonly address: pulumi.Input<string>;
  /** @default 'root' (any user with passwordless sudo works) */
  readonly user?: string;
  /**
   * Private key of `user`; pass a Pulumi secret (`config.requireSecret(...)`).
   * @default - the SSH agent at SSH_AUTH_SOCK (how CI runners usually hold deploy keys)
   */
  readonly privateKey?: pulumi.Input<string>;
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
  readonly apiAddress?: pulumi.Input<string>;
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
  /**
   * Who may deploy and who may read, as Kubernetes subjects (`User:`, `Group:` or `ServiceAccount:ns/name`):
   * the deployer is bound to cluster-admin, readers to the built-in `view` role (no Secrets).
   * @default - no bindings: only holders of the admin kubeconfig have access
   */
  readonly access?: ClusterAccess;
}

/** Checks how many control-plane nodes there are: 1, or an odd number of at least 3. */
export function assertServerCount(count: number): void {
  if (!Number.isInteger(count) || count <= 0 || count % 2 === 0) {
    throw new InvalidPropertyError(
      'servers',
      `'servers' has ${count} host(s): use 1 (no high availability) or an odd number of at least 3, so embedded etcd keeps a majority when one fails`,
    );
  }
}

/** Checks the arguments, naming the property. */
export function validateBareMetalCluster(name: string, args: BareMetalClusterArgs): void {
  assertDnsLabel('name', name);
  assertServerCount(args.servers.length);
  const known = (value: unknown): value is string => typeof value === 'string';
  for (const [i, h] of args.servers.entries()) if (known(h.address)) assertAddress(`servers[${i}].address`, h.address);
  for (const [i, h] of (args.agents ?? []).entries()) {
    if (known(h.address)) assertAddress(`agents[${i}].address`, h.address);
  }
  if (known(args.apiAddress)) assertAddress('apiAddress', args.apiAddress);
  if (args.k3sVersion !== undefined) assertK3sVersion('k3sVersion', args.k3sVersion);
  const all = [...args.servers, ...(args.agents ?? [])].map((h) => h.address).filter(known);
  const twice = firstDuplicate(all);
  if (twice) throw new InvalidPropertyError('agents', `host ${twice} appears twice among servers and agents`);
  if (args.access) validateClusterAccess(args.traits?.kind ?? 'bare-metal', args.access);
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
    const apiAddress = pulumi.output(args.apiAddress ?? first!.address);
    this.traits = resolveClusterTraits({ ...args.traits, kind: args.traits?.kind ?? 'bare-metal' });

    const token = new random.RandomPassword(`${name}-join-token`, { length: 48, special: false }, { parent: this });
    const connection = (h: SshHost) => ({
      host: h.address,
      user: h.user ?? 'root',
      port: h.port ?? 22,
      ...(h.privateKey !== undefined ? { privateKey: h.privateKey } : {}),
    });
    const tlsSans = pulumi
      .all([apiAddress, ...args.servers.map((s) => s.address)])
      .apply((addresses) => [...new Set(addresses)]);
    const serverUrl = apiAddress.apply(k3sServerUrl);
    const install = (host: SshHost, id: string, script: pulumi.Output<string>, dependsOn: pulumi.Resource[]) =>
      new command.remote.Command(
        `${name}-${id}`,
        {
          connection: connection(host),
          create: script.apply(k3sRemoteCommand),
          stdin: pulumi.secret(token.result),
          // A new version re-runs the (idempotent) installer.
          triggers: [version],
        },
        { parent: this, dependsOn, additionalSecretOutputs: ['stdin'] },
      );

    const script = (role: 'init' | 'server' | 'agent') =>
      pulumi.all([serverUrl, tlsSans]).apply(([url, sans]) =>
        k3sInstallScript({
          version,
          role: role === 'init' ? { kind: 'init' } : { kind: role, serverUrl: url },
          ...(role === 'agent' ? {} : { tlsSans: sans }),
        }),
      );
    const init = install(first!, 'server-0', script('init'), []);
    const joined = others.map((host, i) => install(host, `server-${i + 1}`, script('server'), [init]));
    const agents = (args.agents ?? []).map((host, i) =>
      install(host, `agent-${i}`, script('agent'), [init, ...joined]),
    );

    const read = new command.remote.Command(
      `${name}-kubeconfig`,
      { connection: connection(first!), create: K3S_READ_KUBECONFIG, triggers: [version] },
      { parent: this, dependsOn: [init, ...joined, ...agents], additionalSecretOutputs: ['stdout'] },
    );
    this.kubeconfig = pulumi.secret(
      pulumi.all([read.stdout, apiAddress]).apply(([raw, api]) => rewriteKubeconfig(raw ?? '', api, name)),
    );
    this.provider = new k8s.Provider(
      `${name}-provider`,
      { kubeconfig: this.kubeconfig, enableServerSideApply: true },
      { parent: this },
    );
    if (args.access) grantRbacAccess(this, name, args.access, this.provider);
    this.registerOutputs({ kubeconfig: this.kubeconfig, traits: this.traits });
  }
}
