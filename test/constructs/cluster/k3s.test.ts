import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  K3S_VERSION,
  k3sInstallScript,
  k3sRemoteCommand,
  k3sServerUrl,
  rewriteKubeconfig,
} from '../../../constructs/cluster/k3s';
import { InvalidPropertyError } from '../../../constructs/core/validate';
import { shellcheck, withShellcheck } from '../../helpers/shellcheck';

const INIT = k3sInstallScript({
  version: K3S_VERSION,
  role: { kind: 'init' },
  tlsSans: ['10.0.0.10', 'api.example.com'],
});
const JOIN = k3sInstallScript({ version: K3S_VERSION, role: { kind: 'server', serverUrl: k3sServerUrl('10.0.0.10') } });
const AGENT = k3sInstallScript({
  version: K3S_VERSION,
  role: { kind: 'agent', serverUrl: k3sServerUrl('10.0.0.10') },
  nodeLabels: ['tier=web'],
});

describe('k3s install scripts', () => {
  withShellcheck(it).each([
    ['first server', INIT],
    ['joining server', JOIN],
    ['agent', AGENT],
    ['remote wrapper', k3sRemoteCommand(INIT)],
  ])('%s passes shellcheck', (_name, script) => {
    expect(shellcheck(script)).toBe('');
  });

  it('initializes embedded etcd on the first server, with its own ingress and load balancer disabled', () => {
    const install = INIT.split('\n').find((l) => l.startsWith('INSTALL_K3S_VERSION'))!;
    expect(install).toBe(
      `INSTALL_K3S_VERSION="$version" K3S_TOKEN="$K3S_TOKEN" sh "$installer" server --cluster-init --disable traefik --disable servicelb --write-kubeconfig-mode 0600 --tls-san '10.0.0.10' --tls-san 'api.example.com'`,
    );
  });

  it('joins servers and agents through the API URL; agents keep k3s defaults for servers only', () => {
    expect(JOIN).toContain(`server --server 'https://10.0.0.10:6443' --disable traefik --disable servicelb`);
    expect(AGENT).toContain(`agent --server 'https://10.0.0.10:6443' --node-label 'tier=web'`);
    expect(AGENT).not.toContain('--disable');
    expect(AGENT).toContain('systemctl is-active --quiet k3s-agent');
    expect(k3sServerUrl('fd00::10')).toBe('https://[fd00::10]:6443');
  });

  it('pins the version and its installer, needs the token from the environment, and is idempotent', () => {
    expect(INIT).toContain(`version='${K3S_VERSION}'`);
    expect(INIT).toContain('https://raw.githubusercontent.com/k3s-io/k3s/$version/install.sh');
    expect(INIT).toContain(': "${K3S_TOKEN:?');
    expect(INIT).toMatch(
      /if command -v k3s .* grep -qF "k3s version \$version " && systemctl is-active --quiet k3s; then\n {2}echo .*\n {2}exit 0/,
    );
  });

  it('runs the script as root with the token from stdin, never on a command line', () => {
    const remote = k3sRemoteCommand(INIT);
    expect(remote).toContain('K3S_TOKEN="$(cat)"');
    expect(remote).toContain('sudo --preserve-env=K3S_TOKEN bash "$script"');
    const encoded = /printf '%s' '([A-Za-z0-9+/=]+)'/.exec(remote)![1]!;
    expect(Buffer.from(encoded, 'base64').toString('utf8')).toBe(INIT);
  });

  it('really is idempotent: a second run with k3s active exits before installing', () => {
    const dir = spawnSync('mktemp', ['-d'], { encoding: 'utf8' }).stdout.trim();
    // Stubs for a node where this k3s already runs: the script must stop before fetching anything.
    const stubs = [
      `printf '#!/bin/sh\\necho "k3s version ${K3S_VERSION} (abc)"\\n' > ${dir}/k3s`,
      `printf '#!/bin/sh\\nexit 0\\n' > ${dir}/systemctl`,
      `printf '#!/bin/sh\\necho curl must not run >&2; exit 9\\n' > ${dir}/curl`,
      `chmod +x ${dir}/k3s ${dir}/systemctl ${dir}/curl`,
    ].join(' && ');
    spawnSync('sh', ['-c', stubs]);
    const run = spawnSync('bash', ['-c', INIT], {
      encoding: 'utf8',
      env: { PATH: `${dir}:/usr/bin:/bin`, K3S_TOKEN: 't' },
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toBe(`k3s ${K3S_VERSION} is already running\n`);
    const noToken = spawnSync('bash', ['-c', INIT], { encoding: 'utf8', env: { PATH: `${dir}:/usr/bin:/bin` } });
    expect(noToken.status).not.toBe(0);
    expect(noToken.stderr).toMatch(/K3S_TOKEN must hold the cluster join token/);
  });

  it.each([
    [{ version: '1.33' }, 'version', /k3s release tag/],
    [{ tlsSans: ['a b'] }, 'tlsSans', /hostname or an IP address/],
    [{ nodeLabels: ['x'] }, 'nodeLabels', /key=value/],
  ])('rejects %j naming %s', (change, property, message) => {
    const build = () => k3sInstallScript({ version: K3S_VERSION, role: { kind: 'init' }, ...change });
    expect(build).toThrow(message);
    try {
      build();
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidPropertyError);
      expect((e as InvalidPropertyError).property).toBe(property);
    }
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
