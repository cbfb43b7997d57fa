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

/** A structural validator for CRDs without published models: required metadata, and spec checks. */
function structural(check: (spec: Json, object: Json) => string[]) {
  return (object: unknown): string[] => {
    const o = object as Json;
    const metadata = o.metadata as Json | undefined;
    const errors: string[] = [];
    if (!isObject(metadata) || typeof metadata.name !== 'string' || !DNS_LABEL.test(metadata.name))
      errors.push('/metadata/name must be a DNS label');
    if (!isObject(o.spec)) return [...errors, '/spec is required'];
    return [...errors, ...check(o.spec, o)];
  };
}

schemas.register(
  'gateway.envoyproxy.io/v1alpha1',
  'EnvoyProxy',
  structural((spec) => {
    const provider = spec.provider as Json | undefined;
    const k = provider?.kubernetes as Json | undefined;
    if (provider?.type !== 'Kubernetes' || !isObject(k))
      return ['/spec/provider must be of type Kubernetes with a kubernetes block'];
    const known = new Set([
      'envoyDeployment',
      'envoyDaemonSet',
      'envoyService',
      'envoyHpa',
      'envoyPDB',
      'envoyServiceAccount',
    ]);
    const errors = Object.keys(k)
      .filter((key) => !known.has(key))
      .map((key) => `/spec/provider/kubernetes/${key} is not an EnvoyProxy field`);
    const service = k.envoyService as Json | undefined;
    if (service && !['LoadBalancer', 'NodePort', 'ClusterIP'].includes(String(service.type)))
      errors.push('/spec/provider/kubernetes/envoyService/type is invalid');
    if (service && !['Local', 'Cluster'].includes(String(service.externalTrafficPolicy)))
      errors.push('/spec/provider/kubernetes/envoyService/externalTrafficPolicy is invalid');
    const hpa = k.envoyHpa as Json | undefined;
    if (hpa && !(Number(hpa.maxReplicas) >= Number(hpa.minReplicas ?? 1)))
      errors.push('/spec/provider/kubernetes/envoyHpa/maxReplicas must be at least minReplicas');
    return errors;
  }),
);
const metallbPools = (spec: Json) =>
  Array.isArray(spec.ipAddressPools) && spec.ipAddressPools.length > 0
    ? []
    : ['/spec/ipAddressPools must name at least one pool'];
schemas.register(
  'metallb.io/v1beta1',
  'IPAddressPool',
  structural((spec) =>
    Array.isArray(spec.addresses) && spec.addresses.length > 0 ? [] : ['/spec/addresses is required'],
  ),
);
schemas.register('metallb.io/v1beta1', 'L2Advertisement', structural(metallbPools));
schemas.register('metallb.io/v1beta1', 'BGPAdvertisement', structural(metallbPools));
schemas.register(
  'metallb.io/v1beta2',
  'BGPPeer',
  structural((spec) =>
    Number.isInteger(spec.myASN) && Number.isInteger(spec.peerASN) && typeof spec.peerAddress === 'string'
      ? []
      : ['/spec needs myASN, peerASN and peerAddress'],
  ),
);

/** Asserts that there are objects and that every one of them is valid against the schema of its kind. */
export async function expectSchemaValid(objects: readonly unknown[]): Promise<void> {
  expect(objects.length, 'expected at least one object to validate').toBeGreaterThan(0);
  const findings = await schemas.validate(objects);
  expect(formatSchemaFindings(findings)).toBe('');
}
