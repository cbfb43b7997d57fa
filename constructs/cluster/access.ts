/**
 * Who may change what runs on a cluster: the pipeline's deploy identity is the only writer (workloads,
 * pods included); people get read-only access (no Secrets) unless granted more elsewhere. Pure: each cluster
 * component maps this to its cloud's mechanism (EKS access entries, GKE IAM, AKS Azure RBAC, Kubernetes RBAC).
 */
import { firstDuplicate, InvalidPropertyError, show } from '../core/validate';
import type { GuardrailException } from '../guardrails/findings';
import { assertClusterArgs, CLUSTER_ACCESS_SPEC } from './schema';
import type { ClusterKind } from './traits';

/** Access to a cluster's Kubernetes API. Principal formats depend on the cluster kind (see each component). */
export interface ClusterAccess {
  /**
   * The pipeline's deploy identity: an IAM role ARN (EKS), a Google service account e-mail (GKE), an Entra ID
   * object id (AKS), or a Kubernetes subject like `Group:deployers` or `ServiceAccount:ci/deployer` (others).
   */
  readonly deployer: string;
  /**
   * People and groups with read-only access, in the same format as `deployer` (GKE: IAM members like
   * `group:sre@example.com`).
   * @default []
   */
  readonly readers?: readonly string[];
}

/** EKS access policies (managed by AWS) for the deployer and the readers. */
export const EKS_ACCESS_POLICIES = {
  deployer: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
  reader: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy',
} as const;

/** GKE IAM roles for the deployer and the readers. */
export const GKE_ACCESS_ROLES = { deployer: 'roles/container.admin', reader: 'roles/container.viewer' } as const;

/** Built-in Azure role definitions (ids are the same in every tenant) for AKS with Azure RBAC. */
export const AKS_ACCESS_ROLES = {
  /** Azure Kubernetes Service RBAC Cluster Admin. */
  deployer: 'b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b',
  /** Azure Kubernetes Service RBAC Reader. */
  reader: '7f6c6a51-bcf8-42ba-9220-52d62157d7db',
  /** Azure Kubernetes Service Cluster User Role: lets both fetch the (credential-free) kubeconfig. */
  user: '4abbcc35-e782-43d8-92c5-2d3f1bd2253f',
} as const;

const IAM_PRINCIPAL = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]{1,512}$/;
const GOOGLE_SA = /^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z0-9-]+\.iam\.gserviceaccount\.com$/;
const GOOGLE_MEMBER = /^(user|group|serviceAccount|domain|principal|principalSet):\S+$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const K8S_SUBJECT =
  /^(User|Group):[^\s:][^\s]*$|^ServiceAccount:[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

interface PrincipalFormat {
  readonly deployer: RegExp;
  readonly reader: RegExp;
  readonly example: string;
}

const FORMATS: Record<ClusterKind, PrincipalFormat> = {
  eks: { deployer: IAM_PRINCIPAL, reader: IAM_PRINCIPAL, example: 'arn:aws:iam::111122223333:role/deployer' },
  gke: { deployer: GOOGLE_SA, reader: GOOGLE_MEMBER, example: 'deployer@my-project.iam.gserviceaccount.com' },
  aks: { deployer: GUID, reader: GUID, example: 'an Entra ID object id (a GUID)' },
  'bare-metal': {
    deployer: K8S_SUBJECT,
    reader: K8S_SUBJECT,
    example: 'Group:deployers or ServiceAccount:ci/deployer',
  },
  vm: { deployer: K8S_SUBJECT, reader: K8S_SUBJECT, example: 'Group:deployers or ServiceAccount:ci/deployer' },
  existing: { deployer: K8S_SUBJECT, reader: K8S_SUBJECT, example: 'Group:deployers or ServiceAccount:ci/deployer' },
};

/** Checks principals against the format of the cluster kind, naming the property. */
export function validateClusterAccess(kind: ClusterKind, access: ClusterAccess, property = 'access'): void {
  assertClusterArgs(CLUSTER_ACCESS_SPEC, access, property);
  const format = FORMATS[kind];
  if (typeof access.deployer !== 'string' || !format.deployer.test(access.deployer)) {
    throw new InvalidPropertyError(
      `${property}.deployer`,
      `'${property}.deployer' (${show(access.deployer)}) is not a ${kind} deploy identity: use ${format.example}`,
    );
  }
  const readers = access.readers ?? [];
  for (const [i, reader] of readers.entries()) {
    if (typeof reader !== 'string' || !format.reader.test(reader)) {
      throw new InvalidPropertyError(
        `${property}.readers[${i}]`,
        `'${property}.readers[${i}]' (${show(reader)}) is not a ${kind} principal (deployer format: ${format.example})`,
      );
    }
    if (reader === access.deployer || (kind === 'gke' && reader === `serviceAccount:${access.deployer}`)) {
      throw new InvalidPropertyError(
        `${property}.readers[${i}]`,
        `'${property}.readers[${i}]' is the deployer: a principal gets one access level, remove it from readers`,
      );
    }
  }
  const twice = firstDuplicate(readers);
  if (twice) throw new InvalidPropertyError(`${property}.readers`, `'${property}.readers' lists ${twice} twice`);
}

/** A Kubernetes RBAC subject from `Kind:name` (or `ServiceAccount:namespace/name`). */
export function rbacSubject(principal: string): Record<string, string> {
  const [kind, ...rest] = principal.split(':');
  const name = rest.join(':');
  if (kind === 'ServiceAccount') {
    const [namespace, account] = name.split('/') as [string, string];
    return { kind, name: account, namespace };
  }
  return { kind: kind!, name, apiGroup: 'rbac.authorization.k8s.io' };
}

/**
 * ClusterRoleBindings for clusters whose API authorizes with Kubernetes RBAC alone (bare metal, VMs,
 * existing): the deployer is cluster-admin (it installs CRDs and controllers), readers get the built-in
 * `view` role, which excludes Secrets.
 */
export function rbacAccessObjects(clusterName: string, access: ClusterAccess): Record<string, unknown>[] {
  assertClusterArgs(CLUSTER_ACCESS_SPEC, access, 'access');
  const binding = (suffix: string, role: string, principals: readonly string[]) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: {
      name: `switchyard-${clusterName}-${suffix}`,
      labels: { 'app.kubernetes.io/managed-by': 'switchyard', 'app.kubernetes.io/part-of': clusterName },
    },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects: principals.map(rbacSubject),
  });
  const readers = access.readers ?? [];
  return [
    binding('deployer', 'cluster-admin', [access.deployer]),
    ...(readers.length ? [binding('readers', 'view', readers)] : []),
  ];
}

/**
 * The guardrail exception the deployer's cluster-admin binding needs: the RBAC rule rejects cluster-admin
 * bindings, and this one is the single, deliberate writer of the cluster.
 */
export function deployerBindingException(clusterName: string): GuardrailException {
  return {
    rule: 'rbac-least-privilege',
    object: `ClusterRoleBinding/switchyard-${clusterName}-deployer`,
    reason: "the pipeline's deploy identity installs CRDs and controllers, and is the cluster's only writer",
  };
}
