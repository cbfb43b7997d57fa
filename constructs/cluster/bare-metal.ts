/**
 * A k3s cluster on machines reachable over SSH, as a Pulumi component: each host's SSH host key pinned and
 * verified (with the system `ssh`) before any secret crosses to it, a join token generated as a secret, the
 * first server initializing an HA control plane with embedded etcd, the other servers and the agents joining
 * it with the secure `K10<CA hash>::` token (so they pin the server CA), the installer checked against a
 * pinned SHA-256, configuration changes re-applied, and the kubeconfig fetched and rewritten to the API
 * address. Bare metal and VMs alike.
 */
import { assertOptionalPeers, requireOptional } from '../core/optional';

// 'switchyard/pulumi' loads this module first (and 'switchyard/vm' checks before it): run before the imports
// below, which CommonJS runs in order, so a program without the Pulumi engine is told what to install.
assertOptionalPeers(['@pulumi/pulumi', '@pulumi/kubernetes'], "'switchyard/pulumi'");

import type * as command from '@pulumi/command';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import type * as random from '@pulumi/random';
import { isPlainObject } from '../core/strict';
import { assertDnsLabel, firstDuplicate, InvalidPropertyError, show } from '../core/validate';
import { type ClusterAccess, validateClusterAccess } from './access';
import type { KubernetesCluster } from './cluster';
import { parseHostKey, pinnedSshScript, SSH_PRIVATE_KEY_ENV } from './host-key';
import {
  assertAddress,
  assertK3sInstaller,
  assertK3sVersion,
  K3S_READ_KUBECONFIG,
  K3S_READ_SERVER_TOKEN,
  K3S_VERSION,
  K3S_WRITE_TOKEN,
  k3sConfigYaml,
  k3sInstallerUrl,
  k3sInstallScript,
  k3sRemoteCommand,
  k3sServerUrl,
  rewriteKubeconfig,
} from './k3s';
import { grantRbacAccess } from './rbac-access';
import { assertClusterArgs, BARE_METAL_ARGS_SPEC } from './schema';
import { type ClusterTraits, k3sKubernetesVersion, type ResolvedClusterTraits, resolveClusterTraits } from './traits';

/** A machine the cluster runs on. */
export interface SshHost {
  /**
   * Address SSH connects to (and, for servers, one the API certificate covers). Outputs are accepted, e.g. a
   * created machine's private IP (see VmCluster); plain strings are checked at once.
   */
  readonly address: pulumi.Input<string>;
  /**
   * The host's SSH host public key, `'<algorithm> <base64>'` as in /etc/ssh/ssh_host_ed25519_key.pub (read it
   * from the machine or its console, not with ssh-keyscan over the network you do not trust). Every step that
   * carries a secret runs only after the host proved this key, and through a connection that checks it.
   */
  readonly hostKey: pulumi.Input<string>;
  /** @default 'root' (any user with passwordless sudo works) */
  readonly user?: string;
  /**
   * Private key of `user`; pass a Pulumi secret (`config.requireSecret(...)`).
   * @default - the SSH agent at SSH_AUTH_SOCK (how CI runners usually hold deploy keys)
   */
  readonly privateKey?: pulumi.Input<string>;
  /** @default 22 */
  readonly port?: number;
  /**
   * Kubernetes labels of the node (`key=value`); k3s applies them when the node registers.
   * @default - none
   */
  readonly nodeLabels?: readonly string[];
}

/** The k3s installer pin: its SHA-256, and where it comes from. */
export interface K3sInstallerPin {
  /** SHA-256 of the installer at `url` (`curl -sfL <url> | sha256sum`), 64 lowercase hex digits. */
  readonly sha256: string;
  /** @default - install.sh of the `k3sVersion` release tag (k3sInstallerUrl) */
  readonly url?: string;
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
  /** The installer, pinned by its SHA-256: the install script refuses any other before running it. */
  readonly k3sInstaller: K3sInstallerPin;
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

const USER = /^[a-z_][a-z0-9_-]{0,31}$/;

/**
 * The required inputs most often left out, with the fix: checked before the shapes, on any value, so the
 * message says where to find the key rather than only that a string is missing.
 */
function assertPinsGiven(args: unknown): void {
  if (!isPlainObject(args)) return;
  for (const role of ['servers', 'agents'] as const) {
    const hosts = args[role];
    if (!Array.isArray(hosts)) continue;
    for (const [i, host] of hosts.entries()) {
      if (isPlainObject(host) && host.hostKey === undefined) {
        throw new InvalidPropertyError(
          `${role}[${i}].hostKey`,
          `'${role}[${i}].hostKey' is required: pin the host's SSH host key ('ssh-ed25519 AAAA...', from /etc/ssh/ssh_host_ed25519_key.pub on the machine) so no secret goes to another machine`,
        );
      }
    }
  }
  if (args.k3sInstaller === undefined) {
    const version = typeof args.k3sVersion === 'string' ? args.k3sVersion : K3S_VERSION;
    throw new InvalidPropertyError(
      'k3sInstaller',
      `'k3sInstaller' is required: pin the installer's SHA-256 ({ sha256: '<64 hex>' }; measure it once with 'curl -sfL ${k3sInstallerUrl(version)} | sha256sum')`,
    );
  }
}

/** Checks one host's values, naming its property (`servers[0].hostKey`...). */
function validateHost(at: string, host: SshHost): void {
  if (typeof host.address === 'string') assertAddress(`${at}.address`, host.address);
  if (typeof host.hostKey === 'string') parseHostKey(`${at}.hostKey`, host.hostKey);
  if (host.user !== undefined && (typeof host.user !== 'string' || !USER.test(host.user))) {
    throw new InvalidPropertyError(`${at}.user`, `'${at}.user' (${show(host.user)}) must be a Linux user name`);
  }
  const port = host.port ?? 22;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InvalidPropertyError(`${at}.port`, `'${at}.port' (${show(port)}) must be an integer from 1 to 65535`);
  }
  for (const label of host.nodeLabels ?? []) {
    if (typeof label !== 'string' || !/^[\w./-]+=[\w.-]*$/.test(label)) {
      throw new InvalidPropertyError(`${at}.nodeLabels`, `'${at}.nodeLabels' entry ${show(label)} must be key=value`);
    }
  }
}

/** Checks the arguments, naming the property. */
export function validateBareMetalCluster(name: string, args: BareMetalClusterArgs): void {
  assertDnsLabel('name', name);
  assertPinsGiven(args);
  // Types and keys first (unknown keys refused with the nearest one suggested), then the values.
  assertClusterArgs(BARE_METAL_ARGS_SPEC, args);
  assertServerCount(args.servers.length);
  const known = (value: unknown): value is string => typeof value === 'string';
  for (const [i, h] of args.servers.entries()) validateHost(`servers[${i}]`, h);
  for (const [i, h] of (args.agents ?? []).entries()) validateHost(`agents[${i}]`, h);
  if (known(args.apiAddress)) assertAddress('apiAddress', args.apiAddress);
  if (args.k3sVersion !== undefined) assertK3sVersion('k3sVersion', args.k3sVersion);
  const runs = k3sKubernetesVersion(args.k3sVersion ?? K3S_VERSION);
  if (args.traits?.kubernetesVersion && args.traits.kubernetesVersion !== runs) {
    throw new InvalidPropertyError(
      'traits.kubernetesVersion',
      `'traits.kubernetesVersion' (${show(args.traits.kubernetesVersion)}) must be the minor k3s runs (${show(runs)}): drop it or change 'k3sVersion'`,
    );
  }
  assertK3sInstaller('k3sInstaller', {
    url: args.k3sInstaller.url ?? k3sInstallerUrl(args.k3sVersion ?? K3S_VERSION),
    sha256: args.k3sInstaller.sha256,
  });
  const all = [...args.servers, ...(args.agents ?? [])].map((h) => h.address).filter(known);
  const twice = firstDuplicate(all);
  if (twice) throw new InvalidPropertyError('agents', `host ${twice} appears twice among servers and agents`);
  if (args.access) validateClusterAccess(args.traits?.kind ?? 'bare-metal', args.access);
}

/**
 * The SDKs only this component uses, loaded when one is constructed: they are optional peers of the package,
 * and `switchyard/pulumi`, which exports the component, must load with @pulumi/pulumi and @pulumi/kubernetes.
 */
function bareMetalSdks(feature: string): { command: typeof command; random: typeof random } {
  assertOptionalPeers(['@pulumi/command', '@pulumi/random'], feature);
  return {
    command: requireOptional<typeof command>('@pulumi/command', feature),
    random: requireOptional<typeof random>('@pulumi/random', feature),
  };
}

export class BareMetalCluster extends pulumi.ComponentResource implements KubernetesCluster {
  /** Admin kubeconfig, pointing at the API address (a secret). */
  public readonly kubeconfig: pulumi.Output<string>;
  /** A Kubernetes provider for the cluster, for `opts.providers` of what runs on it. */
  public readonly provider: k8s.Provider;
  /** What add-ons and routes adapt to. */
  public readonly traits: ResolvedClusterTraits;

  public constructor(name: string, args: BareMetalClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    // Checked before anything registers: a refused argument leaves no half-registered component behind.
    validateBareMetalCluster(name, args);
    const { command, random } = bareMetalSdks('BareMetalCluster');
    super('switchyard:cluster:BareMetalCluster', name, {}, opts);
    const version = args.k3sVersion ?? K3S_VERSION;
    const installer = { url: args.k3sInstaller.url ?? k3sInstallerUrl(version), sha256: args.k3sInstaller.sha256 };
    const [first, ...others] = args.servers;
    const apiAddress = pulumi.output(args.apiAddress ?? first!.address);
    this.traits = resolveClusterTraits({
      ...args.traits,
      kind: args.traits?.kind ?? 'bare-metal',
      kubernetesVersion: args.traits?.kubernetesVersion || k3sKubernetesVersion(version),
    });

    const token = new random.RandomPassword(`${name}-join-token`, { length: 48, special: false }, { parent: this });
    const connection = (h: SshHost) => ({
      host: h.address,
      user: h.user ?? 'root',
      port: h.port ?? 22,
      ...(h.privateKey !== undefined ? { privateKey: h.privateKey } : {}),
    });
    // The command provider prints a command's stdout while it runs unless the command is a secret
    // (pulumi/pulumi-command#260; 4.5 has no option to turn the log off): steps that read a secret are.
    const hideOutput = (create: pulumi.Output<string>, secret: boolean | undefined) =>
      secret ? pulumi.secret(create) : create;
    // A command over the system ssh that trusts only the host's pinned key; stdin reaches the remote command.
    const pinned = (
      h: SshHost,
      id: string,
      remote: string,
      dependsOn: pulumi.Resource[],
      extra: { stdin?: pulumi.Input<string>; secretStdout?: boolean; attempts?: number } = {},
    ) =>
      new command.local.Command(
        `${name}-${id}`,
        {
          create: hideOutput(
            pulumi.all([h.address, h.hostKey]).apply(([address, hostKey]) =>
              pinnedSshScript({ address, hostKey, port: h.port ?? 22, user: h.user ?? 'root' }, remote, {
                attempts: extra.attempts ?? 1,
              }),
            ),
            extra.secretStdout,
          ),
          interpreter: ['bash', '-c'],
          ...(h.privateKey !== undefined
            ? { environment: { [SSH_PRIVATE_KEY_ENV]: pulumi.secret(h.privateKey) } }
            : {}),
          ...(extra.stdin !== undefined ? { stdin: pulumi.secret(extra.stdin) } : {}),
        },
        {
          parent: this,
          dependsOn,
          additionalSecretOutputs: ['stdin', ...(extra.secretStdout ? ['stdout'] : []), 'environment'],
        },
      );
    const tlsSans = pulumi
      .all([apiAddress, ...args.servers.map((s) => s.address)])
      .apply((addresses) => [...new Set(addresses)]);
    const serverUrl = apiAddress.apply(k3sServerUrl);
    const config = (role: 'init' | 'server' | 'agent', host: SshHost) =>
      pulumi.all([serverUrl, tlsSans]).apply(([url, sans]) => ({
        version,
        role: role === 'init' ? { kind: 'init' as const } : { kind: role, serverUrl: url },
        ...(role === 'agent' ? {} : { tlsSans: sans }),
        ...(host.nodeLabels ? { nodeLabels: host.nodeLabels } : {}),
      }));
    /**
     * One node: its host key proved first, the join token written over a pinned-key connection, then the
     * install (no secret in it). A changed config.yaml, version or installer re-runs the install.
     */
    const node = (
      host: SshHost,
      id: string,
      role: 'init' | 'server' | 'agent',
      joinToken: pulumi.Input<string>,
      after: pulumi.Resource[],
    ) => {
      // Retries for 5 minutes while a new machine boots; no secret rides on it.
      const verified = pinned(host, `${id}-host-key`, 'true', [], { attempts: 30 });
      const stored = pinned(host, `${id}-token`, K3S_WRITE_TOKEN, [verified, ...after], { stdin: joinToken });
      const options = config(role, host);
      // Values that arrive as Outputs (a created machine's address) are checked here, without throwing
      // inside the apply: a bad one gives a command that fails, and an error on this component.
      const checked = options.apply((o) => {
        try {
          return { script: k3sRemoteCommand(k3sInstallScript({ ...o, installer })), config: k3sConfigYaml(o) };
        } catch (e) {
          const problem = `${name}-${id}: ${(e as Error).message}`;
          void pulumi.log.error(problem, this);
          const quoted = `'${`refusing to install: ${problem}`.replace(/'/g, `'\\''`)}'`;
          return { script: `echo ${quoted} >&2; exit 1`, config: problem };
        }
      });
      return new command.remote.Command(
        `${name}-${id}`,
        {
          connection: connection(host),
          create: checked.script,
          triggers: [version, installer.url, installer.sha256, checked.config],
        },
        { parent: this, dependsOn: [stored] },
      );
    };
    const init = node(first!, 'server-0', 'init', token.result, []);
    // The secure token (K10<CA hash>::server:<secret>) k3s wrote on the first server: joining nodes pin the CA.
    const serverToken = pinned(first!, 'server-token', K3S_READ_SERVER_TOKEN, [init], { secretStdout: true });
    const secureToken = serverToken.stdout.apply((out) => (out ?? '').trim());
    const joined = others.map((host, i) => node(host, `server-${i + 1}`, 'server', secureToken, [serverToken]));
    const agents = (args.agents ?? []).map((host, i) =>
      node(host, `agent-${i}`, 'agent', secureToken, [serverToken, ...joined]),
    );

    const read = pinned(first!, 'kubeconfig', K3S_READ_KUBECONFIG, [init, ...joined, ...agents], {
      secretStdout: true,
    });
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
