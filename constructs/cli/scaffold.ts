/**
 * What `switchyard init` writes: a platform repository's files, rendered from the options alone (pure, so
 * init can render and check everything before it writes anything, and tests can read each file).
 */
import { checkDnsLabel, firstDuplicate, InvalidPropertyError, show } from '../core/validate';
import type { GeneratedFile } from '../pipeline/workflows';
import { platformSource } from './scaffold-platform';

/** Cluster kinds init scaffolds. */
export const INIT_CLUSTER_KINDS = ['existing', 'bare-metal', 'vm', 'eks', 'gke', 'aks'] as const;
export type InitClusterKind = (typeof INIT_CLUSTER_KINDS)[number];
/** Controllers init scaffolds (the catalog's Helm-installed ones). */
export const INIT_CONTROLLERS = ['envoy-gateway', 'traefik', 'haproxy', 'contour', 'ingress-nginx'] as const;
export type InitController = (typeof INIT_CONTROLLERS)[number];

/** Options of {@link scaffoldFiles}. */
export interface ScaffoldOptions {
  /** npm package name of the new repository. */
  readonly name: string;
  /** @default 'existing' */
  readonly cluster?: InitClusterKind;
  /** @default 'envoy-gateway' */
  readonly controller?: InitController;
  /** Environment (and Pulumi stack) names in promotion order. @default ['dev', 'staging', 'prod'] */
  readonly environments?: readonly string[];
  /** @default 'esm' */
  readonly module?: 'esm' | 'cjs';
  /** How package.json names the switchyard dependency. @default `^<this package's version>` */
  readonly switchyardSpec?: string;
  /** This package's version and the exact versions it is tested with (its devDependencies). */
  readonly versions: { readonly switchyard: string; readonly pinned: Readonly<Record<string, string>> };
}

/** Options with their defaults, checked. */
export interface ResolvedScaffoldOptions extends Required<Omit<ScaffoldOptions, 'switchyardSpec'>> {
  readonly switchyardSpec: string;
}

const NPM_NAME = /^(?:@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/;

/** Checks the options and resolves the defaults. @throws InvalidPropertyError naming the option */
export function resolveScaffoldOptions(options: ScaffoldOptions): ResolvedScaffoldOptions {
  if (!NPM_NAME.test(options.name) || options.name.length > 214) {
    throw new InvalidPropertyError(
      'name',
      `the package name ${show(options.name)} is not a valid npm name: lowercase letters, digits, '-', '.', '_' (name the folder so, or pass --name)`,
    );
  }
  const cluster = options.cluster ?? 'existing';
  if (!INIT_CLUSTER_KINDS.includes(cluster)) {
    throw new InvalidPropertyError(
      'cluster',
      `--cluster ${show(cluster)} must be one of ${INIT_CLUSTER_KINDS.join(', ')}`,
    );
  }
  const controller = options.controller ?? 'envoy-gateway';
  if (!INIT_CONTROLLERS.includes(controller)) {
    throw new InvalidPropertyError(
      'controller',
      `--controller ${show(controller)} must be one of ${INIT_CONTROLLERS.join(', ')}`,
    );
  }
  const environments = options.environments ?? ['dev', 'staging', 'prod'];
  if (environments.length === 0) {
    throw new InvalidPropertyError('environments', '--environments is empty: name at least one, like dev,prod');
  }
  for (const env of environments) {
    const problem = checkDnsLabel(env);
    if (problem || env.length > 20) {
      throw new InvalidPropertyError(
        'environments',
        `--environments: ${show(env)} ${problem ?? 'is longer than 20 characters'}: use short lowercase names like dev, staging, prod`,
      );
    }
  }
  const twice = firstDuplicate(environments);
  if (twice !== undefined) throw new InvalidPropertyError('environments', `--environments names ${show(twice)} twice`);
  const module = options.module ?? 'esm';
  if (module !== 'esm' && module !== 'cjs') {
    throw new InvalidPropertyError('module', `--module ${show(module)} must be esm or cjs`);
  }
  return {
    name: options.name,
    cluster,
    controller,
    environments,
    module,
    switchyardSpec: options.switchyardSpec ?? `^${options.versions.switchyard}`,
    versions: options.versions,
  };
}

/** The cloud SDK and bootstrap packages each kind's cluster component loads. */
const CLUSTER_PACKAGES: Record<InitClusterKind, readonly string[]> = {
  existing: [],
  'bare-metal': ['@pulumi/command', '@pulumi/random'],
  vm: ['@pulumi/command', '@pulumi/random', '@pulumi/aws'],
  eks: ['@pulumi/aws'],
  gke: ['@pulumi/gcp'],
  aks: ['@pulumi/azure-native'],
};

function pinned(o: ResolvedScaffoldOptions, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    names.map((n) => {
      const version = o.versions.pinned[n];
      if (!version) throw new Error(`switchyard's package.json pins no version of ${n}`);
      return [n, version];
    }),
  );
}

function packageJson(o: ResolvedScaffoldOptions): string {
  const manifest = {
    name: o.name,
    version: '0.1.0',
    private: true,
    type: o.module === 'esm' ? 'module' : 'commonjs',
    engines: { node: '>=20.19' },
    scripts: {
      test: 'tsc --noEmit && node --import tsx --test test/platform.test.ts',
      synth: 'cdk8s synth --no-check-upgrade',
      pipeline: 'tsx pipeline.ts',
      plan: 'switchyard plan . --stack',
    },
    dependencies: {
      switchyard: o.switchyardSpec,
      ...pinned(o, ['cdk8s', 'cdk8s-plus-27', 'constructs', '@pulumi/pulumi', '@pulumi/kubernetes']),
      ...pinned(o, CLUSTER_PACKAGES[o.cluster]),
    },
    devDependencies: pinned(o, ['@pulumi/policy', '@types/node', 'cdk8s-cli', 'tsx', 'typescript']),
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

const TSCONFIG = `{
  "compilerOptions": {
    "target": "ES2022",
    "lib": ["ES2022"],
    "module": "node16",
    "moduleResolution": "node16",
    "strict": true,
    "noUncheckedIndexedAccess": true,
    "esModuleInterop": true,
    "skipLibCheck": true,
    "noEmit": true,
    "types": ["node"]
  },
  "include": ["*.ts", "pulumi/**/*.ts", "test/**/*.ts"]
}
`;

function cdk8sYaml(o: ResolvedScaffoldOptions): string {
  const profiles = o.environments.map((e, i) => `        ${e}: ${profileOf(o, i)}`).join('\n');
  return `# \`npm run synth\`: the app writes every environment into dist/<env>/ (after the guardrails), then
# cdk8s runs the guardrails plugin over what was written.
language: typescript
app: node --import tsx main.ts
output: dist
validations:
  - package: ./node_modules/switchyard/lib/guardrails/cdk8s-validation.js
    version: 0.0.0
    class: GuardrailValidation
    properties:
      profiles:
${profiles}
      failOn: danger
`;
}

/** The first environment is for development; the others get the production profile. */
function profileOf(o: ResolvedScaffoldOptions, index: number): 'standard' | 'production' {
  return index === 0 && o.environments.length > 1 ? 'standard' : 'production';
}

function pulumiYaml(o: ResolvedScaffoldOptions): string {
  return `name: ${o.name}
description: ${o.name}, one Pulumi stack per environment (${o.environments.join(', ')}).
# tsx runs the TypeScript program (ESM or CommonJS alike) instead of Pulumi's bundled ts-node.
runtime:
  name: nodejs
  options:
    typescript: false
    nodeargs: --import tsx
main: pulumi/index.ts
config:
  switchyard:kubeContext:
    type: string
    description: kubeconfig context to deploy to; empty uses the cluster the program creates, or the ambient kubeconfig.
    default: ""
`;
}

function stackYaml(o: ResolvedScaffoldOptions, env: string): string {
  const header = `# Settings of the ${env} stack, read by \`pulumi up --stack ${env}\` and by \`npm run synth\` alike.\nconfig:\n`;
  switch (o.cluster) {
    case 'existing':
      return `${header}  # The kubeconfig context of the ${env} cluster.\n  switchyard:kubeContext: ""\n`;
    case 'bare-metal':
      return `${header}  # The machines k3s is installed on, and what deploying needs to trust them (docs/clusters.md):
  switchyard:servers: ${index(o, env, 10)}
  # switchyard:hostKeys: '{"${index(o, env, 10)}": "ssh-ed25519 AAAA..."}'   # ssh-keyscan -t ed25519 <address>
  # switchyard:k3sInstallerSha256: <64 hex>                           # curl -sfL <installer url> | sha256sum
`;
    default:
      return `${header}  # Empty: the program creates the cluster. Set a context to deploy to an existing one instead.\n  switchyard:kubeContext: ""\n`;
  }
}

/** A documentation address (RFC 5737) per environment: replace with the machines' own. */
function index(o: ResolvedScaffoldOptions, env: string, base: number): string {
  return `192.0.2.${base + o.environments.indexOf(env)}`;
}

function gitignore(): string {
  return 'node_modules/\ndist/\n*.tgz\n';
}

function mainSource(): string {
  return `/** The cdk8s app (\`npm run synth\`): every environment into dist/<env>/, after the guardrails. */
import { synthPlatform } from 'switchyard';
import { platform } from './platform.js';

synthPlatform(platform);
`;
}

function pipelineSource(): string {
  return `/** \`npm run pipeline\`: writes the GitHub Actions workflows from the platform's environments. */
import { writePlatformPipeline } from 'switchyard';
import { platform } from './platform.js';

for (const file of writePlatformPipeline(platform, '.')) console.log(\`wrote \${file}\`);
`;
}

function programSource(o: ResolvedScaffoldOptions): string {
  const head = `/** The Pulumi program: deploys the environment named by the stack (\`pulumi up --stack <env>\`). */
import { deployPlatform } from 'switchyard/pulumi';
import { platform } from '../platform.js';
`;
  return o.module === 'esm'
    ? `${head}
const deployed = await deployPlatform(platform);
export const environment = deployed.environment;
export const namespace = deployed.namespace;
export const releases = deployed.releases;
export const objectCount = deployed.objectCount;
`
    : `${head}
export = deployPlatform(platform);
`;
}

function testSource(o: ResolvedScaffoldOptions): string {
  return `import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { synthPlatform } from 'switchyard';
import { platform } from '../platform.js';

test('every environment synthesizes with its route table and passes the guardrails', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), '${o.name.replace(/^@.*\//, '')}-'));
  try {
    const written = synthPlatform(platform, { outdir });
    assert.deepEqual(
      written.map((w) => w.name),
      ${JSON.stringify(o.environments)},
    );
    for (const env of written) {
      assert.ok(env.files.some((f) => f.endsWith('.k8s.yaml')), \`\${env.name} has manifests\`);
      const snapshot = JSON.parse(fs.readFileSync(path.join(env.dir, 'routing.json'), 'utf8'));
      assert.equal(snapshot.policies.length, 1);
    }
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
});

test('a stack the platform does not define is refused with the known ones', () => {
  assert.throws(() => platform.environment('nope'), /Unknown stack "nope"/);
});
`;
}

function readme(o: ResolvedScaffoldOptions): string {
  const first = o.environments[0]!;
  return `# ${o.name}

A Kubernetes platform defined with [Switchyard](https://www.npmjs.com/package/switchyard): one definition
(\`platform.ts\`) of the environments ${o.environments.join(', ')} on ${o.cluster === 'existing' ? 'existing clusters' : `${o.cluster} clusters`}, with ${o.controller} routing.

| Command | What it does |
| --- | --- |
| \`npm test\` | type-checks, then synthesizes every environment in a temporary folder and checks it |
| \`npm run synth\` | writes \`dist/<env>/\` (manifests in apply order, \`routing.json\`, \`routes.md\`); fails on a guardrail finding of severity danger |
| \`npx switchyard plan . --stack ${first}\` | shows what \`pulumi up --stack ${first}\` would create, under mocks (no cloud, no credentials) |
| \`pulumi up --stack ${first}\` | deploys the environment (run \`pulumi stack init ${first}\` once) |
| \`npm run pipeline\` | rewrites the GitHub Actions workflows under \`.github/workflows/\` from \`platform.ts\` |

Per-stack settings live in \`Pulumi.<env>.yaml\` under \`switchyard:\`; both \`npm run synth\` and
\`pulumi up\` read them, and refuse a key they do not know. The platform declares its own keys
(\`domain\`, \`replicas\`) in \`platform.ts\`.

Before the first deploy, replace the placeholders in \`platform.ts\` and \`Pulumi.<env>.yaml\` (example
domains, documentation addresses and accounts) with your own, and set the repository secrets the
workflows name. The CrossGuard pack the workflows run is \`node_modules/switchyard/lib/pulumi/policy-pack\`.
`;
}

/** Every file of a new platform repository, relative paths, deterministic. @throws InvalidPropertyError */
export function scaffoldFiles(options: ScaffoldOptions): GeneratedFile[] {
  const o = resolveScaffoldOptions(options);
  return [
    { path: 'package.json', content: packageJson(o) },
    { path: 'tsconfig.json', content: TSCONFIG },
    { path: 'cdk8s.yaml', content: cdk8sYaml(o) },
    { path: 'Pulumi.yaml', content: pulumiYaml(o) },
    ...o.environments.map((env) => ({ path: `Pulumi.${env}.yaml`, content: stackYaml(o, env) })),
    { path: 'platform.ts', content: platformSource(o) },
    { path: 'main.ts', content: mainSource() },
    { path: 'pipeline.ts', content: pipelineSource() },
    { path: 'pulumi/index.ts', content: programSource(o) },
    { path: 'test/platform.test.ts', content: testSource(o) },
    { path: 'README.md', content: readme(o) },
    { path: '.gitignore', content: gitignore() },
  ];
}
