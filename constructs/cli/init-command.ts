/**
 * `switchyard init [DIR]`: scaffolds a platform repository. Every file is rendered and checked first; the
 * folder must be empty (or `--force`); files are written into a staging folder beside DIR and moved in only
 * when all are written, so a failure leaves DIR as it was. Then `npm install` writes the lockfile.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InvalidPropertyError } from '../core/validate';
import { generateWorkflows } from '../pipeline/workflows';
import { type CliIo, type ExitCode, ownManifest } from './io';
import { type InitClusterKind, type InitController, resolveScaffoldOptions, scaffoldFiles } from './scaffold';
import { scaffoldPipelineProps } from './scaffold-pipeline';

/** Options of {@link initCommand}, as parsed from the command line. */
export interface InitOptions {
  readonly cluster?: string;
  readonly controller?: string;
  /** Comma-separated environment names. */
  readonly environments?: string;
  readonly module?: string;
  readonly name?: string;
  /** The switchyard dependency's spec in package.json (a version range, `file:` path or tarball). */
  readonly switchyard?: string;
  readonly force: boolean;
  readonly install: boolean;
}

/**
 * How the new repository should depend on this package: the way it was installed where init runs from. A
 * tarball or folder install (`npx --package ./switchyard-0.1.0.tgz switchyard init`, whose npx folder records
 * `file:...`) becomes that file, made absolute; a registry install `^version`; a source checkout the folder.
 * Never a bare range for a file install: an unrelated package of this name exists on the npm registry.
 */
export function installedSpec(packageRoot: string, version: string): string {
  const modules = path.dirname(packageRoot);
  if (path.basename(modules) !== 'node_modules') return `file:${packageRoot}`;
  const host = path.dirname(modules);
  let spec: unknown;
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(host, 'package.json'), 'utf8')) as Record<
      string,
      Record<string, unknown> | undefined
    >;
    spec = manifest.dependencies?.switchyard ?? manifest.devDependencies?.switchyard;
  } catch {
    spec = undefined;
  }
  if (typeof spec === 'string' && spec.startsWith('file:')) return `file:${path.resolve(host, spec.slice(5))}`;
  return `^${version}`;
}

/** Runs init; returns the exit code (0 done, 1 npm install failed, 2 bad options or folder). */
export function initCommand(dir: string, options: InitOptions, io: CliIo): ExitCode {
  const target = path.resolve(dir);
  let files: { path: string; content: string }[];
  try {
    const own = ownManifest();
    const scaffold = {
      name: options.name ?? path.basename(target).toLowerCase(),
      cluster: options.cluster as InitClusterKind | undefined,
      controller: options.controller as InitController | undefined,
      environments: options.environments?.split(',').map((e) => e.trim()),
      module: options.module as 'esm' | 'cjs' | undefined,
      switchyardSpec: options.switchyard ?? installedSpec(path.resolve(__dirname, '..', '..'), own.version),
      versions: { switchyard: own.version, pinned: own.devDependencies },
    };
    const resolved = resolveScaffoldOptions(scaffold);
    files = [...scaffoldFiles(scaffold), ...generateWorkflows(scaffoldPipelineProps(resolved))];
    checkTarget(target, options.force);
  } catch (error) {
    io.stderr(`switchyard init: ${(error as Error).message}\n`);
    return 2;
  }
  try {
    writeAll(target, files);
  } catch (error) {
    io.stderr(`switchyard init: nothing was written: ${(error as Error).message}\n`);
    return 2;
  }
  io.stdout(`Created ${files.length} files in ${target} (switchyard: ${scaffoldSpec(files)})\n`);
  if (options.install) {
    io.stdout('Running npm install (writes package-lock.json)...\n');
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const result = spawnSync(npm, ['install', '--no-audit', '--no-fund'], { cwd: target, stdio: 'inherit' });
    if (result.status !== 0) {
      io.stderr(
        `switchyard init: npm install failed in ${target}; the files are written: fix the cause, then run npm install there\n`,
      );
      return 1;
    }
  }
  const rel = path.relative(process.cwd(), target) || '.';
  io.stdout(
    `\nNext:\n${rel === '.' ? '' : `  cd ${rel}\n`}${options.install ? '' : '  npm install\n'}  npm test\n  npm run synth\n` +
      `  npx switchyard plan . --stack ${files.find((f) => f.path.startsWith('Pulumi.') && f.path !== 'Pulumi.yaml')?.path.slice(7, -5)}\n`,
  );
  return 0;
}

function scaffoldSpec(files: readonly { path: string; content: string }[]): string {
  const manifest = files.find((f) => f.path === 'package.json')!;
  return (JSON.parse(manifest.content) as { dependencies: Record<string, string> }).dependencies.switchyard!;
}

/** DIR is absent, an empty folder, or `--force` was given for a folder; never a file. */
function checkTarget(target: string, force: boolean): void {
  if (!fs.existsSync(target)) return;
  if (!fs.statSync(target).isDirectory()) {
    throw new InvalidPropertyError('DIR', `${target} is a file: name a new or empty folder`);
  }
  const entries = fs.readdirSync(target).filter((e) => e !== '.git');
  if (entries.length > 0 && !force) {
    throw new InvalidPropertyError(
      'DIR',
      `${target} is not empty (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', ...' : ''}): use an empty folder, or --force to write over the scaffold's files there`,
    );
  }
}

/** Writes every file into a staging folder beside the target, then moves them in. */
function writeAll(target: string, files: readonly { path: string; content: string }[]): void {
  const parent = path.dirname(target);
  fs.mkdirSync(parent, { recursive: true });
  const staging = fs.mkdtempSync(path.join(parent, `.${path.basename(target)}-init-`));
  try {
    for (const file of files) {
      const where = path.join(staging, file.path);
      fs.mkdirSync(path.dirname(where), { recursive: true });
      fs.writeFileSync(where, file.content);
    }
    for (const file of files) {
      const existing = path.join(target, file.path);
      if (fs.existsSync(existing) && fs.statSync(existing).isDirectory()) {
        throw new Error(`${existing} is a folder where init writes a file`);
      }
    }
    fs.mkdirSync(target, { recursive: true });
    for (const file of files) {
      const where = path.join(target, file.path);
      fs.mkdirSync(path.dirname(where), { recursive: true });
      fs.renameSync(path.join(staging, file.path), where);
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
