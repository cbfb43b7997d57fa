/**
 * Guardrails compiled to admission policies: per rule that CEL can express, a ValidatingAdmissionPolicy
 * (admissionregistration.k8s.io/v1, GA in Kubernetes 1.30) and its binding, so a `kubectl apply` that skips
 * synth meets the same rules in the cluster. Pure: plain objects, no engine.
 */
import { arr, assertProps, json, opt, req, shapeOf, str } from '../../core/strict';
import { assertDnsLabel, InvalidPropertyError } from '../../core/validate';
import { podSecurityExceptionsOf } from '../../ingress/pod-security-exceptions';
import { GUARDRAIL_RULES, ruleSeverity, validateGuardrailOptions } from '../engine';
import type { GuardrailOptions, Manifest } from '../findings';
import {
  type AdmissionValidation,
  CONTAINERS_VARIABLE,
  compiledRules,
  EPHEMERAL_CONTAINERS_VARIABLE,
  POD_SPEC_VARIABLE,
} from './expressions';

/** What `admissionPolicies` compiles: one environment's namespaces and guardrail options. */
export interface AdmissionPolicyOptions {
  /** The environment's name (a DNS label): objects are named `switchyard-<environment>-<rule>`. */
  readonly environment: string;
  /**
   * The environment's Namespace objects (other kinds are ignored). The bindings select these by name; those
   * whose Pod Security exception is recorded in `POD_SECURITY_EXCEPTIONS` are not bound to `pss-restricted`.
   */
  readonly namespaces: readonly Manifest[];
  /**
   * The environment's guardrail options: the profile and levels set each rule's actions, `allowedRegistries`
   * compiles `image-registry`, and `exceptions` become match conditions.
   * @default {} (the standard profile)
   */
  readonly guardrails?: GuardrailOptions;
}

/** `admissionregistration.k8s.io/v1` ValidatingAdmissionPolicy, as emitted. */
export interface ValidatingAdmissionPolicy {
  readonly apiVersion: 'admissionregistration.k8s.io/v1';
  readonly kind: 'ValidatingAdmissionPolicy';
  readonly metadata: { readonly name: string; readonly labels: Readonly<Record<string, string>> };
  readonly spec: {
    readonly failurePolicy: 'Fail';
    readonly matchConstraints: {
      readonly resourceRules: readonly AdmissionResourceRule[];
    };
    readonly matchConditions?: readonly { readonly name: string; readonly expression: string }[];
    readonly variables: readonly { readonly name: string; readonly expression: string }[];
    readonly validations: readonly AdmissionValidation[];
  };
}

/** The kinds a policy matches, by API group. */
export interface AdmissionResourceRule {
  readonly apiGroups: readonly string[];
  readonly apiVersions: readonly string[];
  readonly operations: readonly string[];
  readonly resources: readonly string[];
}

/** `admissionregistration.k8s.io/v1` ValidatingAdmissionPolicyBinding, as emitted. */
export interface ValidatingAdmissionPolicyBinding {
  readonly apiVersion: 'admissionregistration.k8s.io/v1';
  readonly kind: 'ValidatingAdmissionPolicyBinding';
  readonly metadata: { readonly name: string; readonly labels: Readonly<Record<string, string>> };
  readonly spec: {
    readonly policyName: string;
    readonly validationActions: readonly ('Deny' | 'Warn' | 'Audit')[];
    readonly matchResources: {
      readonly namespaceSelector: {
        readonly matchExpressions: readonly {
          readonly key: string;
          readonly operator: 'In';
          readonly values: readonly string[];
        }[];
      };
    };
  };
}

/** A compiled rule's policy and binding. */
export interface AdmissionPolicyPair {
  readonly rule: string;
  readonly policy: ValidatingAdmissionPolicy;
  readonly binding: ValidatingAdmissionPolicyBinding;
}

/** The workload kinds whose pod specs the policies read (the kinds `podSpecOf` knows). */
export const ADMISSION_RESOURCE_RULES: readonly AdmissionResourceRule[] = [
  { group: '', resources: ['pods', 'replicationcontrollers'] },
  { group: 'apps', resources: ['deployments', 'statefulsets', 'daemonsets', 'replicasets'] },
  { group: 'batch', resources: ['jobs', 'cronjobs'] },
].map(({ group, resources }) => ({
  apiGroups: [group],
  apiVersions: ['v1'],
  operations: ['CREATE', 'UPDATE'],
  resources,
}));

/** The policy variables, in order: later ones read earlier ones. */
export const ADMISSION_VARIABLES: readonly { readonly name: string; readonly expression: string }[] = [
  { name: 'podSpec', expression: POD_SPEC_VARIABLE },
  { name: 'containers', expression: CONTAINERS_VARIABLE },
  { name: 'ephemeralContainers', expression: EPHEMERAL_CONTAINERS_VARIABLE },
];

const NAMESPACE_LABEL = 'kubernetes.io/metadata.name';

const OPTION_FIELDS = shapeOf<AdmissionPolicyOptions>()({
  environment: req(str()),
  namespaces: req(arr(json)),
  guardrails: opt(json),
}).fields;

/** The match condition that leaves out a rule's exceptions (`Kind/namespace/name`, as findings name objects). */
function exceptionCondition(refs: readonly string[]): { name: string; expression: string } {
  const quoted = refs.map((r) => `'${r.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`).join(', ');
  return {
    name: 'not-excepted',
    expression: `!(has(object.metadata.name) && (object.kind + '/' + request.namespace + '/' + object.metadata.name) in [${quoted}])`,
  };
}

/**
 * One ValidatingAdmissionPolicy and binding per compiled rule that is not 'off' in the options. A rule whose
 * severity is `danger` under the production profile denies (`['Deny']`); every other rule warns and audits
 * (`['Warn', 'Audit']`). Rules CEL cannot express are listed in `ADMISSION_UNSUPPORTED`.
 * @throws InvalidPropertyError when the options are malformed or name no namespace
 */
export function admissionPolicies(options: AdmissionPolicyOptions): AdmissionPolicyPair[] {
  assertProps(options, { kind: 'object', fields: OPTION_FIELDS }, 'options');
  assertDnsLabel('environment', options.environment);
  const guardrails = options.guardrails ?? {};
  try {
    validateGuardrailOptions(guardrails);
  } catch (e) {
    // Name the field from these options' root: `guardrails.levels.x`, not `levels.x`.
    if (e instanceof InvalidPropertyError) throw new InvalidPropertyError(`guardrails.${e.property}`, e.message);
    throw e;
  }
  const namespaces = options.namespaces
    .filter((o) => o?.kind === 'Namespace')
    .map((o) => o.metadata?.name)
    .filter((n): n is string => typeof n === 'string');
  if (namespaces.length === 0) {
    throw new InvalidPropertyError(
      'namespaces',
      'namespaces holds no Namespace object: the bindings would select none',
    );
  }
  const excepted = new Set(podSecurityExceptionsOf(options.namespaces).flatMap((e) => (e.reason ? [e.namespace] : [])));
  const production = guardrails.profile === 'production';
  return compiledRules(guardrails.allowedRegistries).flatMap((compiled) => {
    const rule = GUARDRAIL_RULES.find((r) => r.id === compiled.rule)!;
    const severity = ruleSeverity(rule, guardrails);
    const bound = compiled.podSecurity ? namespaces.filter((n) => !excepted.has(n)) : namespaces;
    if (severity === 'off' || bound.length === 0) return [];
    const name = `switchyard-${options.environment}-${compiled.rule}`;
    const labels = {
      'app.kubernetes.io/managed-by': 'switchyard',
      'switchyard.io/environment': options.environment,
      'switchyard.io/guardrail': compiled.rule,
    };
    const exceptions = (guardrails.exceptions ?? []).filter((e) => e.rule === compiled.rule).map((e) => e.object);
    const policy: ValidatingAdmissionPolicy = {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name, labels },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: { resourceRules: ADMISSION_RESOURCE_RULES },
        ...(exceptions.length ? { matchConditions: [exceptionCondition(exceptions)] } : {}),
        variables: ADMISSION_VARIABLES,
        validations: compiled.validations,
      },
    };
    const binding: ValidatingAdmissionPolicyBinding = {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name, labels },
      spec: {
        policyName: name,
        validationActions: production && severity === 'danger' ? ['Deny'] : ['Warn', 'Audit'],
        matchResources: {
          namespaceSelector: { matchExpressions: [{ key: NAMESPACE_LABEL, operator: 'In', values: bound }] },
        },
      },
    };
    return [{ rule: compiled.rule, policy, binding }];
  });
}
