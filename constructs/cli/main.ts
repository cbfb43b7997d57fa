#!/usr/bin/env node
/**
 * The `switchyard` command line. The one place in the package that reads files and writes to the
 * terminal: everything it calls is pure.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Severity } from '../guardrails/findings';
import { checkCommand } from './check-command';
import { importNginxCommand } from './import-nginx-command';
import { type CliIo, type ExitCode, ownManifest, parseArgs } from './io';
import { routesCommand } from './routes-command';

export type { CliIo, ExitCode } from './io';

/** Each command's usage lines. */
const COMMANDS: Readonly<Record<string, string>> = {
  'import-nginx': `  import-nginx FILE... [--json]
                Read ingress-nginx Ingress manifests (YAML, several documents per file) and print
                routing policies as a TypeScript module (or JSON with --json). What could not be
                carried over is reported on stderr; nothing is printed when nothing was imported.`,
  check: `  check PATH... [--profile standard|production] [--fail-on danger|warning|info]
        [--allow-registries R,...] [--json]
                Validate each object against its schema and run the guardrails (Pod Security restricted, pinned images, resources, probes, HA,
                secrets, RBAC, and routing rules from routing.json) over manifest files or folders.
                Exits 1 when a finding is at least as bad as --fail-on (default danger).`,
  init: `  init [DIR] [--cluster existing|bare-metal|vm|eks|gke|aks] [--controller envoy-gateway|traefik|haproxy|contour|ingress-nginx]
       [--environments dev,staging,prod] [--module esm|cjs] [--name NAME] [--switchyard SPEC] [--force] [--no-install]
                Scaffold a platform repository in DIR (default .): package.json, tsconfig.json, cdk8s.yaml with
                the guardrails plugin, Pulumi.yaml and Pulumi.<env>.yaml, platform.ts, a test, the workflows
                and a README; then npm install. Refuses a non-empty DIR unless --force; writes nothing on error.`,
  plan: `  plan [DIR] --stack NAME [--json] [--no-typecheck]
                Type-check the Pulumi program in DIR (default .) as pulumi preview does (unless
                --no-typecheck), run it under mocks with the config of DIR/Pulumi.NAME.yaml and print
                the resources it would create, as a tree (type, name, key inputs; secrets redacted).
                Needs no Pulumi CLI, cloud or credentials.`,
  routes: `  routes [ENV...] [--dist DIR] [--json]
                Print each environment's route table (host, match, backends and weights, features,
                dialect) from DIR/<env>/routing.json, written by synth, and write the Mermaid route
                map DIR/<env>/routes.md. DIR defaults to dist; ENV defaults to every environment.`,
};

const USAGE = `usage: switchyard <command> [options]
       switchyard --help | --version

${Object.values(COMMANDS).join('\n')}

Every command takes -h/--help. Exit codes: 0 done, 1 the command found a problem, 2 usage or input error.`;

function usageError(io: CliIo, problem?: string): ExitCode {
  io.stderr(`${problem ? `switchyard: ${problem}\n` : ''}${USAGE}\n`);
  return 2;
}

/** Runs the command; returns the process exit code (0 done, 1 the command failed, 2 usage or input error). */
export async function run(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const [command, ...rest] = argv;
  if (command === undefined) return usageError(io, 'a command is needed');
  if (command === '--help' || command === '-h' || command === 'help') {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  if (command === '--version') {
    io.stdout(`${ownManifest().version}\n`);
    return 0;
  }
  const usage = COMMANDS[command];
  if (usage && (rest.includes('--help') || rest.includes('-h'))) {
    io.stdout(`usage: switchyard ${usage.trimStart()}\n`);
    return 0;
  }
  if (command === 'import-nginx') {
    const args = parseArgs(rest, ['--json'], []);
    if (typeof args === 'string') return usageError(io, args);
    if (args.positional.length === 0) return usageError(io, 'import-nginx needs at least one FILE');
    return importNginxCommand(args.positional, args.flags.has('--json'), io);
  }
  if (command === 'check') {
    const args = parseArgs(rest, ['--json'], ['--profile', '--fail-on', '--allow-registries']);
    if (typeof args === 'string') return usageError(io, args);
    if (args.positional.length === 0) return usageError(io, 'check needs at least one PATH');
    const registries = args.options.get('--allow-registries');
    try {
      return await checkCommand(
        args.positional,
        {
          profile: args.options.get('--profile') as 'standard' | 'production' | undefined,
          failOn: args.options.get('--fail-on') as Severity | undefined,
          allowedRegistries: registries?.split(',').filter(Boolean),
          json: args.flags.has('--json'),
        },
        io,
      );
    } catch (error) {
      return usageError(io, (error as Error).message);
    }
  }
  if (command === 'init') {
    const args = parseArgs(
      rest,
      ['--force', '--no-install'],
      ['--cluster', '--controller', '--environments', '--module', '--name', '--switchyard'],
    );
    if (typeof args === 'string') return usageError(io, args);
    if (args.positional.length > 1) return usageError(io, 'init takes one folder');
    const { initCommand } = await import('./init-command.js');
    const option = (name: string) => args.options.get(name);
    return initCommand(
      args.positional[0] ?? '.',
      {
        cluster: option('--cluster'),
        controller: option('--controller'),
        environments: option('--environments'),
        module: option('--module'),
        name: option('--name'),
        switchyard: option('--switchyard'),
        force: args.flags.has('--force'),
        install: !args.flags.has('--no-install'),
      },
      io,
    );
  }
  if (command === 'plan') {
    const args = parseArgs(rest, ['--json', '--no-typecheck'], ['--stack']);
    if (typeof args === 'string') return usageError(io, args);
    const stack = args.options.get('--stack');
    if (!stack) return usageError(io, 'plan needs --stack NAME (dev, staging, prod, ...)');
    if (args.positional.length > 1) return usageError(io, 'plan takes one project folder');
    // Loaded only here: plan needs @pulumi/pulumi, the other commands run without it.
    const { planCommand } = await import('./plan-command.js');
    return await planCommand(
      args.positional[0] ?? '.',
      stack,
      args.flags.has('--json'),
      io,
      !args.flags.has('--no-typecheck'),
    );
  }
  if (command === 'routes') {
    const args = parseArgs(rest, ['--json'], ['--dist']);
    if (typeof args === 'string') return usageError(io, args);
    return routesCommand(args.positional, args.options.get('--dist') ?? 'dist', args.flags.has('--json'), io);
  }
  return usageError(io, `unknown command '${command}'`);
}

/** The real process's I/O. */
export const PROCESS_IO: CliIo = {
  readFile: (file) => {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch (error) {
      // Never a raw ENOENT/EISDIR: say which file and what is wrong with it.
      const code = (error as NodeJS.ErrnoException).code;
      const problem =
        code === 'ENOENT'
          ? 'no such file'
          : code === 'EISDIR'
            ? 'is a folder, not a file'
            : code === 'EACCES'
              ? 'cannot be read (permission denied)'
              : (error as Error).message;
      throw new Error(`${file}: ${problem}`);
    }
  },
  writeFile: (file, text) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  },
  listDir: (dir) => (fs.existsSync(dir) ? fs.readdirSync(dir) : []),
  exists: (file) => fs.existsSync(file),
  isDirectory: (file) => fs.existsSync(file) && fs.statSync(file).isDirectory(),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

if (require.main === module) {
  run(process.argv.slice(2), PROCESS_IO).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`switchyard: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 2;
    },
  );
}
