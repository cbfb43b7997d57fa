/**
 * A small structural schema language for CRDs that ship no published models: objects with known
 * fields (unknown fields are errors, as the API server's structural pruning would drop them), arrays,
 * strings with patterns or enums, integers with bounds, booleans. Errors carry JSON paths. Pure.
 */

export type Schema =
  | {
      readonly type: 'object';
      readonly properties: Readonly<Record<string, Schema>>;
      readonly required?: readonly string[];
      readonly open?: boolean;
    }
  | { readonly type: 'map'; readonly values: Schema }
  | { readonly type: 'array'; readonly items: Schema; readonly minItems?: number; readonly maxItems?: number }
  | {
      readonly type: 'string';
      readonly pattern?: RegExp;
      readonly enum?: readonly string[];
      readonly minLength?: number;
    }
  | { readonly type: 'integer'; readonly minimum?: number; readonly maximum?: number }
  | { readonly type: 'boolean' }
  | { readonly type: 'any' };

export const str = (options: { pattern?: RegExp; enum?: readonly string[]; minLength?: number } = {}): Schema => ({
  type: 'string',
  ...options,
});
export const int = (minimum?: number, maximum?: number): Schema => ({
  type: 'integer',
  ...(minimum !== undefined ? { minimum } : {}),
  ...(maximum !== undefined ? { maximum } : {}),
});
export const bool: Schema = { type: 'boolean' };
export const any: Schema = { type: 'any' };
export const arr = (items: Schema, minItems?: number, maxItems?: number): Schema => ({
  type: 'array',
  items,
  ...(minItems !== undefined ? { minItems } : {}),
  ...(maxItems !== undefined ? { maxItems } : {}),
});
export const obj = (properties: Record<string, Schema>, required: readonly string[] = []): Schema => ({
  type: 'object',
  properties,
  required,
});
export const map = (values: Schema): Schema => ({ type: 'map', values });

/** Validates a value against a schema; returns one message per problem, each starting with its JSON path. */
export function validateStructural(schema: Schema, value: unknown, path = ''): string[] {
  const at = path || '/';
  switch (schema.type) {
    case 'any':
      return [];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${at} must be boolean`];
    case 'integer': {
      if (typeof value !== 'number' || !Number.isInteger(value)) return [`${at} must be integer`];
      if (schema.minimum !== undefined && value < schema.minimum) return [`${at} must be >= ${schema.minimum}`];
      if (schema.maximum !== undefined && value > schema.maximum) return [`${at} must be <= ${schema.maximum}`];
      return [];
    }
    case 'string': {
      if (typeof value !== 'string') return [`${at} must be string`];
      if (schema.enum && !schema.enum.includes(value)) return [`${at} must be one of ${schema.enum.join(', ')}`];
      if (schema.pattern && !schema.pattern.test(value)) return [`${at} must match ${schema.pattern}`];
      if (schema.minLength !== undefined && value.length < schema.minLength)
        return [`${at} must have at least ${schema.minLength} characters`];
      return [];
    }
    case 'array': {
      if (!Array.isArray(value)) return [`${at} must be array`];
      const errors: string[] = [];
      if (schema.minItems !== undefined && value.length < schema.minItems)
        errors.push(`${at} must have at least ${schema.minItems} items`);
      if (schema.maxItems !== undefined && value.length > schema.maxItems)
        errors.push(`${at} must have at most ${schema.maxItems} items`);
      value.forEach((item, i) => {
        errors.push(...validateStructural(schema.items, item, `${path}/${i}`));
      });
      return errors;
    }
    case 'map': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${at} must be object`];
      return Object.entries(value).flatMap(([k, v]) => validateStructural(schema.values, v, `${path}/${k}`));
    }
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${at} must be object`];
      const record = value as Record<string, unknown>;
      const errors: string[] = [];
      for (const key of schema.required ?? [])
        if (record[key] === undefined) errors.push(`${at} must have required property '${key}'`);
      for (const [key, v] of Object.entries(record)) {
        const field = schema.properties[key];
        if (!field) {
          if (!schema.open) errors.push(`${path}/${key} is not a field of this object`);
          continue;
        }
        errors.push(...validateStructural(field, v, `${path}/${key}`));
      }
      return errors;
    }
  }
}

/** Standard Kubernetes object metadata, as far as generated objects use it. */
export const objectMeta = obj(
  {
    name: str({ pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/ }),
    namespace: str({ pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/ }),
    labels: map(str()),
    annotations: map(str()),
  },
  ['name'],
);
