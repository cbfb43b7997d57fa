/** TLS objects shared by the dialects: the cert-manager Certificate for a policy's hosts. Pure. */
import { namespaceOf, tlsSecretName } from './model';
import { objectName } from './names';
import type { KubeObject, RoutingPolicy } from './types';

/** Labels every generated object carries, so route maps and audits can find a policy's objects. */
export function policyLabels(policy: RoutingPolicy): Record<string, string> {
  return { 'app.kubernetes.io/managed-by': 'switchyard', 'switchyard.io/routing-policy': policy.name };
}

/**
 * A cert-manager Certificate writing the policy's TLS Secret, when the policy names a ClusterIssuer.
 * Emitted explicitly rather than through an ingress or gateway shim, so one Certificate owns the Secret
 * whatever number of routes use it.
 */
export function certificateFor(policy: RoutingPolicy): KubeObject[] {
  const secret = tlsSecretName(policy);
  const issuer = policy.tls?.clusterIssuer;
  if (!secret || !issuer) return [];
  return [
    {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: {
        name: objectName([policy.name, 'tls']),
        namespace: namespaceOf(policy),
        labels: policyLabels(policy),
      },
      spec: {
        secretName: secret,
        dnsNames: [...policy.hosts],
        issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: issuer },
      },
    },
  ];
}
