/**
 * The platform's file side, for programs and the CLI (the platform model itself reads no files):
 * `synthPlatform` writes every environment into `<outdir>/<env>/` in apply order, with `routing.json` and
 * `routes.md` beside the manifests, after the guardrails passed. Every environment is built and checked
 * before anything is written, and each folder is replaced whole, so a failure leaves the old output.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { firstDuplicate, InvalidPropertyError, show, within } from '../core/validate';
import { GUARDRAILS_FILE } from '../guardrails/cdk8s-validation';
import { isBlocking, renderFindings, runGuardrails } from '../guardrails/engine';
import type { Finding } from '../guardrails/findings';
import type { Platform } from '../platform/define';
import { environmentApp, routingSnapshot } from '../platform/environment-app';
import type { StackSettingSpec, StackSettings } from '../platform/model';
import { platformPipeline } from '../platform/pipeline';
import { stackSettingsFromText } from '../platform/stack-settings';
import type { KubeObject } from '../routing';
import { ROUTE_MAP_FILE, ROUTING_SNAPSHOT_FILE, renderRouteMap } from '../routing/route-map';
import { parsePulumiProject } from './pulumi-project';

/** Options of {@link synthPlatform}. */
export interface SynthPlatformOptions {
  /**
   * Folder the environments are written under, one subfolder each.
   * @default - `CDK8S_OUTDIR` (set by `cdk8s synth`), else 'dist'
   */
  readonly outdir?: string;
  /**
   * Folder of Pulumi.yaml and the Pulumi.<env>.yaml stack files whose settings apply.
   * @default - the current directory
   */
  readonly root?: string;
  /**
   * Only these environments.
   * @default - all of them
   */
  readonly environments?: readonly string[];
}

/** What {@link synthPlatform} wrote for one environment. */
export interface SynthesizedEnvironment {
  readonly name: string;
  /** The folder written. */
  readonly dir: string;
  /** File names in it: the manifests in apply order, then guardrails.json, routing.json and routes.md. */
  readonly files: readonly string[];
  /** Every guardrail finding, worst first (none blocking, or synth would have failed). */
  readonly findings: readonly Finding[];
}

/** Guardrail findings at or above the platform's `failOn`; the message is the readable report. */
export class GuardrailViolationError extends Error {
  public constructor(
    public readonly environment: string,
    public readonly findings: readonly Finding[],
  ) {
    super(`guardrails failed for environment ${environment}:\n${renderFindings(findings)}`);
    this.name = 'GuardrailViolationError';
  }
}

/**
 * Writes every environment of `platform` under `outdir` (see the module comment).
 * @throws InvalidPropertyError for a bad definition or stack setting, GuardrailViolationError for findings
 */
export function synthPlatform(platform: Platform, options: SynthPlatformOptions = {}): SynthesizedEnvironment[] {
  const outdir = path.resolve(options.outdir ?? process.env.CDK8S_OUTDIR ?? 'dist');
  const root = path.resolve(options.root ?? '.');
  const names = options.environments ?? platform.environments.map((e) => e.name);
  for (const name of names) platform.environment(name);
  const twice = firstDuplicate(names);
  if (twice !== undefined) {
    throw new InvalidPropertyError('environments', `'environments' names ${show(twice)} twice: list each once`);
  }
  const failOn = platform.definition.failOn ?? 'danger';

  const staging = fs.mkdtempSync(path.join(ensureDir(outdir), '.switchyard-'));
  try {
    const built = names.map((name) => {
      const settings = readStackSettings(root, name, platform.definition.settings);
      const env = platform.configured(name, settings, path.join(root, `Pulumi.${name}.yaml`));
      const app = environmentApp(env, staging);
      const objects = app.charts.flatMap((chart) => chart.toJson() as KubeObject[]);
      const snapshot = routingSnapshot(env);
      const findings =
        failOn === false
          ? []
          : within(`environments.${name}.guardrails`, () =>
              runGuardrails(objects, env.guardrails, snapshot.policies, snapshot.target),
            );
      if (failOn !== false && isBlocking(findings, failOn)) {
        throw new GuardrailViolationError(
          name,
          findings.filter((f) => isBlocking([f], failOn)),
        );
      }
      return { name, app, snapshot, findings, guardrails: env.guardrails ?? {} };
    });
    for (const { name, app, snapshot, guardrails } of built) {
      app.synth();
      const dir = path.join(staging, name);
      // The options these objects were checked with, so the cdk8s plugin checks them the same way.
      fs.writeFileSync(path.join(dir, GUARDRAILS_FILE), `${JSON.stringify(guardrails, null, 2)}\n`);
      fs.writeFileSync(path.join(dir, ROUTING_SNAPSHOT_FILE), `${JSON.stringify(snapshot, null, 2)}\n`);
      fs.writeFileSync(path.join(dir, ROUTE_MAP_FILE), renderRouteMap(snapshot));
    }
    // Everything synthesized: only now replace the previous output, one folder per environment.
    return built.map(({ name, findings }) => {
      const target = path.join(outdir, name);
      fs.rmSync(target, { recursive: true, force: true });
      fs.renameSync(path.join(staging, name), target);
      const files = fs.readdirSync(target).sort((a, b) => order(a) - order(b) || (a < b ? -1 : 1));
      return { name, dir: target, files, findings };
    });
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** Manifests first, then the guardrail options, the routing snapshot and the route map. */
function order(file: string): number {
  return [GUARDRAILS_FILE, ROUTING_SNAPSHOT_FILE, ROUTE_MAP_FILE].indexOf(file) + 1;
}

function ensureDir(dir: string): string {
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) {
    throw new InvalidPropertyError('outdir', `'outdir' (${show(dir)}) is a file: name a folder synth may write into`);
  }
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Reads `Pulumi.<stack>.yaml` under `root` (the folder of Pulumi.yaml) the way the Pulumi CLI would, for
 * synth; a missing stack file means no settings.
 * @throws InvalidPropertyError naming the key and the file
 */
export function readStackSettings(
  root: string,
  stack: string,
  custom: Readonly<Record<string, StackSettingSpec>> = {},
): StackSettings {
  const projectFile = path.join(root, 'Pulumi.yaml');
  if (!fs.existsSync(projectFile)) {
    throw new InvalidPropertyError('root', `${projectFile} does not exist: pass the folder that holds Pulumi.yaml`);
  }
  const project = parsePulumiProject(fs.readFileSync(projectFile, 'utf8'), projectFile);
  const file = path.join(root, `Pulumi.${stack}.yaml`);
  return stackSettingsFromText(fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '', file, project, custom);
}

/** Writes the workflows under `root` (the repository), creating folders; returns the paths written. */
export function writePlatformPipeline(platform: Platform, root: string): string[] {
  const files = platformPipeline(platform);
  return files.map((file) => {
    const target = path.join(root, file.path);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, file.content);
    return file.path;
  });
}
