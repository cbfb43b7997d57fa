import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  K3S_READ_SERVER_TOKEN,
  K3S_TOKEN_FILE,
  K3S_VERSION,
  K3S_WRITE_TOKEN,
  type K3sInstallOptions,
  k3sConfigYaml,
  k3sInstallerUrl,
  k3sInstallScript,
  k3sRemoteCommand,
  k3sServerUrl,
  rewriteKubeconfig,
  SECURE_TOKEN,
} from '../../../constructs/cluster/k3s';
import { expectInvalid } from '../../helpers/errors';
import { shellcheck, withShellcheck } from '../../helpers/shellcheck';

const FAKE_INSTALLER =
  '#!/bin/sh\necho "installer $* force=$INSTALL_K3S_FORCE_RESTART version=$INSTALL_K3S_VERSION" >> "$LOG"\ntouch "$ACTIVE"\n';
const INSTALLER = {
  url: k3sInstallerUrl(K3S_VERSION),
  sha256: createHash('sha256').update(FAKE_INSTALLER).digest('hex'),
};
const SERVER_URL = k3sServerUrl('10.0.0.10');
const INIT: K3sInstallOptions = {
  version: K3S_VERSION,
  role: { kind: 'init' },
  installer: INSTALLER,
  tlsSans: ['10.0.0.10', 'api.example.com'],
};
const JOIN: K3sInstallOptions = {
  version: K3S_VERSION,
  role: { kind: 'server', serverUrl: SERVER_URL },
  installer: INSTALLER,
};
const AGENT: K3sInstallOptions = {
  version: K3S_VERSION,
  role: { kind: 'agent', serverUrl: SERVER_URL },
  installer: INSTALLER,
  nodeLabels: ['tier=web'],
};
const SECURE = `K10${'ab'.repeat(32)}::server:${'T'.repeat(48)}`;

/** A node in a temporary directory: stubs for k3s, systemctl and curl, and the script with its paths moved there. */
function node(options: { running?: string; token?: string; config?: string; installer?: string }): {
  run: (script: string) => ReturnType<typeof spawnSync>;
  log: () => string;
  dir: string;
} {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-k3s-'));
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  fs.mkdirSync(path.join(dir, 'etc'));
  const stub = (name: string, body: string) =>
    fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  if (options.running) {
    stub('k3s', `echo "k3s version ${options.running} (abc)"`);
    fs.writeFileSync(path.join(dir, 'active'), '');
  }
  stub('systemctl', 'echo "systemctl $*" >> "$LOG"\nif [ "$1" = is-active ]; then test -e "$ACTIVE"; fi');
  stub(
    'curl',
    'echo "curl" >> "$LOG"\nwhile [ $# -gt 0 ]; do if [ "$1" = --output ]; then out="$2"; fi; shift; done\nprintf "%s" "$INSTALLER_TEXT" > "$out"',
  );
  if (options.token !== undefined)
    fs.writeFileSync(path.join(dir, 'etc', path.basename(K3S_TOKEN_FILE)), options.token);
  if (options.config !== undefined) fs.writeFileSync(path.join(dir, 'etc', 'config.yaml'), options.config);
  const log = path.join(dir, 'log');
  fs.writeFileSync(log, '');
  return {
    dir,
    log: () => fs.readFileSync(log, 'utf8'),
    run: (script) =>
      spawnSync('bash', ['-c', script.replaceAll('/etc/rancher/k3s', path.join(dir, 'etc'))], {
        encoding: 'utf8',
        env: {
          PATH: `${bin}:/usr/bin:/bin`,
          HOME: dir,
          LOG: log,
          ACTIVE: path.join(dir, 'active'),
          INSTALLER_TEXT: options.installer ?? FAKE_INSTALLER,
        },
      }),
  };
}

describe('k3s install scripts', () => {
  withShellcheck(it).each([
    ['first server', k3sInstallScript(INIT)],
    ['joining server', k3sInstallScript(JOIN)],
    ['agent', k3sInstallScript(AGENT)],
    ['remote wrapper', k3sRemoteCommand(k3sInstallScript(INIT))],
    ['token writer', K3S_WRITE_TOKEN],
    ['token reader', K3S_READ_SERVER_TOKEN],
  ])('%s passes shellcheck', (_name, script) => {
    expect(shellcheck(script)).toBe('');
  });

  it('configures the first server with embedded etcd, the token file, its SANs and no bundled ingress or load balancer', () => {
    expect(parse(k3sConfigYaml(INIT))).toEqual({
      'cluster-init': true,
      'token-file': K3S_TOKEN_FILE,
      disable: ['traefik', 'servicelb'],
      'write-kubeconfig-mode': '0600',
      'tls-san': ['10.0.0.10', 'api.example.com'],
    });
  });

  it('joins servers and agents through the API URL; agents keep k3s defaults for servers only', () => {
    expect(parse(k3sConfigYaml(JOIN))).toMatchObject({
      server: 'https://10.0.0.10:6443',
      disable: ['traefik', 'servicelb'],
    });
    expect(parse(k3sConfigYaml(AGENT))).toEqual({
      server: 'https://10.0.0.10:6443',
      'token-file': K3S_TOKEN_FILE,
      'node-label': ['tier=web'],
    });
    expect(k3sInstallScript(AGENT)).toContain('systemctl is-active --quiet k3s-agent');
    expect(k3sServerUrl('fd00::10')).toBe('https://[fd00::10]:6443');
  });

  it('pins the version and the installer of its release tag, checked with sha256sum before it runs', () => {
    const script = k3sInstallScript(INIT);
    expect(INSTALLER.url).toBe(`https://raw.githubusercontent.com/k3s-io/k3s/${K3S_VERSION}/install.sh`);
    expect(script).toContain(`version='${K3S_VERSION}'`);
    expect(script).toContain(`installer_sha256='${INSTALLER.sha256}'`);
    const check = script.indexOf('sha256sum --check --strict');
    expect(check).toBeGreaterThan(script.indexOf('curl '));
    expect(check).toBeLessThan(script.indexOf('sh "$work/install.sh"'));
  });

  it('runs the script as root and carries no secret', () => {
    const remote = k3sRemoteCommand(k3sInstallScript(INIT));
    expect(remote).toContain('sudo bash "$script"');
    expect(remote).not.toMatch(/K3S_TOKEN|\$\(cat\)/);
    const encoded = /printf '%s' '([A-Za-z0-9+/=]+)'/.exec(remote)![1]!;
    expect(Buffer.from(encoded, 'base64').toString('utf8')).toBe(k3sInstallScript(INIT));
  });

  it('is idempotent: with the pinned k3s active and the same configuration, nothing is fetched or restarted', () => {
    const n = node({ running: K3S_VERSION, token: 'secret', config: k3sConfigYaml(INIT) });
    const run = n.run(k3sInstallScript(INIT));
    expect(run.status, String(run.stderr)).toBe(0);
    expect(run.stdout).toBe(`k3s ${K3S_VERSION} is already running\n`);
    expect(n.log()).toBe('systemctl is-active --quiet k3s\n');
  });

  it('re-applies a changed configuration (another tls-san): writes config.yaml and restarts k3s, once', () => {
    const n = node({ running: K3S_VERSION, token: 'secret', config: k3sConfigYaml(INIT) });
    const changed = { ...INIT, tlsSans: [...INIT.tlsSans!, '10.0.0.14'] };
    const run = n.run(k3sInstallScript(changed));
    expect(run.status, String(run.stderr)).toBe(0);
    expect(n.log()).toBe('systemctl is-active --quiet k3s\nsystemctl restart k3s\n');
    expect(fs.readFileSync(path.join(n.dir, 'etc', 'config.yaml'), 'utf8')).toBe(k3sConfigYaml(changed));
    expect(fs.statSync(path.join(n.dir, 'etc', 'config.yaml')).mode & 0o777).toBe(0o600);
    // The second run finds the new file: no restart.
    const again = n.run(k3sInstallScript(changed));
    expect(again.stdout).toContain('already running');
    expect(n.log().match(/restart/g)).toHaveLength(1);
  });

  it('installs with the pinned installer when k3s is absent, and refuses an installer with another hash', () => {
    const fresh = node({ token: SECURE });
    const run = fresh.run(k3sInstallScript(AGENT));
    expect(run.status, String(run.stderr)).toBe(0);
    expect(fresh.log()).toContain(`installer agent force=true version=${K3S_VERSION}`);

    const tampered = node({ token: SECURE, installer: `${FAKE_INSTALLER}curl evil | sh\n` });
    const refused = tampered.run(k3sInstallScript(AGENT));
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/is not the pinned one \(sha256 [0-9a-f]{64}\): refusing to run it/);
    expect(tampered.log()).toBe('curl\n');
  });

  it('refuses to join with a token that is not in the secure K10<CA hash>:: form, and needs a token on the first server', () => {
    const n = node({ token: 'T'.repeat(48) });
    const run = n.run(k3sInstallScript(JOIN));
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/not in the secure K10<CA hash>::server: form: refusing to join/);
    expect(n.log()).toBe('');
    const empty = node({});
    expect(empty.run(k3sInstallScript(INIT)).stderr).toMatch(/no join token in/);
  });

  it('reads the server token only when it has the secure form', () => {
    const grep = K3S_READ_SERVER_TOKEN.slice(K3S_READ_SERVER_TOKEN.indexOf('grep'));
    const read = (token: string) => spawnSync('bash', ['-c', grep], { input: `${token}\n`, encoding: 'utf8' });
    expect(read(SECURE).stdout).toBe(`${SECURE}\n`);
    expect(read('T'.repeat(48)).status).not.toBe(0);
    expect(read(`K10${'ab'.repeat(31)}::server:x`).status).not.toBe(0);
    expect(SECURE_TOKEN.test(SECURE)).toBe(true);
  });

  it.each([
    [{ version: '1.33' }, 'version', /k3s release tag/],
    [{ tlsSans: ['a b'] }, 'tlsSans', /hostname or an IP address/],
    [{ nodeLabels: ['x'] }, 'nodeLabels', /key=value/],
    [{ installer: { ...INSTALLER, url: 'http://get.k3s.io' } }, 'installer.url', /https URL of one revision/],
    [{ installer: { ...INSTALLER, url: "https://x/'; rm -rf /" } }, 'installer.url', /https URL/],
    [{ installer: { ...INSTALLER, sha256: 'abc' } }, 'installer.sha256', /64 lowercase hex digits: measure it once/],
    [{ installer: { ...INSTALLER, sha: 'abc' } }, 'installer.sha', /unknown; known keys: `url`, `sha256`/],
    [{ tlsSans: 'a' }, 'tlsSans', /must be an array/],
    [{ role: { kind: 'agent' } }, 'role.serverUrl', /must be a string/],
  ] as [Record<string, unknown>, string, RegExp][])('rejects %j naming %s', (change, property, message) => {
    expectInvalid(() => k3sInstallScript({ ...INIT, ...change } as unknown as K3sInstallOptions), property, message);
  });

  it('accepts exactly 64 lowercase hex digits as the installer hash (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 70 }), (sha256) => {
        const valid = /^[0-9a-f]{64}$/.test(sha256);
        let threw = false;
        try {
          k3sInstallScript({ ...INIT, installer: { ...INSTALLER, sha256 } });
        } catch {
          threw = true;
        }
        expect(threw).toBe(!valid);
      }),
    );
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9a-f]{64}$/), (sha256) => {
        expect(k3sInstallScript({ ...INIT, installer: { ...INSTALLER, sha256 } })).toContain(sha256);
      }),
    );
  });
});

describe('rewriteKubeconfig', () => {
  const K3S_YAML = [
    'apiVersion: v1',
    'clusters:',
    '- cluster:',
    '    certificate-authority-data: Q0E=',
    '    server: https://127.0.0.1:6443',
    '  name: default',
    'contexts:',
    '- context:',
    '    cluster: default',
    '    user: default',
    '  name: default',
    'current-context: default',
    'kind: Config',
    'users:',
    '- name: default',
    '  user:',
    '    client-certificate-data: Q0VSVA==',
    '',
  ].join('\n');

  it('points at the API address and names everything after the cluster', () => {
    const out = rewriteKubeconfig(K3S_YAML, '10.0.0.10', 'edge');
    expect(out).toContain('server: https://10.0.0.10:6443');
    expect(out).not.toMatch(/default|127\.0\.0\.1/);
    expect(out.match(/edge/g)).toHaveLength(6); // three names, and the context's cluster, user and current-context
    expect(rewriteKubeconfig(K3S_YAML, 'fd00::1', 'edge')).toContain('server: https://[fd00::1]:6443');
  });
});
