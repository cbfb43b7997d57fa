/**
 * cloud-init user data for cluster machines, as a pure function: one sudo user reachable only with the given
 * SSH key (no passwords, no root login), the machine's SSH host key when Switchyard generated it (so the
 * bootstrap can pin it before the machine ever answered), the kernel settings Kubernetes networking needs,
 * swap off, and curl for the k3s installer. The k3s bootstrap itself runs over SSH afterwards, the same as
 * on bare metal.
 */
import { stringify } from 'yaml';
import { InvalidPropertyError, show } from '../core/validate';
import type { GeneratedHostKey } from './host-key';
import { assertClusterArgs, CLOUD_INIT_SPEC } from './schema';

/** What {@link cloudInitUserData} sets up on a machine. */
export interface CloudInitOptions {
  /** The login user the bootstrap connects as. */
  readonly user: string;
  /** Its authorized public key (OpenSSH format). */
  readonly sshPublicKey: string;
  /**
   * The machine's ed25519 host key (see ed25519HostKey): installed instead of the image's keys, which are
   * deleted, so the key to pin is known before the machine boots. The user data then holds a secret.
   * @default - the machine generates its own host keys at first boot (they must then be pinned by hand)
   */
  readonly hostKey?: GeneratedHostKey;
}

const SSH_KEY = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/]+={0,3}( \S.*)?$/;
const USER = /^[a-z_][a-z0-9_-]{0,31}$/;

/** Checks the login user and key, naming the property. */
export function validateCloudInit(options: CloudInitOptions): void {
  assertClusterArgs(CLOUD_INIT_SPEC, options);
  if (!USER.test(options.user) || options.user === 'root') {
    throw new InvalidPropertyError(
      'sshUser',
      `'sshUser' (${show(options.user)}) must be a Linux user name other than root`,
    );
  }
  if (typeof options.sshPublicKey !== 'string' || !SSH_KEY.test(options.sshPublicKey.trim())) {
    throw new InvalidPropertyError(
      'sshPublicKey',
      `'sshPublicKey' must be an OpenSSH public key ('ssh-ed25519 AAAA...'), not ${show(String(options.sshPublicKey).slice(0, 20))}`,
    );
  }
}

/** The `#cloud-config` document. */
export function cloudInitUserData(options: CloudInitOptions): string {
  validateCloudInit(options);
  const config = {
    users: [
      {
        name: options.user,
        groups: ['sudo'],
        shell: '/bin/bash',
        sudo: 'ALL=(ALL) NOPASSWD:ALL',
        lock_passwd: true,
        ssh_authorized_keys: [options.sshPublicKey.trim()],
      },
    ],
    disable_root: true,
    ssh_pwauth: false,
    ...(options.hostKey
      ? {
          ssh_deletekeys: true,
          ssh_keys: { ed25519_private: options.hostKey.privateKey, ed25519_public: options.hostKey.publicKey },
        }
      : {}),
    package_update: true,
    packages: ['curl', 'ca-certificates'],
    write_files: [
      {
        path: '/etc/sysctl.d/90-kubernetes.conf',
        permissions: '0644',
        content:
          'net.ipv4.ip_forward = 1\nnet.bridge.bridge-nf-call-iptables = 1\nfs.inotify.max_user_instances = 8192\n',
      },
      { path: '/etc/modules-load.d/kubernetes.conf', permissions: '0644', content: 'br_netfilter\noverlay\n' },
    ],
    runcmd: [
      ['modprobe', 'br_netfilter'],
      ['modprobe', 'overlay'],
      ['sysctl', '--system'],
      ['swapoff', '-a'],
      ['sed', '-i', '/\\sswap\\s/d', '/etc/fstab'],
    ],
  };
  return `#cloud-config\n${stringify(config)}`;
}
