/**
 * Per-stack settings from Pulumi.<env>.yaml, parsed and checked once and read by both engines: the Pulumi
 * program gets them through `pulumi.Config`, `cdk8s synth` reads the same file, so the two still deploy
 * identical objects. Errors name the key and the file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkDnsSubdomain, checkIntegerInRange } from '../constructs';
import { parsePulumiProject, parseStackConfig } from '../constructs/cli/pulumi-project';
import type { EnvironmentConfig } from './environments';

/** What a stack may change about its environment; everything else is defined in environments.ts. */
export interface StackSettings {
  /** kubeconfig context Pulumi deploys to; empty for the current one. */
  readonly kubeContext: string;
  /** Replicas of the shop app. @default - the environment's */
  readonly replicas?: number;
  /** Share of traffic (percent) the canary gets. @default - the environment's */
  readonly canaryPercent?: number;
  /** DNS zone of the environment's hosts. @default - the environment's */
  readonly domain?: string;
}

/** The keys a stack file may set (under the `switchyard:` namespace). */
export const STACK_KEYS = ['kubeContext', 'replicas', 'canaryPercent', 'domain'] as const;

function integer(value: string | undefined, key: string, file: string, min: number, max: number): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  const problem = checkIntegerInRange(n, min, max);
  if (problem) throw new Error(`${file}: switchyard:${key} (${JSON.stringify(value)}) ${problem}`);
  return n;
}

/** Checks the values a stack sets (as Pulumi passes them: strings). */
export function parseStackSettings(get: (key: string) => string | undefined, file: string): StackSettings {
  const domain = get('domain') || undefined;
  if (domain !== undefined) {
    const problem = checkDnsSubdomain(domain);
    if (problem) throw new Error(`${file}: switchyard:domain (${JSON.stringify(domain)}) ${problem}`);
  }
  return {
    kubeContext: get('kubeContext') ?? '',
    replicas: integer(get('replicas'), 'replicas', file, 1, 50),
    canaryPercent: integer(get('canaryPercent'), 'canaryPercent', file, 0, 100),
    domain,
  };
}

/** The environment with the stack's settings applied. */
export function withStackSettings(env: EnvironmentConfig, settings: StackSettings): EnvironmentConfig {
  return {
    ...env,
    domain: settings.domain ?? env.domain,
    app: {
      ...env.app,
      replicas: settings.replicas ?? env.app.replicas,
      canaryPercent: settings.canaryPercent ?? env.app.canaryPercent,
    },
  };
}

/** Reads Pulumi.<env>.yaml under `root` the way the Pulumi CLI would, for `cdk8s synth`. */
export function readStackSettings(root: string, envName: string): StackSettings {
  const projectFile = path.join(root, 'Pulumi.yaml');
  const project = parsePulumiProject(fs.readFileSync(projectFile, 'utf8'), projectFile);
  const file = path.join(root, `Pulumi.${envName}.yaml`);
  const values = fs.existsSync(file) ? parseStackConfig(fs.readFileSync(file, 'utf8'), file, project).values : {};
  for (const key of Object.keys(values)) {
    const [namespace, name] = key.split(':') as [string, string];
    if (namespace === project.name && !(STACK_KEYS as readonly string[]).includes(name)) {
      throw new Error(
        `${file}: unknown key ${key}; a stack may set ${STACK_KEYS.map((k) => `switchyard:${k}`).join(', ')}`,
      );
    }
  }
  return parseStackSettings((key) => values[`${project.name}:${key}`], file);
}
