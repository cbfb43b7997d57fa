import { expect } from 'vitest';
import { InvalidPropertyError } from '../../constructs/core/validate';

/** Asserts that `fn` throws an InvalidPropertyError naming `property`, with a message matching `message`. */
export function expectInvalid(fn: () => unknown, property: string, message: RegExp): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error, `expected an InvalidPropertyError for '${property}'`).toBeInstanceOf(InvalidPropertyError);
  expect((error as InvalidPropertyError).property).toBe(property);
  expect((error as Error).message).toMatch(message);
}
