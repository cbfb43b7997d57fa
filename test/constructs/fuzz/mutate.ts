/**
 * Mutations of a valid input for the strict-layer property tests: every position of a plain-data
 * value, and a copy of it with one position replaced, a key added or a key misspelled.
 */
import fc from 'fast-check';

/** Runs per property: `FUZZ_RUNS` (e.g. 100000 for a benchmark run), else a CI-sized default. */
export const FUZZ_RUNS = Number.parseInt(process.env.FUZZ_RUNS ?? '', 10) || 150;

/** A test timeout that grows with FUZZ_RUNS (a 100,000-run benchmark takes minutes per property). */
export const FUZZ_TIMEOUT = Math.max(60_000, FUZZ_RUNS * 20);

/** One step into a value: an object key or an array index. */
export type Step = string | number;

/** Every position of `value` (objects and arrays recursed), the root excluded. */
export function positions(value: unknown, skip: (path: readonly Step[]) => boolean = () => false): Step[][] {
  const out: Step[][] = [];
  const walk = (v: unknown, path: Step[]) => {
    if (Array.isArray(v)) {
      v.forEach((item, i) => {
        out.push([...path, i]);
        walk(item, [...path, i]);
      });
    } else if (v !== null && typeof v === 'object') {
      for (const [k, item] of Object.entries(v)) {
        if (skip([...path, k])) continue;
        out.push([...path, k]);
        walk(item, [...path, k]);
      }
    }
  };
  walk(value, []);
  return out;
}

/** Every object position (where a key can be added), the root included. */
export function objectPositions(value: unknown, skip: (path: readonly Step[]) => boolean = () => false): Step[][] {
  const at = [[], ...positions(value, skip)].filter((p) => {
    const v = get(value, p);
    return v !== null && typeof v === 'object' && !Array.isArray(v) && !skip(p);
  });
  return at;
}

/** The value at `path`. */
export function get(value: unknown, path: readonly Step[]): unknown {
  return path.reduce<unknown>((v, step) => (v as Record<Step, unknown>)[step], value);
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

/** A copy with the value at `path` replaced by `replacement`. */
export function replaceAt<T>(value: T, path: readonly Step[], replacement: unknown): T {
  const copy = clone(value);
  const parent = get(copy, path.slice(0, -1)) as Record<Step, unknown>;
  parent[path[path.length - 1]!] = replacement;
  return copy;
}

/** A copy with key `from` of the object at `path` renamed to `to` (same value). */
export function renameAt<T>(value: T, path: readonly Step[], from: string, to: string): T {
  const copy = clone(value);
  const target = get(copy, path) as Record<string, unknown>;
  target[to] = target[from];
  delete target[from];
  return copy;
}

/** A copy with `key` added to the object at `path`. */
export function addKeyAt<T>(value: T, path: readonly Step[], key: string, item: unknown): T {
  const copy = clone(value);
  (get(copy, path) as Record<string, unknown>)[key] = item;
  return copy;
}

/** The JSON type of a value, for "is the replacement a different type" decisions. */
export function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Values of every kind the strict layer must refuse where another kind is expected. */
export const exoticValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant([]),
  fc.constant({}),
  fc.bigInt(),
  fc.constant(Symbol('s')),
  fc.constant(() => 1),
  // biome-ignore lint/suspicious/noSparseArray: a hole is the point
  fc.constant([, 1]),
  fc.constant(Number.NaN),
  fc.constant('true'),
  fc.constant('0x4'),
);

/** Misspellings of `key`: one character dropped, doubled, or case-flipped. */
export function misspell(key: string, at: number, how: number): string {
  const i = at % key.length;
  if (how % 3 === 0) return key.slice(0, i) + key.slice(i + 1);
  if (how % 3 === 1) return key.slice(0, i) + key[i] + key.slice(i);
  const c = key[i]!;
  const flipped = c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase();
  return key.slice(0, i) + flipped + key.slice(i + 1);
}
