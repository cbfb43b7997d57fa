import { expect } from 'vitest';
import { formatSchemaFindings, SchemaRegistry } from '../../constructs/guardrails/schema';

/**
 * The registry every synth test validates against. Unknown kinds fail; a test that emits a kind
 * the models lack registers a validator for it here (`schemas.register(...)`).
 */
export const schemas = new SchemaRegistry();

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Envoy Gateway's CRDs have no published models: check the fields Switchyard emits, structurally. */
function envoyGatewayPolicy(extra: (spec: Json) => string[]) {
  return (object: unknown): string[] => {
    const o = object as Json;
    const errors: string[] = [];
    const metadata = o.metadata as Json | undefined;
    if (!isObject(metadata) || typeof metadata.name !== 'string' || !DNS_LABEL.test(metadata.name))
      errors.push('/metadata/name must be a DNS label');
    const spec = o.spec;
    if (!isObject(spec)) return [...errors, '/spec is required'];
    const targets = spec.targetRefs;
    if (!Array.isArray(targets) || targets.length === 0) errors.push('/spec/targetRefs must list at least one target');
    for (const [i, t] of (Array.isArray(targets) ? targets : []).entries()) {
      if (
        !isObject(t) ||
        t.group !== 'gateway.networking.k8s.io' ||
        typeof t.kind !== 'string' ||
        typeof t.name !== 'string'
      ) {
        errors.push(`/spec/targetRefs/${i} must have group gateway.networking.k8s.io, kind and name`);
      }
    }
    const known = new Set(['targetRefs', 'rateLimit', 'timeout', 'authorization']);
    for (const key of Object.keys(spec))
      if (!known.has(key)) errors.push(`/spec/${key} is not a field Switchyard emits`);
    return [...errors, ...extra(spec)];
  };
}

schemas.register(
  'gateway.envoyproxy.io/v1alpha1',
  'BackendTrafficPolicy',
  envoyGatewayPolicy((spec) => {
    const errors: string[] = [];
    const rl = spec.rateLimit as Json | undefined;
    if (rl !== undefined) {
      const rules = (rl.local as Json | undefined)?.rules;
      if (rl.type !== 'Local' || !Array.isArray(rules) || rules.length === 0)
        errors.push('/spec/rateLimit must be Local with rules');
      for (const r of Array.isArray(rules) ? rules : []) {
        const limit = (r as Json).limit as Json;
        if (!Number.isInteger(limit?.requests) || !['Second', 'Minute', 'Hour', 'Day'].includes(String(limit?.unit)))
          errors.push('/spec/rateLimit/local/rules/limit must have integer requests and a unit');
      }
    }
    const timeout = spec.timeout as Json | undefined;
    if (timeout !== undefined && !isObject(timeout.tcp) && !isObject(timeout.http))
      errors.push('/spec/timeout needs tcp or http');
    return errors;
  }),
);
schemas.register(
  'gateway.envoyproxy.io/v1alpha1',
  'SecurityPolicy',
  envoyGatewayPolicy((spec) => {
    const auth = spec.authorization as Json | undefined;
    if (!isObject(auth)) return ['/spec/authorization is required'];
    const errors: string[] = [];
    if (!['Allow', 'Deny'].includes(String(auth.defaultAction)))
      errors.push('/spec/authorization/defaultAction must be Allow or Deny');
    for (const r of Array.isArray(auth.rules) ? auth.rules : []) {
      const rule = r as Json;
      const cidrs = (rule.principal as Json | undefined)?.clientCIDRs;
      if (!['Allow', 'Deny'].includes(String(rule.action)) || !Array.isArray(cidrs) || cidrs.length === 0)
        errors.push('/spec/authorization/rules need an action and clientCIDRs');
    }
    return errors;
  }),
);

/** Asserts that there are objects and that every one of them is valid against the schema of its kind. */
export async function expectSchemaValid(objects: readonly unknown[]): Promise<void> {
  expect(objects.length, 'expected at least one object to validate').toBeGreaterThan(0);
  const findings = await schemas.validate(objects);
  expect(formatSchemaFindings(findings)).toBe('');
}
