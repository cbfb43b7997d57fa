/**
 * Per-stack settings from Pulumi.<env>.yaml, under the `switchyard:` namespace, parsed and checked once and
 * read by both engines: the Pulumi program gets them through `pulumi.Config('switchyard')`, `synthPlatform`
 * reads the same file, so both deploy the same objects. Errors name the key and the file.
 */
import { type PulumiProject, parseStackConfig } from '../cli/pulumi-project';
import { checkAddress } from '../cluster/k3s';
import { parseIpv4Cidr } from '../cluster/subnets';
import { nearestKey } from '../core/strict';
import { checkDnsSubdomain, checkIntegerInRange, InvalidPropertyError } from '../core/validate';
import type { StackSettingSpec, StackSettings, StackSettingValue } from './model';

/** The config namespace every Switchyard stack key lives in. */
export const STACK_NAMESPACE = 'switchyard';

/**
 * The built-in keys. `sshPrivateKey` is a secret (`pulumi config set --secret`) only the Pulumi program
 * reads; without it the bare-metal bootstrap uses the SSH agent.
 */
export const BUILT_IN_STACK_KEYS = [
  'kubeContext',
  'servers',
  'agents',
  'apiAddress',
  'sshUser',
  'hostKeys',
  'k3sInstallerSha256',
  'apiAllowedCidrs',
  'sshPrivateKey',
] as const;

/** A bad stack setting: `property` is the key (`switchyard:replicas`), the message names the file too. */
function invalid(key: string, file: string, message: string): InvalidPropertyError {
  return new InvalidPropertyError(`${STACK_NAMESPACE}:${key}`, `${file}: ${STACK_NAMESPACE}:${key} ${message}`);
}

/** A list as Pulumi passes it: JSON for structured values (`pulumi config set --path`), else comma-separated. */
function list(value: string | undefined, key: string, file: string, check?: (item: string) => string | undefined) {
  if (value === undefined || value === '') return undefined;
  let items: unknown;
  try {
    items = value.trim().startsWith('[') ? JSON.parse(value) : value.split(',').map((v) => v.trim());
  } catch {
    items = undefined;
  }
  if (!Array.isArray(items) || items.some((i) => typeof i !== 'string')) {
    throw invalid(key, file, `(${JSON.stringify(value)}) must be a list of strings`);
  }
  for (const item of items as string[]) {
    const problem = check?.(item);
    if (problem) throw invalid(key, file, `entry ${JSON.stringify(item)} ${problem}`);
  }
  return items as string[];
}

const HOST_KEY = /^(ssh-ed25519|ecdsa-sha2-nistp(256|384|521)|ssh-rsa) [A-Za-z0-9+/]+={0,2}$/;

/** `address: key` pairs as Pulumi passes an object (JSON). */
function hostKeys(value: string | undefined, file: string): Record<string, string> | undefined {
  if (value === undefined || value === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw invalid('hostKeys', file, `must map each machine's address to its SSH host key`);
  }
  for (const [address, key] of Object.entries(parsed)) {
    const problem = checkAddress(address);
    if (problem) throw invalid('hostKeys', file, `address ${JSON.stringify(address)} ${problem}`);
    if (typeof key !== 'string' || !HOST_KEY.test(key)) {
      throw invalid(
        `hostKeys.${address}`,
        file,
        `(${JSON.stringify(key)}) must be '<algorithm> <base64>', as ssh-keyscan prints it after the host name`,
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
    throw invalid(key, file, `(${JSON.stringify(value)}) ${problem}${digits}`);
  }
  return n;
}

function matching(value: string | undefined, key: string, file: string, pattern: RegExp, what: string) {
  if (value === undefined || value === '') return undefined;
  if (!pattern.test(value)) throw invalid(key, file, `(${JSON.stringify(value)}) must be ${what}`);
  return value;
}

/** One custom setting's value, checked against its spec. */
function customValue(spec: StackSettingSpec, raw: string, key: string, file: string): StackSettingValue | undefined {
  switch (spec.type) {
    case 'integer':
      return integer(raw, key, file, spec.min, spec.max);
    case 'boolean':
      if (raw !== 'true' && raw !== 'false') throw invalid(key, file, `(${JSON.stringify(raw)}) must be true or false`);
      return raw === 'true';
    case 'list':
      return list(raw, key, file);
    case 'dns-subdomain': {
      const problem = checkDnsSubdomain(raw);
      if (problem) throw invalid(key, file, `(${JSON.stringify(raw)}) ${problem}`);
      return raw;
    }
    case 'string':
      return spec.pattern === undefined
        ? raw
        : matching(raw, key, file, new RegExp(`^(?:${spec.pattern})$`), `a string matching ${spec.pattern}`);
  }
}

/**
 * Checks the values a stack sets, as Pulumi passes them (strings; `get` takes the key without the
 * namespace), against the built-in keys and the platform's `custom` ones.
 * @throws InvalidPropertyError naming the key and the file
 */
export function parseStackSettings(
  get: (key: string) => string | undefined,
  file: string,
  custom: Readonly<Record<string, StackSettingSpec>> = {},
): StackSettings {
  const apiAddress = get('apiAddress') || undefined;
  if (apiAddress !== undefined && checkAddress(apiAddress)) {
    throw invalid('apiAddress', file, `(${JSON.stringify(apiAddress)}) must be a hostname or an IP address`);
  }
  const values: Record<string, StackSettingValue> = {};
  for (const [key, spec] of Object.entries(custom)) {
    const raw = get(key);
    const value = raw === undefined || raw === '' ? undefined : customValue(spec, raw, key, file);
    if (value !== undefined) values[key] = value;
  }
  return {
    kubeContext: get('kubeContext') ?? '',
    servers: list(get('servers'), 'servers', file, checkAddress),
    agents: list(get('agents'), 'agents', file, checkAddress),
    apiAddress,
    sshUser: matching(get('sshUser'), 'sshUser', file, /^[a-z_][a-z0-9_-]{0,31}$/, 'a Linux user name'),
    hostKeys: hostKeys(get('hostKeys'), file),
    k3sInstallerSha256: matching(
      get('k3sInstallerSha256'),
      'k3sInstallerSha256',
      file,
      /^[0-9a-f]{64}$/,
      '64 lowercase hex digits (curl -sfL <installer url> | sha256sum)',
    ),
    apiAllowedCidrs: list(get('apiAllowedCidrs'), 'apiAllowedCidrs', file, cidrProblem),
    custom: values,
  };
}

/**
 * Refuses `switchyard:` keys that are neither built in nor declared by the platform, suggesting the nearest:
 * a misspelt key would otherwise be ignored by Pulumi and silently deploy the defaults.
 * @throws InvalidPropertyError naming the key and the file
 */
export function assertKnownStackKeys(
  keys: readonly string[],
  file: string,
  custom: Readonly<Record<string, StackSettingSpec>> = {},
): void {
  const known = [...BUILT_IN_STACK_KEYS, ...Object.keys(custom)];
  for (const key of keys) {
    const [namespace, ...rest] = key.split(':');
    const name = rest.join(':');
    if (namespace === STACK_NAMESPACE && !known.includes(name)) {
      const near = nearestKey(name, known);
      throw new InvalidPropertyError(
        key,
        `${file}: unknown key ${key}; a stack may set ${known.map((k) => `${STACK_NAMESPACE}:${k}`).join(', ')}` +
          (near ? `; did you mean ${STACK_NAMESPACE}:${near}?` : ''),
      );
    }
  }
}

/**
 * The settings of a stack file's text (`file` names it in errors): unknown `switchyard:` keys refused with
 * the nearest key suggested, every value checked.
 * @throws InvalidPropertyError naming the key and the file
 */
export function stackSettingsFromText(
  text: string,
  file: string,
  project: PulumiProject,
  custom: Readonly<Record<string, StackSettingSpec>> = {},
): StackSettings {
  const values = parseStackConfig(text, file, project).values;
  assertKnownStackKeys(Object.keys(values), file, custom);
  return parseStackSettings((key) => values[`${STACK_NAMESPACE}:${key}`], file, custom);
}
