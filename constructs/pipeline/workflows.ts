/**
 * The GitHub Actions workflows of a Switchyard platform, generated from its environment list:
 * pull requests (test, synth + guardrails, image gate, previews, end to end on kind), promotion on the
 * main branch (dev, then staging, then prod, each behind its GitHub environment), and a drift check.
 * Pure: returns file paths and contents; `npm run pipeline` writes them.
 */
import { stringify } from 'yaml';
import { DEFAULT_KUBERNETES_VERSION } from '../cluster/traits';
import { ACTIONS, uses } from './actions';
import { type JobIdentity, jobIdentities, needsIdToken } from './identities';
import { kindNodeImage } from './kind-images';
import type { PipelineEnvironment, PipelineProps } from './model';
import { credentials, type Job, prepare, pulumi, RUNNER, refCheck, type Step, synthAndCheck } from './steps';
import { validatePipelineProps } from './validate';

/** A file to write into the user's repository. */
export interface GeneratedFile {
  readonly path: string;
  readonly content: string;
}

const READ = { contents: 'read' } as const;
const jobId = (prefix: string, env: PipelineEnvironment) => `${prefix}-${env.name}`;
const stackOf = (env: PipelineEnvironment) => env.stack ?? env.name;

function testJob(props: PipelineProps): Job {
  return {
    name: 'Test',
    'runs-on': RUNNER,
    'timeout-minutes': 20,
    permissions: READ,
    steps: [...prepare(props), { name: 'Typecheck, lint and test', run: 'npm test' }],
  };
}

// Image references of every synthesized workload, as a JSON list for the image gate's matrix.
const LIST_IMAGES = [
  `images=$(grep -hE '^[[:space:]-]*image:' dist/*/*.k8s.yaml | sed -E 's/^[[:space:]-]*image:[[:space:]]*//' | tr -d "\\"'" | sort -u | jq -Rnc '[inputs]')`,
  'echo "images=$images" >> "$GITHUB_OUTPUT"',
  'echo "Images to verify: $images" >> "$GITHUB_STEP_SUMMARY"',
].join('\n');

function synthJob(props: PipelineProps): Job {
  return {
    name: 'Synthesize and check',
    'runs-on': RUNNER,
    'timeout-minutes': 20,
    permissions: READ,
    outputs: { images: '${{ steps.images.outputs.images }}' },
    steps: [
      ...prepare(props),
      ...synthAndCheck(),
      { name: 'List the images', id: 'images', run: LIST_IMAGES },
      {
        name: 'Keep the manifests for review',
        uses: uses(ACTIONS.uploadArtifact),
        with: { name: 'manifests', path: 'dist/', 'retention-days': 14 },
      },
    ],
  };
}

const VERIFY_SIGNATURE = [
  'if ! cosign verify --certificate-identity-regexp "$IDENTITY" --certificate-oidc-issuer "$ISSUER" "$IMAGE" > /dev/null; then',
  '  echo "::error title=Quarantined image::$IMAGE has no valid signature from $IDENTITY"',
  '  echo "- \\`$IMAGE\\`: quarantined (no valid signature)" >> "$GITHUB_STEP_SUMMARY"',
  '  exit 1',
  'fi',
].join('\n');

/** Every image is signed by the expected identity and free of the failing vulnerabilities, or the run stops. */
function imageGateJob(props: PipelineProps): Job {
  return {
    name: 'Image gate (${{ matrix.image }})',
    needs: 'synth',
    if: "needs.synth.outputs.images != '[]'",
    'runs-on': RUNNER,
    'timeout-minutes': 15,
    permissions: READ,
    strategy: { 'fail-fast': false, matrix: { image: '${{ fromJSON(needs.synth.outputs.images) }}' } },
    steps: [
      { name: 'Install cosign', uses: uses(ACTIONS.cosignInstaller) },
      {
        name: 'Verify the signature (keyless)',
        env: {
          IMAGE: '${{ matrix.image }}',
          IDENTITY: props.signatures.certificateIdentityRegexp,
          ISSUER: props.signatures.certificateOidcIssuer ?? 'https://token.actions.githubusercontent.com',
        },
        run: VERIFY_SIGNATURE,
      },
      {
        name: 'Scan for vulnerabilities',
        uses: uses(ACTIONS.trivy),
        with: {
          'image-ref': '${{ matrix.image }}',
          'exit-code': '1',
          'ignore-unfixed': true,
          severity: props.failOnSeverities ?? 'CRITICAL,HIGH',
          format: 'table',
        },
      },
    ],
  };
}

/** `contents: read`, plus `id-token: write` only when one of the job's identities federates through OIDC. */
function permissionsFor(identities: readonly JobIdentity[], extra: Readonly<Record<string, string>> = {}) {
  return { ...READ, ...(needsIdToken(identities) ? { 'id-token': 'write' } : {}), ...extra };
}

/** Steps configuring the job's identities: the state's first (`pulumi login` needs them), then the environment's. */
function credentialSteps(identities: readonly JobIdentity[]): Step[] {
  return identities.map(credentials);
}

// Pull requests from forks get no secrets and no OIDC token: their previews are skipped, not failed.
const SAME_REPOSITORY = 'github.event.pull_request.head.repo.full_name == github.repository';

/**
 * `pulumi preview` of the pull request's program with the environment's read-only identity. No
 * `environment:` (its secrets and its deploy trust subject stay out of reach): the OIDC subject is
 * `repo:<owner>/<repo>:pull_request`, which only the read-only identities trust.
 */
function previewJob(props: PipelineProps, env: PipelineEnvironment): Job {
  const identities = jobIdentities(props, env, 'read-only');
  return {
    name: `Preview ${env.name}`,
    needs: ['test', 'synth'],
    if: SAME_REPOSITORY,
    'runs-on': RUNNER,
    'timeout-minutes': 30,
    permissions: permissionsFor(identities, { 'pull-requests': 'write' }),
    steps: [
      ...prepare(props),
      ...credentialSteps(identities),
      pulumi(props, stackOf(env), 'preview', {
        'comment-on-pr': true,
        'github-token': '${{ secrets.GITHUB_TOKEN }}',
        diff: true,
      }),
    ],
  };
}

const APPLY_IN_ORDER = [
  'for file in "dist/$E2E_ENV"/*.k8s.yaml; do',
  '  kubectl apply --server-side --force-conflicts -f "$file"',
  '  if grep -q "^kind: HelmRelease" "$file"; then',
  '    kubectl wait --for=condition=Ready helmreleases.helm.toolkit.fluxcd.io --all --all-namespaces --timeout=15m',
  '  fi',
  'done',
  'kubectl wait --for=condition=Available deployments --all --all-namespaces --timeout=10m',
].join('\n');

/** Applies one environment's synthesized manifests, in order, to a throwaway kind cluster. */
function endToEndJob(props: PipelineProps): Job {
  const env = props.endToEndEnvironment ?? props.environments[0]!.name;
  return {
    name: `End to end on kind (${env})`,
    needs: 'synth',
    'runs-on': RUNNER,
    'timeout-minutes': 40,
    permissions: READ,
    steps: [
      ...prepare(props),
      { name: 'Synthesize', run: 'npm run synth' },
      {
        name: 'Create a kind cluster',
        uses: uses(ACTIONS.kind),
        with: {
          cluster_name: 'switchyard-e2e',
          // The environment cluster's minor, pinned by digest (KIND_NODE_IMAGES).
          node_image: props.kindNodeImage ?? kindNodeImage(props.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION),
          wait: '120s',
        },
      },
      {
        name: 'Install Flux (it installs the add-ons from the HelmReleases)',
        env: { FLUX_VERSION: props.fluxVersion ?? 'v2.4.0' },
        run: [
          'kubectl apply --server-side -f "https://github.com/fluxcd/flux2/releases/download/$FLUX_VERSION/install.yaml"',
          'kubectl -n flux-system wait --for=condition=Available deployments --all --timeout=5m',
        ].join('\n'),
      },
      { name: 'Apply the manifests in order', env: { E2E_ENV: env }, run: APPLY_IN_ORDER },
    ],
  };
}

function smokeTest(url: string): Step {
  return {
    name: 'Smoke test',
    env: { SMOKE_TEST_URL: url },
    run: 'curl --fail --silent --show-error --location --retry 10 --retry-all-errors --retry-delay 15 --max-time 20 --output /dev/null "$SMOKE_TEST_URL"',
  };
}

/**
 * `pulumi up` with the deploy identity, in the environment's GitHub environment (its protection rules, its
 * secrets, and the OIDC subject `repo:<owner>/<repo>:environment:<env>` that only the deploy identity
 * trusts). The first step fails unless the run is on the default branch.
 */
function deployJob(props: PipelineProps, env: PipelineEnvironment, needs: string | string[], condition?: string): Job {
  const identities = jobIdentities(props, env, 'deploy');
  return {
    name: `Deploy ${env.name}`,
    needs,
    'runs-on': RUNNER,
    'timeout-minutes': 60,
    environment: env.smokeTestUrl ? { name: env.name, url: env.smokeTestUrl } : env.name,
    // One deployment per environment at a time; a queued one waits instead of cancelling a running one.
    concurrency: { group: `deploy-${env.name}`, 'cancel-in-progress': false },
    permissions: permissionsFor(identities),
    steps: [
      refCheck(props.branch ?? 'main'),
      ...prepare(props),
      ...credentialSteps(identities),
      pulumi(props, stackOf(env), 'up'),
      ...(env.smokeTestUrl ? [smokeTest(env.smokeTestUrl)] : []),
    ],
    ...(condition ? { if: condition } : {}),
  };
}

/** A refreshed `pulumi preview` that fails on any change, with the read-only identity, from the default branch only. */
function driftJob(props: PipelineProps, env: PipelineEnvironment): Job {
  const identities = jobIdentities(props, env, 'read-only');
  return {
    name: `Drift ${env.name}`,
    'runs-on': RUNNER,
    'timeout-minutes': 30,
    permissions: permissionsFor(identities),
    steps: [
      refCheck(props.branch ?? 'main'),
      ...prepare(props),
      ...credentialSteps(identities),
      pulumi(props, stackOf(env), 'preview', { refresh: true, 'expect-no-changes': true }),
    ],
  };
}

function workflow(
  name: string,
  on: Record<string, unknown>,
  jobs: Record<string, Job>,
  concurrency?: Record<string, unknown>,
) {
  // Nothing is granted by default; each job asks for what it needs.
  return { name, on, permissions: {}, ...(concurrency ? { concurrency } : {}), jobs };
}

const VERSION_OF = new Map(Object.values(ACTIONS).map((a) => [a.sha, a.version]));

/** YAML with a header and each pinned action's version as a trailing comment. */
export function renderWorkflow(value: unknown): string {
  const body = stringify(value, { lineWidth: 0, aliasDuplicateObjects: false }).replace(
    /^(\s*(?:- )?uses: [^@\s]+@([0-9a-f]{40}))$/gm,
    (line, _all, sha: string) => {
      const version = VERSION_OF.get(sha);
      return version ? `${line} # ${version}` : line;
    },
  );
  return `# Generated by Switchyard (npm run pipeline) from the environment list; edit the generator, not this file.\n${body}`;
}

/** Every workflow file of the pipeline. @throws InvalidPropertyError naming the field when props are malformed */
export function generateWorkflows(props: PipelineProps): GeneratedFile[] {
  validatePipelineProps(props);
  const branch = props.branch ?? 'main';
  const envs = props.environments;
  const pullRequest = workflow(
    'Switchyard: pull request',
    { pull_request: { branches: [branch] } },
    {
      test: testJob(props),
      synth: synthJob(props),
      'image-gate': imageGateJob(props),
      ...Object.fromEntries(envs.map((env) => [jobId('preview', env), previewJob(props, env)])),
      'end-to-end': endToEndJob(props),
    },
    { group: 'pull-request-${{ github.event.pull_request.number }}', 'cancel-in-progress': true },
  );
  const deployJobs: Record<string, Job> = {
    test: testJob(props),
    synth: synthJob(props),
    'image-gate': imageGateJob(props),
  };
  envs.forEach((env, i) => {
    // The image gate is skipped (not failed) when no image is synthesized, and a skipped need would skip the
    // deploys: the first runs unless something before it failed or the run was cancelled.
    deployJobs[jobId('deploy', env)] =
      i === 0
        ? deployJob(props, env, ['test', 'synth', 'image-gate'], '${{ !failure() && !cancelled() }}')
        : deployJob(props, env, jobId('deploy', envs[i - 1]!));
  });
  const deploy = workflow('Switchyard: deploy', { push: { branches: [branch] }, workflow_dispatch: {} }, deployJobs);
  const drift = workflow(
    'Switchyard: drift check',
    { schedule: [{ cron: props.driftSchedule ?? '0 5 * * 1-5' }], workflow_dispatch: {} },
    Object.fromEntries(envs.map((env) => [jobId('drift', env), driftJob(props, env)])),
  );
  return [
    { path: '.github/workflows/switchyard-pull-request.yml', content: renderWorkflow(pullRequest) },
    { path: '.github/workflows/switchyard-deploy.yml', content: renderWorkflow(deploy) },
    { path: '.github/workflows/switchyard-drift.yml', content: renderWorkflow(drift) },
  ];
}
