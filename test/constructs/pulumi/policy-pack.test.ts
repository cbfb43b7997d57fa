import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ResourceValidation, ResourceValidationArgs, ResourceValidationPolicy } from '@pulumi/policy';
import { ValidationContext } from 'cdk8s-cli/plugins';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { checkCommand } from '../../../constructs/cli/check-command';
import type { CliIo } from '../../../constructs/cli/io';
import { deployerBindingException, rbacAccessObjects } from '../../../constructs/cluster/access';
import { MissingPeerDependencyError, OPTIONAL_PEERS, requireOptional } from '../../../constructs/core/optional';
import { InvalidPropertyError } from '../../../constructs/core/validate';
import { GuardrailValidation } from '../../../constructs/guardrails/cdk8s-validation';
import { runGuardrails } from '../../../constructs/guardrails/engine';
import type { GuardrailOptions, Manifest } from '../../../constructs/guardrails/findings';
import { isSwitchyardDeployerBinding } from '../../../constructs/guardrails/rules/secrets-rbac';
import {
  GUARDRAILS_PROFILE_VARIABLE,
  type GuardrailResourcePolicy,
  type GuardrailStackPolicy,
  guardrailPolicies,
  POLICY_PACK_NAME,
  policyPackOptions,
} from '../../../constructs/pulumi/crossguard';
import { scratchConsumer } from '../../helpers/scratch-consumer';

const root = path.resolve(__dirname, '../../..');
const lib = path.join(root, 'lib');
const requireHere = createRequire(__filename);

const CLUSTER = 'dev-cluster';
const ACCESS = { deployer: 'Group:deployers', readers: ['Group:devs'] };
/** What the package's own cluster access creates: the deployer binding (cluster-admin) and the readers' (view). */
const ACCESS_OBJECTS = rbacAccessObjects(CLUSTER, ACCESS) as Manifest[];
const DEPLOYER = ACCESS_OBJECTS[0]!;
const TYPE = 'kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding';

type Json = Record<string, unknown>;
/** The deployer binding with `change` applied to a deep copy. */
function variant(change: (b: Json & { metadata: Json & { labels: Json }; roleRef: Json; subjects: Json[] }) => void) {
  const copy = structuredClone(DEPLOYER) as never;
  change(copy);
  return copy as Manifest;
}

/** The objects the RBAC rule reports, through the CrossGuard resource policy. */
function crossGuardFlags(objects: readonly Manifest[], options: GuardrailOptions = {}): string[] {
  const policy = guardrailPolicies(options).find((p) => p.name === 'switchyard-rbac-least-privilege') as
    | GuardrailResourcePolicy
    | undefined;
  const flagged: string[] = [];
  for (const o of objects) {
    // The RBAC objects are in a named API group: Pulumi types them kubernetes:<apiVersion>:<kind>.
    const type = `kubernetes:${String(o.apiVersion)}:${String(o.kind)}`;
    policy!.validateResource({ type, props: o }, (m) => flagged.push(m.split(' ')[0]!));
  }
  return flagged;
}

/** The objects the RBAC rule reports, as `switchyard check` and the cdk8s plugin run it. */
function ruleFlags(objects: readonly Manifest[], options: GuardrailOptions = {}): string[] {
  return runGuardrails(objects, options)
    .filter((f) => f.rule === 'rbac-least-privilege')
    .map((f) => f.object);
}

describe("the deployer binding of Switchyard's cluster access", () => {
  it('passes the CrossGuard policies and the guardrails with default options, in both profiles', () => {
    for (const profile of ['standard', 'production'] as const) {
      expect(crossGuardFlags(ACCESS_OBJECTS, { profile })).toEqual([]);
      expect(ruleFlags(ACCESS_OBJECTS, { profile })).toEqual([]);
    }
    expect(isSwitchyardDeployerBinding(DEPLOYER)).toBe(true);
    // Every deploy identity format Kubernetes RBAC clusters accept.
    for (const deployer of ['User:ci', 'ServiceAccount:ci/deployer']) {
      expect(isSwitchyardDeployerBinding(rbacAccessObjects('lab', { deployer })[0] as Manifest), deployer).toBe(true);
    }
  });

  it.each<[string, Manifest]>([
    [
      'two subjects',
      variant((b) => {
        b.subjects.push({ kind: 'Group', name: 'others', apiGroup: 'rbac.authorization.k8s.io' });
      }),
    ],
    [
      'no subject',
      variant((b) => {
        b.subjects = [];
      }),
    ],
    [
      'another name',
      variant((b) => {
        b.metadata.name = 'switchyard-dev-cluster-admin';
      }),
    ],
    [
      'a name of another cluster than its part-of label',
      variant((b) => {
        b.metadata.name = 'switchyard-prod-cluster-deployer';
      }),
    ],
    [
      'a part-of label of another cluster than its name',
      variant((b) => {
        b.metadata.labels['app.kubernetes.io/part-of'] = 'prod-cluster';
      }),
    ],
    [
      'no part-of label',
      variant((b) => {
        delete b.metadata.labels['app.kubernetes.io/part-of'];
      }),
    ],
    [
      'another manager',
      variant((b) => {
        b.metadata.labels['app.kubernetes.io/managed-by'] = 'Helm';
      }),
    ],
    [
      'a RoleBinding of the same shape',
      variant((b) => {
        b.kind = 'RoleBinding';
        b.metadata.namespace = 'default';
      }),
    ],
    [
      'a roleRef of another kind',
      variant((b) => {
        b.roleRef.kind = 'Role';
      }),
    ],
    [
      'a roleRef of another API group',
      variant((b) => {
        b.roleRef.apiGroup = 'example.com';
      }),
    ],
  ])('is refused with %s when bound to cluster-admin', (_what, binding) => {
    expect(isSwitchyardDeployerBinding(binding)).toBe(false);
    expect(crossGuardFlags([binding])).toHaveLength(1);
    expect(ruleFlags([binding])).toHaveLength(1);
  });

  it('with another role than cluster-admin is no cluster-admin binding at all: the rule has nothing to say', () => {
    const edit = variant((b) => {
      b.roleRef.name = 'edit';
    });
    expect(isSwitchyardDeployerBinding(edit)).toBe(false);
    expect(crossGuardFlags([edit])).toEqual([]);
  });

  it('is refused with allowSwitchyardDeployers: false, and deployerBindingException still accepts it then', () => {
    const strict = { allowSwitchyardDeployers: false };
    expect(crossGuardFlags(ACCESS_OBJECTS, strict)).toEqual([`ClusterRoleBinding/switchyard-${CLUSTER}-deployer`]);
    expect(ruleFlags(ACCESS_OBJECTS, strict)).toEqual([`ClusterRoleBinding/switchyard-${CLUSTER}-deployer`]);
    const excepted = { ...strict, exceptions: [deployerBindingException(CLUSTER)] };
    expect(crossGuardFlags(ACCESS_OBJECTS, excepted)).toEqual([]);
    expect(ruleFlags(ACCESS_OBJECTS, excepted)).toEqual([]);
  });

  it('refuses an allowSwitchyardDeployers that is not a boolean, naming it', () => {
    expect(() => guardrailPolicies({ allowSwitchyardDeployers: 'no' as never })).toThrow(/allowSwitchyardDeployers/);
    expect(() => runGuardrails([], { allowSwitchyardDeployers: 1 as never })).toThrow(InvalidPropertyError);
  });

  it('gets the same verdict from the cdk8s plugin and from switchyard check', async () => {
    const other = variant((b) => {
      b.metadata.name = 'ops-admin';
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-deployer-'));
    try {
      const write = (name: string, objects: readonly Manifest[]) => {
        fs.mkdirSync(path.join(dir, name));
        const file = path.join(dir, name, 'access.k8s.yaml');
        fs.writeFileSync(file, objects.map((o) => stringify(o)).join('---\n'));
        return file;
      };
      const own = write('own', ACCESS_OBJECTS);
      const foreign = write('foreign', [other]);
      const plugin = async (file: string, props = {}) => {
        const context = new ValidationContext([file], 'switchyard-guardrails', '0.0.0', {}, false);
        (context.logger as { log: (m: string) => void }).log = () => {};
        await new GuardrailValidation({ profile: 'production', ...props }).validate(context);
        return context.report.success;
      };
      expect(await plugin(own)).toBe(true);
      expect(await plugin(foreign)).toBe(false);
      expect(await plugin(own, { allowSwitchyardDeployers: false })).toBe(false);

      const out: string[] = [];
      const io: CliIo = {
        readFile: (p) => fs.readFileSync(p, 'utf8'),
        writeFile: () => {
          throw new Error('check writes nothing');
        },
        listDir: (p) => fs.readdirSync(p),
        exists: (p) => fs.existsSync(p),
        isDirectory: (p) => fs.statSync(p).isDirectory(),
        stdout: (t) => out.push(t),
        stderr: (t) => out.push(t),
      };
      expect(await checkCommand([own], { profile: 'production' }, io)).toBe(0);
      expect(await checkCommand([foreign], { profile: 'production' }, io)).toBe(1);
      expect(out.join('')).toContain('ClusterRoleBinding/ops-admin');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('policyPackOptions (the profile of the package pack)', () => {
  it('is production unless SWITCHYARD_GUARDRAILS_PROFILE says standard', () => {
    expect(GUARDRAILS_PROFILE_VARIABLE).toBe('SWITCHYARD_GUARDRAILS_PROFILE');
    expect(policyPackOptions({})).toEqual({ profile: 'production' });
    expect(policyPackOptions({ SWITCHYARD_GUARDRAILS_PROFILE: 'standard' })).toEqual({ profile: 'standard' });
    expect(policyPackOptions({ SWITCHYARD_GUARDRAILS_PROFILE: 'production' })).toEqual({ profile: 'production' });
  });

  it.each(['', 'prod', 'Standard', ' production'])('refuses %j, naming the variable and the values', (value) => {
    const attempt = () => policyPackOptions({ SWITCHYARD_GUARDRAILS_PROFILE: value });
    expect(attempt).toThrow(InvalidPropertyError);
    expect(attempt).toThrow(
      `SWITCHYARD_GUARDRAILS_PROFILE must be 'standard' or 'production', got ${JSON.stringify(value)}`,
    );
  });
});

type Served = { name: string; args: { policies: (GuardrailResourcePolicy | GuardrailStackPolicy)[] } };

describe('the pack entry (constructs/pulumi/policy-pack/index.ts) with a stand-in PolicyPack', () => {
  // The entry loads @pulumi/policy with require (through requireOptional), which vi.mock does not reach: the
  // stand-in goes into Node's module cache instead. The real PolicyPack would start a gRPC server.
  const id = requireHere.resolve('@pulumi/policy');
  const served: Served[] = [];
  let saved: NodeJS.Module | undefined;
  let savedProfile: string | undefined;
  beforeAll(() => {
    saved = requireHere.cache[id];
    requireHere.cache[id] = {
      id,
      filename: id,
      loaded: true,
      exports: {
        PolicyPack: class {
          public constructor(name: string, args: Served['args']) {
            served.push({ name, args });
          }
        },
      },
    } as unknown as NodeJS.Module;
    savedProfile = process.env[GUARDRAILS_PROFILE_VARIABLE];
  });
  afterAll(() => {
    if (saved) requireHere.cache[id] = saved;
    else delete requireHere.cache[id];
  });
  beforeEach(() => {
    served.length = 0;
    vi.resetModules();
  });
  afterEach(() => {
    if (savedProfile === undefined) delete process.env[GUARDRAILS_PROFILE_VARIABLE];
    else process.env[GUARDRAILS_PROFILE_VARIABLE] = savedProfile;
  });

  async function load(profile: string | undefined): Promise<void> {
    if (profile === undefined) delete process.env[GUARDRAILS_PROFILE_VARIABLE];
    else process.env[GUARDRAILS_PROFILE_VARIABLE] = profile;
    await import('../../../constructs/pulumi/policy-pack/index');
  }

  const levels = (policies: Served['args']['policies']) =>
    policies.map((p) => [p.name, p.enforcementLevel, p.severity]);

  it('serves switchyard-guardrails with the production policies by default', async () => {
    await load(undefined);
    expect(served).toHaveLength(1);
    expect(served[0]!.name).toBe(POLICY_PACK_NAME);
    expect(POLICY_PACK_NAME).toBe('switchyard-guardrails');
    expect(levels(served[0]!.args.policies)).toEqual(levels(guardrailPolicies({ profile: 'production' })));
    expect(served[0]!.args.policies.find((p) => p.name === 'switchyard-image-digest')).toMatchObject({
      enforcementLevel: 'advisory',
      severity: 'medium',
    });
  });

  it('serves the standard profile when the variable says so', async () => {
    await load('standard');
    expect(levels(served[0]!.args.policies)).toEqual(levels(guardrailPolicies({ profile: 'standard' })));
    expect(served[0]!.args.policies.find((p) => p.name === 'switchyard-image-digest')).toMatchObject({
      severity: 'low',
    });
  });

  it("serves policies that accept the package's own deployer binding and refuse another cluster-admin binding", async () => {
    await load(undefined);
    const rbac = served[0]!.args.policies.find((p) => p.name === 'switchyard-rbac-least-privilege') as unknown as
      | ResourceValidationPolicy
      | undefined;
    const check = (props: Manifest) => {
      const found: string[] = [];
      (rbac!.validateResource as ResourceValidation)(
        { type: TYPE, props, urn: 'urn:x', name: 'x' } as unknown as ResourceValidationArgs,
        (m: string) => found.push(m),
      );
      return found;
    };
    expect(check(DEPLOYER)).toEqual([]);
    expect(check(variant((b) => b.subjects.push({ kind: 'User', name: 'eve' })))).toHaveLength(1);
  });

  it('refuses a bad profile variable, naming it, before serving anything', async () => {
    await expect(load('strict')).rejects.toThrow(/SWITCHYARD_GUARDRAILS_PROFILE must be 'standard' or 'production'/);
    expect(served).toEqual([]);
  });
});

describe('@pulumi/policy as an optional peer', () => {
  it('is named with its range when missing', () => {
    expect(OPTIONAL_PEERS['@pulumi/policy']).toBe('^1.21.0');
    const missing = Object.assign(
      (id: string) => {
        throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
      },
      { resolve: (id: string) => id },
    );
    const attempt = () => requireOptional('@pulumi/policy', "switchyard's CrossGuard pack", missing);
    expect(attempt).toThrow(MissingPeerDependencyError);
    expect(attempt).toThrow(
      "switchyard's CrossGuard pack needs @pulumi/policy (optional peer dependencies of switchyard): " +
        'npm install @pulumi/policy@^1.21.0',
    );
  });
});

// --- The built pack, run the way the Pulumi CLI runs a Node.js policy pack -----------------------------------

const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
  files: string[];
};
const scratch: string[] = [];

/** A consumer project of the module type with `packages` installed; returns the pack folder it names. */
function consumer(type: 'commonjs' | 'module', packages: readonly string[]): string {
  const dir = scratchConsumer(packages, { type, prefix: 'switchyard-pack-' });
  scratch.push(dir);
  return path.join(dir, 'node_modules', 'switchyard', 'lib', 'pulumi', 'policy-pack');
}

/**
 * The command line of Pulumi's `pulumi-analyzer-policy` script: in the pack folder, resolve
 * @pulumi/pulumi/cmd/run-policy-pack and run it with node, the engine address and `.`.
 */
function analyzerArgs(pack: string): string[] {
  const runner = execFileSync(
    process.execPath,
    ['-e', "console.log(require.resolve('@pulumi/pulumi/cmd/run-policy-pack'))"],
    { cwd: pack, encoding: 'utf8' },
  ).trim();
  return [runner, '127.0.0.1:0', '.'];
}

function environment(profile?: string): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env[GUARDRAILS_PROFILE_VARIABLE];
  return profile === undefined ? env : { ...env, [GUARDRAILS_PROFILE_VARIABLE]: profile };
}

/** Starts the pack as the CLI does and resolves with the port it serves on (the first line it prints). */
function serve(pack: string, children: ChildProcess[]): Promise<number> {
  const child = spawn(process.execPath, analyzerArgs(pack), { cwd: pack, env: environment() });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = /^(\d+)\n/.exec(out);
      if (line) resolve(Number(line[1]));
    });
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('exit', (code) => reject(new Error(`the pack exited with ${code} before serving: ${err}${out}`)));
  });
}

interface Rpc {
  getAnalyzerInfo(request: unknown, done: (e: Error | null, r: AnalyzerInfo) => void): void;
  analyze(request: unknown, done: (e: Error | null, r: { getDiagnosticsList(): Diagnostic[] }) => void): void;
  close(): void;
}
interface AnalyzerInfo {
  getName(): string;
  getVersion(): string;
  getPoliciesList(): { getName(): string; getEnforcementlevel(): number }[];
}
interface Diagnostic {
  getPolicyname(): string;
  getMessage(): string;
  getEnforcementlevel(): number;
}

/** A client of the pack's gRPC service, as the Pulumi engine talks to it. */
function client(port: number) {
  const grpc = requireHere('@grpc/grpc-js');
  const { AnalyzerClient } = requireHere('@pulumi/pulumi/proto/analyzer_grpc_pb');
  const { AnalyzeRequest, AnalyzerResourceOptions } = requireHere('@pulumi/pulumi/proto/analyzer_pb');
  const { Empty } = requireHere('google-protobuf/google/protobuf/empty_pb');
  const { Struct } = requireHere('google-protobuf/google/protobuf/struct_pb');
  const rpc = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as Rpc;
  const call = <T>(method: (request: unknown, done: (e: Error | null, r: T) => void) => void, request: unknown) =>
    new Promise<T>((resolve, reject) => method.call(rpc, request, (e, r) => (e ? reject(e) : resolve(r))));
  return {
    info: () => call(rpc.getAnalyzerInfo, new Empty()),
    analyze: async (object: Manifest) => {
      const request = new AnalyzeRequest();
      request.setType(TYPE);
      request.setUrn(`urn:pulumi:dev::platform::${TYPE}::${String(object.metadata?.name)}`);
      request.setName(String(object.metadata?.name));
      request.setProperties(Struct.fromJavaScript(object));
      request.setOptions(new AnalyzerResourceOptions());
      return (await call(rpc.analyze, request)).getDiagnosticsList().map((d) => d.getPolicyname());
    },
    close: () => rpc.close(),
  };
}

// lib/ is built by `npm ci` (the prepare script), as for every published-package test.
describe.skipIf(!fs.existsSync(path.join(lib, 'index.js')))('the built pack, lib/pulumi/policy-pack', () => {
  const pack = path.join(lib, 'pulumi', 'policy-pack');
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) child.kill();
    for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('holds index.js, the PulumiPolicy.yaml of the sources and a CommonJS package.json with the version', () => {
    expect(fs.existsSync(path.join(pack, 'index.js'))).toBe(true);
    expect(fs.readFileSync(path.join(pack, 'PulumiPolicy.yaml'), 'utf8')).toBe(
      fs.readFileSync(path.join(root, 'constructs/pulumi/policy-pack/PulumiPolicy.yaml'), 'utf8'),
    );
    expect(fs.readFileSync(path.join(pack, 'PulumiPolicy.yaml'), 'utf8')).toMatch(/^runtime: nodejs$/m);
    expect(JSON.parse(fs.readFileSync(path.join(pack, 'package.json'), 'utf8'))).toEqual({
      name: POLICY_PACK_NAME,
      version: manifest.version,
      private: true,
      type: 'commonjs',
      main: 'index.js',
    });
  });

  it('is in the published files', () => {
    const [packed] = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' }),
    ) as { files: { path: string }[] }[];
    const files = packed!.files.map((f) => f.path);
    for (const file of ['index.js', 'PulumiPolicy.yaml', 'package.json']) {
      expect(files).toContain(`lib/pulumi/policy-pack/${file}`);
    }
  });

  it.each(['commonjs', 'module'] as const)(
    'serves its policies to the engine from a %s project, and judges bindings as the rules do',
    async (type) => {
      const rpc = client(await serve(consumer(type, ['@pulumi/pulumi', '@pulumi/policy']), children));
      try {
        const info = await rpc.info();
        expect(info.getName()).toBe(POLICY_PACK_NAME);
        expect(info.getVersion()).toBe(manifest.version);
        expect(info.getPoliciesList().map((p) => p.getName())).toEqual(
          guardrailPolicies({ profile: 'production' }).map((p) => p.name),
        );
        expect(await rpc.analyze(DEPLOYER)).toEqual([]);
        const other = variant((b) => {
          b.metadata.name = 'ops-admin';
        });
        expect(await rpc.analyze(other)).toEqual(['switchyard-rbac-least-privilege']);
      } finally {
        rpc.close();
      }
    },
  );

  it('without @pulumi/policy, names it and the install command', () => {
    const project = consumer('module', ['@pulumi/pulumi']);
    const run = spawnSync(process.execPath, analyzerArgs(project), {
      cwd: project,
      env: environment(),
      encoding: 'utf8',
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(
      "MissingPeerDependencyError: switchyard's CrossGuard pack (lib/pulumi/policy-pack) needs @pulumi/policy " +
        '(optional peer dependencies of switchyard): npm install @pulumi/policy@^1.21.0',
    );
  });

  it('with a bad profile variable, names the variable', () => {
    const project = consumer('commonjs', ['@pulumi/pulumi', '@pulumi/policy']);
    const run = spawnSync(process.execPath, analyzerArgs(project), {
      cwd: project,
      env: environment('prod'),
      encoding: 'utf8',
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(`SWITCHYARD_GUARDRAILS_PROFILE must be 'standard' or 'production', got "prod"`);
  });
});
