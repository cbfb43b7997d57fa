/**
 * The guardrails as Pulumi CrossGuard policies, for `pulumi up --policy-pack`: the same rules that fail
 * `cdk8s synth`, checked again on what Pulumi is about to deploy. The types below are the structural part
 * of @pulumi/policy's that the policies use, so neither loading nor type-checking this module needs it;
 * the package's pack (policy-pack/) type-checks them against the real ones. The package's own pack, the
 * folder `lib/pulumi/policy-pack` of the installed package, serves them with {@link policyPackOptions}.
 */
import { InvalidPropertyError, show } from '../core/validate';
import { GUARDRAIL_RULES, ruleSeverity, runRule, validateGuardrailOptions } from '../guardrails/engine';
import {
  type Finding,
  type GuardrailOptions,
  type GuardrailRule,
  type Manifest,
  objectRef,
  type Severity,
} from '../guardrails/findings';

/** What CrossGuard passes about one resource (a subset of @pulumi/policy's `PolicyResource`). */
export interface PolicyResourceLike {
  readonly type: string;
  readonly props: Record<string, unknown>;
  readonly urn: string;
}

/** CrossGuard's violation callback. */
export type ReportViolation = (message: string, urn?: string) => void;

interface PolicyCommon {
  readonly name: string;
  readonly description: string;
  readonly enforcementLevel: 'advisory' | 'mandatory' | 'disabled';
  readonly severity?: 'low' | 'medium' | 'high';
}

/** A resource policy, assignable to @pulumi/policy's `ResourceValidationPolicy`. */
export interface GuardrailResourcePolicy extends PolicyCommon {
  /** Checks one resource, reporting each violation. */
  readonly validateResource: (args: { type: string; props: Record<string, unknown> }, report: ReportViolation) => void;
}

/** A stack policy, assignable to @pulumi/policy's `StackValidationPolicy`. */
export interface GuardrailStackPolicy extends PolicyCommon {
  /** Checks every resource of the stack together, reporting each violation. */
  readonly validateStack: (args: { resources: readonly PolicyResourceLike[] }, report: ReportViolation) => void;
}

const KUBERNETES_TYPE = /^kubernetes:([^/]+)\/([^:]+):(.+)$/;

/**
 * A Pulumi Kubernetes resource as the manifest the rules read: `kubernetes:apps/v1:Deployment` with its
 * inputs. Undefined for other providers' resources and for Helm releases and groups (no object of their own).
 */
export function manifestOf(type: string, props: Record<string, unknown>): Manifest | undefined {
  const match = KUBERNETES_TYPE.exec(type);
  if (!match) return undefined;
  const [, group, version, kind] = match as unknown as [string, string, string, string];
  if (group === 'helm.sh' || kind.endsWith('ConfigGroup') || kind.endsWith('ConfigFile')) return undefined;
  const apiVersion = group === 'core' ? version : `${group}/${version}`;
  return { ...props, apiVersion: props.apiVersion ?? apiVersion, kind: props.kind ?? kind } as Manifest;
}

// danger blocks the deployment; warning and info are reported without blocking.
const ENFORCEMENT: Record<Severity, PolicyCommon['enforcementLevel']> = {
  danger: 'mandatory',
  warning: 'advisory',
  info: 'advisory',
};
const POLICY_SEVERITY: Record<Severity, NonNullable<PolicyCommon['severity']>> = {
  danger: 'high',
  warning: 'medium',
  info: 'low',
};

function describe(f: Finding): string {
  return `${f.object} ${f.field}: ${f.message}. Fix: ${f.fix}`;
}

function common(rule: GuardrailRule, options: GuardrailOptions) {
  const severity = ruleSeverity(rule, options);
  return {
    name: `switchyard-${rule.id}`,
    description: rule.description,
    enforcementLevel: severity === 'off' ? ('disabled' as const) : ENFORCEMENT[severity],
    ...(severity === 'off' ? {} : { severity: POLICY_SEVERITY[severity] }),
  };
}

function report(findings: Finding[], reportViolation: ReportViolation, urnOf: (f: Finding) => string | undefined) {
  for (const f of findings) reportViolation(describe(f), urnOf(f));
}

/**
 * One CrossGuard policy per guardrail rule that applies to deployed objects: a resource policy for rules
 * that read one object, a stack policy for rules that cross-reference objects (PodDisruptionBudgets).
 * Routing rules are left out: the typed routing policies exist only at synth, where the plugin checks them.
 * As in the other front ends, the deployer binding of Switchyard's own cluster access passes `rbac-least-privilege`
 * unless `allowSwitchyardDeployers` is false (see {@link GuardrailOptions.allowSwitchyardDeployers}).
 * @throws InvalidPropertyError when the options are malformed
 */
export function guardrailPolicies(options: GuardrailOptions = {}): (GuardrailResourcePolicy | GuardrailStackPolicy)[] {
  validateGuardrailOptions(options);
  return GUARDRAIL_RULES.filter((rule) => rule.scope !== 'routing').map((rule) => {
    if (rule.scope === 'object') {
      const policy: GuardrailResourcePolicy = {
        ...common(rule, options),
        validateResource: (args, reportViolation) => {
          const manifest = manifestOf(args.type, args.props);
          if (manifest)
            report(runRule(rule, { objects: [manifest], policies: [], options }), reportViolation, () => undefined);
        },
      };
      return policy;
    }
    const policy: GuardrailStackPolicy = {
      ...common(rule, options),
      validateStack: (args, reportViolation) => {
        const byObject = new Map<Manifest, PolicyResourceLike>();
        for (const resource of args.resources) {
          const manifest = manifestOf(resource.type, resource.props);
          if (manifest) byObject.set(manifest, resource);
        }
        const objects = [...byObject.keys()];
        const findings = runRule(rule, { objects, policies: [], options });
        const urns = new Map([...byObject].map(([m, r]) => [objectRef(m), r.urn]));
        report(findings, reportViolation, (f) => urns.get(f.object));
      },
    };
    return policy;
  });
}

/** The name the package's CrossGuard pack (`lib/pulumi/policy-pack`) is served under. */
export const POLICY_PACK_NAME = 'switchyard-guardrails';

/**
 * The environment variable that picks the profile of the package's pack: `standard` or `production`.
 * Read in the environment of the `pulumi` command, e.g. `SWITCHYARD_GUARDRAILS_PROFILE=standard pulumi preview
 * --policy-pack node_modules/switchyard/lib/pulumi/policy-pack`.
 */
export const GUARDRAILS_PROFILE_VARIABLE = 'SWITCHYARD_GUARDRAILS_PROFILE';

/**
 * The guardrail options the package's pack serves, from the environment it runs in: the `production` profile
 * unless {@link GUARDRAILS_PROFILE_VARIABLE} says `standard`; every other option at its default (so the deployer
 * bindings of Switchyard's cluster access pass). A team that needs registries, levels or exceptions writes its
 * own pack with {@link guardrailPolicies}, and may start from these options.
 * @param env the environment variables of the process (the pack entry passes its own)
 * @throws InvalidPropertyError naming the variable when it is set to anything but `standard` or `production`
 */
export function policyPackOptions(env: Readonly<Record<string, string | undefined>>): GuardrailOptions {
  const value = env[GUARDRAILS_PROFILE_VARIABLE];
  if (value === undefined) return { profile: 'production' };
  if (value !== 'standard' && value !== 'production') {
    throw new InvalidPropertyError(
      GUARDRAILS_PROFILE_VARIABLE,
      `${GUARDRAILS_PROFILE_VARIABLE} must be 'standard' or 'production', got ${show(value)}; unset it for production`,
    );
  }
  return { profile: value };
}
