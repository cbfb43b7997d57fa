import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { readStackSettings as readWith } from '../../constructs/cli/platform-files';
import { InvalidPropertyError } from '../../constructs/core/validate';
import { environmentObjects, parseStackSettings as parseWith, type StackSettings } from '../../constructs/platform';
import type { PlatformDeploymentOutputs } from '../../constructs/pulumi';
import { platform } from '../../stacks/platform';
import { promiseOf, settle, useMocks } from '../helpers/pulumi';

const root = path.resolve(__dirname, '../..');
const SETTINGS = platform.definition.settings;
const readStackSettings = (dir: string, name: string) => readWith(dir, name, SETTINGS);
const parseStackSettings = (get: (key: string) => string | undefined, file: string) => parseWith(get, file, SETTINGS);
const environmentNamed = (name: string) => platform.environment(name);
const withStackSettings = (env: { name: string }, settings: StackSettings) => platform.configured(env.name, settings);
const appProps = (env: ReturnType<typeof environmentNamed>, name: string) =>
  env.apps!.find((a) => a.name === name)!.props as Record<string, unknown>;

async function runProgram(): Promise<PlatformDeploymentOutputs> {
  vi.resetModules();
  const program = (await import('../../stacks/pulumi/index')) as unknown as {
    default: Promise<PlatformDeploymentOutputs>;
  };
  return program.default;
}

/** A copy of the project files with one stack file replaced. */
function projectWith(stackFile: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-stack-'));
  fs.copyFileSync(path.join(root, 'Pulumi.yaml'), path.join(dir, 'Pulumi.yaml'));
  fs.writeFileSync(path.join(dir, 'Pulumi.prod.yaml'), stackFile);
  return dir;
}

describe('stack settings (Pulumi.<env>.yaml)', () => {
  it('default to the environment as defined, for every committed stack file; dev adds only its machine facts', () => {
    for (const name of ['dev', 'staging', 'prod']) {
      const env = environmentNamed(name);
      const applied = withStackSettings(env, readStackSettings(root, name));
      const create = env.cluster.create;
      if (create?.kind !== 'bare-metal') {
        expect(applied).toEqual(env);
        continue;
      }
      // Host keys and the installer hash are facts of the machines: they live in the stack file.
      const { hostKeys, k3sInstallerSha256, ...rest } = applied.cluster.create as typeof create;
      expect({ ...applied, cluster: { ...applied.cluster, create: rest } }).toEqual(env);
      expect(Object.keys(hostKeys ?? {}).sort()).toEqual([...create.servers, ...(create.agents ?? [])].sort());
      expect(k3sInstallerSha256).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it.each([
    ['switchyard:hostKeys: [a]', /switchyard:hostKeys must map each machine's address to its SSH host key/],
    [
      'switchyard:hostKeys:\n    10.0.0.1: not-a-key',
      /switchyard:hostKeys\.10\.0\.0\.1 \("not-a-key"\) must be '<algorithm> <base64>'/,
    ],
    ['switchyard:hostKeys:\n    bad_host!: ssh-ed25519 AAAA', /switchyard:hostKeys address "bad_host!"/],
    ['switchyard:k3sInstallerSha256: ABC', /switchyard:k3sInstallerSha256 \("ABC"\) must be 64 lowercase hex digits/],
  ])('refuse a malformed %s, naming the key and the file', (line, message) => {
    const dir = projectWith(`config:\n  ${line}\n`);
    expect(() => readStackSettings(dir, 'prod')).toThrow(message);
    expect(() => readStackSettings(dir, 'prod')).toThrow(/Pulumi\.prod\.yaml/);
  });

  it('override replicas, canary share and domain', () => {
    const dir = projectWith(
      'config:\n  switchyard:replicas: 5\n  switchyard:canaryPercent: 0\n  switchyard:domain: shop.example.org\n',
    );
    const env = withStackSettings(environmentNamed('prod'), readStackSettings(dir, 'prod'));
    expect(appProps(env, 'web')).toMatchObject({ replicas: 5, autoscaling: { minReplicas: 5 } });
    expect(appProps(env, 'web-canary')).toMatchObject({ replicas: 5 });
    const storefront = env.routing![0]!.rules.find((r) => r.name === 'storefront')!;
    expect(storefront.backends!.map((b) => b.weight)).toEqual([100, 0]);
    expect(env.routing![0]!.hosts).toEqual(['shop.shop.example.org']);
  });

  it.each([
    ['config:\n  switchyard:replicas: 0\n', /Pulumi\.prod\.yaml: switchyard:replicas \("0"\) must be from 1 to 50/],
    [
      'config:\n  switchyard:canaryPercent: half\n',
      /switchyard:canaryPercent \("half"\) must be an integer from 0 to 100/,
    ],
    ['config:\n  switchyard:domain: Bad_Domain\n', /switchyard:domain \("Bad_Domain"\)/],
    [
      'config:\n  switchyard:replica: 3\n',
      /unknown key switchyard:replica; a stack may set switchyard:kubeContext, .*switchyard:replicas/,
    ],
    ['config:\n  switchyard:replica: 3\n', /; did you mean switchyard:replicas\?/],
    [
      'config:\n  switchyard:replicas: "0x4"\n',
      /Pulumi\.prod\.yaml: switchyard:replicas \("0x4"\) must be an integer from 1 to 50, written in decimal digits/,
    ],
    ['config:\n  switchyard:replicas: "1e1"\n', /switchyard:replicas \("1e1"\) must be an integer/],
    ['config:\n  switchyard:replicas: "4.0"\n', /switchyard:replicas \("4\.0"\) must be an integer/],
    ['config:\n  switchyard:replicas: " 4"\n', /switchyard:replicas \(" 4"\) must be an integer/],
    [
      'config:\n  switchyard:replicas: 0x4\n',
      /Pulumi\.prod\.yaml: config key 'switchyard:replicas' \(0x4\) must be a decimal number like 4, or a quoted string/,
    ],
    ['config:\n  switchyard:replicas: 1e1\n', /config key 'switchyard:replicas' \(1e1\) must be a decimal number/],
    ['config:\n  switchyard:domain: ~\n', /Pulumi\.prod\.yaml: config key 'switchyard:domain' has no value \(null\)/],
    ['config:\n  switchyard:servers: [a, null]\n', /config key 'switchyard:servers' has no value \(null\)/],
    ['config:\n  switchyard:replicas: [\n', /Pulumi\.prod\.yaml: not valid YAML/],
    [
      'config:\n  switchyard:replicas: 4.0\n',
      /switchyard:replicas \("4\.0"\) must be an integer from 1 to 50, written in decimal/,
    ],
    ['config:\n  switchyard:domain: *a\n', /Pulumi\.prod\.yaml: not valid YAML: Unresolved alias/],
    ['config:\n  aws:region: &n ~\n  switchyard:domain: *n\n', /config key 'aws:region' has no value \(null\)/],
  ])('rejects %j naming the key and the file', (text, message) => {
    expect(() => readStackSettings(projectWith(text), 'prod')).toThrow(message);
    expect(() => readStackSettings(projectWith(text), 'prod')).toThrow(InvalidPropertyError);
  });

  it('override the bare metal hosts of dev and the API ranges of EKS environments', () => {
    const dev = withStackSettings(
      environmentNamed('dev'),
      parseStackSettings(
        (k) => ({ servers: '["10.9.0.1"]', agents: '10.9.0.5, 10.9.0.6', apiAddress: '10.9.0.1', sshUser: 'ops' })[k],
        'Pulumi.dev.yaml',
      ),
    );
    expect(dev.cluster.create).toMatchObject({
      servers: ['10.9.0.1'],
      agents: ['10.9.0.5', '10.9.0.6'],
      apiAddress: '10.9.0.1',
      sshUser: 'ops',
    });
    const prod = withStackSettings(
      environmentNamed('prod'),
      parseStackSettings((k) => ({ apiAllowedCidrs: '["198.51.100.0/24"]' })[k], 'Pulumi.prod.yaml'),
    );
    expect(prod.cluster.create).toMatchObject({ endpoint: { private: true, publicCidrs: ['198.51.100.0/24'] } });
    // Cluster settings change the cluster, never the synthesized objects.
    expect(environmentObjects(dev)).toEqual(environmentObjects(environmentNamed('dev')));
  });

  it.each([
    [
      'servers',
      '["10.0.0.1 ; rm -rf /"]',
      /switchyard:servers entry "10\.0\.0\.1 ; rm -rf \/" must be a hostname or an IP address/,
    ],
    ['servers', '["a", 1]', /switchyard:servers \(.*\) must be a list of strings/],
    ['apiAllowedCidrs', 'anywhere', /switchyard:apiAllowedCidrs entry "anywhere" must be an IPv4 CIDR/],
    ['sshUser', 'Root User', /switchyard:sshUser \("Root User"\) must be a Linux user name/],
  ])('rejects %s = %s naming the key', (key, value, message) => {
    expect(() => parseStackSettings((k) => (k === key ? value : undefined), 'Pulumi.dev.yaml')).toThrow(message);
  });

  it('rejects settings for another kind of cluster than the environment runs on', () => {
    const settings = parseStackSettings((k) => ({ servers: '10.0.0.1' })[k], 'Pulumi.prod.yaml');
    expect(() => withStackSettings(environmentNamed('prod'), settings)).toThrow(
      /Pulumi\.prod\.yaml: switchyard:servers does not apply: prod runs on eks, which takes switchyard:apiAllowedCidrs/,
    );
    const eksOnly = parseStackSettings((k) => ({ apiAllowedCidrs: '10.0.0.0/8' })[k], 'Pulumi.dev.yaml');
    expect(() => withStackSettings(environmentNamed('dev'), eksOnly)).toThrow(/dev runs on bare-metal/);
  });

  it('the Pulumi program applies the same settings, so both engines still deploy the same objects', async () => {
    const registered = useMocks('prod', { 'switchyard:replicas': '4', 'switchyard:domain': 'shop.example.org' });
    const program = await runProgram();
    await settle();
    const env = withStackSettings(
      environmentNamed('prod'),
      parseStackSettings((k) => ({ replicas: '4', domain: 'shop.example.org' })[k], 'x'),
    );
    const objects = environmentObjects(env);
    expect(await promiseOf(program.objectCount)).toBe(objects.manifests.length);
    const group = registered.find((r) => r.name === 'prod-platform-objects')!;
    expect(group.inputs.objs).toEqual(objects.manifests);
    const objs = group.inputs.objs as { kind: string; metadata: { name: string }; spec: Record<string, unknown> }[];
    // prod autoscales the stable app from the replica count; the canary runs that many.
    const hpa = objs.find((o) => o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === 'web');
    expect(hpa?.spec.minReplicas).toBe(4);
    const canary = objs.find((o) => o.kind === 'Deployment' && o.metadata.name === 'web-canary');
    expect(canary?.spec.replicas).toBe(4);
    expect(JSON.stringify(group.inputs.objs)).toContain('shop.shop.example.org');
  });

  it('the Pulumi program refuses a bad value, naming the key and the stack file', async () => {
    useMocks('prod', { 'switchyard:replicas': 'many' });
    await expect(runProgram()).rejects.toThrow(/Pulumi\.prod\.yaml: switchyard:replicas \("many"\) must be an integer/);
  });
});
