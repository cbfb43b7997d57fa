/**
 * One harness for the strict-layer property tests of props-shaped entry points (constructs, add-on
 * options, cluster args): a rich valid input, and four properties over it. Each property counts the
 * positions it reaches and the bad inputs it runs, for the coverage line printed after the file.
 */
import fc from 'fast-check';
import { afterAll, expect, it } from 'vitest';
import { InvalidPropertyError, show } from '../../../constructs/core/validate';
import {
  addKeyAt,
  exoticValue,
  FUZZ_RUNS,
  FUZZ_TIMEOUT,
  get,
  misspell,
  objectPositions,
  positions,
  renameAt,
  replaceAt,
  type Step,
  typeOf,
} from './mutate';

/** An entry point under test. */
export interface FuzzTarget {
  /** Printed in test names and in the coverage line. */
  readonly name: string;
  /** A valid input using as many keys as the entry point has. */
  readonly rich: unknown;
  /** Calls the entry point with an input. */
  readonly run: (input: unknown) => unknown;
  /**
   * Positions where any key is valid (labels, env, raw chart values): no unknown-key mutation there,
   * and no type assertion below them when `freeValues` also says so.
   */
  readonly freeKeys?: (path: readonly Step[]) => boolean;
  /** Positions whose value may be of any type (raw chart values): mutations there need not be refused. */
  readonly freeValues?: (path: readonly Step[]) => boolean;
  /** Positions that take values of several types (`options | false`): another type there may be valid. */
  readonly alternatives?: (path: readonly Step[]) => boolean;
  /** Errors the entry point may throw besides InvalidPropertyError. */
  readonly typed?: (error: unknown) => boolean;
}

interface Tally {
  positions: number;
  objects: number;
  bad: number;
}
const tallies = new Map<string, Tally>();

afterAll(() => {
  for (const [name, t] of tallies) {
    console.log(`[fuzz] ${name}: ${t.positions} positions, ${t.objects} objects, ${t.bad} bad inputs run`);
  }
});

/** Runs `run`; returns the typed error it threw, or undefined; rethrows anything untyped (a crash). */
export function typedOnly(run: () => unknown, typed: (e: unknown) => boolean = () => false): Error | undefined {
  try {
    run();
    return undefined;
  } catch (e) {
    if (!(e instanceof InvalidPropertyError || typed(e))) throw e;
    return e as Error;
  }
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const hasHole = (v: unknown) => Array.isArray(v) && Array.from({ length: v.length }, (_, i) => i in v).includes(false);
const under = (path: readonly Step[], test?: (p: readonly Step[]) => boolean) =>
  test !== undefined && path.some((_, i) => test(path.slice(0, i + 1)));

/** The four properties of a target, as vitest tests. */
export function fuzzTarget(target: FuzzTarget): void {
  const freeKeys = target.freeKeys ?? (() => false);
  const all = positions(target.rich);
  const typedPositions = all.filter((p) => !under(p, target.freeValues));
  const objects = objectPositions(target.rich).filter((p) => !freeKeys(p) && !under(p, target.freeValues));
  const tally: Tally = { positions: all.length, objects: objects.length, bad: 0 };
  tallies.set(target.name, tally);
  const typedError = (run: () => unknown) => typedOnly(run, target.typed);

  it(`${target.name}: the rich input is valid`, () => {
    expect(() => target.run(structuredClone(target.rich))).not.toThrow();
  });

  it(
    `${target.name}: arbitrary JSON, BigInt, Symbol, functions and holes crash nothing`,
    () => {
      fc.assert(
        fc.property(fc.oneof(fc.jsonValue(), exoticValue, fc.array(fc.jsonValue()), fc.object()), (input) => {
          tally.bad++;
          typedError(() => target.run(input));
        }),
        { numRuns: FUZZ_RUNS },
      );
    },
    FUZZ_TIMEOUT,
  );

  it(
    `${target.name}: a value of another type at any position is refused with a typed error`,
    () => {
      fc.assert(
        fc.property(fc.constantFrom(...all), fc.oneof(exoticValue, fc.jsonValue()), (path, replacement) => {
          tally.bad++;
          const original = get(target.rich, path);
          const error = typedError(() => target.run(replaceAt(target.rich, path, replacement)));
          const wrongType =
            typeOf(replacement) !== typeOf(original) || typeof replacement === 'symbol' || hasHole(replacement);
          if (wrongType && !under(path, target.freeValues) && !target.alternatives?.(path)) {
            expect(error, `${path.join('.')} = ${show(replacement)} accepted`).toBeDefined();
          }
        }),
        { numRuns: FUZZ_RUNS * 4 },
      );
      expect(typedPositions.length).toBeGreaterThan(0);
    },
    FUZZ_TIMEOUT,
  );

  it(
    `${target.name}: an unknown or misspelled key at any object is refused, naming the nearest key`,
    () => {
      fc.assert(
        fc.property(fc.constantFrom(...objects), fc.nat(), fc.nat(), fc.jsonValue(), (path, at, how, item) => {
          tally.bad += 2;
          const object = get(target.rich, path) as Record<string, unknown>;
          const keys = Object.keys(object);
          if (keys.length > 0) {
            const key = keys[at % keys.length]!;
            const typo = misspell(key, at, how);
            if (!keys.includes(typo)) {
              const error = typedError(() => target.run(renameAt(target.rich, path, key, typo)));
              expect(error, `${[...path, typo].join('.')} accepted`).toBeInstanceOf(InvalidPropertyError);
              // A typo that is itself a known key (`hosts` -> `hsts`) is refused for its value or for the
              // missing key instead; any unknown key must get the suggestion.
              if (error?.message.includes(': unknown;')) {
                expect(error.message).toContain(`: unknown; did you mean \`${key}\`?`);
              } else {
                expect(error?.message).toMatch(new RegExp(`${escapeRegExp(typo)}|${escapeRegExp(key)}`));
              }
            }
          }
          const added = typedError(() => target.run(addKeyAt(target.rich, path, 'zzUnknownKey', item)));
          expect(added?.message).toMatch(/`[^`]*zzUnknownKey`: unknown/);
        }),
        { numRuns: FUZZ_RUNS * 2 },
      );
    },
    FUZZ_TIMEOUT,
  );
}

/** Whether the last step of `path` is one of `keys`. */
export const lastIs =
  (...keys: string[]) =>
  (path: readonly Step[]): boolean =>
    path.length > 0 && keys.includes(String(path[path.length - 1]));
