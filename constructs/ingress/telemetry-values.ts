/**
 * What the metrics and logs stacks share: per-component resources with checked quantities, the duration
 * and quantity checks of their options, and the pod and container hardening every component gets. Pure.
 */
import { assertDnsLabel, InvalidPropertyError, show } from '../core/validate';

/** CPU and memory of one container; what is left out keeps the default. */
export interface ComponentResources {
  /** @default - the component's default (see each stack) */
  readonly requests?: { readonly cpu?: string; readonly memory?: string };
  /** @default - the component's default: a memory limit, no CPU limit */
  readonly limits?: { readonly cpu?: string; readonly memory?: string };
}

const DURATION = /^([1-9]\d*)(ms|s|m|h|d|w|y)$/;
const QUANTITY = /^(\d+(\.\d+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

/** Throws unless `value` is a positive duration with one unit, like '15d' (Prometheus' format). */
export function assertDuration(property: string, value: string, units = 'ms, s, m, h, d, w or y'): void {
  if (!DURATION.test(value))
    throw new InvalidPropertyError(
      property,
      `'${property}' (${show(value)}) must be a positive whole number with one unit (${units}), like '15d'`,
    );
}

/** Throws unless `value` is a positive Kubernetes quantity, like '50Gi' or '500m'. */
export function assertQuantity(property: string, value: string): void {
  const match = QUANTITY.exec(value);
  if (!match || Number(match[1]) <= 0)
    throw new InvalidPropertyError(
      property,
      `'${property}' (${show(value)}) must be a positive Kubernetes quantity like '50Gi' or '500m'${value.startsWith('-') ? ' (negative sizes are meaningless)' : ''}`,
    );
}

/** The resources of a component: the defaults with the given fields replaced, each checked. */
export function resolveResources(
  property: string,
  defaults: ComponentResources,
  given: ComponentResources | undefined,
): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const side of ['requests', 'limits'] as const) {
    const merged: Record<string, string> = { ...defaults[side], ...given?.[side] };
    for (const [key, value] of Object.entries(merged)) assertQuantity(`${property}.${side}.${key}`, value);
    out[side] = merged;
  }
  return out;
}

/** Container hardening every component gets: no escalation, no capabilities, read-only root, seccomp. */
export const HARDENED_CONTAINER = {
  allowPrivilegeEscalation: false,
  privileged: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
} as const;

/** A non-root pod with the runtime's seccomp profile, running as `uid`. */
export function hardenedPod(uid: number, gid = uid): Record<string, unknown> {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: gid,
    fsGroup: gid,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/**
 * Refuses raw chart values that would put a secret in plain text into the synthesized HelmRelease (and
 * Pulumi state): each of `paths` (dot-separated, under `values`) must be absent. `fix` says where the
 * secret goes instead.
 */
export function assertNoSecretValues(
  property: string,
  values: Readonly<Record<string, unknown>> | undefined,
  paths: readonly string[],
  fix: string,
): void {
  for (const path of paths) {
    let at: unknown = values;
    for (const key of path.split('.'))
      at = at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined;
    if (at !== undefined)
      throw new InvalidPropertyError(
        `${property}.${path}`,
        `'${property}.${path}' would write a secret in plain text into the synthesized release: remove it; ${fix}`,
      );
  }
}

/**
 * A stack's two namespaces, checked: DNS labels, and apart, since the node agent's is privileged and the
 * stack's stays restricted. `fields` are the option paths ('metrics.namespace', 'metrics.nodeExporterNamespace').
 */
export function stackNamespaces(
  fields: readonly [string, string],
  values: readonly [string, string],
  agent: string,
): readonly [string, string] {
  const [stackField, agentField] = fields;
  const [stack, node] = values;
  assertDnsLabel(stackField, stack);
  assertDnsLabel(agentField, node);
  if (stack === node)
    throw new InvalidPropertyError(
      agentField,
      `'${agentField}' (${show(node)}) must differ from '${stackField}': ${agent} needs a privileged namespace, the stack's stays restricted`,
    );
  return values;
}
