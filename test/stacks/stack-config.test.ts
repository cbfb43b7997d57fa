import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { environmentNamed } from '../../stacks/environments';
import { parseStackSettings, readStackSettings, withStackSettings } from '../../stacks/stack-config';
import { environmentObjects } from '../../stacks/synth';
import { promiseOf, settle, useMocks } from '../helpers/pulumi';

const root = path.resolve(__dirname, '../..');

/** A copy of the project files with one stack file replaced. */
function projectWith(stackFile: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-stack-'));
  fs.copyFileSync(path.join(root, 'Pulumi.yaml'), path.join(dir, 'Pulumi.yaml'));
  fs.writeFileSync(path.join(dir, 'Pulumi.prod.yaml'), stackFile);
  return dir;
}

describe('stack settings (Pulumi.<env>.yaml)', () => {
  it('default to the environment as defined, for every committed stack file', () => {
    for (const name of ['dev', 'staging', 'prod']) {
      const env = environmentNamed(name);
      expect(withStackSettings(env, readStackSettings(root, name))).toEqual(env);
    }
  });

  it('override replicas, canary share and domain', () => {
    const dir = projectWith(
      'config:\n  switchyard:replicas: 5\n  switchyard:canaryPercent: 0\n  switchyard:domain: shop.example.org\n',
    );
    const env = withStackSettings(environmentNamed('prod'), readStackSettings(dir, 'prod'));
    expect(env.app).toMatchObject({ replicas: 5, canaryPercent: 0 });
    expect(env.domain).toBe('shop.example.org');
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
      /unknown key switchyard:replica; a stack may set switchyard:kubeContext, switchyard:replicas/,
    ],
  ])('rejects %j naming the key and the file', (text, message) => {
    expect(() => readStackSettings(projectWith(text), 'prod')).toThrow(message);
  });

  it('the Pulumi program applies the same settings, so both engines still deploy the same objects', async () => {
    const registered = useMocks('prod', { 'switchyard:replicas': '4', 'switchyard:domain': 'shop.example.org' });
    vi.resetModules();
    const program = await import('../../stacks/pulumi/index');
    await settle();
    const env = withStackSettings(
      environmentNamed('prod'),
      parseStackSettings((k) => ({ replicas: '4', domain: 'shop.example.org' })[k], 'x'),
    );
    const objects = environmentObjects(env);
    expect(await promiseOf(program.objectCount)).toBe(objects.manifests.length);
    const group = registered.find((r) => r.name === 'prod-platform-objects')!;
    expect(group.inputs.objs).toEqual(objects.manifests);
    const web = (group.inputs.objs as { kind: string; metadata: { name: string }; spec: { replicas?: number } }[]).find(
      (o) => o.kind === 'Deployment' && o.metadata.name === 'web',
    );
    expect(web?.spec.replicas).toBe(4);
    expect(JSON.stringify(group.inputs.objs)).toContain('shop.shop.example.org');
  });

  it('the Pulumi program refuses a bad value, naming the key and the stack file', async () => {
    useMocks('prod', { 'switchyard:replicas': 'many' });
    vi.resetModules();
    await expect(import('../../stacks/pulumi/index')).rejects.toThrow(
      /Pulumi\.prod\.yaml: switchyard:replicas \("many"\) must be an integer/,
    );
  });
});
