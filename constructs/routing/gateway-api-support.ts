/**
 * What Gateway API routes depend on besides themselves: the cert-manager Certificate, ReferenceGrants
 * for certificates and backends in other namespaces, one BackendTLSPolicy per HTTPS Service, and the
 * Secrets a Gateway's HTTPS listener must reference. Pure.
 */
import { backendNamespace, namespaceOf, tlsSecretName } from './model';
import { objectName } from './names';
import { certificateFor, policyLabels } from './tls-objects';
import type { KubeObject, RoutingPolicy } from './types';

const GATEWAY_GROUP = 'gateway.networking.k8s.io';

/** The Gateway's name and namespace, as the supporting objects need them. */
interface GatewayRef {
  readonly namespace: string;
}

function meta(policy: RoutingPolicy, name: string, namespace = namespaceOf(policy)) {
  return { name, namespace, labels: policyLabels(policy) };
}

/** The Secrets a Gateway's HTTPS listener must reference for these policies' certificates. */
export function gatewayCertificateRefs(
  policies: readonly RoutingPolicy[],
): { kind: 'Secret'; name: string; namespace: string }[] {
  return policies.flatMap((p) => {
    const secret = tlsSecretName(p);
    return secret ? [{ kind: 'Secret' as const, name: secret, namespace: namespaceOf(p) }] : [];
  });
}

/** Certificate, ReferenceGrants and BackendTLSPolicies a policy's routes depend on. */
export function supportingObjects(
  policy: RoutingPolicy,
  gateway: GatewayRef,
  routeKinds: string[],
  warnings: string[],
  ns: string,
): KubeObject[] {
  const objects: KubeObject[] = [...certificateFor(policy)];
  const secret = tlsSecretName(policy);
  if (secret && ns !== gateway.namespace) {
    objects.push({
      apiVersion: `${GATEWAY_GROUP}/v1beta1`,
      kind: 'ReferenceGrant',
      metadata: meta(policy, objectName([policy.name, 'certificate', gateway.namespace])),
      spec: {
        from: [{ group: GATEWAY_GROUP, kind: 'Gateway', namespace: gateway.namespace }],
        to: [{ group: '', kind: 'Secret', name: secret }],
      },
    });
  }
  const refs = policy.rules.flatMap((r) => [...(r.backends ?? []), ...(r.mirror ? [r.mirror.backend] : [])]);
  const foreign = new Map<string, Set<string>>();
  for (const ref of refs) {
    const backendNs = backendNamespace(policy, ref);
    if (backendNs !== ns) foreign.set(backendNs, (foreign.get(backendNs) ?? new Set()).add(ref.service));
  }
  for (const [backendNs, services] of foreign) {
    objects.push({
      apiVersion: `${GATEWAY_GROUP}/v1beta1`,
      kind: 'ReferenceGrant',
      metadata: meta(policy, objectName([ns, policy.name, 'backends']), backendNs),
      spec: {
        from: routeKinds.map((kind) => ({ group: GATEWAY_GROUP, kind, namespace: ns })),
        to: [...services].sort().map((name) => ({ group: '', kind: 'Service', name })),
      },
    });
  }
  for (const rule of policy.rules) {
    for (const b of rule.backends ?? []) {
      if (b.protocol === 'h2c' || b.protocol === 'ws') {
        const backendNs = backendNamespace(policy, b);
        warnings.push(
          `${policy.name}: Service ${backendNs}/${b.service} port ${b.port} must declare appProtocol 'kubernetes.io/${b.protocol}' for Gateway API to speak ${b.protocol} to it`,
        );
      }
    }
  }
  return objects;
}

/**
 * One BackendTLSPolicy per HTTPS Service, whichever policies route to it: the policy attaches to the
 * Service, so two would conflict.
 */
export function backendTlsPolicies(policies: readonly RoutingPolicy[], warnings: string[]): KubeObject[] {
  const services = new Map<string, { service: string; namespace: string }>();
  for (const policy of policies) {
    for (const b of policy.rules.flatMap((r) => r.backends ?? [])) {
      const namespace = backendNamespace(policy, b);
      if (b.protocol === 'https') services.set(`${namespace}/${b.service}`, { service: b.service, namespace });
    }
  }
  return [...services.values()].map(({ service, namespace }) => {
    warnings.push(
      `BackendTLSPolicy for ${namespace}/${service} trusts the system CAs and expects the certificate name ${service}.${namespace}.svc`,
    );
    return {
      apiVersion: `${GATEWAY_GROUP}/v1`,
      kind: 'BackendTLSPolicy',
      metadata: {
        name: objectName([service, 'backend-tls']),
        namespace,
        labels: { 'app.kubernetes.io/managed-by': 'switchyard' },
      },
      spec: {
        targetRefs: [{ group: '', kind: 'Service', name: service }],
        validation: { hostname: `${service}.${namespace}.svc`, wellKnownCACertificates: 'System' },
      },
    };
  });
}
