/** What the pipeline generator needs to know: the environments, in promotion order, and how to reach them. */
import { assertDnsLabel, InvalidPropertyError, isIamRoleArn, show } from '../core/validate';

/** How a deploy job gets credentials: OpenID Connect federation, never long-lived keys. */
export type DeployCredentials =
  | { readonly provider: 'aws'; readonly roleArn: string; readonly region: string }
  | { readonly provider: 'gcp'; readonly workloadIdentityProvider: string; readonly serviceAccount: string }
  | {
      readonly provider: 'azure';
      readonly clientId: string;
      readonly tenantId: string;
      readonly subscriptionId: string;
    }
  /** A cluster outside any cloud (bare metal, VMs): a kubeconfig for the deploy identity, kept in an environment secret. */
  | { readonly provider: 'kubeconfig'; readonly secret: string };

/** One environment the pipeline deploys, in promotion order. */
export interface PipelineEnvironment {
  /** Environment name: the GitHub environment (with its protection rules) and, by default, the Pulumi stack. */
  readonly name: string;
  /** @default - the environment name */
  readonly stack?: string;
  readonly credentials: DeployCredentials;
  /**
   * URL the smoke test requests after a deploy; it must answer 2xx or 3xx.
   * @default - no smoke test
   */
  readonly smokeTestUrl?: string;
}

/** Where Pulumi keeps state in CI (the local `file://~` backend does not survive a runner). */
export type StateBackend =
  | { readonly kind: 'pulumi-cloud'; readonly accessTokenSecret?: string }
  /** A self-managed backend (`s3://…`, `gs://…`, `azblob://…`); secrets encrypted with a passphrase secret. */
  | { readonly kind: 'self-managed'; readonly url: string; readonly passphraseSecret?: string };

/** Properties of the generated workflows. */
export interface PipelineProps {
  /** The environments, in promotion order: each deploys only after the one before it succeeded. */
  readonly environments: readonly PipelineEnvironment[];
  readonly stateBackend: StateBackend;
  /** Keyless cosign verification: images must be signed by this identity. */
  readonly signatures: {
    /** Regular expression of the signing certificate's identity, e.g. '^https://github.com/acme/.+'. */
    readonly certificateIdentityRegexp: string;
    /** @default 'https://token.actions.githubusercontent.com' */
    readonly certificateOidcIssuer?: string;
  };
  /** @default 'main' */
  readonly branch?: string;
  /** @default '20' */
  readonly nodeVersion?: string;
  /** Vulnerability severities that fail the image scan. @default 'CRITICAL,HIGH' */
  readonly failOnSeverities?: string;
  /** When the drift check runs (cron, UTC). @default '0 5 * * 1-5' */
  readonly driftSchedule?: string;
  /** Node image of the throwaway kind cluster. @default 'kindest/node:v1.27.3' */
  readonly kindNodeImage?: string;
  /** Flux version the kind cluster runs to install the add-ons' HelmReleases. @default 'v2.4.0' */
  readonly fluxVersion?: string;
  /** Environment whose manifests the kind job applies. @default - the first environment */
  readonly endToEndEnvironment?: string;
  /** The policy pack `pulumi preview` and `pulumi up` run. @default 'stacks/policy-pack' */
  readonly policyPack?: string;
}

const SECRET_NAME = /^[A-Z][A-Z0-9_]*$/;

function assertSecretName(property: string, value: string): void {
  if (!SECRET_NAME.test(value) || value.startsWith('GITHUB_')) {
    throw new InvalidPropertyError(
      property,
      `'${property}' (${show(value)}) must be a secret name like DEV_KUBECONFIG: upper case, digits and _, not starting with GITHUB_`,
    );
  }
}

/** Checks the props eagerly, naming the field. */
export function validatePipelineProps(props: PipelineProps): void {
  if (props.environments.length === 0) {
    throw new InvalidPropertyError(
      'environments',
      "'environments' is empty: list the environments in promotion order, e.g. dev, staging, prod",
    );
  }
  const seen = new Set<string>();
  props.environments.forEach((env, i) => {
    const at = `environments[${i}]`;
    assertDnsLabel(`${at}.name`, env.name);
    if (seen.has(env.name))
      throw new InvalidPropertyError(
        `${at}.name`,
        `'${at}.name' (${show(env.name)}) appears twice: each environment deploys once`,
      );
    seen.add(env.name);
    const c = env.credentials;
    if (c.provider === 'aws' && !isIamRoleArn(c.roleArn)) {
      throw new InvalidPropertyError(
        `${at}.credentials.roleArn`,
        `'${at}.credentials.roleArn' (${show(c.roleArn)}) must be an IAM role ARN like arn:aws:iam::123456789012:role/deploy`,
      );
    }
    if (c.provider === 'kubeconfig') assertSecretName(`${at}.credentials.secret`, c.secret);
    if (env.smokeTestUrl !== undefined && !/^https?:\/\/[^\s'"]+$/.test(env.smokeTestUrl)) {
      throw new InvalidPropertyError(
        `${at}.smokeTestUrl`,
        `'${at}.smokeTestUrl' (${show(env.smokeTestUrl)}) must be an http(s) URL without spaces or quotes`,
      );
    }
  });
  if (props.endToEndEnvironment !== undefined && !seen.has(props.endToEndEnvironment)) {
    throw new InvalidPropertyError(
      'endToEndEnvironment',
      `'endToEndEnvironment' (${show(props.endToEndEnvironment)}) is not one of the environments: ${[...seen].join(', ')}`,
    );
  }
  const b = props.stateBackend;
  if (b.kind === 'self-managed' && !/^(s3|gs|azblob|file):\/\/\S+$/.test(b.url)) {
    throw new InvalidPropertyError(
      'stateBackend.url',
      `'stateBackend.url' (${show(b.url)}) must be an s3://, gs://, azblob:// or file:// URL`,
    );
  }
  if (b.kind === 'self-managed' && b.passphraseSecret)
    assertSecretName('stateBackend.passphraseSecret', b.passphraseSecret);
  if (b.kind === 'pulumi-cloud' && b.accessTokenSecret)
    assertSecretName('stateBackend.accessTokenSecret', b.accessTokenSecret);
  try {
    new RegExp(props.signatures.certificateIdentityRegexp);
  } catch {
    throw new InvalidPropertyError(
      'signatures.certificateIdentityRegexp',
      `'signatures.certificateIdentityRegexp' (${show(props.signatures.certificateIdentityRegexp)}) is not a regular expression`,
    );
  }
  if (props.driftSchedule !== undefined && props.driftSchedule.trim().split(/\s+/).length !== 5) {
    throw new InvalidPropertyError(
      'driftSchedule',
      `'driftSchedule' (${show(props.driftSchedule)}) must be a five-field cron expression, e.g. '0 5 * * 1-5'`,
    );
  }
}
