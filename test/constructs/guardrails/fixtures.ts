/** Objects that pass every guardrail, to mutate one field at a time in the tests. */
import type { Manifest } from '../../../constructs/guardrails/findings';

export const IMAGE = `ghcr.io/acme/web:1.4.2@sha256:${'a'.repeat(64)}`;

export function goodContainer(overrides: Record<string, unknown> = {}) {
  return {
    name: 'app',
    image: IMAGE,
    ports: [{ containerPort: 8080 }],
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      privileged: false,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    },
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
    readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
    livenessProbe: { httpGet: { path: '/live', port: 8080 } },
    ...overrides,
  };
}

export const LABELS = { 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/instance': 'web' };

export function goodPodSpec(overrides: Record<string, unknown> = {}) {
  return {
    automountServiceAccountToken: false,
    securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [goodContainer()],
    volumes: [{ name: 'tmp', emptyDir: {} }],
    ...overrides,
  };
}

export function deployment(podSpec: Record<string, unknown> = goodPodSpec(), replicas = 2): Manifest {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop', labels: LABELS },
    spec: { replicas, selector: { matchLabels: LABELS }, template: { metadata: { labels: LABELS }, spec: podSpec } },
  };
}

export const PDB: Manifest = {
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name: 'web', namespace: 'shop' },
  spec: { maxUnavailable: 1, selector: { matchLabels: LABELS } },
};

/** A NetworkPolicy restricting the workload's ingress and egress. */
export const NETWORK_POLICY: Manifest = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'web', namespace: 'shop' },
  spec: {
    podSelector: { matchLabels: { 'app.kubernetes.io/name': LABELS['app.kubernetes.io/name'] } },
    policyTypes: ['Ingress', 'Egress'],
    ingress: [{ ports: [{ protocol: 'TCP', port: 8080 }] }],
    egress: [{ ports: [{ protocol: 'UDP', port: 53 }] }],
  },
};

/** A Deployment, its PodDisruptionBudget and its NetworkPolicy: no finding under any profile. */
export function goodWorkload(podSpec?: Record<string, unknown>): Manifest[] {
  return [deployment(podSpec), PDB, NETWORK_POLICY];
}
