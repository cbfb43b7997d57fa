/** The Ingress object the Ingress-based dialects (ingress-nginx, HAProxy) emit per rule. Pure. */
import { namespaceOf, tlsSecretName } from './model';
import { policyLabels } from './tls-objects';
import type { KubeObject, RoutingPolicy } from './types';

/** One path of an Ingress rule; `path` is omitted for ImplementationSpecific catch-all entries. */
export interface IngressPathEntry {
  readonly path?: string;
  readonly pathType: 'Exact' | 'Prefix' | 'ImplementationSpecific';
  readonly backend: { readonly service: { readonly name: string; readonly port: { readonly number: number } } };
}

/** An Ingress for every host of the policy, with its TLS Secret and the given annotations. */
export function ingressObject(
  policy: RoutingPolicy,
  name: string,
  annotations: Readonly<Record<string, string>>,
  className: string,
  paths: readonly IngressPathEntry[],
): KubeObject {
  const secret = tlsSecretName(policy);
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name,
      namespace: namespaceOf(policy),
      labels: policyLabels(policy),
      ...(Object.keys(annotations).length ? { annotations: { ...annotations } } : {}),
    },
    spec: {
      ingressClassName: className,
      ...(secret ? { tls: [{ hosts: [...policy.hosts], secretName: secret }] } : {}),
      rules: policy.hosts.map((host) => ({ host, http: { paths: paths.map((p) => ({ ...p })) } })),
    },
  };
}
