/**
 * k3s bootstrap over SSH, as pure functions: the node configuration (config.yaml: tls-san, server, labels;
 * bundled ingress and service load balancer disabled because Switchyard installs its own), the install
 * script (idempotent, pinned version, installer checked against a pinned SHA-256, k3s restarted only when
 * its configuration changed), the commands that store and read the secure join token, and the kubeconfig
 * rewrite. Shellcheck-clean; no engine imports.
 */
import { stringify } from 'yaml';
import { InvalidPropertyError, show } from '../core/validate';
import { assertClusterArgs, K3S_INSTALL_SPEC } from './schema';

/** The k3s release installed unless another is pinned (Kubernetes 1.33). */
export const K3S_VERSION = 'v1.33.5+k3s1';

const K3S_VERSION_PATTERN = /^v1\.\d{2}\.\d{1,2}\+k3s\d$/;
// Hostnames or IPv4/IPv6 addresses: what --tls-san and a server URL accept; no shell metacharacters.
const ADDRESS =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*|[0-9a-fA-F:]+)$/;

/** Why `value` is not an SSH or API address (a hostname or an IP address), or undefined when it is. */
export function checkAddress(value: unknown): string | undefined {
  return typeof value === 'string' && ADDRESS.test(value) && value.length <= 253
    ? undefined
    : 'must be a hostname or an IP address';
}

/** Checks an SSH or API address, naming the property. */
export function assertAddress(property: string, value: unknown): void {
  const problem = checkAddress(value);
  if (problem) throw new InvalidPropertyError(property, `'${property}' (${show(value)}) ${problem}`);
}

/** Checks a pinned k3s release tag. */
export function assertK3sVersion(property: string, value: unknown): void {
  if (typeof value !== 'string' || !K3S_VERSION_PATTERN.test(value)) {
    throw new InvalidPropertyError(
      property,
      `'${property}' (${show(value)}) must be a k3s release tag like '${K3S_VERSION}'`,
    );
  }
}

/** How a node joins: the first server initializes embedded etcd; other servers and agents join it. */
export type K3sRole = { readonly kind: 'init' } | { readonly kind: 'server' | 'agent'; readonly serverUrl: string };

/** The k3s installer, pinned: where it is fetched from and the SHA-256 it must have. */
export interface K3sInstaller {
  /** An https URL of one fixed revision of install.sh, e.g. {@link k3sInstallerUrl} of the version. */
  readonly url: string;
  /** Its SHA-256, 64 lowercase hex digits (`curl -sfL <url> | sha256sum`). */
  readonly sha256: string;
}

/** Options of {@link k3sInstallScript}. */
export interface K3sInstallOptions {
  readonly version: string;
  readonly role: K3sRole;
  /** The installer, checked with `sha256sum -c` before it runs. */
  readonly installer: K3sInstaller;
  /** Extra names and addresses the API certificate is valid for (servers only). */
  readonly tlsSans?: readonly string[];
  /** Labels for the node (`key=value`); k3s applies them when the node registers. */
  readonly nodeLabels?: readonly string[];
}

/** The install.sh of a k3s release, by its tag (a fixed revision of the script, unlike get.k3s.io). */
export function k3sInstallerUrl(version: string): string {
  return `https://raw.githubusercontent.com/k3s-io/k3s/${version}/install.sh`;
}

/** Checks a pinned installer: an https URL without shell or URL-breaking characters, and a SHA-256. */
export function assertK3sInstaller(property: string, installer: K3sInstaller): void {
  if (
    typeof installer.url !== 'string' ||
    !/^https:\/\/[A-Za-z0-9.-]+(:\d+)?\/[A-Za-z0-9._~%+/-]*$/.test(installer.url)
  ) {
    throw new InvalidPropertyError(
      `${property}.url`,
      `'${property}.url' (${show(installer.url)}) must be an https URL of one revision of install.sh, like '${k3sInstallerUrl(K3S_VERSION)}'`,
    );
  }
  if (typeof installer.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(installer.sha256)) {
    throw new InvalidPropertyError(
      `${property}.sha256`,
      `'${property}.sha256' (${show(installer.sha256)}) must be the installer's SHA-256 as 64 lowercase hex digits: ` +
        `measure it once with 'curl -sfL ${installer.url} | sha256sum' and pin it`,
    );
  }
}

/** Where each node keeps its join token (root only); k3s reads it through `token-file`. */
export const K3S_TOKEN_FILE = '/etc/rancher/k3s/switchyard-join-token';
/** The k3s configuration file the install script writes. */
export const K3S_CONFIG_FILE = '/etc/rancher/k3s/config.yaml';
/** The secure token form: `K10<sha256 of the cluster CA>::server:<secret>`, which makes joining nodes pin the CA. */
export const SECURE_TOKEN = /^K10[0-9a-f]{64}::server:[^\s:]+$/;
const SECURE_TOKEN_ERE = '^K10[0-9a-f]{64}::server:[^[:space:]:]+$';

/**
 * Reads the secure join token of the cluster from the first server, and prints it only when it has the
 * `K10<CA hash>::server:` form (otherwise the command fails).
 */
export const K3S_READ_SERVER_TOKEN = `sudo cat /var/lib/rancher/k3s/server/token | grep -E '${SECURE_TOKEN_ERE}'`;

/** Stores the join token read from stdin in {@link K3S_TOKEN_FILE}, readable by root only. */
export const K3S_WRITE_TOKEN =
  `sudo sh -c 'mkdir -p /etc/rancher/k3s && umask 077 && cat > ${K3S_TOKEN_FILE}.new && ` +
  `test -s ${K3S_TOKEN_FILE}.new && mv -f ${K3S_TOKEN_FILE}.new ${K3S_TOKEN_FILE}'`;

function quote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * The node's /etc/rancher/k3s/config.yaml: everything the node runs with except the token, so a change
 * (another tls-san, server list or label) is a change of this file. Checks the values, naming the property.
 */
export function k3sConfigYaml(options: Omit<K3sInstallOptions, 'installer'>): string {
  assertK3sVersion('version', options.version);
  const server = options.role.kind !== 'agent';
  const config: Record<string, unknown> = {};
  if (options.role.kind === 'init') config['cluster-init'] = true;
  else config.server = options.role.serverUrl;
  config['token-file'] = K3S_TOKEN_FILE;
  if (server) {
    // Switchyard installs the ingress controller and MetalLB itself; k3s's bundled ones would compete.
    config.disable = ['traefik', 'servicelb'];
    config['write-kubeconfig-mode'] = '0600';
    for (const san of options.tlsSans ?? []) assertAddress('tlsSans', san);
    if (options.tlsSans?.length) config['tls-san'] = [...options.tlsSans];
  }
  for (const label of options.nodeLabels ?? []) {
    if (typeof label !== 'string' || !/^[\w./-]+=[\w.-]*$/.test(label)) {
      throw new InvalidPropertyError('nodeLabels', `'nodeLabels' entry ${show(label)} must be key=value`);
    }
  }
  if (options.nodeLabels?.length) config['node-label'] = [...options.nodeLabels];
  return stringify(config);
}

/**
 * The install script for one node, run as root. It writes config.yaml from the inputs and notes whether it
 * changed; when the pinned version already runs it restarts k3s only on a change, otherwise it fetches the
 * pinned installer, checks it with `sha256sum -c` and only then runs it. The token must already be in
 * {@link K3S_TOKEN_FILE} (joining nodes: in the secure form, or the script refuses to join).
 */
export function k3sInstallScript(options: K3sInstallOptions): string {
  assertClusterArgs(K3S_INSTALL_SPEC, options);
  const config = k3sConfigYaml(options);
  assertK3sInstaller('installer', options.installer);
  const service = options.role.kind === 'agent' ? 'k3s-agent' : 'k3s';
  const encoded = Buffer.from(config, 'utf8').toString('base64');
  const tokenCheck =
    options.role.kind === 'init'
      ? [`if ! test -s ${K3S_TOKEN_FILE}; then`, `  echo "no join token in ${K3S_TOKEN_FILE}" >&2`, '  exit 1', 'fi']
      : [
          `if ! grep -Eq '${SECURE_TOKEN_ERE}' ${K3S_TOKEN_FILE}; then`,
          `  echo "the join token in ${K3S_TOKEN_FILE} is not in the secure K10<CA hash>::server: form: refusing to join" >&2`,
          '  exit 1',
          'fi',
        ];
  return [
    '#!/usr/bin/env bash',
    '# Installs or reconfigures k3s on this node (generated by Switchyard). Safe to run again.',
    'set -euo pipefail',
    `version=${quote(options.version)}`,
    `installer_url=${quote(options.installer.url)}`,
    `installer_sha256=${quote(options.installer.sha256)}`,
    ...tokenCheck,
    'work="$(mktemp -d)"',
    'trap \'rm -rf "$work"\' EXIT',
    `printf '%s' '${encoded}' | base64 -d > "$work/config.yaml"`,
    'changed=false',
    // sha256sum (coreutils) rather than cmp: diffutils is not on every minimal image.
    `if [ ! -f ${K3S_CONFIG_FILE} ] || [ "$(sha256sum < "$work/config.yaml")" != "$(sha256sum < ${K3S_CONFIG_FILE})" ]; then`,
    '  mkdir -p /etc/rancher/k3s',
    `  install -m 0600 "$work/config.yaml" ${K3S_CONFIG_FILE}`,
    '  changed=true',
    'fi',
    `if command -v k3s > /dev/null 2>&1 && k3s --version | grep -qF "k3s version $version " && systemctl is-active --quiet ${service}; then`,
    '  if [ "$changed" = true ]; then',
    `    systemctl restart ${service}`,
    '    echo "k3s $version is running; configuration changed, restarted"',
    '  else',
    '    echo "k3s $version is already running"',
    '  fi',
    '  exit 0',
    'fi',
    'curl --fail --silent --show-error --location --proto =https --retry 5 --output "$work/install.sh" "$installer_url"',
    '# The pinned installer only: a changed script fails here, before anything of it runs.',
    'if ! printf \'%s  %s\\n\' "$installer_sha256" "$work/install.sh" | sha256sum --check --strict --quiet; then',
    '  echo "the installer at $installer_url is not the pinned one (sha256 $installer_sha256): refusing to run it" >&2',
    '  exit 1',
    'fi',
    '# The installer verifies the k3s binary against the release checksums; a new version or a stopped',
    '# service restarts k3s.',
    `INSTALL_K3S_VERSION="$version" INSTALL_K3S_FORCE_RESTART=true sh "$work/install.sh" ${options.role.kind === 'agent' ? 'agent' : 'server'}`,
    `systemctl is-active --quiet ${service}`,
    '',
  ].join('\n');
}

/**
 * The command run over SSH: writes the install script and runs it as root. It carries no secret (the token
 * is already on the node, delivered over a pinned-key connection).
 */
export function k3sRemoteCommand(script: string): string {
  const encoded = Buffer.from(script, 'utf8').toString('base64');
  return [
    'set -eu',
    'script="$(mktemp)"',
    `printf '%s' '${encoded}' | base64 -d > "$script"`,
    'sudo bash "$script"',
    'rm -f "$script"',
  ].join('\n');
}

/** A host as it appears in a URL: IPv6 addresses in brackets. */
function urlHost(address: string): string {
  const text = String(address);
  return text.includes(':') ? `[${text}]` : text;
}

/** Reads the admin kubeconfig k3s wrote (run on the first server). */
export const K3S_READ_KUBECONFIG = 'sudo cat /etc/rancher/k3s/k3s.yaml';

/**
 * The kubeconfig as a client outside the node needs it: the API address instead of 127.0.0.1, and the
 * cluster, user and context named after the cluster.
 */
export function rewriteKubeconfig(kubeconfig: string, apiAddress: string, clusterName: string): string {
  const host = urlHost(apiAddress);
  return kubeconfig
    .replace(/server: https:\/\/(127\.0\.0\.1|\[::1\]|localhost):6443/g, `server: https://${host}:6443`)
    .replace(/(^|\s)(name|cluster|user|current-context): default$/gm, `$1$2: ${clusterName}`);
}

/** The URL other nodes join through. */
export function k3sServerUrl(apiAddress: string): string {
  return `https://${urlHost(apiAddress)}:6443`;
}
