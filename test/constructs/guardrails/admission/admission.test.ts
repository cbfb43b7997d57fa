import { ValidatingAdmissionPolicy as VapModel } from 'kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy';
import { ValidatingAdmissionPolicyBinding as BindingModel } from 'kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding';
import { describe, expect, it } from 'vitest';
import { InvalidPropertyError } from '../../../../constructs/core/validate';
import { ADMISSION_UNSUPPORTED, admissionPolicies, compiledRules } from '../../../../constructs/guardrails/admission';
import { GUARDRAIL_RULES } from '../../../../constructs/guardrails/engine';
import type { Manifest } from '../../../../constructs/guardrails/findings';
import { POD_SECURITY_EXCEPTION_LABEL } from '../../../../constructs/ingress/pod-security-exceptions';

const ns = (name: string, labels: Record<string, string> = {}): Manifest => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, labels },
});
const NAMESPACES = [
  ns('shop'),
  ns('metallb-system', {
    'pod-security.kubernetes.io/enforce': 'privileged',
    [POD_SECURITY_EXCEPTION_LABEL]: 'metallb',
  }),
  // Below restricted without a recorded exception: still bound, so the guardrail holds there.
  ns('scratch', { 'pod-security.kubernetes.io/enforce': 'baseline' }),
];

describe('admissionPolicies', () => {
  it('compiles or lists every rule id of the engine, never both', () => {
    const compiled = compiledRules(['ghcr.io/acme']).map((r) => r.rule);
    const unsupported = ADMISSION_UNSUPPORTED.map((r) => r.rule);
    expect([...compiled, ...unsupported].sort()).toEqual(GUARDRAIL_RULES.map((r) => r.id).sort());
    for (const { reason } of ADMISSION_UNSUPPORTED) expect(reason.length).toBeGreaterThan(20);
    for (const rule of GUARDRAIL_RULES.filter((r) => compiled.includes(r.id))) expect(rule.scope).toBe('object');
  });

  it('emits one v1 policy and binding per compiled rule, valid against the Kubernetes 1.30+ models', () => {
    const pairs = admissionPolicies({
      environment: 'prod',
      namespaces: NAMESPACES,
      guardrails: { profile: 'production' },
    });
    expect(pairs.map((p) => p.rule)).toEqual([
      'pss-restricted',
      'image-tag',
      'image-digest',
      'resources',
      'probes',
      'read-only-root-filesystem',
    ]);
    for (const { policy, binding } of pairs) {
      expect(() => new VapModel(policy as never).validate()).not.toThrow();
      expect(() => new BindingModel(binding as never).validate()).not.toThrow();
      expect(binding.spec.policyName).toBe(policy.metadata.name);
      expect(policy.metadata.name).toMatch(/^switchyard-prod-[a-z-]+$/);
      expect(policy.spec.variables.map((v) => v.name)).toEqual(['podSpec', 'containers', 'ephemeralContainers']);
      for (const v of policy.spec.validations)
        expect(v.message.startsWith(`${policy.metadata.labels['switchyard.io/guardrail']}: `)).toBe(true);
    }
    expect(new Set(pairs.flatMap((p) => [p.policy.metadata.name])).size).toBe(pairs.length);
  });

  it('denies danger rules in production, warns and audits otherwise', () => {
    const actions = (profile: 'standard' | 'production') =>
      Object.fromEntries(
        admissionPolicies({ environment: 'e', namespaces: NAMESPACES, guardrails: { profile } }).map((p) => [
          p.rule,
          p.binding.spec.validationActions,
        ]),
      );
    expect(actions('production')).toMatchObject({
      'pss-restricted': ['Deny'],
      'image-tag': ['Deny'],
      'image-digest': ['Warn', 'Audit'],
      resources: ['Warn', 'Audit'],
    });
    expect(Object.values(actions('standard')).every((a) => a.join() === 'Warn,Audit')).toBe(true);
  });

  it('binds the platform namespaces, less the recorded Pod Security exceptions for pss-restricted', () => {
    const pairs = admissionPolicies({ environment: 'dev', namespaces: NAMESPACES });
    const values = (rule: string) =>
      pairs.find((p) => p.rule === rule)!.binding.spec.matchResources.namespaceSelector.matchExpressions[0];
    expect(values('pss-restricted')).toEqual({
      key: 'kubernetes.io/metadata.name',
      operator: 'In',
      values: ['shop', 'scratch'],
    });
    expect(values('image-tag')!.values).toEqual(['shop', 'metallb-system', 'scratch']);
  });

  it('leaves out rules turned off, compiles image-registry only with a list, and exceptions become match conditions', () => {
    const pairs = admissionPolicies({
      environment: 'dev',
      namespaces: NAMESPACES,
      guardrails: {
        levels: { probes: 'off' },
        allowedRegistries: ['ghcr.io/acme/'],
        exceptions: [{ rule: 'resources', object: "Deployment/shop/it's", reason: 'quoting' }],
      },
    });
    expect(pairs.map((p) => p.rule)).not.toContain('probes');
    expect(pairs.find((p) => p.rule === 'image-registry')!.policy.spec.validations[0]!.expression).toContain(
      "c.image.startsWith('ghcr.io/acme/')",
    );
    expect(pairs.find((p) => p.rule === 'resources')!.policy.spec.matchConditions![0]!.expression).toContain(
      "'Deployment/shop/it\\'s'",
    );
  });

  it('refuses malformed options with an error naming the field', () => {
    const call = (options: unknown) => () => admissionPolicies(options as never);
    expect(call({ environment: 'dev', namespaces: [] })).toThrow(InvalidPropertyError);
    expect(call({ environment: 'dev', namespaces: [] })).toThrow(/namespaces/);
    expect(call({ environment: 'Dev!', namespaces: NAMESPACES })).toThrow(/environment/);
    expect(call({ environment: 'dev', namespaces: NAMESPACES, profile: 'production' })).toThrow(/profile/);
    expect(call({ environment: 'dev', namespaces: NAMESPACES, guardrails: { levels: { nope: 'off' } } })).toThrow(
      expect.objectContaining({
        property: 'guardrails.levels.nope',
        message: expect.stringMatching(/unknown rule "nope"/),
      }),
    );
  });
});
