/**
 * Pinned SSH host keys, as pure functions: the check of a host key input (`'<algorithm> <base64>'`, the blob
 * parsed so a truncated or mislabelled key is refused), and the local script that runs one command over the
 * system `ssh` with that key as the only one trusted (`StrictHostKeyChecking=yes`, a known-hosts file
 * written from the input). `@pulumi/command`'s remote connection cannot pin a host key, so every step that
 * carries a secret (join token, admin kubeconfig) goes through this script instead: a host that does not
 * prove the pinned key is refused before anything is sent. No engine imports.
 */
import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { InvalidPropertyError, show } from '../core/validate';

/** Host key algorithms accepted (what `/etc/ssh/ssh_host_*_key.pub` holds; DSA is refused). */
export const HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'ssh-rsa',
] as const;
/** One of {@link HOST_KEY_ALGORITHMS}. */
export type HostKeyAlgorithm = (typeof HOST_KEY_ALGORITHMS)[number];

/** A parsed host key: its algorithm and base64 blob (any comment dropped). */
export interface HostKey {
  readonly algorithm: HostKeyAlgorithm;
  readonly base64: string;
}

const FIX =
  "give the host's public host key as '<algorithm> <base64>', e.g. the content of /etc/ssh/ssh_host_ed25519_key.pub " +
  "('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA...'), read from the machine or its console, not from the network";

/** Reads SSH wire strings (uint32 length + bytes) out of a key blob. */
function wireStrings(blob: Buffer): Buffer[] | undefined {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < blob.length) {
    if (at + 4 > blob.length) return undefined;
    const length = blob.readUInt32BE(at);
    if (at + 4 + length > blob.length) return undefined;
    parts.push(blob.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  return parts;
}

/** Why the blob does not encode a key of `algorithm`, or undefined when it does. */
function checkBlob(algorithm: HostKeyAlgorithm, blob: Buffer): string | undefined {
  const parts = wireStrings(blob);
  if (!parts || parts.length === 0) return 'has a base64 part that is not an SSH key blob (truncated?)';
  const named = parts[0]!.toString('latin1');
  if (named !== algorithm) return `is labelled ${algorithm} but its blob holds a ${show(named)} key`;
  if (algorithm === 'ssh-ed25519') {
    return parts.length === 2 && parts[1]!.length === 32 ? undefined : 'is not a whole ed25519 key (32 bytes)';
  }
  if (algorithm === 'ssh-rsa') {
    if (parts.length !== 3) return 'is not a whole RSA key';
    const modulus = parts[2]!;
    const bits = (modulus.length - (modulus[0] === 0 ? 1 : 0)) * 8;
    return bits >= 2048 ? undefined : `is an RSA key of about ${bits} bits: use an ed25519 key or RSA of at least 2048`;
  }
  const curve = algorithm.slice('ecdsa-sha2-'.length);
  return parts.length === 3 && parts[1]!.toString('latin1') === curve ? undefined : `is not a whole ${curve} key`;
}

/** Why `value` is not a host key, or undefined when it is. */
export function checkHostKey(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return `must be an SSH host key: ${FIX}`;
  if (/[\r\n]/.test(value.trim())) return `must be one key on one line: ${FIX}`;
  const [algorithm, base64] = value.trim().split(/\s+/);
  if (!(HOST_KEY_ALGORITHMS as readonly string[]).includes(algorithm!)) {
    const hint =
      base64 && (HOST_KEY_ALGORITHMS as readonly string[]).includes(base64) ? ' (drop the host name first)' : '';
    return `starts with ${show(algorithm)}, not one of ${HOST_KEY_ALGORITHMS.join(', ')}${hint}: ${FIX}`;
  }
  if (base64 === undefined || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length % 4 !== 0) {
    return `has no base64 key after ${algorithm}: ${FIX}`;
  }
  return checkBlob(algorithm as HostKeyAlgorithm, Buffer.from(base64, 'base64'));
}

/** Parses a host key, or throws an InvalidPropertyError naming `property`, the value and the fix. */
export function parseHostKey(property: string, value: unknown): HostKey {
  const problem = checkHostKey(value);
  if (problem) {
    const shown = typeof value === 'string' && value.length > 40 ? `${value.slice(0, 40)}...` : value;
    throw new InvalidPropertyError(property, `'${property}' (${show(shown)}) ${problem}`);
  }
  const [algorithm, base64] = (value as string).trim().split(/\s+/);
  return { algorithm: algorithm as HostKeyAlgorithm, base64: base64! };
}

/** Where a pinned-key command connects. */
export interface SshTarget {
  /** Hostname or IP address (checked by the caller; quoted here all the same). */
  readonly address: string;
  readonly port: number;
  readonly user: string;
  /** The pinned host key, `'<algorithm> <base64>'` (a comment is dropped). */
  readonly hostKey: string;
}

/** The environment variable {@link pinnedSshScript} reads the login key from, when set. */
export const SSH_PRIVATE_KEY_ENV = 'SWITCHYARD_SSH_PRIVATE_KEY';
/** The name the pinned key is filed under, so the address form (IPv6, port) never matters. */
const ALIAS = 'switchyard-pinned-host';

/** Single-quotes a value for bash; anything not a string (an unresolved Output's undefined) becomes text. */
function quote(value: unknown): string {
  return `'${String(value).replace(/'/g, `'\\''`)}'`;
}

/** Options of {@link pinnedSshScript}. */
export interface PinnedSshOptions {
  /**
   * Tries before giving up, 10 s apart: for a machine still booting (sshd not up, or cloud-init not yet
   * done installing the host key). Only for commands that carry no secret on stdin.
   * @default 1
   */
  readonly attempts?: number;
}

/** The signature algorithms that prove a key of `algorithm` (RSA keys sign with SHA-2, never SHA-1). */
function signatureAlgorithms(algorithm: string): string {
  return algorithm === 'ssh-rsa' ? 'rsa-sha2-512,rsa-sha2-256' : algorithm;
}

/**
 * The local bash script that runs `remoteCommand` on the target with the system `ssh`, trusting only the
 * pinned host key: a known-hosts file holding that key alone, `StrictHostKeyChecking=yes`, no other
 * known-hosts source, no agent or X11 forwarding, batch mode (no prompt). Its standard input reaches the
 * remote command, so a secret fed to it crosses only a connection whose host key was verified. The login
 * key comes from `SWITCHYARD_SSH_PRIVATE_KEY` when set (written to a private temporary file), otherwise
 * from the SSH agent or the user's keys. A host key that does not parse gives a script that fails at once.
 */
export function pinnedSshScript(target: SshTarget, remoteCommand: string, options: PinnedSshOptions = {}): string {
  const problem = checkHostKey(target.hostKey);
  const header = [
    '#!/usr/bin/env bash',
    '# Runs one command over SSH, trusting only the pinned host key (generated by Switchyard).',
    'set -euo pipefail',
  ];
  if (problem) {
    // Only reachable when the key arrived as an Output; plain strings are refused at construction.
    return [...header, `echo ${quote(`refusing to connect: the pinned host key ${problem}`)} >&2`, 'exit 1', ''].join(
      '\n',
    );
  }
  const [algorithm, base64] = target.hostKey.trim().split(/\s+/);
  return [
    ...header,
    'dir="$(mktemp -d)"',
    'trap \'rm -rf "$dir"\' EXIT',
    `printf '%s\\n' ${quote(`${ALIAS} ${algorithm} ${base64}`)} > "$dir/known_hosts"`,
    'identity=()',
    `if [ -n "\${${SSH_PRIVATE_KEY_ENV}:-}" ]; then`,
    `  (umask 077 && printf '%s\\n' "$${SSH_PRIVATE_KEY_ENV}" > "$dir/identity")`,
    '  identity=(-i "$dir/identity" -o IdentitiesOnly=yes)',
    'fi',
    `attempts=${Math.max(1, Math.floor(options.attempts ?? 1))}`,
    'for attempt in $(seq 1 "$attempts"); do',
    '  if ssh -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$dir/known_hosts" -o GlobalKnownHostsFile=/dev/null \\',
    `    -o HostKeyAlias=${ALIAS} -o HostKeyAlgorithms=${signatureAlgorithms(algorithm!)} -o CheckHostIP=no \\`,
    '    -o UpdateHostKeys=no -o VerifyHostKeyDNS=no -o KnownHostsCommand=none -o BatchMode=yes \\',
    '    -o ForwardAgent=no -o ForwardX11=no -o ClearAllForwardings=yes -o ConnectTimeout=30 \\',
    `    -p ${target.port} -l ${quote(target.user)} \${identity[@]+"\${identity[@]}"} -- ${quote(target.address)} ${quote(remoteCommand)}; then`,
    '    exit 0',
    '  fi',
    '  if [ "$attempt" -lt "$attempts" ]; then sleep 10; fi',
    'done',
    `echo ${quote(`failed on ${target.user}@${target.address}:${target.port} (a host key other than the pinned ${algorithm} key is refused)`)} >&2`,
    'exit 1',
    '',
  ].join('\n');
}

function wire(...parts: Buffer[]): Buffer {
  return Buffer.concat(
    parts.flatMap((part) => {
      const length = Buffer.alloc(4);
      length.writeUInt32BE(part.length);
      return [length, part];
    }),
  );
}

/** A host key pair for a machine Switchyard creates: the OpenSSH private key and the public key line. */
export interface GeneratedHostKey {
  /** OpenSSH private key (`-----BEGIN OPENSSH PRIVATE KEY-----`), unencrypted: a secret. */
  readonly privateKey: string;
  /** `'ssh-ed25519 <base64>'`, the key to pin. */
  readonly publicKey: string;
}

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * The ed25519 host key derived from a 32-byte seed (e.g. a RandomBytes resource, so the key stays the same
 * from one deployment to the next), in the OpenSSH formats cloud-init's `ssh_keys` installs. Returns
 * undefined for a seed of another length, so a caller inside an Output never throws.
 */
export function ed25519HostKey(seed: Buffer, comment = 'switchyard-host'): GeneratedHostKey | undefined {
  if (seed.length !== 32) return undefined;
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const pub = createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(-32);
  const type = Buffer.from('ssh-ed25519');
  const blob = wire(type, pub);
  // The check integer only detects a wrong passphrase; derived from the seed, the output is deterministic.
  const check = createHash('sha256').update(seed).digest().subarray(0, 4);
  let secret = Buffer.concat([check, check, wire(type, pub, Buffer.concat([seed, pub]), Buffer.from(comment))]);
  const padding = Array.from({ length: (8 - (secret.length % 8)) % 8 }, (_, i) => i + 1);
  secret = Buffer.concat([secret, Buffer.from(padding)]);
  const none = Buffer.from('none');
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0', 'latin1'),
    wire(none, none, Buffer.alloc(0)),
    Buffer.from([0, 0, 0, 1]),
    wire(blob, secret),
  ]);
  const lines = body.toString('base64').match(/.{1,70}/g) ?? [];
  return {
    privateKey: ['-----BEGIN OPENSSH PRIVATE KEY-----', ...lines, '-----END OPENSSH PRIVATE KEY-----', ''].join('\n'),
    publicKey: `ssh-ed25519 ${blob.toString('base64')}`,
  };
}
