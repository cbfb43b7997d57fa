import { describe, expect, it } from 'vitest';
import { runGuardrails } from '../../../constructs/guardrails/engine';
import { NETWORK_POLICY as RULE, selects } from '../../../constructs/guardrails/rules/network';
import { deployment, NETWORK_POLICY, PDB } from './fixtures';

const policy = (spec: Record<string, unknown>, namespace = 'shop') => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'p', namespace },
  spec,
});
const rules = (objects: unknown[]) =>
  runGuardrails(objects as never)
    .filter((f) => f.rule === RULE.id)
    .map((f) => f.message);

describe('network-policy', () => {
  it('passes pods selected by policies restricting ingress and egress', () => {
    expect(rules([deployment(), PDB, NETWORK_POLICY])).toEqual([]);
    // A default deny (empty selector) covers every pod of its namespace.
    expect(rules([deployment(), PDB, policy({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] })])).toEqual([]);
  });

  it('warns when nothing selects the pods, or only one direction is restricted', () => {
    expect(rules([deployment(), PDB])).toEqual([
      'no NetworkPolicy restricts ingress or egress for these pods: any pod in the cluster can reach them, and they can reach anything',
    ]);
    expect(rules([deployment(), PDB, policy({ podSelector: {}, ingress: [] })])).toEqual([
      'no NetworkPolicy restricts egress for these pods: any pod in the cluster can reach them, and they can reach anything',
    ]);
    expect(
      rules([deployment(), PDB, policy({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] }, 'other')]),
    ).toHaveLength(1);
    expect(
      rules([
        deployment(),
        PDB,
        policy({ podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress', 'Egress'] }),
      ]),
    ).toHaveLength(1);
  });

  it('is a warning, skips batch pods, and reads matchExpressions', () => {
    expect(RULE.severity).toBe('warning');
    const job = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'j', namespace: 'shop' },
      spec: { jobTemplate: { spec: { template: { spec: { containers: [] } } } } },
    };
    expect(RULE.check({ objects: [job], policies: [], options: {} })).toEqual([]);
    const labels = { app: 'web', tier: 'front' };
    expect(selects({ matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'api'] }] }, labels)).toBe(true);
    expect(selects({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, labels)).toBe(false);
    expect(selects({ matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, labels)).toBe(true);
    expect(selects({ matchExpressions: [{ key: 'app', operator: 'Exists' }] }, labels)).toBe(true);
    expect(selects({ matchExpressions: [{ key: 'app', operator: 'Gt' }] }, labels)).toBe(false);
    expect(selects(undefined, labels)).toBe(false);
  });
});
