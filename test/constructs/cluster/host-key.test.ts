import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkHostKey,
  ed25519HostKey,
  parseHostKey,
  pinnedSshScript,
  SSH_PRIVATE_KEY_ENV,
  type SshTarget,
} from '../../../constructs/cluster/host-key';
import { InvalidPropertyError } from '../../../constructs/core/validate';
import { expectInvalid } from '../../helpers/errors';
import { shellcheck, withShellcheck } from '../../helpers/shellcheck';

const ED25519 = ed25519HostKey(Buffer.alloc(32, 7))!.publicKey;
const ECDSA =
  'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBPHZCfOyo3nBJvnBPw2xnpXxrTKzmgh6cKv6IHxCgSS8gHxZpy4oocZUD61byLomSNGw+eJzVCE6QSqcvw5H+pU=';
const RSA =
  'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQC+rQ9YAcF3mWzBNEL+QFECBnZZhemlVgUjP/ltdUA5QOY1ELVelSgc9j4YYvvdPB0FuFlCZ4L40DAsv7HM+EDjL6tQA6lQeRGQGPgId3G0kxG4Uzv7tSsI5wUzAT7fFJnwYmV5+eYOhZxUPDuCXiekIR9JIIN7bYGD/6YW3w7rcBXrrsS9RGT+Q0khEET0+EhocRi45Jc8uKYrQwtim/xwGpcEOmOzMOvB6hSPuIBZcNz67e8V9FRuF5ry2ngP9xAfogWyek89Fmg2lK8aL0VtevB0jMCkPQOn8HF2c/3oUQE8cGnkNTWRFQ/6YHkkEjQ82zm9BLJvlhrOWMZh9bFFW5KTRGWb3JOPRc7zCzBcMxVDrhv2Oo6ZGRwICgB/rohR7v7HgZ/0NEUee0pLRA0L3Gk0ccQNSW9A0z807Qlva0tChrZ1diw7u0p38yY6KKY3rGLLF/nArQaZwPSdbOAIirniJ2lqeZqbCn6gXE6fby/lZwNSRMIHn2V0Qnva0XE=';
const RSA_1024 =
  'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC4hazVM438k4OoSqJCTZCeXoPPyo5E0cEo4rxuJv9Kp7zRJdGe/gVpolFfW/4iaF1lHb6kj5y9RDNhNj37eh69iM30aQOs09Qz6cbY6OYykfxZ3rRDAIwZwUEWMyTHqoRSNTCA+BltIMFnEJrvrKD72xRplUV6rIdbYyD4/PcCOw==';
const TARGET: SshTarget = { address: '10.0.0.11', port: 22, user: 'root', hostKey: ED25519 };

describe('host key inputs', () => {
  it.each([ED25519, ECDSA, RSA, `${ED25519} root@node-1`, `  ${ECDSA}  `])('accepts %s', (key) => {
    expect(checkHostKey(key)).toBeUndefined();
  });

  it('parses the algorithm and key, dropping a comment', () => {
    expect(parseHostKey('hostKey', `${ED25519} root@node-1`)).toEqual({
      algorithm: 'ssh-ed25519',
      base64: ED25519.split(' ')[1],
    });
  });

  it.each([
    ['', /must be an SSH host key: give the host's public host key as '<algorithm> <base64>'/],
    ['ssh-dss AAAAB3NzaC1kc3MAAACBAP', /starts with "ssh-dss", not one of ssh-ed25519, ecdsa-sha2-nistp256/],
    [`10.0.0.11 ${ED25519}`, /starts with "10\.0\.0\.11".*\(drop the host name first\)/],
    ['ssh-ed25519', /has no base64 key after ssh-ed25519/],
    ['ssh-ed25519 not*base64', /has no base64 key/],
    [`ssh-ed25519 ${ECDSA.split(' ')[1]}`, /is labelled ssh-ed25519 but its blob holds a "ecdsa-sha2-nistp256" key/],
    [
      `ssh-ed25519 ${ED25519.split(' ')[1]!.slice(0, 40)}`,
      /not an SSH key blob \(truncated\?\)|not a whole ed25519 key/,
    ],
    [RSA_1024, /RSA key of about 1024 bits: use an ed25519 key or RSA of at least 2048/],
    [`${ED25519}\n${ECDSA}`, /one key on one line/],
  ])('refuses %j, naming the field', (key, message) => {
    expectInvalid(() => parseHostKey('servers[0].hostKey', key), 'servers[0].hostKey', message);
    expect(() => parseHostKey('servers[0].hostKey', key)).toThrow(/^'servers\[0\]\.hostKey' \(/);
  });

  it('refuses what is not a string', () => {
    for (const value of [undefined, null, 42, {}, ['ssh-ed25519']]) {
      expectInvalid(() => parseHostKey('agents[1].hostKey', value), 'agents[1].hostKey', /must be an SSH host key/);
    }
  });

  it('never crashes, and accepts only what parses (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.anything()), (value) => {
        try {
          const key = parseHostKey('hostKey', value);
          expect(checkHostKey(`${key.algorithm} ${key.base64}`)).toBeUndefined();
        } catch (e) {
          expect(e).toBeInstanceOf(InvalidPropertyError);
        }
      }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (seed) => {
        const key = ed25519HostKey(Buffer.from(seed))!.publicKey;
        expect(checkHostKey(key)).toBeUndefined();
        // One byte more or less in the key is refused.
        expect(
          checkHostKey(
            `ssh-ed25519 ${Buffer.concat([Buffer.from(key.split(' ')[1]!, 'base64'), Buffer.from([0])]).toString('base64')}`,
          ),
        ).toBeDefined();
      }),
    );
  });
});

describe('pinnedSshScript', () => {
  withShellcheck(it)('passes shellcheck, with and without retries', () => {
    expect(shellcheck(pinnedSshScript(TARGET, 'true'))).toBe('');
    expect(
      shellcheck(pinnedSshScript({ ...TARGET, hostKey: RSA, address: 'fd00::1', port: 2222 }, 'cat', { attempts: 30 })),
    ).toBe('');
  });

  it('trusts only the pinned key: strict checking, one known-hosts file, no other source, no forwarding', () => {
    const script = pinnedSshScript(TARGET, 'sudo cat /etc/rancher/k3s/k3s.yaml');
    expect(script).toContain(`printf '%s\\n' 'switchyard-pinned-host ${ED25519}' > "$dir/known_hosts"`);
    for (const option of [
      'StrictHostKeyChecking=yes',
      'UserKnownHostsFile="$dir/known_hosts"',
      'GlobalKnownHostsFile=/dev/null',
      'HostKeyAlias=switchyard-pinned-host',
      'HostKeyAlgorithms=ssh-ed25519',
      'KnownHostsCommand=none',
      'UpdateHostKeys=no',
      'BatchMode=yes',
      'ForwardAgent=no',
    ]) {
      expect(script).toContain(`-o ${option}`);
    }
    expect(script).toContain("-p 22 -l 'root'");
    expect(script).toContain("-- '10.0.0.11' 'sudo cat /etc/rancher/k3s/k3s.yaml'");
    expect(script).toContain(`"\${${SSH_PRIVATE_KEY_ENV}:-}"`);
    expect(pinnedSshScript({ ...TARGET, hostKey: RSA }, 'true')).toContain(
      'HostKeyAlgorithms=rsa-sha2-512,rsa-sha2-256',
    );
  });

  it('fails at once, connecting nowhere, when the key (an Output) does not parse', () => {
    const script = pinnedSshScript({ ...TARGET, hostKey: '' }, 'cat > /tmp/secret');
    expect(script).not.toContain('ssh -o');
    const run = spawnSync('bash', ['-c', script], {
      encoding: 'utf8',
      env: { PATH: '/usr/bin:/bin', HOME: os.tmpdir() },
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/refusing to connect: the pinned host key must be an SSH host key/);
  });

  it('derives a stable ed25519 key pair that ssh-keygen reads, and none from a seed of another length', () => {
    const seed = Buffer.alloc(32, 9);
    const pair = ed25519HostKey(seed, 'lab-server-0')!;
    expect(ed25519HostKey(seed, 'lab-server-0')).toEqual(pair);
    expect(pair.privateKey).toMatch(
      /^-----BEGIN OPENSSH PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+-----END OPENSSH PRIVATE KEY-----\n$/,
    );
    expect(ed25519HostKey(Buffer.alloc(31))).toBeUndefined();
    if (spawnSync('ssh-keygen', ['-?']).error) return;
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-hk-')), 'key');
    fs.writeFileSync(file, pair.privateKey, { mode: 0o600 });
    expect(spawnSync('ssh-keygen', ['-y', '-f', file], { encoding: 'utf8' }).stdout.trim()).toBe(
      `${pair.publicKey} lab-server-0`,
    );
  });
});

const SSHD = '/usr/sbin/sshd';
const canRunSshd = fs.existsSync(SSHD) && !spawnSync('ssh', ['-V']).error && !spawnSync('ssh-keygen', ['-?']).error;

/** A real sshd on loopback, with a host key from ed25519HostKey: what the script does against a host. */
describe.skipIf(!canRunSshd)('pinnedSshScript against a real sshd', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-sshd-'));
  const port = 20000 + (process.pid % 20000);
  const host = ed25519HostKey(Buffer.alloc(32, 3))!;
  const user = os.userInfo().username;
  let sshd: ReturnType<typeof spawn>;
  let login = '';

  beforeAll(async () => {
    fs.writeFileSync(path.join(dir, 'host'), host.privateKey, { mode: 0o600 });
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'user')]);
    fs.copyFileSync(path.join(dir, 'user.pub'), path.join(dir, 'authorized_keys'));
    login = fs.readFileSync(path.join(dir, 'user'), 'utf8');
    try {
      // sshd's privilege separation directory; as another user than root, sshd runs without it.
      fs.mkdirSync('/run/sshd', { recursive: true });
    } catch {}
    const config = [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${dir}/host`,
      `AuthorizedKeysFile ${dir}/authorized_keys`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'StrictModes no',
      'UsePAM no',
      `PidFile ${dir}/sshd.pid`,
    ].join('\n');
    fs.writeFileSync(path.join(dir, 'sshd_config'), config);
    sshd = spawn(SSHD, ['-D', '-e', '-f', path.join(dir, 'sshd_config')], { stdio: 'ignore' });
    for (let i = 0; i < 50 && !fs.existsSync(path.join(dir, 'sshd.pid')); i++)
      await new Promise((r) => setTimeout(r, 100));
  });
  afterAll(() => {
    sshd?.kill();
  });

  const run = (hostKey: string, remote: string, input: string) =>
    spawnSync('bash', ['-c', pinnedSshScript({ address: '127.0.0.1', port, user, hostKey }, remote)], {
      input,
      encoding: 'utf8',
      env: { PATH: '/usr/bin:/bin', HOME: dir, [SSH_PRIVATE_KEY_ENV]: login },
      timeout: 30_000,
    });

  it('delivers the secret on stdin to a host that proves the pinned key', () => {
    const result = run(host.publicKey, `cat > ${dir}/received`, 'the-join-token');
    expect(result.status, result.stderr).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'received'), 'utf8')).toBe('the-join-token');
  });

  it('refuses a host with another key before the secret leaves: nothing reaches the remote command', () => {
    const other = ed25519HostKey(Buffer.alloc(32, 4))!.publicKey;
    const result = run(other, `cat > ${dir}/leaked`, 'the-join-token');
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/Host key verification failed/);
    expect(result.stderr).toMatch(/a host key other than the pinned ssh-ed25519 key is refused/);
    expect(fs.existsSync(path.join(dir, 'leaked'))).toBe(false);
    // A key of another algorithm than the host has is refused the same way.
    expect(run(ECDSA, `cat > ${dir}/leaked`, 'x').status).toBe(1);
    expect(fs.existsSync(path.join(dir, 'leaked'))).toBe(false);
  });
});
