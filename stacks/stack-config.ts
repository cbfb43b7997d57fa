/**
 * Per-stack settings from Pulumi.<env>.yaml, parsed and checked once and read by both engines: the Pulumi
 * program gets them through `pulumi.Config`, `cdk8s synth` reads the same file, so the two still deploy
 * identical objects. Errors name the key and the file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkAddress, checkDnsSubdomain, checkIntegerInRange, parseIpv4Cidr } from '../constructs';
import { type PulumiProject, parsePulumiProject, parseStackConfig } from '../constructs/cli/pulumi-project';
import { nearestKey } from '../constructs/core/strict';
import { InvalidPropertyError } from '../constructs/core/validate';
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
  /** Bare metal: control-plane machines. @default - the environment's */
  readonly servers?: readonly string[];
  /** Bare metal: worker machines. @default - the environment's */
  readonly agents?: readonly string[];
  /** Bare metal: the API's virtual IP or load balancer. @default - the environment's */
  readonly apiAddress?: string;
  /** Bare metal: the SSH login. @default - the environment's */
  readonly sshUser?: string;
  /** EKS: ranges allowed on the public API endpoint. @default - the environment's */
  readonly apiAllowedCidrs?: readonly string[];
  /** Bare metal: each machine's SSH host key by address (`ssh-keyscan -t ed25519 <address>`). @default - none */
  readonly hostKeys?: Readonly<Record<string, string>>;
  /** Bare metal: SHA-256 of the k3s installer (`curl -sfL <url> | sha256sum`). @default - none */
  readonly k3sInstallerSha256?: string;
}

/**
 * The keys a stack file may set (under the `switchyard:` namespace). `sshPrivateKey` is a secret
 * (`pulumi config set --secret`) the program reads itself; without it the bootstrap uses the SSH agent.
 */
export const STACK_KEYS = [
  'kubeContext',
  'replicas',
  'canaryPercent',
  'domain',
  'servers',
  'agents',
  'apiAddress',
  'sshUser',
  'apiAllowedCidrs',
  'sshPrivateKey',
  'hostKeys',
  'k3sInstallerSha256',
] as const;

const BARE_METAL_KEYS = ['servers', 'agents', 'apiAddress', 'sshUser', 'hostKeys', 'k3sInstallerSha256'] as const;
const EKS_KEYS = ['apiAllowedCidrs'] as const;

/** A bad stack setting: `property` is the key (`switchyard:replicas`), the message names the file too. */
function invalid(key: string, message: string): InvalidPropertyError {
  return new InvalidPropertyError(`switchyard:${key}`, message);
}

/** A list as Pulumi passes it: JSON for structured values (`pulumi config set --path`), else comma-separated. */
function list(value: string | undefined, key: string, file: string, check: (item: string) => string | undefined) {
  if (value === undefined || value === '') return undefined;
  let items: unknown;
  try {
    items = value.trim().startsWith('[') ? JSON.parse(value) : value.split(',').map((v) => v.trim());
  } catch {
    items = undefined;
  }
  if (!Array.isArray(items) || items.some((i) => typeof i !== 'string')) {
    throw invalid(key, `${file}: switchyard:${key} (${JSON.stringify(value)}) must be a list of strings`);
  }
  for (const item of items as string[]) {
    const problem = check(item);
    if (problem) throw invalid(key, `${file}: switchyard:${key} entry ${JSON.stringify(item)} ${problem}`);
  }
  return items as string[];
}

/** `address: key` pairs as Pulumi passes an object (JSON); the keys are parsed fully where they are used. */
function hostKeys(value: string | undefined, file: string): Record<string, string> | undefined {
  if (value === undefined || value === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw invalid('hostKeys', `${file}: switchyard:hostKeys must map each machine's address to its SSH host key`);
  }
  for (const [address, key] of Object.entries(parsed)) {
    const problem = checkAddress(address);
    if (problem)
      throw invalid('hostKeys', `${file}: switchyard:hostKeys address ${JSON.stringify(address)} ${problem}`);
    if (
      typeof key !== 'string' ||
      !/^(ssh-ed25519|ecdsa-sha2-nistp(256|384|521)|ssh-rsa) [A-Za-z0-9+/]+={0,2}$/.test(key)
    ) {
      throw invalid(
        'hostKeys',
        `${file}: switchyard:hostKeys.${address} (${JSON.stringify(key)}) must be '<algorithm> <base64>', as ssh-keyscan prints it after the host name`,
      );
    }
  }
  return parsed as Record<string, string>;
}

function cidrProblem(value: string): string | undefined {
  const parsed = parseIpv4Cidr(value);
  return typeof parsed === 'string' ? parsed : undefined;
}

function integer(value: string | undefined, key: string, file: string, min: number, max: number): number | undefined {
  if (value === undefined || value === '') return undefined;
  // Decimal digits only: Number() would also read '0x4', '1e1', ' 4 ' and '4.0'.
  const n = /^-?(0|[1-9]\d*)$/.test(value) ? Number(value) : Number.NaN;
  const problem = checkIntegerInRange(n, min, max);
  if (problem) {
    const digits = Number.isNaN(n) ? ', written in decimal digits (like 4)' : '';
    throw invalid(key, `${file}: switchyard:${key} (${JSON.stringify(value)}) ${problem}${digits}`);
  }
  return n;
}

/** Checks the values a stack sets (as Pulumi passes them: strings). */
export function parseStackSettings(get: (key: string) => string | undefined, file: string): StackSettings {
  const domain = get('domain') || undefined;
  if (domain !== undefined) {
    const problem = checkDnsSubdomain(domain);
    if (problem) throw invalid('domain', `${file}: switchyard:domain (${JSON.stringify(domain)}) ${problem}`);
  }
  const apiAddress = get('apiAddress') || undefined;
  if (apiAddress !== undefined && checkAddress(apiAddress)) {
    throw invalid(
      'apiAddress',
      `${file}: switchyard:apiAddress (${JSON.stringify(apiAddress)}) must be a hostname or an IP address`,
    );
  }
  const sshUser = get('sshUser') || undefined;
  if (sshUser !== undefined && !/^[a-z_][a-z0-9_-]{0,31}$/.test(sshUser)) {
    throw invalid('sshUser', `${file}: switchyard:sshUser (${JSON.stringify(sshUser)}) must be a Linux user name`);
  }
  return {
    kubeContext: get('kubeContext') ?? '',
    replicas: integer(get('replicas'), 'replicas', file, 1, 50),
    canaryPercent: integer(get('canaryPercent'), 'canaryPercent', file, 0, 100),
    domain,
    servers: list(get('servers'), 'servers', file, checkAddress),
    agents: list(get('agents'), 'agents', file, checkAddress),
    apiAddress,
    sshUser,
    apiAllowedCidrs: list(get('apiAllowedCidrs'), 'apiAllowedCidrs', file, cidrProblem),
    hostKeys: hostKeys(get('hostKeys'), file),
    k3sInstallerSha256: sha256(get('k3sInstallerSha256'), file),
  };
}

function sha256(value: string | undefined, file: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^[0-9a-f]{64}$/.test(value)) {
    throw invalid(
      'k3sInstallerSha256',
      `${file}: switchyard:k3sInstallerSha256 (${JSON.stringify(value)}) must be 64 lowercase hex digits (curl -sfL <installer url> | sha256sum)`,
    );
  }
  return value;
}

/** Rejects settings that belong to another kind of cluster than the environment's. */
function assertSettingsFit(env: EnvironmentConfig, settings: StackSettings): void {
  const foreign = env.infrastructure.kind === 'eks' ? BARE_METAL_KEYS : EKS_KEYS;
  for (const key of foreign) {
    if (settings[key] !== undefined) {
      throw invalid(
        key,
        `Pulumi.${env.name}.yaml: switchyard:${key} does not apply: ${env.name} runs on ${env.infrastructure.kind}, ` +
          `which takes ${(env.infrastructure.kind === 'eks' ? EKS_KEYS : BARE_METAL_KEYS).map((k) => `switchyard:${k}`).join(', ')}`,
      );
    }
  }
}

/** The environment with the stack's settings applied. */
export function withStackSettings(env: EnvironmentConfig, settings: StackSettings): EnvironmentConfig {
  assertSettingsFit(env, settings);
  const infra = env.infrastructure;
  const infrastructure =
    infra.kind === 'eks'
      ? { ...infra, apiAllowedCidrs: settings.apiAllowedCidrs ?? infra.apiAllowedCidrs }
      : {
          ...infra,
          servers: settings.servers ?? infra.servers,
          agents: settings.agents ?? infra.agents,
          apiAddress: settings.apiAddress ?? infra.apiAddress,
          sshUser: settings.sshUser ?? infra.sshUser,
          hostKeys: settings.hostKeys ?? infra.hostKeys,
          k3sInstallerSha256: settings.k3sInstallerSha256 ?? infra.k3sInstallerSha256,
        };
  return {
    ...env,
    infrastructure,
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
  return stackSettingsFromText(fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '', file, project);
}

/**
 * The settings of a stack file's text (`file` names it in errors): unknown `switchyard:` keys refused with
 * the nearest key suggested, every value checked. @throws InvalidPropertyError naming the key and the file
 */
export function stackSettingsFromText(text: string, file: string, project: PulumiProject): StackSettings {
  const values = parseStackConfig(text, file, project).values;
  for (const key of Object.keys(values)) {
    const [namespace, ...rest] = key.split(':');
    const name = rest.join(':');
    if (namespace === project.name && !(STACK_KEYS as readonly string[]).includes(name)) {
      const near = nearestKey(name, STACK_KEYS);
      throw new InvalidPropertyError(
        key,
        `${file}: unknown key ${key}; a stack may set ${STACK_KEYS.map((k) => `switchyard:${k}`).join(', ')}` +
          (near ? `; did you mean switchyard:${near}?` : ''),
      );
    }
  }
  return parseStackSettings((key) => values[`${project.name}:${key}`], file);
}
