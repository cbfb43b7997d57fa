/**
 * The guardrails' vocabulary: rules, findings, severities and the options environments choose.
 * Pure: the same rules run in the cdk8s validation plugin, the CrossGuard pack and `switchyard check`.
 */
import type { CompileTarget, RoutingPolicy } from '../routing/types';

/** How bad a finding is. `danger` fails synth and deploy by default; `warning` and `info` are reported. */
export type Severity = 'danger' | 'warning' | 'info';

/** Severities from worst to mildest, for sorting and thresholds. */
export const SEVERITIES: readonly Severity[] = ['danger', 'warning', 'info'];

/** A Kubernetes object as the rules see it: plain parsed JSON. */
export interface Manifest {
  readonly apiVersion?: unknown;
  readonly kind?: unknown;
  readonly metadata?: {
    readonly name?: unknown;
    readonly namespace?: unknown;
    readonly labels?: Readonly<Record<string, string>>;
  };
  readonly [field: string]: unknown;
}

/** One problem, naming the object and the field, with the fix. */
export interface Finding {
  /** The rule's id, e.g. `pss-restricted`. */
  readonly rule: string;
  readonly severity: Severity;
  /** `Kind/namespace/name` (or `Kind/name` for cluster-scoped objects). */
  readonly object: string;
  /** Dotted path of the offending field inside the object. */
  readonly field: string;
  readonly message: string;
  readonly fix: string;
}

/** An accepted deviation: the rule does not report this object. */
export interface GuardrailException {
  /** The rule id. */
  readonly rule: string;
  /** `Kind/namespace/name` as findings print it. */
  readonly object: string;
  /** Why it is acceptable; required so reviewers see it. */
  readonly reason: string;
}

/** What an environment asks of its manifests and routes. */
export interface GuardrailOptions {
  /**
   * The level of strictness. `production` turns the routing rules (TLS, HSTS, timeouts, wildcard hosts)
   * and image digests into blocking checks.
   * @default 'standard'
   */
  readonly profile?: 'standard' | 'production';
  /**
   * Registries images may come from (`ghcr.io/acme`, `123456789012.dkr.ecr.eu-west-1.amazonaws.com`),
   * matched as a prefix up to a `/`.
   * @default - any registry
   */
  readonly allowedRegistries?: readonly string[];
  /**
   * Severity per rule id, or 'off'. Overrides the profile.
   * @default - each rule's severity in the profile
   */
  readonly levels?: Readonly<Record<string, Severity | 'off'>>;
  /**
   * Objects a rule does not apply to, each with a reason.
   * @default - none
   */
  readonly exceptions?: readonly GuardrailException[];
  /**
   * Hosts with a wildcard are allowed on public routes in production.
   * @default false
   */
  readonly allowWildcardHosts?: boolean;
  /**
   * Accept the deployer binding that Switchyard's own cluster access creates (`rbacAccessObjects`) in
   * `rbac-least-privilege`: a ClusterRoleBinding named `switchyard-<cluster>-deployer` whose
   * `app.kubernetes.io/part-of` label is that `<cluster>`, labelled `app.kubernetes.io/managed-by: switchyard`,
   * binding exactly one subject to the `cluster-admin` ClusterRole. Any other cluster-admin binding is still
   * reported. The binding is recognised by its shape, in every front end alike (the cdk8s plugin,
   * `switchyard check`, the CrossGuard policies), so a hand-written binding of that exact shape passes too: set
   * it to false to report those bindings as well, and accept each cluster's by name with
   * `deployerBindingException(cluster)`.
   * @default true
   */
  readonly allowSwitchyardDeployers?: boolean;
}

/** What a rule is given: every object of the environment (rules cross-reference), and its routes. */
export interface GuardrailContext {
  readonly objects: readonly Manifest[];
  readonly policies: readonly RoutingPolicy[];
  readonly options: GuardrailOptions;
  /** What the policies are compiled for, when known (routing.json records it): rules that depend on the dialect read it. */
  readonly target?: CompileTarget;
}

/** A finding before severity resolution: rules say which of their checks fired. */
export type RawFinding = Omit<Finding, 'rule' | 'severity'>;

/** One check. `severity` is the standard profile's; `production` may raise it. */
export interface GuardrailRule {
  readonly id: string;
  readonly description: string;
  readonly severity: Severity;
  /**
   * What the rule looks at: one object at a time, a whole object set (cross-references, e.g. Deployments
   * and their PodDisruptionBudgets), or the routing policies. Deploy-time policies use it to pick their form.
   */
  readonly scope: 'object' | 'object-set' | 'routing';
  /** Severity under the production profile. @default - `severity` */
  readonly productionSeverity?: Severity | 'off';
  /** Severity under the standard profile when it differs from `severity` ('off' to skip). */
  readonly standardSeverity?: 'off';
  /** Finds the rule's violations in the context's objects and routes. */
  readonly check: (context: GuardrailContext) => RawFinding[];
}

/** `Kind/namespace/name`, the way findings and exceptions name objects. */
export function objectRef(object: Manifest): string {
  const kind = typeof object.kind === 'string' ? object.kind : '(no kind)';
  const name = typeof object.metadata?.name === 'string' ? object.metadata.name : '(no name)';
  const namespace = object.metadata?.namespace;
  return typeof namespace === 'string' && namespace ? `${kind}/${namespace}/${name}` : `${kind}/${name}`;
}

/** A finding on one object's field: what every object rule reports. */
export function findingOn(object: Manifest, field: string, message: string, fix: string): RawFinding {
  return { object: objectRef(object), field, message, fix };
}
