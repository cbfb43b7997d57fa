/**
 * The differential test: every compiled rule's CEL, run by a real CEL engine over every fixture object and every
 * workload of the reference platform, denies exactly the objects the TypeScript rule reports.
 */
import { describe, expect, it } from 'vitest';
import { type AdmissionPolicyPair, admissionPolicies } from '../../../../constructs/guardrails/admission';
import { GUARDRAIL_RULES, runRule } from '../../../../constructs/guardrails/engine';
import type { GuardrailOptions, Manifest } from '../../../../constructs/guardrails/findings';
import { podSpecOf } from '../../../../constructs/guardrails/pods';
import { environmentObjects } from '../../../../constructs/platform/environment-app';
import { platform } from '../../../../stacks/platform';
import { violations } from './cel';
import { fixtureObjects } from './corpus';

const NAMESPACES: Manifest[] = ['shop', 'ops'].map((name) => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name },
}));

interface Tally {
  evaluated: number;
  agreements: number;
  violations: number;
  disagreements: string[];
}

function compare(
  pairs: readonly AdmissionPolicyPair[],
  objects: readonly [string, Manifest][],
  options: GuardrailOptions,
): Tally {
  const tally: Tally = { evaluated: 0, agreements: 0, violations: 0, disagreements: [] };
  for (const { rule: id, policy } of pairs) {
    const rule = GUARDRAIL_RULES.find((r) => r.id === id)!;
    for (const [name, object] of objects) {
      const ts = runRule(rule, { objects: [object], policies: [], options });
      const cel = violations(policy, object);
      if (cel === undefined) {
        // Not matched (another kind, or an accepted exception): the TypeScript rule must be quiet too.
        if (ts.length) tally.disagreements.push(`${id} on ${name}: not matched, TypeScript reports ${ts[0]!.message}`);
        continue;
      }
      tally.evaluated++;
      if (ts.length) tally.violations++;
      if (ts.length > 0 === cel.length > 0) tally.agreements++;
      else
        tally.disagreements.push(
          `${id} on ${name}: TypeScript ${ts.map((f) => f.field).join(', ') || 'none'}; CEL ${cel.join('; ') || 'none'}`,
        );
    }
  }
  return tally;
}

function report(label: string, tally: Tally, rules: number, objects: number): void {
  // The counts the issue asks for, printed so CI logs show what was compared.
  console.log(
    `${label}: ${objects} objects x ${rules} rules, ${tally.evaluated} evaluated, ${tally.agreements} agree (${tally.violations} violations), ${tally.disagreements.length} disagree`,
  );
}

const OPTION_SETS: readonly [string, GuardrailOptions][] = [
  ['standard', {}],
  ['production', { profile: 'production', allowedRegistries: ['ghcr.io/acme', 'registry.local:5000/'] }],
  [
    'exceptions',
    {
      allowedRegistries: [],
      exceptions: [
        { rule: 'pss-restricted', object: 'Deployment/shop/web', reason: 'tested' },
        { rule: 'image-tag', object: 'Pod/shop/pod-image-nginx', reason: 'tested' },
      ],
    },
  ],
];

describe('admission policies agree with the TypeScript rules (CEL by @bufbuild/cel)', () => {
  it.each(OPTION_SETS)('on the guardrail fixtures and the rule tests cases (%s options)', (label, options) => {
    const objects = fixtureObjects();
    const pairs = admissionPolicies({ environment: 'test', namespaces: NAMESPACES, guardrails: options });
    const tally = compare(pairs, objects, options);
    report(`fixtures, ${label}`, tally, pairs.length, objects.length);
    expect(tally.disagreements).toEqual([]);
    expect(tally.evaluated).toBeGreaterThan(objects.length * 5);
    // Both verdicts occur for every rule: the corpus exercises each.
    expect(tally.violations).toBeGreaterThan(0);
    expect(tally.agreements).toBe(tally.evaluated);
  });

  it('tells the verdicts apart for every compiled rule, and catches a policy that lost a validation', () => {
    const objects = fixtureObjects();
    const options: GuardrailOptions = { allowedRegistries: ['ghcr.io/acme'] };
    const pairs = admissionPolicies({ environment: 'test', namespaces: NAMESPACES, guardrails: options });
    for (const pair of pairs) {
      const verdicts = new Set(objects.map(([, o]) => (violations(pair.policy, o) ?? []).length > 0));
      expect([pair.rule, [...verdicts].sort()]).toEqual([pair.rule, [false, true]]);
    }
    // Every validation of every policy is the one that fails for some fixture.
    const failed = new Set(objects.flatMap(([, o]) => pairs.flatMap((p) => violations(p.policy, o) ?? [])));
    const all = pairs.flatMap((p) => p.policy.spec.validations.map((v) => v.message));
    expect(all.filter((m) => !failed.has(m))).toEqual([]);
    const pss = pairs.find((p) => p.rule === 'pss-restricted')!;
    const weakened = pss.policy.spec.validations.filter((v) => !v.message.includes('privileged'));
    const broken = { ...pss, policy: { ...pss.policy, spec: { ...pss.policy.spec, validations: weakened } } };
    expect(compare([broken], objects, options).disagreements.length).toBeGreaterThan(0);
  });

  it.each(platform.environments.map((env) => [env.name, env] as const))(
    "on every workload of the reference platform's %s environment",
    (name, env) => {
      const { namespaces, flux, manifests } = environmentObjects(env);
      const all = [...namespaces, ...flux, ...manifests] as unknown as Manifest[];
      const workloads = all
        .filter((o) => podSpecOf(o))
        .map((o, i): [string, Manifest] => [`${name}#${i} ${String(o.kind)}/${String(o.metadata?.name)}`, o]);
      const options = env.guardrails ?? {};
      const pairs = admissionPolicies({ environment: name, namespaces: all, guardrails: options });
      const tally = compare(pairs, workloads, options);
      report(`platform ${name}`, tally, pairs.length, workloads.length);
      expect(workloads.length).toBeGreaterThan(0);
      expect(tally.disagreements).toEqual([]);
      expect(tally.evaluated).toBeGreaterThan(0);
    },
  );
});
