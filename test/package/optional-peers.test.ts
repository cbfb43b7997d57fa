import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ed25519HostKey } from '../../constructs/cluster/host-key';
import { scratchConsumer } from '../helpers/scratch-consumer';

const root = path.resolve(__dirname, '../..');
const lib = path.join(root, 'lib');

/** The required peers: every consumer has them. */
const CDK8S = ['cdk8s', 'cdk8s-plus-27', 'constructs'];
const PULUMI = ['@pulumi/pulumi', '@pulumi/kubernetes'];

const scratch: string[] = [];

function project(packages: readonly string[]): string {
  const dir = scratchConsumer(packages, { prefix: 'switchyard-peers-' });
  scratch.push(dir);
  return dir;
}

interface Outcome {
  /** 'ok', or the error's name and message. */
  readonly result: string;
  /** The @pulumi/* packages the process loaded. */
  readonly loaded: string[];
}

/**
 * Runs `body` (statements that may `await`, with `load(specifier)` importing an entry) in a fresh Node process
 * in `dir`, as CommonJS (`require`) or ESM (`import()`), and reports how it ended and what it loaded.
 */
function run(dir: string, body: string, type: 'commonjs' | 'module'): Outcome {
  const load = type === 'module' ? 'const load = (s) => import(s);' : 'const load = async (s) => require(s);';
  const preamble =
    type === 'module'
      ? `const require = (await import('node:module')).createRequire(${JSON.stringify(path.join(dir, 'x.js'))});`
      : '';
  const report =
    "const loaded = [...new Set(Object.keys(require.cache).filter((k) => k.includes('/node_modules/@pulumi/'))" +
    ".map((k) => k.split('/node_modules/').pop().split('/').slice(0, 2).join('/')))].sort();";
  const source = `${preamble} ${load}
    (async () => { ${body} })().then(
      () => 'ok',
      (e) => e.name + ': ' + e.message.split('\\n')[0],
    ).then((result) => { ${report} console.log(JSON.stringify({ result, loaded })); });`;
  const args = type === 'module' ? ['--input-type=module', '-e', source] : ['-e', source];
  const out = execFileSync(process.execPath, args, { cwd: dir, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!) as Outcome;
}

const HOST_KEY = ed25519HostKey(Buffer.alloc(32, 1))!.publicKey;
const BARE_METAL = JSON.stringify({
  servers: [{ address: '10.0.0.1', hostKey: HOST_KEY, privateKey: 'KEY' }],
  k3sInstaller: { sha256: 'e'.repeat(64) },
});
const EC2_VMS = JSON.stringify({
  machines: {
    cloud: 'aws-ec2',
    ami: 'ami-0abcdef1234567890',
    vpcId: 'vpc-1',
    subnetIds: ['subnet-a'],
    adminCidrs: ['10.0.0.0/16'],
  },
  servers: 1,
  sshPublicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTestsOnly0123456789abcdefghij ops@example.com',
  k3sInstaller: { sha256: 'e'.repeat(64) },
});
/** Pulumi mocks, so components can be constructed outside `pulumi up`. */
const MOCKS =
  "require('@pulumi/pulumi').runtime.setMocks({ newResource: (a) => ({ id: a.name + '-id', state: a.inputs }), call: (a) => a.inputs });";

const TYPES = ['commonjs', 'module'] as const;

// lib/ is built by `npm ci` (the prepare script), as for every published-package test.
describe.skipIf(!fs.existsSync(path.join(lib, 'index.js')))('optional peers are loaded only when used', () => {
  let cdk8sOnly: string;
  let withPulumi: string;
  let bareMetal: string;
  beforeAll(() => {
    cdk8sOnly = project(CDK8S);
    withPulumi = project([...CDK8S, ...PULUMI]);
    bareMetal = project([...CDK8S, ...PULUMI, '@pulumi/command', '@pulumi/random']);
  });
  afterAll(() => {
    for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each(TYPES)("a cdk8s-only project loads 'switchyard' without any @pulumi package (%s)", (type) => {
    expect(run(cdk8sOnly, "await load('switchyard');", type)).toEqual({ result: 'ok', loaded: [] });
  });

  it.each(TYPES)("'switchyard/pulumi' loads with only @pulumi/pulumi and @pulumi/kubernetes installed (%s)", (type) => {
    const { result, loaded } = run(withPulumi, "await load('switchyard/pulumi');", type);
    expect(result).toBe('ok');
    expect(loaded.filter((p) => !PULUMI.includes(p))).toEqual([]);
  });

  it.each(TYPES)('BareMetalCluster names @pulumi/command and @pulumi/random when they are missing (%s)', (type) => {
    const body = `const { BareMetalCluster } = await load('switchyard/pulumi'); new BareMetalCluster('lab', ${BARE_METAL});`;
    expect(run(withPulumi, body, type).result).toBe(
      'MissingPeerDependencyError: BareMetalCluster needs @pulumi/command and @pulumi/random (optional peer ' +
        'dependencies of switchyard): npm install @pulumi/command@^4.5.0 @pulumi/random@^4.21.2',
    );
  });

  it('BareMetalCluster loads @pulumi/command and @pulumi/random when constructed, once they are installed', () => {
    const body = `${MOCKS} const { BareMetalCluster } = require('switchyard/pulumi'); const before = Object.keys(require.cache).some((k) => k.includes('/@pulumi/command/')); if (before) throw new Error('loaded at import'); new BareMetalCluster('lab', ${BARE_METAL});`;
    const { result, loaded } = run(bareMetal, body, 'commonjs');
    expect(result).toBe('ok');
    expect(loaded).toEqual(expect.arrayContaining(['@pulumi/command', '@pulumi/random']));
  });

  it.each([
    ['switchyard/eks', '@pulumi/aws@^7.48.0'],
    ['switchyard/gke', '@pulumi/gcp@^9.37.0'],
    ['switchyard/aks', '@pulumi/azure-native@^3.28.0'],
  ])('%s without its cloud SDK says what to install, from CJS and ESM', (entry, install) => {
    const sdk = install.slice(0, install.lastIndexOf('@'));
    for (const type of TYPES) {
      expect(run(withPulumi, `await load('${entry}');`, type).result).toBe(
        `MissingPeerDependencyError: '${entry}' needs ${sdk} (optional peer dependencies of switchyard): npm install ${install}`,
      );
    }
  });

  it("'switchyard/eks' in a cdk8s-only project names the Pulumi engine too", () => {
    expect(run(cdk8sOnly, "await load('switchyard/eks');", 'commonjs').result).toBe(
      "MissingPeerDependencyError: 'switchyard/eks' needs @pulumi/pulumi, @pulumi/kubernetes and @pulumi/aws " +
        '(optional peer dependencies of switchyard): ' +
        'npm install @pulumi/pulumi@^3.150.0 @pulumi/kubernetes@^4.20.0 @pulumi/aws@^7.48.0',
    );
  });

  it.each(['switchyard/pulumi', 'switchyard/vm'])('%s in a cdk8s-only project names the Pulumi engine', (entry) => {
    for (const type of TYPES) {
      expect(run(cdk8sOnly, `await load('${entry}');`, type).result).toBe(
        `MissingPeerDependencyError: '${entry}' needs @pulumi/pulumi and @pulumi/kubernetes (optional peer ` +
          'dependencies of switchyard): npm install @pulumi/pulumi@^3.150.0 @pulumi/kubernetes@^4.20.0',
      );
    }
  });

  it.each(TYPES)("'switchyard/vm' loads without cloud SDKs; VmCluster names the ones its cloud needs (%s)", (type) => {
    expect(run(withPulumi, "await load('switchyard/vm');", type)).toEqual({
      result: 'ok',
      loaded: ['@pulumi/kubernetes', '@pulumi/pulumi'],
    });
    const body = `const { VmCluster } = await load('switchyard/vm'); new VmCluster('lab', ${EC2_VMS});`;
    expect(run(withPulumi, body, type).result).toBe(
      'MissingPeerDependencyError: VmCluster needs @pulumi/aws, @pulumi/random and @pulumi/command (optional peer ' +
        'dependencies of switchyard): npm install @pulumi/aws@^7.48.0 @pulumi/random@^4.21.2 @pulumi/command@^4.5.0',
    );
  });
});
