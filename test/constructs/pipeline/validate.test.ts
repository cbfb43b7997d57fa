import { describe, expect, it } from 'vitest';
import { InvalidPropertyError } from '../../../constructs/core/validate';
import { SharedIdentityError } from '../../../constructs/pipeline/identities';
import type { PipelineEnvironment, PipelineProps } from '../../../constructs/pipeline/model';
import { validatePipelineProps } from '../../../constructs/pipeline/validate';
import { generateWorkflows } from '../../../constructs/pipeline/workflows';
import { PIPELINE } from '../../../stacks/pipeline';
import { SMALL } from './fixtures';

const bad = (change: Record<string, unknown>) => ({ ...SMALL, ...change }) as PipelineProps;
const env = (e: Record<string, unknown>) => bad({ environments: [{ ...SMALL.environments[0], ...e }] });
const AWS_DEPLOY = { provider: 'aws', roleArn: 'arn:aws:iam::123456789012:role/deploy', region: 'eu-west-1' } as const;
const AWS_READ = { provider: 'aws', roleArn: 'arn:aws:iam::123456789012:role/read', region: 'eu-west-1' } as const;
const S3 = { kind: 'self-managed', url: 's3://state?region=eu-west-1' } as const;
/** A bare-metal environment (kubeconfigs), as dev in the reference pipeline. */
const METAL: PipelineEnvironment = {
  name: 'metal',
  credentials: { provider: 'kubeconfig', secret: 'METAL_KUBECONFIG' },
  readOnly: { provider: 'kubeconfig', secret: 'METAL_VIEW_KUBECONFIG' },
};

function thrown(props: unknown): Error {
  try {
    generateWorkflows(props as PipelineProps);
  } catch (e) {
    return e as Error;
  }
  throw new Error('accepted');
}

describe('validatePipelineProps', () => {
  it('accepts the reference pipeline and the small one', () => {
    expect(() => validatePipelineProps(PIPELINE)).not.toThrow();
    expect(() => validatePipelineProps(SMALL)).not.toThrow();
  });

  it.each([
    [bad({ environments: [] }), 'environments', /is empty/],
    [env({ name: 'Prod' }), 'environments[0].name', /DNS-1123 label/],
    [bad({ environments: [SMALL.environments[0], SMALL.environments[0]] }), 'environments[1].name', /appears twice/],
    [
      env({ credentials: { provider: 'aws', roleArn: 'deploy', region: 'x' } }),
      'environments[0].credentials.roleArn',
      /IAM role ARN/,
    ],
    [
      env({ credentials: { provider: 'kubeconfig', secret: 'github_token' } }),
      'environments[0].credentials.secret',
      /secret name/,
    ],
    [
      env({ smokeTestUrl: 'https://a.example.com/"; rm -rf /' }),
      'environments[0].smokeTestUrl',
      /http\(s\) URL without spaces or quotes/,
    ],
    [bad({ endToEndEnvironment: 'prod' }), 'endToEndEnvironment', /not one of the environments: qa, live/],
    [bad({ stateBackend: { kind: 'self-managed', url: 'http://state' } }), 'stateBackend.url', /s3:\/\/, gs:\/\//],
    [
      bad({ signatures: { certificateIdentityRegexp: '(' } }),
      'signatures.certificateIdentityRegexp',
      /not a regular expression/,
    ],
    [bad({ driftSchedule: 'daily' }), 'driftSchedule', /five-field cron/],
    // Strict shapes: unknown keys with the nearest one, exact types, null refused.
    [bad({ brnach: 'main' }), 'brnach', /^`brnach`: unknown; did you mean `branch`\?$/],
    [env({ readonly: SMALL.environments[0]!.readOnly }), 'environments[0].readonly', /did you mean `readOnly`\?/],
    [
      env({ credentials: { ...AWS_DEPLOY, roleArnn: 'x' } }),
      'environments[0].credentials.roleArnn',
      /did you mean `roleArn`\?/,
    ],
    [
      env({ credentials: { provider: 'aws-oidc', roleArn: AWS_DEPLOY.roleArn } }),
      'environments[0].credentials.provider',
      /must be one of "aws", "gcp", "azure", "kubeconfig"/,
    ],
    [env({ readOnly: undefined }), 'environments[0].readOnly', /must be an object/],
    [env({ readOnly: null }), 'environments[0].readOnly', /\(null\) must be an object/],
    [env({ credentials: { ...AWS_DEPLOY, region: 'Ireland' } }), 'environments[0].credentials.region', /AWS region/],
    [
      env({ credentials: { ...SMALL.environments[0]!.credentials, serviceAccount: 'deploy' } }),
      'environments[0].credentials.serviceAccount',
      /service account email/,
    ],
    [
      env({ credentials: { ...SMALL.environments[0]!.credentials, workloadIdentityProvider: 'gh' } }),
      'environments[0].credentials.workloadIdentityProvider',
      /workload identity provider like/,
    ],
    [
      env({ readOnly: { provider: 'azure', clientId: '${{ secrets.X }}', tenantId: 't', subscriptionId: 's' } }),
      'environments[0].readOnly.clientId',
      /without spaces, quotes, '\$'/,
    ],
    [env({ stack: 'a b' }), 'environments[0].stack', /Pulumi stack name/],
    [bad({ nodeVersion: 20 }), 'nodeVersion', /\(20\) must be a Node.js version/],
    [bad({ branch: 'feature//x' }), 'branch', /branch name/],
    [bad({ branch: null }), 'branch', /\(null\) must be a branch name/],
    [bad({ failOnSeverities: 'SEVERE' }), 'failOnSeverities', /comma-separated list of UNKNOWN/],
    [bad({ kindNodeImage: 'kindest/node:latest' }), 'kindNodeImage', /mutable tag 'latest'/],
    [bad({ fluxVersion: '2.4' }), 'fluxVersion', /Flux release like 'v2.4.0'/],
    [bad({ policyPack: '../pack' }), 'policyPack', /path in the repository/],
    [
      bad({ signatures: { certificateIdentityRegexp: 'x', certificateOidcIssuer: 'http://issuer' } }),
      'signatures.certificateOidcIssuer',
      /https:\/\/ issuer URL/,
    ],
    [bad({ stateBackend: { kind: 'cloud' } }), 'stateBackend.kind', /must be one of "pulumi-cloud", "self-managed"/],
    [
      bad({ stateBackend: { ...S3, secretsProvider: 'vault' } }),
      'stateBackend.secretsProvider',
      /must be one of "passphrase", "kms"/,
    ],
    [
      bad({ stateBackend: { ...S3, secretsProvider: 'kms', passphraseSecret: 'PASS' } }),
      'stateBackend.passphraseSecret',
      /uses no passphrase; remove one of them/,
    ],
    [
      bad({ environments: [METAL], stateBackend: S3 }),
      'environments[0].stateCredentials',
      /is required: the state backend \(s3:.*\) needs AWS credentials before 'pulumi login'.*kubeconfig identity/,
    ],
    [
      bad({
        environments: [
          { ...METAL, stateCredentials: { deploy: AWS_DEPLOY, readOnly: SMALL.environments[0]!.readOnly } },
        ],
        stateBackend: S3,
      }),
      'environments[0].stateCredentials.readOnly.provider',
      /\("gcp"\) must be "aws": the state lives in s3:/,
    ],
    [
      bad({
        environments: [{ name: 'x', credentials: AWS_DEPLOY, readOnly: AWS_READ, stateCredentials: {} }],
        stateBackend: S3,
      }),
      'environments[0].stateCredentials.deploy',
      /must be an object/,
    ],
    [
      bad({
        environments: [
          {
            name: 'x',
            credentials: AWS_DEPLOY,
            readOnly: AWS_READ,
            stateCredentials: { deploy: AWS_DEPLOY, readOnly: AWS_READ },
          },
        ],
        stateBackend: S3,
      }),
      'environments[0].stateCredentials',
      /is never used: the environment's identities are on AWS and reach the state themselves; remove it/,
    ],
    [
      bad({ environments: [{ ...METAL, stateCredentials: { deploy: AWS_DEPLOY, readOnly: AWS_READ } }] }),
      'environments[0].stateCredentials',
      /is never used: the state backend needs no cloud credentials/,
    ],
  ] as const)('%#: rejects bad input, naming the property', (props, property, message) => {
    const error = thrown(props);
    expect(error).toBeInstanceOf(InvalidPropertyError);
    expect((error as InvalidPropertyError).property).toBe(property);
    expect(error.message).toMatch(message);
  });

  it.each([
    [
      'a read-only identity that is its own deploy role',
      bad({ environments: [{ name: 'x', credentials: AWS_DEPLOY, readOnly: { ...AWS_DEPLOY, region: 'us-east-1' } }] }),
      'environments[0].readOnly',
      'environments[0].credentials',
    ],
    [
      "a read-only identity that is another environment's deploy role (IAM names ignore case)",
      bad({
        environments: [
          {
            name: 'a',
            credentials: AWS_READ,
            readOnly: { ...AWS_READ, roleArn: 'arn:aws:iam::123456789012:role/other' },
          },
          {
            name: 'b',
            credentials: AWS_DEPLOY,
            readOnly: { ...AWS_READ, roleArn: 'arn:aws:iam::123456789012:role/READ' },
          },
        ],
      }),
      'environments[1].readOnly',
      'environments[0].credentials',
    ],
    [
      'a view kubeconfig secret that is a deploy kubeconfig secret',
      bad({ environments: [{ ...METAL, readOnly: METAL.credentials }] }),
      'environments[0].readOnly',
      'environments[0].credentials',
    ],
    [
      'the same service account for previews and deploys',
      env({ readOnly: SMALL.environments[0]!.credentials }),
      'environments[0].readOnly',
      'environments[0].credentials',
    ],
    [
      'the same Azure client for previews and deploys',
      bad({
        environments: [
          SMALL.environments[1]!,
          { ...SMALL.environments[1]!, name: 'b', readOnly: SMALL.environments[1]!.credentials },
        ],
      }),
      'environments[1].readOnly',
      'environments[0].credentials',
    ],
    [
      "a state reader that is the state's writer",
      bad({
        environments: [{ ...METAL, stateCredentials: { deploy: AWS_DEPLOY, readOnly: AWS_DEPLOY } }],
        stateBackend: S3,
      }),
      'environments[0].stateCredentials.readOnly',
      'environments[0].stateCredentials.deploy',
    ],
    [
      'a Pulumi Cloud read-only token secret that is the deploy token secret (by default)',
      bad({ stateBackend: { kind: 'pulumi-cloud', readOnlyAccessTokenSecret: 'PULUMI_ACCESS_TOKEN' } }),
      'stateBackend.readOnlyAccessTokenSecret',
      'stateBackend.accessTokenSecret',
    ],
    [
      'a passphrase secret that is a deploy kubeconfig secret',
      bad({
        environments: [METAL],
        stateBackend: { kind: 'self-managed', url: 'file://state', passphraseSecret: 'METAL_KUBECONFIG' },
      }),
      'stateBackend.passphraseSecret',
      'a deploy kubeconfig secret',
    ],
  ] as const)('refuses %s with a SharedIdentityError naming both fields', (_name, props, property, deployProperty) => {
    const error = thrown(props);
    expect(error).toBeInstanceOf(SharedIdentityError);
    expect(error).toBeInstanceOf(InvalidPropertyError);
    expect((error as SharedIdentityError).property).toBe(property);
    expect((error as SharedIdentityError).deployProperty).toBe(deployProperty);
    expect(error.message).toContain(`'${property}'`);
    expect(error.message).toMatch(/must never hold a deploy identity/);
  });

  it('accepts one read-only identity shared by environments, and KMS-encrypted state without a passphrase', () => {
    const props = bad({
      environments: [
        { name: 'a', credentials: AWS_DEPLOY, readOnly: AWS_READ },
        { name: 'b', credentials: { ...AWS_DEPLOY, roleArn: 'arn:aws:iam::123456789012:role/b' }, readOnly: AWS_READ },
        {
          ...METAL,
          stateCredentials: {
            deploy: { ...AWS_DEPLOY, roleArn: 'arn:aws:iam::123456789012:role/s' },
            readOnly: AWS_READ,
          },
        },
      ],
      stateBackend: { ...S3, secretsProvider: 'kms' },
    });
    expect(() => validatePipelineProps(props)).not.toThrow();
  });
});
