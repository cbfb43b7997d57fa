/**
 * The declarative shapes of the pipeline props (model.ts) for the strict input layer (core/strict.ts):
 * unknown keys refused with the nearest key suggested, exact types, `null` refused. `shapeOf<T>()` keeps
 * each shape's keys equal to its interface's at compile time. Leaf checks word the value and the fix.
 */
import { arr, type Check, oneOf, opt, req, type SameKeys, shapeOf, str, tagged } from '../core/strict';
import { checkDnsLabel, checkPinnedImage, isIamRoleArn } from '../core/validate';
import type {
  AwsIdentity,
  AzureIdentity,
  GcpIdentity,
  KubeconfigIdentity,
  PipelineEnvironment,
  PipelineProps,
  PulumiCloudBackend,
  SelfManagedBackend,
  SignaturePolicy,
  StateCredentials,
} from './model';

const matching =
  (pattern: RegExp, problem: string): Check =>
  (value) =>
    typeof value === 'string' && pattern.test(value) ? undefined : problem;

/** A GitHub secret name a job may read: not GITHUB_*, which GitHub reserves. */
export const checkSecretName: Check = (value) =>
  typeof value === 'string' && /^[A-Z][A-Z0-9_]*$/.test(value) && !value.startsWith('GITHUB_')
    ? undefined
    : 'must be a secret name like DEV_KUBECONFIG: upper case, digits and _, not starting with GITHUB_';

// Values land in `with:` and `env:` of the workflow, where GitHub evaluates `${{ }}`: plain tokens only.
const plain = matching(/^[^\s${}'"`]+$/, "must be a non-empty value without spaces, quotes, '$', '{' or '}'");

const PROVIDER = str();

const AWS = shapeOf<AwsIdentity>()({
  provider: req(PROVIDER),
  roleArn: req(
    str((v) => (isIamRoleArn(v) ? undefined : 'must be an IAM role ARN like arn:aws:iam::123456789012:role/deploy')),
  ),
  region: req(str(matching(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'must be an AWS region like eu-west-1'))),
});

const GCP = shapeOf<GcpIdentity>()({
  provider: req(PROVIDER),
  workloadIdentityProvider: req(
    str(
      matching(
        /^projects\/\d+\/locations\/global\/workloadIdentityPools\/[a-z0-9-]+\/providers\/[a-z0-9-]+$/,
        "must be a workload identity provider like 'projects/123456789/locations/global/workloadIdentityPools/github/providers/github'",
      ),
    ),
  ),
  serviceAccount: req(
    str(
      matching(
        /^[a-z0-9-]+@[a-z0-9.-]+\.gserviceaccount\.com$/,
        "must be a service account email like 'deploy@my-project.iam.gserviceaccount.com'",
      ),
    ),
  ),
});

const AZURE = shapeOf<AzureIdentity>()({
  provider: req(PROVIDER),
  clientId: req(str(plain)),
  tenantId: req(str(plain)),
  subscriptionId: req(str(plain)),
});

const KUBECONFIG = shapeOf<KubeconfigIdentity>()({ provider: req(PROVIDER), secret: req(str(checkSecretName)) });

/** The shape of a CloudIdentity: `provider` picks the variant. */
export const IDENTITY_SPEC = tagged('provider', { aws: AWS, gcp: GCP, azure: AZURE, kubeconfig: KUBECONFIG });

const STATE_CREDENTIALS = shapeOf<StateCredentials>()({ deploy: req(IDENTITY_SPEC), readOnly: req(IDENTITY_SPEC) });

const ENVIRONMENT_FIELDS = {
  name: req(str(checkDnsLabel)),
  stack: opt(
    str(
      matching(
        /^[\w.-]+(\/[\w.-]+){0,2}$/,
        "must be a Pulumi stack name like 'prod' or 'acme/switchyard/prod' (letters, digits, '_', '.', '-')",
      ),
    ),
  ),
  credentials: req(IDENTITY_SPEC),
  readOnly: req(IDENTITY_SPEC),
  stateCredentials: opt(STATE_CREDENTIALS),
  smokeTestUrl: opt(str(matching(/^https?:\/\/[^\s'"$`{}]+$/, 'must be an http(s) URL without spaces or quotes'))),
} as const;
const ENVIRONMENT = shapeOf<PipelineEnvironment>()(ENVIRONMENT_FIELDS);

const PULUMI_CLOUD = shapeOf<PulumiCloudBackend>()({
  kind: req(str()),
  accessTokenSecret: opt(str(checkSecretName)),
  readOnlyAccessTokenSecret: opt(str(checkSecretName)),
});

const SELF_MANAGED = shapeOf<SelfManagedBackend>()({
  kind: req(str()),
  url: req(
    str(
      matching(
        /^(s3|gs|azblob|file):\/\/[^\s'"$`{}]+$/,
        'must be an s3://, gs://, azblob:// or file:// URL (no spaces or quotes)',
      ),
    ),
  ),
  secretsProvider: opt(oneOf('passphrase', 'kms')),
  passphraseSecret: opt(str(checkSecretName)),
});

/** The shape of {@link SignaturePolicy}: the CI image gate's and the cluster image policy's one signer. */
export const SIGNATURE_POLICY_SPEC = shapeOf<SignaturePolicy>()({
  certificateIdentityRegexp: req(
    str((v) => {
      try {
        new RegExp(v as string);
        return undefined;
      } catch {
        return 'is not a regular expression';
      }
    }),
  ),
  certificateOidcIssuer: opt(str(matching(/^https:\/\/[^\s'"$`{}]+$/, 'must be an https:// issuer URL'))),
});

const SEVERITIES = ['UNKNOWN', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];

const PROPS_FIELDS = {
  environments: req(
    arr(ENVIRONMENT, (v) =>
      (v as unknown[]).length === 0
        ? 'is empty: list the environments in promotion order, e.g. dev, staging, prod'
        : undefined,
    ),
  ),
  stateBackend: req(tagged('kind', { 'pulumi-cloud': PULUMI_CLOUD, 'self-managed': SELF_MANAGED })),
  signatures: req(SIGNATURE_POLICY_SPEC),
  branch: opt(
    str(
      matching(
        /^(?!-)(?!.*\.\.)(?!.*\/\/)(?!\/)(?!.*\/$)(?!.*\.lock$)[\w./-]+$/,
        "must be a branch name like 'main' (letters, digits, '_', '.', '-', '/')",
      ),
    ),
  ),
  nodeVersion: opt(str(matching(/^(\d+(\.(\d+|x)){0,2}|lts\/\*)$/, "must be a Node.js version like '20' or '20.19'"))),
  failOnSeverities: opt(
    str((v) =>
      typeof v === 'string' && v.split(',').every((s) => SEVERITIES.includes(s))
        ? undefined
        : `must be a comma-separated list of ${SEVERITIES.join(', ')}, e.g. 'CRITICAL,HIGH'`,
    ),
  ),
  driftSchedule: opt(
    str((v) =>
      typeof v === 'string' && v.trim().split(/\s+/).length === 5 && /^[\d\s*/,A-Za-z-]+$/.test(v)
        ? undefined
        : "must be a five-field cron expression, e.g. '0 5 * * 1-5'",
    ),
  ),
  kubernetesVersion: opt(str(matching(/^1\.\d{2}$/, "must be a Kubernetes minor version like '1.33'"))),
  kindNodeImage: opt(str(checkPinnedImage)),
  fluxVersion: opt(str(matching(/^v\d+\.\d+\.\d+$/, "must be a Flux release like 'v2.4.0'"))),
  endToEndEnvironment: opt(str()),
  policyPack: opt(
    str(matching(/^(?!\/)(?!.*\.\.)[\w./-]+$/, "must be a path in the repository like 'stacks/policy-pack'")),
  ),
} as const;

/** The shape of {@link PipelineProps}. */
export const PIPELINE_PROPS_SPEC = shapeOf<PipelineProps>()(PROPS_FIELDS);

const propsKeys: SameKeys<PipelineProps, typeof PROPS_FIELDS> = true;
const environmentKeys: SameKeys<PipelineEnvironment, typeof ENVIRONMENT_FIELDS> = true;
/** The shapes' key assertions, so none is unused. */
export const PIPELINE_SHAPE_KEYS_MATCH: boolean = propsKeys && environmentKeys;
