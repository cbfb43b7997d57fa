import { describe, expect, it } from 'vitest';
import { InvalidPropertyError } from '../../../constructs/core/validate';
import {
  GUARDRAIL_RULES,
  isBlocking,
  renderFindings,
  runGuardrails,
  summarizeFindings,
  validateGuardrailOptions,
} from '../../../constructs/guardrails/engine';
import type { GuardrailOptions } from '../../../constructs/guardrails/findings';
import { deployment, goodContainer, goodPodSpec, goodWorkload, NETWORK_POLICY, PDB } from './fixtures';

// Privileged (danger), no probes (warning), tag-only image (info in standard, warning in production).
const messy = () => [
  deployment(
    goodPodSpec({
      containers: [
        goodContainer({
          image: 'ghcr.io/acme/web:1.4.2',
          readinessProbe: undefined,
          securityContext: { ...goodContainer().securityContext, privileged: true },
        }),
      ],
    }),
  ),
  PDB,
  NETWORK_POLICY,
];

describe('runGuardrails', () => {
  it('finds nothing in a good workload under either profile', () => {
    expect(runGuardrails(goodWorkload())).toEqual([]);
    expect(runGuardrails(goodWorkload(), { profile: 'production' })).toEqual([]);
  });

  it('sorts findings worst first and resolves severities by profile', () => {
    const standard = runGuardrails(messy()).map((f) => `${f.severity} ${f.rule}`);
    expect(standard).toEqual(['danger pss-restricted', 'warning probes', 'info image-digest']);
    const production = runGuardrails(messy(), { profile: 'production' }).map((f) => `${f.severity} ${f.rule}`);
    expect(production).toEqual(['danger pss-restricted', 'warning image-digest', 'warning probes']);
  });

  it('lets levels override a rule or switch it off', () => {
    const findings = runGuardrails(messy(), { levels: { probes: 'danger', 'image-digest': 'off' } });
    expect(findings.map((f) => `${f.severity} ${f.rule}`)).toEqual(['danger pss-restricted', 'danger probes']);
  });

  it('skips excepted objects for the named rule only', () => {
    const exceptions = [
      { rule: 'pss-restricted', object: 'Deployment/shop/web', reason: 'CNI agent needs privileges' },
    ];
    const findings = runGuardrails(messy(), { exceptions });
    expect(findings.map((f) => f.rule)).toEqual(['probes', 'image-digest']);
  });

  it('gives every rule an id, description and fix text', () => {
    const ids = GUARDRAIL_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of GUARDRAIL_RULES) expect(rule.description.length).toBeGreaterThan(10);
    for (const f of runGuardrails(messy())) expect(f.fix).not.toBe('');
  });
});

describe('validateGuardrailOptions', () => {
  it.each([
    [{ profile: 'strict' }, 'profile', /'standard' or 'production', got "strict"/],
    [
      { levels: { 'no-such-rule': 'off' } },
      'levels.no-such-rule',
      /unknown rule "no-such-rule"; known rules: pss-restricted/,
    ],
    [{ levels: { probes: 'fatal' } }, 'levels.probes', /danger, warning, info or off, got "fatal"/],
    [
      { exceptions: [{ rule: 'probes', object: 'Deployment/a/b', reason: ' ' }] },
      'exceptions[0].reason',
      /needs a reason/,
    ],
    [{ exceptions: [{ rule: 'nope', object: 'x', reason: 'y' }] }, 'exceptions[0].rule', /is not a rule/],
    [{ allowedRegistries: ['https://ghcr.io'] }, 'allowedRegistries[0]', /registry host and optional path/],
  ] as const)('rejects %j naming %s', (options, property, message) => {
    let error: unknown;
    try {
      validateGuardrailOptions(options as unknown as GuardrailOptions);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidPropertyError);
    expect((error as InvalidPropertyError).property).toBe(property);
    expect((error as Error).message).toMatch(message);
  });
});

describe('reporting', () => {
  it('blocks on the threshold and worse', () => {
    const findings = runGuardrails(messy(), { levels: { 'pss-restricted': 'off' } });
    expect(isBlocking(findings)).toBe(false);
    expect(isBlocking(findings, 'warning')).toBe(true);
    expect(isBlocking(runGuardrails(messy()))).toBe(true);
  });

  it('renders each finding with its object, field and fix, then the counts', () => {
    const text = renderFindings(runGuardrails(messy()));
    expect(text).toContain(
      "DANGER  pss-restricted  Deployment/shop/web\n        spec.template.spec.containers[0].securityContext.privileged: container 'app' is privileged\n        fix: remove privileged",
    );
    expect(text.trimEnd().split('\n').pop()).toBe('1 danger, 1 warning, 1 info');
    expect(renderFindings([])).toBe('No findings.\n');
    expect(summarizeFindings([])).toBe('0 danger, 0 warning, 0 info');
  });
});
