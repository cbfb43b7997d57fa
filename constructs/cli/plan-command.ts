import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Pulumi from '@pulumi/pulumi';
import { MissingPeerDependencyError } from '../core/optional';
import type { CliIo, ExitCode } from './io';
import { type PulumiProject, parsePulumiProject, parseStackConfig, REDACTED } from './pulumi-project';

/** The parts of the mock monitor's gRPC messages plan reads. */
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
}
type RegisterCallback = (error: unknown, response?: { getUrn(): string }) => void;
interface MonitorLike {
  registerResource(request: RegisterRequest, callback: RegisterCallback): unknown;
}

/** One resource the program registered, as plan reports it. */
export interface PlannedResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** URN of the parent; empty at the top. */
  readonly parent: string;
  /** Inputs with every secret replaced by '[secret]'. */
  readonly inputs: Record<string, unknown>;
}

// How Pulumi marks a secret value on the wire.
const SECRET_SIG = '4dabf18193072939515e22adb298388d';
const SECRET_VALUE = '1b47061264138c4ac30d75fd1eb44270';
// How Pulumi marks a value only known after apply (plan runs as a preview).
const UNKNOWN = '04da6b54-80e4-46f7-96ec-b56ff0331ba9';
/** What plan shows for a value known only once the resource exists. */
export const KNOWN_AFTER_APPLY = '[known after apply]';

/** The inputs with secrets replaced and unknown values marked, recursively. */
export function redact(value: unknown): unknown {
  if (value === UNKNOWN) return KNOWN_AFTER_APPLY;
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (o[SECRET_SIG] === SECRET_VALUE) return REDACTED;
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, redact(v)]));
  }
  return value;
}

const MAX_PARTS = 12;

/**
 * The inputs worth a line in the tree: scalars (multi-line text shown by its first line), sizes of lists,
 * and the scalars of nested objects as dotted keys (`connection.host=...`), at most {@link MAX_PARTS}.
 */
export function summary(inputs: Record<string, unknown>): string {
  const parts: string[] = [];
  const visit = (prefix: string, object: Record<string, unknown>, depth: number) => {
    for (const [key, value] of Object.entries(object)) {
      if (key.startsWith('__')) continue;
      const name = prefix ? `${prefix}.${key}` : key;
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
        const lines = String(value).split('\n');
        const first = lines[0]!.length > 60 ? `${lines[0]!.slice(0, 57)}...` : lines[0]!;
        parts.push(`${name}=${lines.length > 1 ? `${first} (+${lines.length - 1} lines)` : first}`);
      } else if (Array.isArray(value)) parts.push(`${name}=[${value.length}]`);
      else if (value && typeof value === 'object' && depth < 2)
        visit(name, value as Record<string, unknown>, depth + 1);
    }
  };
  visit('', inputs, 0);
  return parts.length > MAX_PARTS ? `${parts.slice(0, MAX_PARTS).join(' ')} ...` : parts.join(' ');
}

/** The resources as an indented tree under their parents. */
export function renderPlan(resources: readonly PlannedResource[]): string {
  const children = new Map<string, PlannedResource[]>();
  const urns = new Set(resources.map((r) => r.urn));
  for (const r of resources) {
    const parent = urns.has(r.parent) ? r.parent : '';
    children.set(parent, [...(children.get(parent) ?? []), r]);
  }
  const lines: string[] = [];
  const walk = (parent: string, depth: number) => {
    for (const r of children.get(parent) ?? []) {
      const detail = summary(r.inputs);
      lines.push(`${'  '.repeat(depth)}+ ${r.type} ${r.name}${detail ? `  (${detail})` : ''}`);
      walk(r.urn, depth + 1);
    }
  };
  walk('', 0);
  return `${lines.join('\n')}\n\n${resources.length} resource(s) to create\n`;
}

/** The file `name` in `from` or the nearest folder above it, as Node and tsc look; undefined when none. */
function nearest(from: string, name: string): string | undefined {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, name);
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * The type errors of the program `entry` and what it imports, under the nearest tsconfig.json and with the
 * project's own TypeScript, rendered as tsc prints them; undefined when there are none.
 * @throws Error naming the folder when TypeScript is not installed
 */
export function typeErrors(entry: string): string | undefined {
  const config = nearest(path.dirname(entry), 'tsconfig.json');
  let ts: typeof import('typescript');
  try {
    ts = createRequire(config ?? entry)('typescript');
  } catch {
    throw new Error(
      `${path.dirname(entry)}: TypeScript is not installed there (pass --no-typecheck to skip the check): npm install --save-dev typescript`,
    );
  }
  const read = config ? ts.readConfigFile(config, (file) => ts.sys.readFile(file)) : { config: {} };
  if (read.error) return ts.formatDiagnostics([read.error], formatHost(path.dirname(entry)));
  const base = config ? path.dirname(config) : path.dirname(entry);
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, base, { noEmit: true }, config);
  // Only the program's import graph, as the Pulumi CLI's ts-node checks what it loads (not every include).
  const diagnostics = parsed.errors.filter((d) => d.code !== 18003).length
    ? parsed.errors
    : ts.getPreEmitDiagnostics(ts.createProgram([entry], parsed.options));
  return diagnostics.length ? ts.formatDiagnostics(diagnostics, formatHost(base)) : undefined;
}

function formatHost(dir: string) {
  return { getCanonicalFileName: (f: string) => f, getCurrentDirectory: () => dir, getNewLine: () => '\n' };
}

/** `require` from the project in `dir`, then from this package: the project's own tools come first. */
function loaders(dir: string): NodeJS.Require[] {
  return [createRequire(path.resolve(dir, 'package.json')), createRequire(__filename)];
}

/**
 * ES module programs in TypeScript load through tsx's ESM hooks, imported by file (its CommonJS entry
 * cannot register them), from the project first.
 */
async function registerEsmTypeScript(dir: string): Promise<void> {
  for (const load of loaders(dir)) {
    let root: string;
    try {
      root = path.dirname(load.resolve('tsx/package.json'));
    } catch {
      continue;
    }
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      exports: Record<string, { import: { default: string } }>;
    };
    const api = (await import(pathToFileURL(path.join(root, manifest.exports['./esm/api']!.import.default)).href)) as {
      register(): unknown;
    };
    api.register();
    return;
  }
  throw new Error('the program is a TypeScript ES module and tsx is not installed: npm install --save-dev tsx');
}

/**
 * The @pulumi/pulumi the program in `dir` loads (its mocks must be the program's), else the one beside
 * this package. @throws MissingPeerDependencyError when neither is installed
 */
export function projectPulumi(dir: string): typeof Pulumi {
  for (const load of loaders(dir)) {
    try {
      return load('@pulumi/pulumi') as typeof Pulumi;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
    }
  }
  throw new MissingPeerDependencyError(['@pulumi/pulumi'], 'switchyard plan');
}

/** Whether Node loads `entry` as an ES module: `.mjs`/`.mts`, or `"type": "module"` in the nearest package.json. */
export function isEsm(entry: string): boolean {
  if (/\.m[jt]s$/.test(entry)) return true;
  if (/\.c[jt]s$/.test(entry)) return false;
  const manifest = nearest(path.dirname(entry), 'package.json');
  if (!manifest) return false;
  try {
    return (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { type?: unknown }).type === 'module';
  } catch {
    throw new Error(`${manifest}: not valid JSON`);
  }
}

// TypeScript programs load through tsx when installed, else ts-node (what the Pulumi CLI itself uses).
function registerTypeScript(dir: string): void {
  for (const register of loaders(dir).flatMap((load) => [
    () => load('tsx/cjs/api').register(),
    () => load('ts-node').register({ transpileOnly: true }),
  ])) {
    try {
      register();
      return;
    } catch {}
  }
  throw new Error('the program is TypeScript and neither tsx nor ts-node is installed: npm install --save-dev tsx');
}

function programEntry(dir: string, project: PulumiProject, io: CliIo): string {
  const main = path.resolve(dir, project.main);
  if (!io.isDirectory(main)) return main;
  for (const candidate of ['index.ts', 'index.js'])
    if (io.exists(path.join(main, candidate))) return path.join(main, candidate);
  throw new Error(`${path.join(dir, 'Pulumi.yaml')}: 'main' (${project.main}) has no index.ts or index.js`);
}

/** Waits until no registration has arrived for a while (the program's async work has settled). */
async function settled(count: () => number, quietMs = 300, limitMs = 60_000): Promise<void> {
  const start = Date.now();
  let last = -1;
  let since = Date.now();
  while (Date.now() - start < limitMs) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    if (count() !== last) {
      last = count();
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return;
  }
}

/**
 * `switchyard plan [DIR] --stack NAME [--json]`: runs the Pulumi program in DIR under mocks, with the config of
 * DIR/Pulumi.NAME.yaml, and prints what it would create. No Pulumi CLI, cloud or credentials; nothing is created.
 * Run it in its own process: it loads the program and installs Pulumi's mocks globally.
 */
export async function planCommand(
  dir: string,
  stack: string,
  json: boolean,
  io: CliIo,
  typeCheck = true,
): Promise<ExitCode> {
  let project: PulumiProject;
  let entry: string;
  let pulumi: typeof Pulumi;
  try {
    const projectFile = path.join(dir, 'Pulumi.yaml');
    if (!io.exists(projectFile)) throw new Error(`${projectFile}: not found; plan needs a Pulumi project folder`);
    project = parsePulumiProject(io.readFile(projectFile), projectFile);
    const stackFile = path.join(dir, `Pulumi.${stack}.yaml`);
    if (!io.exists(stackFile))
      throw new Error(`${stackFile}: not found; create the stack with 'pulumi stack init ${stack}'`);
    const config = parseStackConfig(io.readFile(stackFile), stackFile, project);
    entry = programEntry(dir, project, io);
    pulumi = projectPulumi(dir);
    pulumi.runtime.setAllConfig({ ...config.values }, [...config.secretKeys]);
  } catch (error) {
    io.stderr(`switchyard: ${(error as Error).message}\n`);
    return 2;
  }
  // As \`pulumi preview\` does for a TypeScript program: type errors stop the plan before anything runs.
  if (typeCheck && /\.[mc]?ts$/.test(entry)) {
    let problems: string | undefined;
    try {
      problems = typeErrors(entry);
    } catch (error) {
      io.stderr(`switchyard: ${(error as Error).message}\n`);
      return 2;
    }
    if (problems) {
      io.stderr(`switchyard: the program does not type-check (fix it, or pass --no-typecheck):\n${problems}`);
      return 1;
    }
  }
  const resources = new Map<string, PlannedResource>();
  pulumi.runtime.setMocks(
    {
      newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
      call: (args) => args.inputs,
    },
    project.name,
    stack,
    // A preview: outputs the mocks cannot know stay unknown, as in `pulumi preview`.
    true,
  );
  // The mock monitor sees each registration's parent and URN; the mocks' own callback does not.
  const monitor = (pulumi.runtime as unknown as { getMonitor(): MonitorLike }).getMonitor();
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (request, callback) =>
    register(request, (error, response) => {
      if (!error && response) {
        const urn = response.getUrn();
        resources.set(urn, {
          urn,
          type: request.getType(),
          name: request.getName(),
          parent: request.getParent(),
          inputs: redact(request.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
        });
      }
      callback(error, response);
    });
  const failures: unknown[] = [];
  const onRejection = (reason: unknown) => failures.push(reason);
  process.on('unhandledRejection', onRejection);
  try {
    if (isEsm(entry)) {
      if (/\.[mc]?ts$/.test(entry)) await registerEsmTypeScript(dir);
      await import(pathToFileURL(entry).href);
    } else {
      if (/\.[mc]?ts$/.test(entry)) registerTypeScript(dir);
      require(entry);
    }
    await settled(() => resources.size + failures.length);
  } catch (error) {
    failures.push(error);
  } finally {
    process.off('unhandledRejection', onRejection);
  }
  if (failures.length) {
    io.stderr(
      `switchyard: the program failed under plan (stack '${stack}'): ${(failures[0] as Error).message ?? String(failures[0])}\n`,
    );
    return 1;
  }
  const list = [...resources.values()];
  io.stdout(
    json
      ? `${JSON.stringify(list, null, 2)}\n`
      : `Plan for stack '${stack}' of project '${project.name}' (mocks; nothing is created):\n\n${renderPlan(list)}`,
  );
  return 0;
}
