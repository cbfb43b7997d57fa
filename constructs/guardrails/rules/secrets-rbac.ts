/** No secret material in manifests; RBAC without wildcards, cluster-admin or exec into pods. */
import { findingOn, type GuardrailRule, type Manifest, type RawFinding } from '../findings';
import { containersOf, type Json, podsOf } from '../pods';

/** Names that usually hold credentials. */
export const SENSITIVE_NAME = /(passw(or)?d|secret|token|api[-_]?key|private[-_]?key|credential|access[-_]?key)/i;
const PEM_PRIVATE_KEY = /-----BEGIN ([A-Z]+ )?PRIVATE KEY-----/;

/** No secret material in Secrets, ConfigMaps or environment variables of manifests. */
export const NO_PLAINTEXT_SECRETS: GuardrailRule = {
  id: 'no-plaintext-secrets',
  description:
    'No secret material in manifests: Secrets with data, credentials in env values or ConfigMaps, private keys',
  severity: 'danger',
  scope: 'object',
  check: ({ objects }) => {
    const findings: RawFinding[] = [];
    const add = (...args: Parameters<typeof findingOn>) => findings.push(findingOn(...args));
    for (const object of objects) {
      const o = object as Json;
      if (object.kind === 'Secret') {
        for (const field of ['data', 'stringData'] as const) {
          if (o[field] && Object.keys(o[field]).length) {
            add(
              object,
              field,
              `Secret carries ${Object.keys(o[field]).length} value(s) in the manifest`,
              'keep the value out of Git: an ExternalSecret, a Pulumi secret, or a Secret created out of band and referenced by name',
            );
          }
        }
      }
      if (object.kind === 'ConfigMap') {
        for (const [key, value] of Object.entries(o.data ?? {})) {
          if (typeof value !== 'string' || !value) continue;
          if (SENSITIVE_NAME.test(key) || PEM_PRIVATE_KEY.test(value)) {
            add(
              object,
              `data.${key}`,
              `ConfigMap key '${key}' looks like a credential`,
              'move it to a Secret referenced by name',
            );
          }
        }
      }
    }
    for (const { object, pod } of podsOf(objects)) {
      for (const { container, path } of containersOf(pod)) {
        ((container.env ?? []) as Json[]).forEach((e, i) => {
          if (
            typeof e?.value === 'string' &&
            e.value &&
            (SENSITIVE_NAME.test(e.name) || PEM_PRIVATE_KEY.test(e.value))
          ) {
            add(
              object,
              `${path}.env[${i}].value`,
              `container '${container.name}' sets ${e.name} to a literal value`,
              'use valueFrom.secretKeyRef instead of value',
            );
          }
        });
      }
    }
    return findings;
  },
};

const ESCALATING_SUBRESOURCES = ['pods/exec', 'pods/attach', 'pods/portforward'];

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const SUBJECT_KINDS = ['User', 'Group', 'ServiceAccount'];

/**
 * Whether `object` is exactly the deployer binding Switchyard's cluster access creates (`rbacAccessObjects` in
 * the cluster domain): a `rbac.authorization.k8s.io/v1` ClusterRoleBinding named `switchyard-<cluster>-deployer`
 * where `<cluster>` is its `app.kubernetes.io/part-of` label, labelled `app.kubernetes.io/managed-by: switchyard`,
 * with roleRef the `cluster-admin` ClusterRole and exactly one User, Group or ServiceAccount subject. Other labels
 * and annotations do not matter; any other difference does.
 */
export function isSwitchyardDeployerBinding(object: Manifest): boolean {
  const o = object as Json;
  const labels = (o.metadata?.labels ?? {}) as Record<string, unknown>;
  const cluster = labels['app.kubernetes.io/part-of'];
  const subjects = o.subjects as Json[] | undefined;
  const subject = Array.isArray(subjects) && subjects.length === 1 ? subjects[0] : undefined;
  return (
    object.apiVersion === `${RBAC_GROUP}/v1` &&
    object.kind === 'ClusterRoleBinding' &&
    typeof cluster === 'string' &&
    cluster !== '' &&
    o.metadata?.name === `switchyard-${cluster}-deployer` &&
    labels['app.kubernetes.io/managed-by'] === 'switchyard' &&
    o.roleRef?.apiGroup === RBAC_GROUP &&
    o.roleRef?.kind === 'ClusterRole' &&
    o.roleRef?.name === 'cluster-admin' &&
    typeof subject === 'object' &&
    subject !== null &&
    SUBJECT_KINDS.includes(subject.kind) &&
    typeof subject.name === 'string' &&
    subject.name !== ''
  );
}

/**
 * RBAC without wildcards, cluster-admin bindings, or exec, attach and port-forward into pods. The deployer binding
 * of Switchyard's own cluster access ({@link isSwitchyardDeployerBinding}) is the one cluster-admin binding
 * accepted, unless the options set `allowSwitchyardDeployers: false`; the rule is shared by the cdk8s plugin,
 * `switchyard check` and the CrossGuard policies, so all three accept and refuse the same bindings.
 */
export const RBAC_LEAST_PRIVILEGE: GuardrailRule = {
  id: 'rbac-least-privilege',
  description: 'RBAC grants no wildcards, no cluster-admin and no exec, attach or port-forward into pods',
  severity: 'danger',
  scope: 'object',
  check: ({ objects, options }) => {
    const allowDeployers = options.allowSwitchyardDeployers !== false;
    const findings: RawFinding[] = [];
    for (const object of objects) {
      const o = object as Json;
      if (object.kind === 'Role' || object.kind === 'ClusterRole') {
        ((o.rules ?? []) as Json[]).forEach((rule, i) => {
          for (const field of ['apiGroups', 'resources', 'verbs'] as const) {
            if ((rule?.[field] ?? []).includes('*')) {
              findings.push(
                findingOn(
                  object,
                  `rules[${i}].${field}`,
                  `rule grants '*' ${field}`,
                  `list the ${field} the subject needs`,
                ),
              );
            }
          }
          const escalating = ((rule?.resources ?? []) as string[]).filter((r) => ESCALATING_SUBRESOURCES.includes(r));
          if (escalating.length) {
            findings.push(
              findingOn(
                object,
                `rules[${i}].resources`,
                `rule grants ${escalating.join(', ')}: a shell inside running pods`,
                'remove it; debug through the pipeline or a break-glass role bound for a limited time',
              ),
            );
          }
        });
      }
      if (
        (object.kind === 'RoleBinding' || object.kind === 'ClusterRoleBinding') &&
        o.roleRef?.name === 'cluster-admin' &&
        !(allowDeployers && isSwitchyardDeployerBinding(object))
      ) {
        findings.push(
          findingOn(
            object,
            'roleRef.name',
            'binds cluster-admin',
            'bind a role with the verbs and resources the subject needs',
          ),
        );
      }
    }
    return findings;
  },
};
