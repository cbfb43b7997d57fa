/**
 * The External Secrets Operator add-on, as pure data: its Helm release (CRDs, a leader-elected pair of
 * controllers, two webhooks; the certificate controller keeps the chart's single replica) and
 * a ClusterSecretStore for AWS Secrets Manager read with the operator's IRSA role. Workloads then reference
 * secrets through ExternalSecret objects; no secret value ever appears in a manifest. The role's IAM policy
 * (externalSecretsReaderPolicy) reads one name prefix of one region, account and partition.
 */
import type { ResolvedClusterTraits } from '../cluster/traits';
import { assertProps } from '../core/strict';
import { assertDnsLabel, InvalidPropertyError, isIamRoleArn, show } from '../core/validate';
import type { KubeObject } from '../routing/types';
import { CHARTS } from './charts';
import { topologySpread } from './exposure';
import { deepMerge, type ReleaseSpec, validateRelease } from './release';
import { assertResolvedTraits, EXTERNAL_SECRETS_OPTIONS_SPEC } from './schema';

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
  assertResolvedTraits(cluster);
  // Paths as platformAddons names them: 'externalSecrets.roleArn'.
  assertProps(options, EXTERNAL_SECRETS_OPTIONS_SPEC, 'externalSecrets', 'externalSecrets');
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

/** Where the operator's secrets live: the AWS partition (`aws`, `aws-cn`, `aws-us-gov`...) and the 12-digit account. */
export interface AwsAccountScope {
  readonly partition: string;
  readonly accountId: string;
}

const PARTITION = /^aws(-[a-z]+)*$/;
const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
// What a Secrets Manager name may hold (no wildcard: the policy adds the one it needs).
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]+$/;

/** What is wrong with the scope (a sentence with the fix), or undefined. Never throws: usable inside an Output. */
export function checkAwsAccountScope(scope: {
  readonly partition?: unknown;
  readonly accountId?: unknown;
}): string | undefined {
  if (typeof scope.partition !== 'string' || !PARTITION.test(scope.partition)) {
    return `partition ${show(scope.partition)} is not an AWS partition like 'aws', 'aws-cn' or 'aws-us-gov'`;
  }
  if (typeof scope.accountId !== 'string' || !ACCOUNT_ID.test(scope.accountId)) {
    return `account ${show(scope.accountId)} is not a 12-digit AWS account id`;
  }
  return undefined;
}

/** The actions the operator needs to read a secret, and nothing that writes, deletes or changes a policy. */
export const SECRETS_READ_ACTIONS = [
  'secretsmanager:GetSecretValue',
  'secretsmanager:DescribeSecret',
  'secretsmanager:ListSecretVersionIds',
  'secretsmanager:GetResourcePolicy',
] as const;

/**
 * The IAM policy of the operator's role: read access to the secrets of one name prefix, in one region of
 * one account and partition, `arn:<partition>:secretsmanager:<region>:<account>:secret:<prefix>*` (never a
 * wildcard account or partition). Throws an InvalidPropertyError naming the bad argument: call it with
 * plain values (see scopedSecretsReaderPolicy for values known only at deployment).
 */
export function externalSecretsReaderPolicy(scope: AwsAccountScope, region: string, prefix: string): string {
  const problem = checkAwsAccountScope(scope);
  if (problem) {
    const property = problem.startsWith('partition') ? 'partition' : 'accountId';
    throw new InvalidPropertyError(property, `'${property}': ${problem}`);
  }
  if (typeof region !== 'string' || !REGION.test(region)) {
    throw new InvalidPropertyError('region', `'region' (${show(region)}) must be an AWS region like eu-west-1`);
  }
  if (typeof prefix !== 'string' || !SECRET_NAME.test(prefix)) {
    throw new InvalidPropertyError(
      'externalSecrets.secretPrefix',
      `'externalSecrets.secretPrefix' (${show(prefix)}) must be a non-empty Secrets Manager name prefix without wildcards, like 'shop/prod/'`,
    );
  }
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ReadPrefixedSecrets',
        Effect: 'Allow',
        Action: [...SECRETS_READ_ACTIONS],
        Resource: `arn:${scope.partition}:secretsmanager:${region}:${scope.accountId}:secret:${prefix}*`,
      },
    ],
  });
}

/** A policy that denies every Secrets Manager read: what the operator gets when its scope cannot be known. */
export const DENY_ALL_SECRETS_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'ScopeUnknown', Effect: 'Deny', Action: 'secretsmanager:*', Resource: '*' }],
});
