/** Runs the guardrail rules over an environment's objects and routes, and reports the findings. */
import { arr, assertProps, bool, type Fields, opt, rec, req, shapeOf, str } from '../core/strict';
import { InvalidPropertyError, show } from '../core/validate';
import type { CompileTarget, RoutingPolicy } from '../routing/types';
import {
  type Finding,
  type GuardrailContext,
  type GuardrailException,
  type GuardrailOptions,
  type GuardrailRule,
  type Manifest,
  SEVERITIES,
  type Severity,
} from './findings';
import { NETWORK_POLICY } from './rules/network';
import { POD_SECURITY_RESTRICTED } from './rules/pod-security';
import { ROUTE_APPROXIMATIONS, ROUTE_HSTS, ROUTE_TIMEOUTS, ROUTE_TLS, ROUTE_WILDCARD_HOSTS } from './rules/routing';
import { NO_PLAINTEXT_SECRETS, RBAC_LEAST_PRIVILEGE } from './rules/secrets-rbac';
import {
  HIGH_AVAILABILITY,
  IMAGE_DIGEST,
  IMAGE_REGISTRY,
  IMAGE_TAG,
  PROBES,
  READ_ONLY_ROOT,
  RESOURCES,
} from './rules/workloads';

/** Every rule, in report order. */
export const GUARDRAIL_RULES: readonly GuardrailRule[] = [
  POD_SECURITY_RESTRICTED,
  NO_PLAINTEXT_SECRETS,
  RBAC_LEAST_PRIVILEGE,
  IMAGE_TAG,
  IMAGE_REGISTRY,
  IMAGE_DIGEST,
  RESOURCES,
  PROBES,
  READ_ONLY_ROOT,
  HIGH_AVAILABILITY,
  NETWORK_POLICY,
  ROUTE_TLS,
  ROUTE_HSTS,
  ROUTE_TIMEOUTS,
  ROUTE_WILDCARD_HOSTS,
  ROUTE_APPROXIMATIONS,
];

const RULE_IDS = new Set(GUARDRAIL_RULES.map((r) => r.id));

const GUARDRAIL_OPTION_FIELDS = shapeOf<GuardrailOptions>()({
  profile: opt(str()),
  allowedRegistries: opt(arr(str())),
  // Unknown rule ids keep the message below, which lists the rules.
  levels: opt(rec(str())),
  exceptions: opt(arr(shapeOf<GuardrailException>()({ rule: req(str()), object: req(str()), reason: req(str()) }))),
  allowWildcardHosts: opt(bool),
  allowSwitchyardDeployers: opt(bool),
}).fields;

/**
 * Keys of the front ends whose options extend GuardrailOptions (the cdk8s plugin's `failOn` and
 * `profiles`, `switchyard check`'s `failOn` and `json`): their types are checked here, their values there.
 */
const FRONT_END_FIELDS: Fields = {
  failOn: opt(str()),
  profiles: opt(rec(str())),
  json: opt(bool),
};

/**
 * Checks options eagerly: unknown keys (with the nearest key suggested), wrong types, `null`, unknown
 * rule ids and exceptions without a reason are mistakes, not no-ops.
 */
export function validateGuardrailOptions(options: GuardrailOptions): void {
  assertProps(options, { kind: 'object', fields: { ...GUARDRAIL_OPTION_FIELDS, ...FRONT_END_FIELDS } }, 'options');
  if (options.profile !== undefined && options.profile !== 'standard' && options.profile !== 'production') {
    throw new InvalidPropertyError(
      'profile',
      `profile must be 'standard' or 'production', got ${show(options.profile)}`,
    );
  }
  for (const [id, level] of Object.entries(options.levels ?? {})) {
    if (!RULE_IDS.has(id)) {
      throw new InvalidPropertyError(
        `levels.${id}`,
        `levels names unknown rule ${show(id)}; known rules: ${[...RULE_IDS].join(', ')}`,
      );
    }
    if (level !== 'off' && !SEVERITIES.includes(level)) {
      throw new InvalidPropertyError(
        `levels.${id}`,
        `levels.${id} must be danger, warning, info or off, got ${show(level)}`,
      );
    }
  }
  (options.exceptions ?? []).forEach((e, i) => {
    if (!RULE_IDS.has(e.rule)) {
      throw new InvalidPropertyError(
        `exceptions[${i}].rule`,
        `exceptions[${i}].rule ${show(e.rule)} is not a rule; known rules: ${[...RULE_IDS].join(', ')}`,
      );
    }
    if (typeof e.reason !== 'string' || !e.reason.trim()) {
      throw new InvalidPropertyError(
        `exceptions[${i}].reason`,
        `exceptions[${i}] (${e.rule} on ${e.object}) needs a reason, so reviewers see why it is accepted`,
      );
    }
  });
  (options.allowedRegistries ?? []).forEach((r, i) => {
    if (typeof r !== 'string' || !r || r.includes('://')) {
      throw new InvalidPropertyError(
        `allowedRegistries[${i}]`,
        `allowedRegistries[${i}] must be a registry host and optional path like 'ghcr.io/acme', got ${show(r)}`,
      );
    }
  });
}

/** The severity a rule reports at under the options: its level override, else its profile's. */
export function ruleSeverity(rule: GuardrailRule, options: GuardrailOptions): Severity | 'off' {
  const override = options.levels?.[rule.id];
  if (override) return override;
  if (options.profile === 'production') return rule.productionSeverity ?? rule.severity;
  return rule.standardSeverity ?? rule.severity;
}

/**
 * Every finding of every rule, worst first. `policies` are the environment's routing policies, which the
 * routing rules read (empty when only manifests are at hand), and `target` what they are compiled for.
 * @throws InvalidPropertyError when the options are malformed
 */
export function runGuardrails(
  objects: readonly Manifest[],
  options: GuardrailOptions = {},
  policies: readonly RoutingPolicy[] = [],
  target?: CompileTarget,
): Finding[] {
  validateGuardrailOptions(options);
  const context = { objects, policies, options, ...(target ? { target } : {}) };
  return GUARDRAIL_RULES.flatMap((rule) => runRule(rule, context)).sort(
    (a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity),
  );
}

/** One rule's findings with their severity, less the options' exceptions; none when the rule is off. */
export function runRule(rule: GuardrailRule, context: GuardrailContext): Finding[] {
  const severity = ruleSeverity(rule, context.options);
  if (severity === 'off') return [];
  const excepted = new Set((context.options.exceptions ?? []).filter((e) => e.rule === rule.id).map((e) => e.object));
  return rule
    .check(context)
    .filter((raw) => !excepted.has(raw.object))
    .map((raw) => ({ rule: rule.id, severity, ...raw }));
}

/** Whether any finding is at least as bad as `failOn`. */
export function isBlocking(findings: readonly Finding[], failOn: Severity = 'danger'): boolean {
  const threshold = SEVERITIES.indexOf(failOn);
  return findings.some((f) => SEVERITIES.indexOf(f.severity) <= threshold);
}

/** Counts per severity, e.g. `2 danger, 5 warning, 0 info`. */
export function summarizeFindings(findings: readonly Finding[]): string {
  return SEVERITIES.map((s) => `${findings.filter((f) => f.severity === s).length} ${s}`).join(', ');
}

/** Findings as a readable report: one block per finding, with the field and the fix. */
export function renderFindings(findings: readonly Finding[]): string {
  if (findings.length === 0) return 'No findings.\n';
  const blocks = findings.map(
    (f) =>
      `${f.severity.toUpperCase().padEnd(7)} ${f.rule}  ${f.object}\n        ${f.field}: ${f.message}\n        fix: ${f.fix}`,
  );
  return `${blocks.join('\n')}\n\n${summarizeFindings(findings)}\n`;
}
