/**
 * What the pipeline generator needs to know: the environments, in promotion order, how to reach them to
 * deploy, and how to reach them read-only (previews and drift checks run pull-request or scheduled code, so
 * they never hold a deploy identity).
 */

/** An AWS IAM role the job assumes through GitHub's OpenID Connect provider. */
export interface AwsIdentity {
  readonly provider: 'aws';
  /** The role, e.g. 'arn:aws:iam::123456789012:role/prod-deploy'. */
  readonly roleArn: string;
  /** Region of the STS endpoint and of the AWS provider, e.g. 'eu-west-1'. */
  readonly region: string;
}

/** A Google Cloud service account the job impersonates through workload identity federation. */
export interface GcpIdentity {
  readonly provider: 'gcp';
  /** 'projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>'. */
  readonly workloadIdentityProvider: string;
  /** The service account's email, e.g. 'deploy@my-project.iam.gserviceaccount.com'. */
  readonly serviceAccount: string;
}

/** A Microsoft Entra ID application (or user-assigned managed identity) with a federated credential. */
export interface AzureIdentity {
  readonly provider: 'azure';
  readonly clientId: string;
  readonly tenantId: string;
  readonly subscriptionId: string;
}

/**
 * A cluster outside any cloud (bare metal, VMs): a kubeconfig kept in a GitHub secret. For a deploy identity
 * it is an environment secret (only jobs bound to the environment can read it); for a read-only identity it
 * is a repository secret holding the kubeconfig of a ServiceAccount bound to the `view` ClusterRole.
 */
export interface KubeconfigIdentity {
  readonly provider: 'kubeconfig';
  /** Name of the secret, e.g. 'DEV_KUBECONFIG'. */
  readonly secret: string;
}

/** How a job gets credentials: OpenID Connect federation or a kubeconfig secret, never long-lived cloud keys. */
export type CloudIdentity = AwsIdentity | GcpIdentity | AzureIdentity | KubeconfigIdentity;

/** The identity a deploy job holds. */
export type DeployCredentials = CloudIdentity;

/** The identity previews and drift checks hold: view-only permissions, trusted for pull requests and the schedule. */
export type ReadOnlyCredentials = CloudIdentity;

/**
 * Credentials for the state backend when an environment's own identities are not on the backend's cloud (a
 * bare-metal environment whose state lives in `s3://`): the job configures these before `pulumi login`.
 */
export interface StateCredentials {
  /** Writes this environment's stack state; used by the deploy job. */
  readonly deploy: CloudIdentity;
  /** Reads this environment's stack state; used by the preview and the drift check. */
  readonly readOnly: CloudIdentity;
}

/** One environment the pipeline deploys, in promotion order. */
export interface PipelineEnvironment {
  /** Environment name: the GitHub environment (with its protection rules) and, by default, the Pulumi stack. */
  readonly name: string;
  /** @default - the environment name */
  readonly stack?: string;
  /** The deploy identity: trusted only for `repo:<owner>/<repo>:environment:<name>`. */
  readonly credentials: DeployCredentials;
  /**
   * The identity of the preview and the drift check: view-only cloud and cluster permissions, trusted for
   * `repo:<owner>/<repo>:pull_request` and `repo:<owner>/<repo>:ref:refs/heads/<branch>`. It must differ from
   * every deploy identity of the pipeline (a `SharedIdentityError` otherwise).
   */
  readonly readOnly: ReadOnlyCredentials;
  /**
   * Credentials for the state backend, required when the backend is on a cloud (`s3://` AWS, `gs://` GCP,
   * `azblob://` Azure) that `credentials` or `readOnly` is not on. A job whose identity is on the backend's
   * cloud reads the state with that identity (one set of credentials per cloud and job).
   * @default - the environment's own identities read and write the state
   */
  readonly stateCredentials?: StateCredentials;
  /**
   * URL the smoke test requests after a deploy; it must answer 2xx or 3xx.
   * @default - no smoke test
   */
  readonly smokeTestUrl?: string;
}

/** Pulumi Cloud: a deploy token for deploy jobs, a read-only token (the `Stack Read` permission) for the rest. */
export interface PulumiCloudBackend {
  readonly kind: 'pulumi-cloud';
  /** Secret holding the deploy jobs' token; keep it an environment secret. @default 'PULUMI_ACCESS_TOKEN' */
  readonly accessTokenSecret?: string;
  /**
   * Secret holding a token with read-only stack access (a team token whose team has `Stack Read`, enough
   * for previews), used by previews and drift checks. @default 'PULUMI_READONLY_ACCESS_TOKEN'
   */
  readonly readOnlyAccessTokenSecret?: string;
}

/** A self-managed backend (`s3://…`, `gs://…`, `azblob://…`, `file://…`). */
export interface SelfManagedBackend {
  readonly kind: 'self-managed';
  readonly url: string;
  /**
   * How stack secrets are encrypted. 'passphrase': every job that reads state gets the passphrase, previews
   * included (a passphrase cannot be read-only: see docs/pipeline.md). 'kms': the stacks use a cloud KMS
   * secrets provider (`pulumi stack init --secrets-provider awskms://…`), no passphrase is passed, and the
   * read-only identities get decrypt only.
   * @default 'passphrase'
   */
  readonly secretsProvider?: 'passphrase' | 'kms';
  /** Secret holding the passphrase (not with 'kms'). @default 'PULUMI_CONFIG_PASSPHRASE' */
  readonly passphraseSecret?: string;
}

/** Where Pulumi keeps state in CI (the local `file://~` backend does not survive a runner). */
export type StateBackend = PulumiCloudBackend | SelfManagedBackend;

/** Keyless cosign verification: images must be signed by this identity. */
export interface SignaturePolicy {
  /** Regular expression of the signing certificate's identity, e.g. '^https://github.com/acme/.+'. */
  readonly certificateIdentityRegexp: string;
  /** @default 'https://token.actions.githubusercontent.com' */
  readonly certificateOidcIssuer?: string;
}

/** Properties of the generated workflows. */
export interface PipelineProps {
  /** The environments, in promotion order: each deploys only after the one before it succeeded. */
  readonly environments: readonly PipelineEnvironment[];
  readonly stateBackend: StateBackend;
  readonly signatures: SignaturePolicy;
  /**
   * The default branch: pull requests target it, pushes to it deploy, and every deploy job fails unless it
   * runs on `refs/heads/<branch>`.
   * @default 'main'
   */
  readonly branch?: string;
  /**
   * Node.js the jobs run (actions/setup-node): Pulumi's SDK needs 22 or later.
   * @default '22'
   */
  readonly nodeVersion?: string;
  /** Vulnerability severities that fail the image scan. @default 'CRITICAL,HIGH' */
  readonly failOnSeverities?: string;
  /** When the drift check runs (cron, UTC). @default '0 5 * * 1-5' */
  readonly driftSchedule?: string;
  /**
   * Kubernetes minor version ('1.33') of the end-to-end environment's cluster: the kind cluster runs the
   * same minor, from the pinned images of `KIND_NODE_IMAGES`. `platformPipelineProps` sets it from the traits.
   * @default DEFAULT_KUBERNETES_VERSION
   */
  readonly kubernetesVersion?: string;
  /**
   * Node image of the throwaway kind cluster, instead of the pinned one of `kubernetesVersion`.
   * @default - KIND_NODE_IMAGES[kubernetesVersion]
   */
  readonly kindNodeImage?: string;
  /** Flux version the kind cluster runs to install the add-ons' HelmReleases. @default 'v2.4.0' */
  readonly fluxVersion?: string;
  /** Environment whose manifests the kind job applies. @default - the first environment */
  readonly endToEndEnvironment?: string;
  /**
   * The policy pack `pulumi preview` and `pulumi up` run, a folder of the repository.
   * @default 'node_modules/switchyard/lib/pulumi/policy-pack' (the package's own guardrails pack)
   */
  readonly policyPack?: string;
}
