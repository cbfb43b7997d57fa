import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  GuardrailViolationError,
  readStackSettings,
  synthPlatform,
  writePlatformPipeline,
} from '../../../constructs/cli/platform-files';
import { InvalidPropertyError } from '../../../constructs/core/validate';
import { definePlatform } from '../../../constructs/platform/define';
import type { Environment } from '../../../constructs/platform/model';
import { readManifests } from '../../helpers/manifests';

const IMAGE = 'ghcr.io/nginxinc/nginx-unprivileged:1.27.3-alpine';
const env = (name: string, over: Partial<Environment> = {}): Environment => ({
  name,
  namespace: 'shop',
  cluster: { traits: { kind: 'existing' } },
  apps: [{ kind: 'web', name: 'web', props: { image: IMAGE, replicas: 2 } }],
  routing: [
    {
      name: 'shop',
      namespace: 'shop',
      hosts: [`shop.${name}.example.com`],
      rules: [{ name: 'all', backends: [{ service: 'web', port: 8080 }] }],
    },
  ],
  ...over,
});
/** A pod the guardrails block (privileged, no limits, mutable tag). */
const PRIVILEGED = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'debug', namespace: 'shop' },
  spec: { containers: [{ name: 'debug', image: 'busybox:latest', securityContext: { privileged: true } }] },
};
const PROJECT = 'name: shop\nruntime: nodejs\n';

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-platform-'));
  fs.writeFileSync(path.join(root, 'Pulumi.yaml'), PROJECT);
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

/** Every file under dir, relative, sorted. */
function tree(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

describe('synthPlatform', () => {
  it('writes each environment into <outdir>/<env>/ in apply order, with routing.json and routes.md', () => {
    const platform = definePlatform({ environments: [env('dev'), env('prod')] });
    const outdir = path.join(root, 'dist');
    const written = synthPlatform(platform, { outdir, root });
    expect(written.map((w) => w.name)).toEqual(['dev', 'prod']);
    for (const w of written) {
      expect(w.dir).toBe(path.join(outdir, w.name));
      expect(w.files.slice(-2)).toEqual(['routing.json', 'routes.md']);
      expect(w.files[0]).toMatch(/^0000-/);
      expect(fs.readdirSync(w.dir).sort()).toEqual([...w.files].sort());
      const objects = readManifests(w.dir);
      expect(objects.some((o) => o.kind === 'HTTPRoute')).toBe(true);
      expect(objects.some((o) => o.kind === 'Deployment' && o.metadata?.name === 'web')).toBe(true);
      const snapshot = JSON.parse(fs.readFileSync(path.join(w.dir, 'routing.json'), 'utf8'));
      expect(snapshot.policies[0].hosts).toEqual([`shop.${w.name}.example.com`]);
    }
    // Nothing but the environments' folders is left: the staging folder is gone.
    expect(fs.readdirSync(outdir).sort()).toEqual(['dev', 'prod']);
  });

  it('replaces an environment folder whole and leaves other files of outdir alone', () => {
    const outdir = path.join(root, 'dist');
    fs.mkdirSync(path.join(outdir, 'dev'), { recursive: true });
    fs.writeFileSync(path.join(outdir, 'dev', 'stale.yaml'), 'kind: Stale\n');
    fs.writeFileSync(path.join(outdir, 'keep.txt'), 'mine');
    synthPlatform(definePlatform({ environments: [env('dev')] }), { outdir, root });
    expect(fs.existsSync(path.join(outdir, 'dev', 'stale.yaml'))).toBe(false);
    expect(fs.readFileSync(path.join(outdir, 'keep.txt'), 'utf8')).toBe('mine');
  });

  it('writes only the environments asked for', () => {
    const outdir = path.join(root, 'dist');
    synthPlatform(definePlatform({ environments: [env('dev'), env('prod')] }), {
      outdir,
      root,
      environments: ['prod'],
    });
    expect(fs.readdirSync(outdir)).toEqual(['prod']);
  });

  it('writes nothing when one environment fails its guardrails, and names the finding', () => {
    const outdir = path.join(root, 'dist');
    fs.mkdirSync(path.join(outdir, 'dev'), { recursive: true });
    fs.writeFileSync(path.join(outdir, 'dev', 'previous.yaml'), 'kind: Previous\n');
    const platform = definePlatform({ environments: [env('dev'), env('prod', { objects: [PRIVILEGED] })] });
    let error: unknown;
    try {
      synthPlatform(platform, { outdir, root });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GuardrailViolationError);
    expect((error as GuardrailViolationError).environment).toBe('prod');
    expect((error as Error).message).toMatch(/guardrails failed for environment prod/);
    expect(tree(outdir)).toEqual(['dev', path.join('dev', 'previous.yaml')]);
  });

  it('writes guardrail-failing output when failOn is false', () => {
    const platform = definePlatform({ environments: [env('dev', { objects: [PRIVILEGED] })], failOn: false });
    expect(synthPlatform(platform, { outdir: path.join(root, 'dist'), root })[0]?.findings).toEqual([]);
  });

  it('refuses an unknown environment and an outdir that is a file before writing', () => {
    const platform = definePlatform({ environments: [env('dev')] });
    expect(() => synthPlatform(platform, { outdir: path.join(root, 'dist'), root, environments: ['qa'] })).toThrow(
      /Unknown stack "qa"/,
    );
    expect(() =>
      synthPlatform(platform, { outdir: path.join(root, 'dist'), root, environments: ['dev', 'dev'] }),
    ).toThrow(/names "dev" twice/);
    expect(fs.existsSync(path.join(root, 'dist'))).toBe(false);
    const file = path.join(root, 'out');
    fs.writeFileSync(file, 'x');
    expect(() => synthPlatform(platform, { outdir: file, root })).toThrow(/'outdir' .* is a file/);
  });

  it('applies Pulumi.<env>.yaml settings and refuses a bad one naming the key and the file', () => {
    const platform = definePlatform({
      environments: [env('dev')],
      settings: { replicas: { type: 'integer', min: 1, max: 5 } },
      configure: (e, s) => ({
        ...e,
        apps: [{ kind: 'web', name: 'web', props: { image: IMAGE, replicas: (s.custom.replicas as number) ?? 2 } }],
      }),
    });
    const outdir = path.join(root, 'dist');
    fs.writeFileSync(path.join(root, 'Pulumi.dev.yaml'), 'config:\n  switchyard:replicas: "4"\n');
    synthPlatform(platform, { outdir, root });
    const deployment = readManifests(path.join(outdir, 'dev')).find((o) => o.kind === 'Deployment');
    expect((deployment as { spec: { replicas: number } }).spec.replicas).toBe(4);

    fs.writeFileSync(path.join(root, 'Pulumi.dev.yaml'), 'config:\n  switchyard:replicas: "40"\n');
    expect(() => synthPlatform(platform, { outdir, root })).toThrow(/Pulumi.dev.yaml: switchyard:replicas \("40"\)/);
  });
});

describe('readStackSettings', () => {
  it('reads no settings from a missing stack file', () => {
    expect(readStackSettings(root, 'dev').kubeContext).toBe('');
  });

  it('names the missing Pulumi.yaml', () => {
    fs.rmSync(path.join(root, 'Pulumi.yaml'));
    expect(() => readStackSettings(root, 'dev')).toThrow(InvalidPropertyError);
    expect(() => readStackSettings(root, 'dev')).toThrow(/Pulumi.yaml does not exist/);
  });

  it('refuses an unknown switchyard key with the nearest one', () => {
    fs.writeFileSync(path.join(root, 'Pulumi.dev.yaml'), 'config:\n  switchyard:kubeContxt: kind\n');
    expect(() => readStackSettings(root, 'dev')).toThrow(
      /unknown key switchyard:kubeContxt.*did you mean switchyard:kubeContext/,
    );
  });

  it('reads the kube context', () => {
    fs.writeFileSync(path.join(root, 'Pulumi.dev.yaml'), 'config:\n  switchyard:kubeContext: kind-dev\n');
    expect(readStackSettings(root, 'dev').kubeContext).toBe('kind-dev');
  });
});

describe('writePlatformPipeline', () => {
  it('writes the workflows under the root and returns their paths', () => {
    const pipeline = {
      credentials: { provider: 'kubeconfig', secret: 'DEV_KUBECONFIG' },
      readOnly: { provider: 'kubeconfig', secret: 'DEV_READONLY_KUBECONFIG' },
    } as const;
    const platform = definePlatform({
      environments: [env('dev', { pipeline }), env('prod', { pipeline: false })],
      pipeline: {
        stateBackend: { kind: 'pulumi-cloud' },
        signatures: { certificateIdentityRegexp: '^https://github\\.com/acme/' },
      },
    });
    const written = writePlatformPipeline(platform, root);
    expect(written.length).toBeGreaterThan(0);
    for (const file of written) {
      expect(file.startsWith('.github/')).toBe(true);
      expect(fs.statSync(path.join(root, file)).size).toBeGreaterThan(0);
    }
  });
});

describe('writePlatformPipeline errors', () => {
  it('refuses a platform without pipeline settings, and writes nothing', () => {
    expect(() => writePlatformPipeline(definePlatform({ environments: [env('dev')] }), root)).toThrow(
      /no 'pipeline' settings/,
    );
    expect(fs.existsSync(path.join(root, '.github'))).toBe(false);
  });
});
