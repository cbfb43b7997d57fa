import * as path from 'node:path';
import * as pulumi from '@pulumi/pulumi';
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

// TypeScript programs load through tsx when installed, else ts-node (what the Pulumi CLI itself uses).
function registerTypeScript(): void {
  for (const register of [
    () => require('tsx/cjs/api').register(),
    () => require('ts-node').register({ transpileOnly: true }),
  ]) {
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
export async function planCommand(dir: string, stack: string, json: boolean, io: CliIo): Promise<ExitCode> {
  let project: PulumiProject;
  let entry: string;
  try {
    const projectFile = path.join(dir, 'Pulumi.yaml');
    if (!io.exists(projectFile)) throw new Error(`${projectFile}: not found; plan needs a Pulumi project folder`);
    project = parsePulumiProject(io.readFile(projectFile), projectFile);
    const stackFile = path.join(dir, `Pulumi.${stack}.yaml`);
    if (!io.exists(stackFile))
      throw new Error(`${stackFile}: not found; create the stack with 'pulumi stack init ${stack}'`);
    const config = parseStackConfig(io.readFile(stackFile), stackFile, project);
    entry = programEntry(dir, project, io);
    pulumi.runtime.setAllConfig({ ...config.values }, [...config.secretKeys]);
  } catch (error) {
    io.stderr(`switchyard: ${(error as Error).message}\n`);
    return 2;
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
    if (entry.endsWith('.ts')) registerTypeScript();
    require(entry);
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
