/**
 * The External Secrets Operator add-on, as pure data: its Helm release (CRDs, a leader-elected pair of
 * controllers, two webhooks; the certificate controller keeps the chart's single replica) and
 * a ClusterSecretStore for AWS Secrets Manager read with the operator's IRSA role. Workloads then reference
 * secrets through ExternalSecret objects; no secret value ever appears in a manifest.
 */
import type { ResolvedClusterTraits } from '../cluster/traits';
import { assertDnsLabel, InvalidPropertyError, isIamRoleArn, show } from '../core/validate';
import type { KubeObject } from '../routing/types';
import { CHARTS } from './charts';
import { topologySpread } from './exposure';
import { deepMerge, type ReleaseSpec, validateRelease } from './release';

/** The operator's service account, which its IRSA role trusts (EksCluster `externalSecrets`). */
export const EXTERNAL_SECRETS_ACCOUNT = { namespace: 'external-secrets', name: 'external-secrets' } as const;

/** Options of {@link externalSecretsOperator}. */
export interface ExternalSecretsOptions {
  /** The ClusterSecretStore for AWS Secrets Manager (the region and the name workloads refer to). */
  readonly awsSecretsManager: { readonly region: string; readonly storeName: string };
  /** IAM role of the operator's service account (IRSA), which may read the secrets. */
  readonly roleArn: string;
  /** @default {} */
  readonly values?: Readonly<Record<string, unknown>>;
}

/** The operator's release and its ClusterSecretStore (applied once the CRDs exist). */
export function externalSecretsOperator(
  cluster: ResolvedClusterTraits,
  options: ExternalSecretsOptions,
): { release: ReleaseSpec; objects: KubeObject[] } {
  if (!isIamRoleArn(options.roleArn)) {
    throw new InvalidPropertyError(
      'externalSecrets.roleArn',
      `'externalSecrets.roleArn' (${show(options.roleArn)}) must be an IAM role ARN`,
    );
  }
  const { region, storeName } = options.awsSecretsManager;
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) {
    throw new InvalidPropertyError(
      'externalSecrets.awsSecretsManager.region',
      `'externalSecrets.awsSecretsManager.region' (${show(region)}) must be an AWS region like eu-west-1`,
    );
  }
  assertDnsLabel('externalSecrets.awsSecretsManager.storeName', storeName);
  // The chart sets minAvailable by default; setting maxUnavailable as well would make an invalid budget.
  const ha = { replicaCount: 2, podDisruptionBudget: { enabled: true, minAvailable: 1 } };
  const release = validateRelease({
    name: 'external-secrets',
    namespace: EXTERNAL_SECRETS_ACCOUNT.namespace,
    chart: CHARTS.externalSecrets,
    values: deepMerge(
      {
        installCRDs: true,
        ...ha,
        // Two controllers must elect a leader, or both reconcile every ExternalSecret.
        leaderElect: true,
        topologySpreadConstraints: topologySpread(cluster, { 'app.kubernetes.io/name': 'external-secrets' }),
        serviceAccount: {
          create: true,
          name: EXTERNAL_SECRETS_ACCOUNT.name,
          annotations: { 'eks.amazonaws.com/role-arn': options.roleArn },
        },
        webhook: ha,
        serviceMonitor: { enabled: cluster.prometheusOperator },
      },
      options.values,
    ),
    timeoutSeconds: 600,
  });
  const store: KubeObject = {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ClusterSecretStore',
    metadata: { name: storeName, labels: { 'app.kubernetes.io/managed-by': 'switchyard' } },
    // No auth block: the operator reads with its own IRSA role.
    spec: { provider: { aws: { service: 'SecretsManager', region } } },
  };
  return { release, objects: [store] };
}
