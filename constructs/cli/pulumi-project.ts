/**
 * Reading a Pulumi project and a stack's settings the way the Pulumi CLI does (Pulumi.yaml, Pulumi.<stack>.yaml),
 * for `switchyard plan`. Errors name the file and the key.
 */
import { isCollection, isMap, isPair, isScalar, parseDocument, type Scalar } from 'yaml';
import { InvalidPropertyError } from '../core/validate';

/** What plan needs from Pulumi.yaml. */
export interface PulumiProject {
  readonly name: string;
  /** Program location relative to the project folder. */
  readonly main: string;
  /** Declared config keys (fully qualified) with their type and default. */
  readonly config: Readonly<Record<string, { readonly type?: string; readonly default?: unknown }>>;
}

/** A stack's config, fully qualified keys, values as Pulumi passes them to programs (strings). */
export interface StackConfig {
  readonly values: Readonly<Record<string, string>>;
  /** Keys whose values are secrets (`secure:`); their values are placeholders. */
  readonly secretKeys: readonly string[];
}

/** The placeholder a secret config value becomes: plan never decrypts anything. */
export const REDACTED = '[secret]';

function asObject(value: unknown, what: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new InvalidPropertyError(what, `${what} must be a map`);
  return value as Record<string, unknown>;
}

// What a YAML number may look like in a stack file: plain decimal. YAML would also read 0x4, 0o4, 1e3, .inf.
const DECIMAL = /^-?(0|[1-9]\d*)(\.\d+)?$/;

/**
 * Parses YAML, as a typed error naming the file when it is not YAML. With `numbers`, records the text of
 * each number written directly under `config` (`4.0` stays '4.0', so an integer setting can refuse it).
 */
function parseYaml(text: string, file: string, strictScalars: boolean, numbers?: Map<string, string>): unknown {
  const doc = parseDocument(text, { uniqueKeys: true });
  const error = doc.errors[0];
  if (error) throw new InvalidPropertyError(file, `${file}: not valid YAML: ${error.message.split('\n')[0]}`);
  if (strictScalars) {
    const config = isMap(doc.contents) ? doc.contents.get('config', true) : undefined;
    if (isMap(config)) {
      for (const pair of config.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : '?';
        checkScalars(pair.value, key, file);
        if (isScalar(pair.value) && typeof pair.value.value === 'number' && pair.value.source !== undefined) {
          numbers?.set(key, pair.value.source);
        }
      }
    }
  }
  let js: unknown;
  try {
    js = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // An alias without its anchor, or an alias bomb.
    throw new InvalidPropertyError(file, `${file}: not valid YAML: ${(e as Error).message}`);
  }
  if (strictScalars) {
    const config = (js as { config?: unknown } | null)?.config;
    if (config && typeof config === 'object') {
      for (const [key, value] of Object.entries(config)) {
        if (containsNull(value)) {
          throw new InvalidPropertyError(
            key,
            `${file}: config key '${key}' has no value (null): give it one or remove it`,
          );
        }
      }
    }
  }
  return js;
}

/** Whether `value` is or holds a null (an alias can bring one past the scalar check). */
function containsNull(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value !== 'object') return false;
  return Object.values(value).some(containsNull);
}

/** Refuses nulls and numbers written other than in decimal anywhere under a stack file's config key. */
function checkScalars(node: unknown, key: string, file: string): void {
  if (node === null || node === undefined || (isScalar(node) && node.value === null)) {
    throw new InvalidPropertyError(key, `${file}: config key '${key}' has no value (null): give it one or remove it`);
  }
  if (isScalar(node)) {
    const scalar = node as Scalar;
    if (typeof scalar.value === 'number' && !DECIMAL.test(scalar.source ?? String(scalar.value))) {
      throw new InvalidPropertyError(
        key,
        `${file}: config key '${key}' (${scalar.source}) must be a decimal number like 4, or a quoted string`,
      );
    }
    return;
  }
  if (isCollection(node)) {
    for (const item of node.items) checkScalars(isPair(item) ? item.value : item, key, file);
  }
}

function qualify(project: string, key: string): string {
  return key.includes(':') ? key : `${project}:${key}`;
}

/** Parses Pulumi.yaml. @throws Error naming the file and field */
export function parsePulumiProject(text: string, file: string): PulumiProject {
  const doc = asObject(parseYaml(text, file, false), file);
  if (typeof doc.name !== 'string' || !doc.name)
    throw new InvalidPropertyError('name', `${file}: 'name' must be the project name`);
  const runtime =
    typeof doc.runtime === 'object' && doc.runtime ? (doc.runtime as { name?: unknown }).name : doc.runtime;
  if (runtime !== 'nodejs') {
    throw new InvalidPropertyError(
      'runtime',
      `${file}: 'runtime' is ${JSON.stringify(runtime)}; switchyard plan runs nodejs programs only`,
    );
  }
  const config: Record<string, { type?: string; default?: unknown }> = {};
  for (const [key, spec] of Object.entries(asObject(doc.config, `${file}: 'config'`))) {
    config[qualify(doc.name, key)] =
      spec && typeof spec === 'object' && !Array.isArray(spec)
        ? (spec as { type?: string; default?: unknown })
        : { default: spec };
  }
  return { name: doc.name, main: typeof doc.main === 'string' ? doc.main : '.', config };
}

function checkType(key: string, type: string | undefined, value: unknown, file: string): void {
  const ok =
    type === undefined ||
    (type === 'string' && typeof value === 'string') ||
    (type === 'integer' && Number.isInteger(value)) ||
    (type === 'boolean' && typeof value === 'boolean') ||
    (type === 'array' && Array.isArray(value));
  if (!ok)
    throw new InvalidPropertyError(
      key,
      `${file}: config key '${key}' must be ${type === 'integer' ? 'an' : 'a'} ${type}, got ${JSON.stringify(value)}`,
    );
}

/** Parses Pulumi.<stack>.yaml against the project's declared config. @throws Error naming the file and key */
export function parseStackConfig(text: string, file: string, project: PulumiProject): StackConfig {
  const numbers = new Map<string, string>();
  const doc = asObject(parseYaml(text, file, true, numbers), file);
  const values: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [rawKey, value] of Object.entries(asObject(doc.config, `${file}: 'config'`))) {
    const key = qualify(project.name, rawKey);
    if (value && typeof value === 'object' && !Array.isArray(value) && 'secure' in value) {
      values[key] = REDACTED;
      secretKeys.push(key);
      continue;
    }
    checkType(key, project.config[key]?.type, value, file);
    values[key] = typeof value === 'string' ? value : (numbers.get(rawKey) ?? JSON.stringify(value));
  }
  for (const [key, spec] of Object.entries(project.config)) {
    if (!(key in values) && spec.default !== undefined) {
      values[key] = typeof spec.default === 'string' ? spec.default : JSON.stringify(spec.default);
    }
  }
  return { values, secretKeys };
}
