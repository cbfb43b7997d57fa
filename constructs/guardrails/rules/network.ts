/** East-west isolation: every long-running pod is selected by NetworkPolicies restricting ingress and egress. */
import { findingOn, type GuardrailRule, type Manifest, type RawFinding } from '../findings';
import { type Json, podsOf } from '../pods';

/** Whether a label selector selects pods with these labels (matchLabels and the common matchExpressions). */
export function selects(selector: Json, labels: Readonly<Record<string, string>>): boolean {
  if (!selector || typeof selector !== 'object') return false;
  const match: Record<string, string> = selector.matchLabels ?? {};
  if (!Object.entries(match).every(([k, v]) => labels[k] === v)) return false;
  return ((selector.matchExpressions ?? []) as Json[]).every((e) => {
    const value = labels[e.key];
    switch (e.operator) {
      case 'In':
        return value !== undefined && (e.values ?? []).includes(value);
      case 'NotIn':
        return value === undefined || !(e.values ?? []).includes(value);
      case 'Exists':
        return value !== undefined;
      case 'DoesNotExist':
        return value === undefined;
      default:
        return false;
    }
  });
}

/** The directions a NetworkPolicy restricts: its policyTypes, or Ingress (plus Egress with egress rules). */
function directions(policy: Json): string[] {
  const types = policy.spec?.policyTypes;
  if (Array.isArray(types) && types.length) return types;
  return ['Ingress', ...(policy.spec?.egress ? ['Egress'] : [])];
}

/** Pods no NetworkPolicy isolates accept traffic from, and send it to, anything in the cluster. */
export const NETWORK_POLICY: GuardrailRule = {
  id: 'network-policy',
  description: 'Long-running pods are selected by NetworkPolicies that restrict both ingress and egress',
  severity: 'warning',
  scope: 'object-set',
  check: ({ objects }) => {
    const findings: RawFinding[] = [];
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy') as Json[];
    for (const { object, pod } of podsOf(objects)) {
      if (pod.batch || object.kind === 'Pod') continue;
      const namespace = (object as Manifest).metadata?.namespace;
      const covered = new Set(
        policies
          .filter((p) => p.metadata?.namespace === namespace && selects(p.spec?.podSelector, pod.labels))
          .flatMap(directions),
      );
      const missing = ['Ingress', 'Egress'].filter((d) => !covered.has(d));
      if (missing.length) {
        findings.push(
          findingOn(
            object,
            'spec.template.metadata.labels',
            `no NetworkPolicy restricts ${missing.join(' or ').toLowerCase()} for these pods: any pod in the cluster can reach them${missing.includes('Egress') ? ', and they can reach anything' : ''}`,
            "add the namespace's policies: namespaceNetworkPolicies({ namespace, workloads, routes, proxy })",
          ),
        );
      }
    }
    return findings;
  },
};
