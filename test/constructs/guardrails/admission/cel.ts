/**
 * Evaluates emitted ValidatingAdmissionPolicies with a real CEL engine (@bufbuild/cel), the way the API server
 * does for one admission request: match constraints, match conditions, variables in order, then every validation.
 */
import { type CelInput, celEnv, isCelError, parse, plan } from '@bufbuild/cel';
import type { ValidatingAdmissionPolicy } from '../../../../constructs/guardrails/admission';
import type { Manifest } from '../../../../constructs/guardrails/findings';

type Program = (bindings: Record<string, CelInput>) => unknown;
const env = celEnv();
const programs = new Map<string, Program>();

function program(expression: string): Program {
  let p = programs.get(expression);
  if (!p) {
    p = plan(env, parse(expression)) as Program;
    programs.set(expression, p);
  }
  return p;
}

/**
 * Plain JSON as CEL sees a Kubernetes object: objects as maps, whole numbers as int (the API's integer fields),
 * and undefined fields absent, as they are on the wire.
 */
export function toCel(value: unknown): CelInput {
  if (Array.isArray(value)) return value.map(toCel);
  if (value !== null && typeof value === 'object') {
    return new Map(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, toCel(v)]),
    ) as unknown as CelInput;
  }
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  return value as CelInput;
}

function evaluate(expression: string, bindings: Record<string, CelInput>, what: string): unknown {
  const result = program(expression)(bindings);
  if (isCelError(result)) throw new Error(`${what}: CEL error ${String(result.message)} in ${expression}`);
  return result;
}

function boolean(expression: string, bindings: Record<string, CelInput>, what: string): boolean {
  const result = evaluate(expression, bindings, what);
  if (typeof result !== 'boolean') throw new Error(`${what}: ${expression} gave ${String(result)}, not a bool`);
  return result;
}

const RESOURCES: Readonly<Record<string, string>> = {
  Pod: 'pods',
  ReplicationController: 'replicationcontrollers',
  Deployment: 'deployments',
  StatefulSet: 'statefulsets',
  DaemonSet: 'daemonsets',
  ReplicaSet: 'replicasets',
  Job: 'jobs',
  CronJob: 'cronjobs',
};

/** Whether the policy's match constraints select the object's kind (for a CREATE). */
export function matches(policy: ValidatingAdmissionPolicy, object: Manifest): boolean {
  const group = String(object.apiVersion ?? '').includes('/') ? String(object.apiVersion).split('/')[0] : '';
  const resource = RESOURCES[String(object.kind)];
  return policy.spec.matchConstraints.resourceRules.some(
    (r) => r.apiGroups.includes(group ?? '') && resource !== undefined && r.resources.includes(resource),
  );
}

/**
 * The messages of the validations the object fails (empty: admitted); undefined when the policy does not
 * apply (match constraints or conditions). Throws on a CEL error, which the API server would treat per failurePolicy.
 */
export function violations(policy: ValidatingAdmissionPolicy, object: Manifest): string[] | undefined {
  if (!matches(policy, object)) return undefined;
  const what = `${policy.metadata.name} on ${String(object.kind)}/${String(object.metadata?.name)}`;
  const bindings: Record<string, CelInput> = {
    object: toCel(object),
    request: toCel({ namespace: object.metadata?.namespace ?? '', operation: 'CREATE' }),
  };
  for (const condition of policy.spec.matchConditions ?? []) {
    if (!boolean(condition.expression, bindings, what)) return undefined;
  }
  const variables = new Map<string, unknown>();
  bindings.variables = variables as unknown as CelInput;
  for (const v of policy.spec.variables) {
    variables.set(v.name, evaluate(v.expression, bindings, what));
  }
  return policy.spec.validations.filter((v) => !boolean(v.expression, bindings, what)).map((v) => v.message);
}
