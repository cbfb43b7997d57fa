import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACTIONS } from '../../../constructs/pipeline/actions';
import { KIND_NODE_IMAGES } from '../../../constructs/pipeline/kind-images';
import { generateWorkflows } from '../../../constructs/pipeline/workflows';
import { PIPELINE } from '../../../stacks/pipeline';
import { actionlint } from '../../helpers/actionlint';
import { shellcheck, withShellcheck } from '../../helpers/shellcheck';
import { SMALL, workflows } from './fixtures';

const root = path.resolve(__dirname, '../../..');

describe('generateWorkflows', () => {
  it('writes the pull request, deploy and drift workflows, which the committed files match (npm run pipeline)', () => {
    for (const file of generateWorkflows(PIPELINE)) {
      const committed = path.join(root, file.path);
      expect(fs.existsSync(committed), `${file.path} is missing: run npm run pipeline`).toBe(true);
      expect(fs.readFileSync(committed, 'utf8'), `${file.path} is stale: run npm run pipeline`).toBe(file.content);
    }
  });

  it.each([
    ['the reference pipeline', PIPELINE],
    ['GCP and Azure environments on Pulumi Cloud', SMALL],
  ] as const)('%s: every workflow passes actionlint with no findings', (_name, props) => {
    expect(actionlint(generateWorkflows(props))).toEqual([]);
  });

  withShellcheck(it)('every run script passes shellcheck and reads inputs from env, never ${{ }} inline', () => {
    for (const wf of Object.values(workflows())) {
      for (const job of Object.values(wf.jobs)) {
        for (const step of job.steps.filter((s: any) => s.run)) {
          expect(step.run, step.name).not.toContain('${{');
          expect(shellcheck(step.run), step.name).toBe('');
        }
      }
    }
  });

  it('pins every action by commit SHA, with its version beside it', () => {
    for (const file of generateWorkflows(PIPELINE)) {
      const lines = file.content.split('\n').filter((l) => l.includes('uses:'));
      expect(lines.length).toBeGreaterThan(3);
      for (const line of lines) expect(line).toMatch(/uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    }
    for (const action of Object.values(ACTIONS)) expect(action.sha).toMatch(/^[0-9a-f]{40}$/);
  });

  it('grants nothing by default and each job only what it needs', () => {
    for (const wf of Object.values(workflows())) {
      expect(wf.permissions).toEqual({});
      for (const [id, job] of Object.entries(wf.jobs)) {
        // The reference pipeline federates in every preview, deploy and drift job (dev's for its S3 state).
        const allowed = id.startsWith('preview-')
          ? { contents: 'read', 'id-token': 'write', 'pull-requests': 'write' }
          : /^(deploy|drift)-/.test(id)
            ? { contents: 'read', 'id-token': 'write' }
            : { contents: 'read' };
        expect(job.permissions, id).toEqual(allowed);
      }
    }
  });

  it('pull request: test, synth + guardrails, image gate (signature then scan), a preview per environment, end to end on kind', () => {
    const { jobs, on, concurrency } = workflows()['switchyard-pull-request']!;
    expect(on).toEqual({ pull_request: { branches: ['main'] } });
    expect(concurrency['cancel-in-progress']).toBe(true);
    expect(Object.keys(jobs)).toEqual([
      'test',
      'synth',
      'image-gate',
      'preview-dev',
      'preview-staging',
      'preview-prod',
      'end-to-end',
    ]);
    expect(jobs.synth.steps.map((s: any) => s.run ?? s.uses?.split('@')[0])).toEqual([
      'actions/checkout',
      'actions/setup-node',
      'npm ci',
      'npm run synth',
      'npx switchyard check dist --profile production',
      expect.stringContaining('images=$(grep'),
      'actions/upload-artifact',
    ]);
    const gate = jobs['image-gate'];
    expect(gate.needs).toBe('synth');
    expect(gate.strategy.matrix.image).toBe('${{ fromJSON(needs.synth.outputs.images) }}');
    expect(gate.steps.map((s: any) => s.name)).toEqual([
      'Install cosign',
      'Verify the signature (keyless)',
      'Scan for vulnerabilities',
    ]);
    expect(gate.steps[1].run).toMatch(/cosign verify --certificate-identity-regexp "\$IDENTITY"/);
    expect(gate.steps[1].run).toMatch(/quarantined/);
    expect(gate.steps[2].with).toMatchObject({ 'exit-code': '1', severity: 'CRITICAL,HIGH' });
    const preview = jobs['preview-prod'];
    expect(preview.needs).toEqual(['test', 'synth']);
    // No environment: its secrets and the deploy trust subject stay out of the pull request's reach.
    expect(preview.environment).toBeUndefined();
    expect(preview.if).toBe('github.event.pull_request.head.repo.full_name == github.repository');
    const pulumiStep = preview.steps.at(-1);
    expect(pulumiStep.with).toMatchObject({
      command: 'preview',
      'stack-name': 'prod',
      'comment-on-pr': true,
      policyPacks: 'lib/pulumi/policy-pack',
    });
    expect(pulumiStep.env).toEqual({
      PULUMI_BACKEND_URL: expect.stringMatching(/^s3:\/\//),
      PULUMI_CONFIG_PASSPHRASE: '${{ secrets.PULUMI_CONFIG_PASSPHRASE }}',
    });
    const e2e = jobs['end-to-end'];
    expect(e2e.steps.map((s: any) => s.name)).toEqual([
      'Check out',
      'Set up Node.js',
      'Install dependencies',
      'Synthesize',
      'Create a kind cluster',
      'Install Flux (it installs the add-ons from the HelmReleases)',
      'Apply the manifests in order',
    ]);
    // The reference platform's dev cluster runs k3s 1.33: kind runs the pinned 1.33 image.
    expect(e2e.steps[4].with.node_image).toBe(KIND_NODE_IMAGES['1.33']);
    expect(e2e.steps[4].with.node_image).toMatch(/^kindest\/node:v1\.33\.\d+@sha256:[a-f0-9]{64}$/);
    expect(e2e.steps[6].env).toEqual({ E2E_ENV: 'dev' });
  });

  it('deploy: dev, then staging, then prod, each in its GitHub environment, one at a time, smoke-tested, with OIDC', () => {
    const { jobs, on } = workflows()['switchyard-deploy']!;
    expect(on).toEqual({ push: { branches: ['main'] }, workflow_dispatch: {} });
    expect(Object.keys(jobs)).toEqual(['test', 'synth', 'image-gate', 'deploy-dev', 'deploy-staging', 'deploy-prod']);
    expect(jobs['deploy-dev'].needs).toEqual(['test', 'synth', 'image-gate']);
    expect(jobs['deploy-dev'].if).toBe('${{ !failure() && !cancelled() }}');
    expect(jobs['deploy-staging'].needs).toBe('deploy-dev');
    expect(jobs['deploy-prod'].needs).toBe('deploy-staging');
    for (const env of ['dev', 'staging', 'prod']) {
      const job = jobs[`deploy-${env}`];
      expect(job.environment.name).toBe(env);
      expect(job.concurrency).toEqual({ group: `deploy-${env}`, 'cancel-in-progress': false });
      const names = job.steps.map((s: any) => s.name);
      expect(names.indexOf(`pulumi up --stack ${env}`)).toBeLessThan(names.indexOf('Smoke test'));
    }
    const step = (job: string, name: string) => jobs[job].steps.find((s: any) => s.name === name);
    expect(step('deploy-prod', 'AWS credentials (OIDC, deploy)')).toMatchObject({
      uses: expect.stringMatching(/^aws-actions\/configure-aws-credentials@/),
      with: { 'role-to-assume': 'arn:aws:iam::111122223333:role/switchyard-prod-deploy', 'aws-region': 'eu-west-1' },
    });
    expect(step('deploy-dev', 'Kubeconfig of the deploy identity').env).toEqual({
      KUBECONFIG_DATA: '${{ secrets.DEV_KUBECONFIG }}',
    });
    const text = generateWorkflows(PIPELINE)
      .map((f) => f.content)
      .join('\n');
    expect(text).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_SECRET/);
  });

  it('drift: a scheduled preview per environment that fails on any change', () => {
    const { jobs, on } = workflows()['switchyard-drift']!;
    expect(on.schedule).toEqual([{ cron: '0 5 * * 1-5' }]);
    expect(jobs['drift-prod'].steps.at(-1).with).toMatchObject({
      command: 'preview',
      refresh: true,
      'expect-no-changes': true,
    });
  });

  it('uses GCP workload identity, Azure OIDC, custom stack names and the Pulumi Cloud token where asked', () => {
    const { jobs } = workflows(SMALL)['switchyard-deploy']!;
    const at = (job: string, prefix: string) => jobs[job].steps.find((s: any) => s.name.startsWith(prefix));
    expect(at('deploy-qa', 'Google Cloud credentials').uses).toMatch(/^google-github-actions\/auth@/);
    expect(at('deploy-live', 'Azure credentials').uses).toMatch(/^azure\/login@/);
    const up = at('deploy-live', 'pulumi up');
    expect(up.with['stack-name']).toBe('acme/live');
    expect(up.env).toEqual({ PULUMI_ACCESS_TOKEN: '${{ secrets.PULUMI_ACCESS_TOKEN }}' });
    expect(jobs['deploy-live'].environment).toBe('live');
    const previews = workflows(SMALL)['switchyard-pull-request']!.jobs;
    expect(previews['preview-live'].steps.at(-1).env).toEqual({
      PULUMI_ACCESS_TOKEN: '${{ secrets.PULUMI_READONLY_ACCESS_TOKEN }}',
    });
  });

  it('stays actionlint-clean for generated environment lists (sampled, one linter run)', () => {
    const env = fc.record({
      name: fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/),
      credentials: fc.oneof(
        fc.constant({
          provider: 'aws' as const,
          roleArn: 'arn:aws:iam::123456789012:role/deploy',
          region: 'us-east-1',
        }),
        fc.constant({ provider: 'kubeconfig' as const, secret: 'KUBECONFIG_DATA' }),
      ),
      readOnly: fc.oneof(
        fc.constant({
          provider: 'aws' as const,
          roleArn: 'arn:aws:iam::123456789012:role/preview',
          region: 'us-east-1',
        }),
        fc.constant({ provider: 'kubeconfig' as const, secret: 'READONLY_KUBECONFIG' }),
      ),
      smokeTestUrl: fc.option(fc.constantFrom('https://a.example.com/', 'http://b.example.com/health'), {
        nil: undefined,
      }),
    });
    // One linter process for every sample: each WebAssembly start is a chance for the runtime crash that
    // helpers/actionlint.ts retries, and a shrinking property would start hundreds under load.
    const lists = fc.sample(fc.uniqueArray(env, { minLength: 1, maxLength: 4, selector: (e) => e.name }), {
      numRuns: 12,
      seed: 2026,
    });
    const files = lists.flatMap((environments, n) =>
      generateWorkflows({ ...SMALL, environments }).map((f) => ({ ...f, path: `${n}/${f.path}` })),
    );
    expect(files).toHaveLength(36);
    expect(actionlint(files)).toEqual([]);
  });

  it('passes the passphrase by default, and none with a KMS secrets provider', () => {
    const preview = (props: typeof PIPELINE) =>
      workflows(props)['switchyard-pull-request']!.jobs['preview-prod'].steps.at(-1).env;
    expect(preview(PIPELINE)).toEqual({
      PULUMI_BACKEND_URL: 's3://switchyard-pulumi-state-111122223333?region=eu-west-1',
      PULUMI_CONFIG_PASSPHRASE: '${{ secrets.PULUMI_CONFIG_PASSPHRASE }}',
    });
    const kms = { ...PIPELINE, stateBackend: { ...PIPELINE.stateBackend, secretsProvider: 'kms' as const } };
    expect(preview(kms)).toEqual({ PULUMI_BACKEND_URL: 's3://switchyard-pulumi-state-111122223333?region=eu-west-1' });
    const named = { ...PIPELINE, stateBackend: { ...PIPELINE.stateBackend, passphraseSecret: 'STATE_PASS' } };
    expect(preview(named).PULUMI_CONFIG_PASSPHRASE).toBe('${{ secrets.STATE_PASS }}');
  });
});
