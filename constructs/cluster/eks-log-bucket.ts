/**
 * Loki's S3 bucket beside an EKS cluster: private (public access blocked, owner-enforced objects),
 * encrypted at rest, TLS only, objects expiring after the retention. Resources of the EksCluster component.
 */
import * as aws from '@pulumi/aws';
import type * as pulumi from '@pulumi/pulumi';
import type { EksLogBucketArgs } from './eks-args';
import { tlsOnlyBucketPolicy } from './eks-iam';

/** Loki's service account as the logs stack installs it (release 'loki' in namespace 'logging'). */
export const DEFAULT_LOKI_ACCOUNT = { namespace: 'logging', name: 'loki' } as const;

/** Creates the bucket and its settings under `parent`; returns the bucket. */
export function createLogBucket(
  name: string,
  args: EksLogBucketArgs,
  tags: Record<string, string>,
  parent: pulumi.Resource,
): aws.s3.Bucket {
  const opts = { parent };
  // Never emptied on delete: logs may be evidence; delete the bucket by hand after the cluster.
  const bucket = new aws.s3.Bucket(`${name}-logs`, { bucket: args.bucketName, forceDestroy: false, tags }, opts);
  const publicAccess = new aws.s3.BucketPublicAccessBlock(
    `${name}-logs`,
    {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
    opts,
  );
  new aws.s3.BucketOwnershipControls(
    `${name}-logs`,
    { bucket: bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } },
    opts,
  );
  new aws.s3.BucketServerSideEncryptionConfiguration(
    `${name}-logs`,
    {
      bucket: bucket.id,
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms' }, bucketKeyEnabled: true }],
    },
    opts,
  );
  new aws.s3.BucketLifecycleConfiguration(
    `${name}-logs`,
    {
      bucket: bucket.id,
      rules: [
        {
          id: 'expire-logs',
          status: 'Enabled',
          filter: { prefix: '' },
          expiration: { days: args.retentionDays ?? 30 },
          abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
        },
      ],
    },
    opts,
  );
  // After the public access block: a bucket policy is refused while BlockPublicPolicy is being set.
  new aws.s3.BucketPolicy(
    `${name}-logs`,
    { bucket: bucket.id, policy: bucket.arn.apply(tlsOnlyBucketPolicy) },
    { parent, dependsOn: [publicAccess] },
  );
  return bucket;
}
