import { expect } from 'vitest';
import { formatSchemaFindings, SchemaRegistry } from '../../constructs/guardrails/schema';

/**
 * The registry every synth test validates against. Unknown kinds fail; a test that emits a kind
 * the models lack registers a validator for it here (`schemas.register(...)`).
 */
export const schemas = new SchemaRegistry();

/** Asserts that there are objects and that every one of them is valid against the schema of its kind. */
export async function expectSchemaValid(objects: readonly unknown[]): Promise<void> {
  expect(objects.length, 'expected at least one object to validate').toBeGreaterThan(0);
  const findings = await schemas.validate(objects);
  expect(formatSchemaFindings(findings)).toBe('');
}
