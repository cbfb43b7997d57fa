/**
 * The strict input layer: one declarative shape per public input type, checked before any semantic
 * validation, so every later check can rely on the types it reads. Pure: no engine imports.
 *
 * Why not zod 4: errors must stay the existing typed classes (InvalidRoutingPolicyError for routing,
 * InvalidPropertyError elsewhere) and messages must keep naming the path as
 * `shop.rules[1].backends[0].weight` with the value and the fix that today's checks word. Zod would
 * need a new dependency plus a translation of its issues into those messages; the existing check
 * functions already produce them, so the layer reuses them as leaf specs and adds what was missing
 * (unknown keys, exact types, holes, exotic values) in ~200 lines.
 *
 * Rules, the same for every input:
 * - Unknown keys are refused; the message suggests the nearest known key by edit distance:
 *   "`shop.denySourceRange`: unknown; did you mean `denySourceRanges`?".
 * - Exact types: a boolean is `true` or `false` (never 'yes' or 'false'), a number is a finite
 *   number (never a numeric string), an object is a plain object, an array is a dense array.
 * - `null` is refused like any other wrong type, at every position: it never means "absent". A key
 *   whose value is `undefined` is treated as absent (TypeScript's optional-property semantics).
 * - BigInt, Symbol and function values, symbol keys and sparse arrays (holes) are refused.
 */
import { InvalidPropertyError, show } from './validate';

/** A check returning what is wrong (with the fix) or `undefined`, as the `check*` functions of validate.ts. */
export type Check = (value: unknown) => string | undefined;

/** How one value must look. */
export type Spec =
  | { readonly kind: 'string'; readonly check?: Check }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'number'; readonly check?: Check }
  | { readonly kind: 'array'; readonly of: Spec; readonly check?: Check }
  | { readonly kind: 'record'; readonly of: Spec }
  | { readonly kind: 'object'; readonly fields: Fields }
  | { readonly kind: 'union'; readonly of: readonly Spec[]; readonly problem: string }
  | {
      readonly kind: 'tagged';
      readonly key: string;
      readonly variants: Readonly<Record<string, Spec>>;
      readonly problem?: string;
    }
  | { readonly kind: 'json' }
  | { readonly kind: 'opaque'; readonly accept: (value: unknown) => boolean; readonly problem: string };

/** A field of an object shape. */
export interface Field {
  readonly spec: Spec;
  readonly optional: boolean;
}
/** A required field. */
export interface RequiredField extends Field {
  readonly optional: false;
}
/** An optional field. */
export interface OptionalField extends Field {
  readonly optional: true;
}
/** An object shape: every known key with its spec. */
export type Fields = Readonly<Record<string, Field>>;

/**
 * The shape of interface `T`: exactly its keys, each optional exactly when `T`'s is. Used as
 * `shapeOf<T>()({...})`, so a key added to or removed from the interface breaks the build until the
 * shape follows.
 */
export type FieldsOf<T> = { readonly [K in keyof T]-?: undefined extends T[K] ? OptionalField : RequiredField };

/** Type-level assertion that two object types have the same keys: `const ok: SameKeys<A, B> = true`. */
export type SameKeys<A, B> = [keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false;

/** Builds the object spec of interface `T`; excess or missing keys are compile errors. */
export function shapeOf<T>() {
  return <F extends FieldsOf<T>>(fields: F & Record<Exclude<keyof F, keyof T>, never>): Spec & { fields: F } => ({
    kind: 'object',
    fields,
  });
}

/** A required field. */
export const req = (spec: Spec): RequiredField => ({ spec, optional: false });
/** An optional field. */
export const opt = (spec: Spec): OptionalField => ({ spec, optional: true });
/** A string, further checked by `check`. */
export const str = (check?: Check): Spec => ({ kind: 'string', check });
/** `true` or `false`. */
export const bool: Spec = { kind: 'boolean' };
/** A finite number, further checked by `check` (e.g. checkIntegerInRange). */
export const num = (check?: Check): Spec => ({ kind: 'number', check });
/** A dense array of `of`; `check` sees the whole array (length limits). */
export const arr = (of: Spec, check?: Check): Spec => ({ kind: 'array', of, check });
/** A plain object mapping any name to `of`. */
export const rec = (of: Spec): Spec => ({ kind: 'record', of });
/** Any value one of `of` accepts; otherwise `problem`. */
export const union = (problem: string, ...of: Spec[]): Spec => ({ kind: 'union', of, problem });
/**
 * An object whose `key` (a string) picks the shape it must have, e.g. `{ kind: 'envoy-gateway', ... }`:
 * each variant is an object spec that lists `key` itself. An unknown tag gets `problem`, by default a
 * list of the known ones.
 */
export const tagged = (key: string, variants: Readonly<Record<string, Spec>>, problem?: string): Spec => ({
  kind: 'tagged',
  key,
  variants,
  problem,
});
/**
 * Any plain data (raw Helm values, labels passed through): strings, finite numbers, booleans, dense
 * arrays and plain objects, at any depth; `null`, holes, BigInt, Symbol and functions are refused.
 */
export const json: Spec = { kind: 'json' };
/** A string among `values`, e.g. `oneOf('per-zone', 'single')`. */
export const oneOf = (...values: readonly string[]): Spec =>
  str((v) =>
    typeof v === 'string' && values.includes(v)
      ? undefined
      : `must be one of ${values.map((x) => JSON.stringify(x)).join(', ')}`,
  );
/** A value the layer does not look into (a construct, a Pulumi Output), accepted when `accept` says so. */
export const opaque = (problem: string, accept: (value: unknown) => boolean): Spec => ({
  kind: 'opaque',
  accept,
  problem,
});

/** One problem: where, what was there, and what is wrong (with the fix). */
export interface Issue {
  readonly path: string;
  readonly value: unknown;
  readonly problem: string;
  /** Set for an unknown key: the whole message, with the suggestion. */
  readonly message?: string;
}

/** Levenshtein distance (insert, delete, substitute); `substitution` weighs a substitution (1 by default). */
export function editDistance(a: string, b: string, substitution = 1): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : substitution),
      );
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The known key nearest to `key`, when it is near enough to be a plausible typo. Ties go to the key
 * reached by fewer substitutions (a dropped or doubled letter is the likelier typo: `profils` suggests
 * `profiles`, not `profile`).
 */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  let bestIndel = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const same = candidate.toLowerCase() === key.toLowerCase();
    const distance = same ? 0 : editDistance(key, candidate);
    const indel = same ? 0 : editDistance(key, candidate, 2);
    if (distance < bestDistance || (distance === bestDistance && indel < bestIndel)) {
      best = candidate;
      bestDistance = distance;
      bestIndel = indel;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

function unknownKey(path: string, value: unknown, known: readonly string[]): Issue {
  const near = nearestKey(path.slice(path.lastIndexOf('.') + 1), known);
  const hint = near ? `did you mean \`${near}\`?` : `known keys: ${known.map((k) => `\`${k}\``).join(', ') || 'none'}`;
  return { path, value, problem: 'is unknown', message: `\`${path}\`: unknown; ${hint}` };
}

function kindOf(value: unknown): string | undefined {
  if (value === null) return 'null';
  if (typeof value === 'bigint' || typeof value === 'symbol' || typeof value === 'function') return typeof value;
  return undefined;
}

/** Whether `value` is a plain object (a literal, JSON.parse output, or Object.create(null)). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** The first issue of `value` against `spec` at `path`, or `undefined` when it conforms. */
export function checkSpec(value: unknown, spec: Spec, path: string): Issue | undefined {
  const exotic = kindOf(value);
  if (exotic && exotic !== 'null' && spec.kind !== 'opaque') {
    return { path, value, problem: `is a ${exotic}: plain data only (strings, numbers, booleans, arrays, objects)` };
  }
  const issue = (problem: string): Issue => ({ path, value, problem });
  switch (spec.kind) {
    case 'string':
      if (typeof value !== 'string') return issue(spec.check?.(value) ?? 'must be a string');
      return spec.check?.(value) ? issue(spec.check(value)!) : undefined;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : issue('must be true or false (a boolean, not a string)');
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return issue(spec.check?.(value) ?? 'must be a number');
      return spec.check?.(value) ? issue(spec.check(value)!) : undefined;
    case 'array': {
      if (!Array.isArray(value)) return issue('must be an array');
      for (let i = 0; i < value.length; i++) {
        if (!(i in value))
          return { path: `${path}[${i}]`, value: undefined, problem: 'is a hole: arrays must be dense' };
      }
      const whole = spec.check?.(value);
      if (whole) return issue(whole);
      for (let i = 0; i < value.length; i++) {
        const inner = checkSpec(value[i], spec.of, `${path}[${i}]`);
        if (inner) return inner;
      }
      return undefined;
    }
    case 'record':
    case 'object': {
      if (!isPlainObject(value)) return issue('must be an object');
      if (Object.getOwnPropertySymbols(value).length > 0) return issue('has symbol keys: plain data only');
      const known = spec.kind === 'object' ? Object.keys(spec.fields) : [];
      for (const key of Object.keys(value)) {
        const field =
          spec.kind === 'object' ? (Object.hasOwn(spec.fields, key) ? spec.fields[key] : undefined) : undefined;
        const at = join(path, key);
        if (spec.kind === 'object' && !field) return unknownKey(at, value[key], known);
        if (value[key] === undefined) {
          if (spec.kind === 'record') return { path: at, value: undefined, problem: 'must be set' };
          continue;
        }
        const inner = checkSpec(value[key], field ? field.spec : (spec as { of: Spec }).of, at);
        if (inner) return inner;
      }
      if (spec.kind === 'object') {
        for (const [key, field] of Object.entries(spec.fields)) {
          if (!field.optional && value[key] === undefined) {
            const missing = checkSpec(undefined, field.spec, join(path, key));
            return missing ?? { path: join(path, key), value: undefined, problem: 'is required' };
          }
        }
      }
      return undefined;
    }
    case 'tagged': {
      if (!isPlainObject(value)) return issue('must be an object');
      const tag = value[spec.key];
      const variant = typeof tag === 'string' && Object.hasOwn(spec.variants, tag) ? spec.variants[tag] : undefined;
      if (!variant) {
        if (tag === undefined) {
          // A misspelled tag key (`knd`) is an unknown key, not a missing tag.
          const typo = Object.keys(value).find((k) => nearestKey(k, [spec.key]) !== undefined);
          if (typo !== undefined) return unknownKey(join(path, typo), value[typo], [spec.key]);
        }
        const known = Object.keys(spec.variants);
        return {
          path: join(path, spec.key),
          value: tag,
          problem: spec.problem ?? `must be one of ${known.map((k) => JSON.stringify(k)).join(', ')}`,
        };
      }
      return checkSpec(value, variant, path);
    }
    case 'json':
      return checkJson(value, path);
    case 'union': {
      if (spec.of.some((s) => checkSpec(value, s, path) === undefined)) return undefined;
      // An object (or array) where one member alone takes one: that member says what is wrong inside it.
      const container = isPlainObject(value) ? ['object', 'record', 'tagged'] : Array.isArray(value) ? ['array'] : [];
      const members = spec.of.filter((s) => container.includes(s.kind));
      const member =
        members.length === 1 ? members[0] : isPlainObject(value) ? closestShape(value, members) : undefined;
      return member ? checkSpec(value, member, path) : issue(spec.problem);
    }
    case 'opaque':
      return spec.accept(value) ? undefined : issue(spec.problem);
  }
}

/**
 * The object member of a union that `value` was most likely meant for: the one knowing most of its keys,
 * or failing that the one with a key that one of its keys misspells. Undefined when none stands out.
 */
function closestShape(value: Record<string, unknown>, members: readonly Spec[]): Spec | undefined {
  const shapes = members.filter((m): m is Extract<Spec, { kind: 'object' }> => m.kind === 'object');
  const score = (m: Extract<Spec, { kind: 'object' }>) => {
    const known = Object.keys(m.fields);
    const hits = Object.keys(value).filter((k) => known.includes(k)).length;
    return hits > 0 ? hits : Object.keys(value).some((k) => nearestKey(k, known) !== undefined) ? 0.5 : 0;
  };
  const scores = shapes.map(score);
  const best = Math.max(0, ...scores);
  return best > 0 && scores.filter((s) => s === best).length === 1 ? shapes[scores.indexOf(best)] : undefined;
}

function checkJson(value: unknown, path: string): Issue | undefined {
  if (typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number')
    return Number.isFinite(value) ? undefined : { path, value, problem: 'must be a finite number' };
  if (value === null) return { path, value, problem: 'is null: leave the key out instead (null is never accepted)' };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) return { path: `${path}[${i}]`, value: undefined, problem: 'is a hole: arrays must be dense' };
      const inner = checkJson(value[i], `${path}[${i}]`);
      if (inner) return inner;
    }
    return undefined;
  }
  if (isPlainObject(value)) {
    if (Object.getOwnPropertySymbols(value).length > 0)
      return { path, value, problem: 'has symbol keys: plain data only' };
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue;
      const inner = checkJson(item, join(path, key));
      if (inner) return inner;
    }
    return undefined;
  }
  return {
    path,
    value,
    problem: `is a ${typeof value === 'object' ? 'class instance' : typeof value}: plain data only (strings, numbers, booleans, arrays, objects)`,
  };
}

/**
 * Throws the error `raise` builds for the first issue of `value` against `spec`. `raise` receives the
 * path and the message: "`<path>`: unknown; did you mean `<key>`?" for an unknown key, otherwise
 * `<label(path)> (<value>) <problem>` as the existing validators word it.
 */
export function assertSpec(
  value: unknown,
  spec: Spec,
  path: string,
  raise: (path: string, message: string) => Error,
  label: (path: string) => string = (p) => p,
): void {
  const issue = checkSpec(value, spec, path);
  if (!issue) return;
  throw raise(issue.path, issue.message ?? `${label(issue.path)} (${show(issue.value)}) ${issue.problem}`);
}

/**
 * Checks construct props, add-on options or cluster args against `spec` and throws an
 * {@link InvalidPropertyError} whose `property` is the path from the props' root (`dependencies[0].port`,
 * as the constructs' own checks name it) and whose message quotes it: `'dependencies[0].port' ("80") must
 * be ...`, or "`replicaz`: unknown; did you mean `replicas`?". `root` names the props themselves when they
 * are not an object at all; `at` prefixes every path (`access` for `access.deployer`).
 */
export function assertProps(value: unknown, spec: Spec, root = 'props', at = ''): void {
  assertSpec(
    value,
    spec,
    at,
    (path, message) => new InvalidPropertyError(path === '' ? root : path, message),
    (path) => `'${path === '' ? root : path}'`,
  );
}

/** `T` without `undefined`: the type of an optional field once it is present. */
export type Defined<T> = Exclude<T, undefined>;

/** A dense array of strings. */
export const strings = arr(str());
