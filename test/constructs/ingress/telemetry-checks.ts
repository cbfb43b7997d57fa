import { POD_SECURITY_RESTRICTED } from '../../../constructs/guardrails/rules/pod-security';

/** Findings of the restricted profile for a pod with this pod and container securityContext. */
export function restrictedFindings(pod: unknown, container: unknown): string[] {
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'probe', namespace: 'probe' },
    spec: {
      selector: { matchLabels: { app: 'probe' } },
      template: {
        metadata: { labels: { app: 'probe' } },
        spec: { securityContext: pod, containers: [{ name: 'c', image: 'x:1', securityContext: container }] },
      },
    },
  };
  return POD_SECURITY_RESTRICTED.check({ objects: [deployment], policies: [], options: {} }).map((f) => f.message);
}
