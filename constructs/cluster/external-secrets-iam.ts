/**
 * The External Secrets Operator's IAM policy scoped to the account and partition Pulumi deploys to, read
 * with `aws.getCallerIdentity` and `aws.getPartition` (through the provider of `parent`). The values only
 * exist at deployment, so a bad one cannot be thrown at construction: the Output then resolves to a policy
 * that denies every read, and the problem is logged as an error on `parent`, which fails the update. Nothing
 * throws inside an apply, so no rejection escapes (see docs/clusters.md).
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import {
  type AwsAccountScope,
  checkAwsAccountScope,
  DENY_ALL_SECRETS_POLICY,
  externalSecretsReaderPolicy,
} from '../ingress/external-secrets';

/**
 * The policy document of the operator's role: `arn:<partition>:secretsmanager:<region>:<account>:secret:<prefix>*`.
 * `region` and `prefix` are checked at once (an InvalidPropertyError naming them). `scope` replaces the
 * look-ups when the account is known (e.g. from a plain role ARN).
 */
export function scopedSecretsReaderPolicy(
  region: string,
  prefix: string,
  parent: pulumi.Resource,
  scope?: AwsAccountScope,
): pulumi.Output<string> {
  // Checks region and prefix now, with a placeholder scope: these are plain values.
  externalSecretsReaderPolicy({ partition: 'aws', accountId: '000000000000' }, region, prefix);
  if (scope) return pulumi.output(externalSecretsReaderPolicy(scope, region, prefix));
  const identity = aws.getCallerIdentityOutput({}, { parent });
  const partition = aws.getPartitionOutput({}, { parent });
  return pulumi.all([partition.partition, identity.accountId]).apply(([partitionName, accountId]) => {
    const found = { partition: partitionName, accountId };
    const problem = checkAwsAccountScope(found);
    if (problem) {
      void pulumi.log.error(
        `External Secrets Operator: cannot scope its Secrets Manager policy (${problem}); its role gets a policy ` +
          'that denies every read until the AWS provider reports the account and partition',
        parent,
      );
      return DENY_ALL_SECRETS_POLICY;
    }
    return externalSecretsReaderPolicy(found, region, prefix);
  });
}
