/**
 * Which built-in apiVersions a cluster serves: a table of the ones Switchyard emits (and the older ones a
 * manifest may still carry), with the Kubernetes minor each was introduced in and, for the retired ones,
 * removed in; and a check of objects against a cluster's minor. Custom resources' groups are left to their
 * CRDs. Pure, no engine import: the synth tests run it today, `switchyard check` can run it later.
 * Sources: the Kubernetes deprecated API migration guide (kubernetes.io/docs/reference/using-api/deprecation-guide/)
 * and each API's graduation in the release notes.
 */
import { InvalidPropertyError } from '../core/validate';
import type { Finding, Manifest } from './findings';

/** One built-in apiVersion and kind, and the minors that serve it. */
export interface ServedApiVersion {
  readonly apiVersion: string;
  readonly kind: string;
  /** First Kubernetes minor that serves it (by default), like '1.23'. */
  readonly since: string;
  /**
   * First minor that no longer serves it, and what replaces it.
   * @default - still served
   */
  readonly removedIn?: { readonly minor: string; readonly use: string };
}

const core = (kind: string): ServedApiVersion => ({ apiVersion: 'v1', kind, since: '1.0' });
const removed = (apiVersion: string, kind: string, since: string, minor: string, use: string): ServedApiVersion => ({
  apiVersion,
  kind,
  since,
  removedIn: { minor, use },
});

/** The built-in apiVersions Switchyard knows, with the minors that serve them. */
export const BUILTIN_API_VERSIONS: readonly ServedApiVersion[] = [
  ...['ConfigMap', 'Namespace', 'PersistentVolumeClaim', 'Secret', 'Service', 'ServiceAccount'].map(core),
  ...['DaemonSet', 'Deployment', 'ReplicaSet', 'StatefulSet'].map((kind) => ({
    apiVersion: 'apps/v1',
    kind,
    since: '1.9',
  })),
  { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', since: '1.23' },
  removed('autoscaling/v2beta1', 'HorizontalPodAutoscaler', '1.8', '1.25', 'autoscaling/v2'),
  removed('autoscaling/v2beta2', 'HorizontalPodAutoscaler', '1.12', '1.26', 'autoscaling/v2'),
  { apiVersion: 'batch/v1', kind: 'Job', since: '1.2' },
  { apiVersion: 'batch/v1', kind: 'CronJob', since: '1.21' },
  removed('batch/v1beta1', 'CronJob', '1.8', '1.25', 'batch/v1'),
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', since: '1.21' },
  removed('policy/v1beta1', 'PodDisruptionBudget', '1.5', '1.25', 'policy/v1'),
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', since: '1.7' },
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', since: '1.19' },
  { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', since: '1.19' },
  removed('networking.k8s.io/v1beta1', 'Ingress', '1.14', '1.22', 'networking.k8s.io/v1'),
  removed('extensions/v1beta1', 'Ingress', '1.1', '1.22', 'networking.k8s.io/v1'),
  { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', since: '1.14' },
  ...['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'].map((kind) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind,
    since: '1.8',
  })),
  { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', since: '1.30' },
  { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', since: '1.30' },
  { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', since: '1.16' },
  { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', since: '1.16' },
  ...['FlowSchema', 'PriorityLevelConfiguration'].flatMap((kind) => [
    { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind, since: '1.29' },
    removed('flowcontrol.apiserver.k8s.io/v1beta2', kind, '1.23', '1.29', 'flowcontrol.apiserver.k8s.io/v1'),
    removed('flowcontrol.apiserver.k8s.io/v1beta3', kind, '1.26', '1.32', 'flowcontrol.apiserver.k8s.io/v1'),
  ]),
  { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', since: '1.6' },
  { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', since: '1.21' },
  { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', since: '1.14' },
  { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', since: '1.16' },
];

/** The API groups Kubernetes itself serves ('' is the core group); any other group is a CRD's. */
const BUILTIN_GROUP =
  /^(|apps|autoscaling|batch|policy|extensions|[a-z]+\.k8s\.io|flowcontrol\.apiserver\.k8s\.io|apiextensions\.k8s\.io)$/;

/** The rule id of {@link unservedApiVersions}' findings. */
export const API_VERSION_RULE = 'api-version-served';

function minorOf(version: string, property: string): number {
  const match = /^1\.(\d{1,2})$/.exec(version);
  if (!match) {
    throw new InvalidPropertyError(
      property,
      `'${property}' (${JSON.stringify(version)}) must be a Kubernetes minor version like '1.33'`,
    );
  }
  return Number(match[1]);
}

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
}

function objectName(o: Manifest): string {
  const ns = typeof o.metadata?.namespace === 'string' ? `${o.metadata.namespace}/` : '';
  return `${String(o.kind)}/${ns}${String(o.metadata?.name)}`;
}

/**
 * Findings (severity danger) for every object of a built-in group whose apiVersion and kind a cluster of
 * `kubernetesVersion` ('1.33') does not serve: introduced later, removed already, or not in
 * {@link BUILTIN_API_VERSIONS} (fail closed: a new built-in kind is added to the table before it ships).
 * @throws InvalidPropertyError when `kubernetesVersion` is not a minor version
 */
export function unservedApiVersions(
  objects: readonly Manifest[],
  kubernetesVersion: string,
  table: readonly ServedApiVersion[] = BUILTIN_API_VERSIONS,
): Finding[] {
  const minor = minorOf(kubernetesVersion, 'kubernetesVersion');
  const findings: Finding[] = [];
  const report = (o: Manifest, message: string, fix: string) =>
    findings.push({
      rule: API_VERSION_RULE,
      severity: 'danger',
      object: objectName(o),
      field: 'apiVersion',
      message,
      fix,
    });
  for (const o of objects) {
    if (typeof o.apiVersion !== 'string' || !BUILTIN_GROUP.test(groupOf(o.apiVersion))) continue;
    const entry = table.find((e) => e.apiVersion === o.apiVersion && e.kind === o.kind);
    const what = `${o.apiVersion} ${String(o.kind)}`;
    if (!entry) {
      report(
        o,
        `${what} is a built-in API that the table of served versions does not list`,
        'add it to BUILTIN_API_VERSIONS with the minor it was introduced in (and removed in)',
      );
    } else if (minorOf(entry.since, `${what}.since`) > minor) {
      report(
        o,
        `${what} is served from Kubernetes ${entry.since}, but the cluster runs ${kubernetesVersion}`,
        `upgrade the cluster to ${entry.since} or later, or emit a version it serves`,
      );
    } else if (entry.removedIn && minorOf(entry.removedIn.minor, `${what}.removedIn`) <= minor) {
      report(
        o,
        `${what} was removed in Kubernetes ${entry.removedIn.minor}, and the cluster runs ${kubernetesVersion}`,
        `emit ${entry.removedIn.use} ${String(o.kind)} instead`,
      );
    }
  }
  return findings;
}
