import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidPropertyError } from '../../../constructs/core/validate';
import { jobIdentities, trustPolicies } from '../../../constructs/pipeline/identities';
import type {
  CloudIdentity,
  PipelineEnvironment,
  PipelineProps,
  StateBackend,
} from '../../../constructs/pipeline/model';
import { REF_CHECK_STEP } from '../../../constructs/pipeline/steps';
import { PIPELINE } from '../../../stacks/pipeline';
import { FUZZ_RUNS } from '../fuzz/mutate';
import { SMALL, type Workflow, workflows } from './fixtures';

const OIDC_ACTIONS = /^(aws-actions\/configure-aws-credentials|google-github-actions\/auth|azure\/login)@/;

/** The value that names an identity in a workflow: what a job holding it must mention. */
function mark(identity: CloudIdentity): string {
  switch (identity.provider) {
    case 'aws':
      return identity.roleArn;
    case 'gcp':
      return identity.serviceAccount;
    case 'azure':
      return identity.clientId;
    case 'kubeconfig':
      return `secrets.${identity.secret} `;
  }
}

/** Whether the job's steps mention the identity (in `with:` for clouds, the secret expression for kubeconfigs). */
function holds(job: any, identity: CloudIdentity): boolean {
  return job.steps.some((step: any) => {
    if (identity.provider === 'kubeconfig') return JSON.stringify(step.env ?? {}).includes(mark(identity));
    return Object.values(step.with ?? {}).includes(mark(identity));
  });
}

function secretsOf(job: any): string[] {
  return [...JSON.stringify(job).matchAll(/secrets\.([A-Z0-9_]+)/g)].map((m) => m[1]!);
}

/** The deploy secrets of `props`, computed here from the props, independently of the generator. */
function deploySecretNames(props: PipelineProps): string[] {
  const names = props.environments.flatMap((env) =>
    [env.credentials, env.stateCredentials?.deploy].flatMap((i) => (i?.provider === 'kubeconfig' ? [i.secret] : [])),
  );
  if (props.stateBackend.kind === 'pulumi-cloud')
    names.push(props.stateBackend.accessTokenSecret ?? 'PULUMI_ACCESS_TOKEN');
  return names;
}

/** The checks the issue asks for, over every generated workflow of `props`. */
function assertIdentityProperties(props: PipelineProps): void {
  const wfs: Record<string, Workflow> = workflows(props);
  const branch = props.branch ?? 'main';
  const deployIdentities = props.environments.flatMap((e) =>
    [e.credentials, e.stateCredentials?.deploy].filter((i): i is CloudIdentity => i !== undefined),
  );
  const deploySecrets = deploySecretNames(props);
  for (const [file, wf] of Object.entries(wfs)) {
    expect(wf.permissions, file).toEqual({});
    for (const [id, job] of Object.entries(wf.jobs)) {
      const federates = job.steps.some((s: any) => OIDC_ACTIONS.test(s.uses ?? ''));
      expect(job.permissions['id-token'], `${file}/${id}: id-token only where a step federates`).toBe(
        federates ? 'write' : undefined,
      );
      expect(Object.keys(job.permissions).sort(), `${file}/${id}`).toEqual(
        [
          'contents',
          ...(federates ? ['id-token'] : []),
          ...(id.startsWith('preview-') ? ['pull-requests'] : []),
        ].sort(),
      );
    }
  }
  const pr = wfs['switchyard-pull-request']!;
  expect(Object.keys(pr.on)).toEqual(['pull_request']);
  for (const [id, job] of Object.entries(pr.jobs)) {
    expect(job.environment, `${id}: no environment in a pull-request job`).toBeUndefined();
    for (const secret of secretsOf(job)) expect(deploySecrets, `${id} reads ${secret}`).not.toContain(secret);
    for (const identity of deployIdentities) expect(holds(job, identity), `${id} holds ${mark(identity)}`).toBe(false);
  }
  const deploy = wfs['switchyard-deploy']!;
  const drift = wfs['switchyard-drift']!;
  props.environments.forEach((env) => {
    const stack = env.stack ?? env.name;
    const cases = [
      [pr.jobs[`preview-${env.name}`], 'read-only'],
      [deploy.jobs[`deploy-${env.name}`], 'deploy'],
      [drift.jobs[`drift-${env.name}`], 'read-only'],
    ] as const;
    for (const [job, use] of cases) {
      const own = use === 'deploy' ? env.credentials : env.readOnly;
      const other = use === 'deploy' ? env.readOnly : env.credentials;
      expect(holds(job, own), `${job.name} holds its ${use} identity`).toBe(true);
      expect(holds(job, other), `${job.name} does not hold the other identity`).toBe(false);
      // Credentials come before the step that logs in to the state.
      const steps: any[] = job.steps;
      const pulumiAt = steps.findIndex(
        (s) => s.name === `pulumi ${use === 'deploy' ? 'up' : 'preview'} --stack ${stack}`,
      );
      for (const { identity } of jobIdentities(props, env, use)) {
        const at = steps.findIndex((s) => holds({ steps: [s] }, identity));
        expect(at, `${job.name}: ${mark(identity)} before pulumi`).toBeGreaterThan(-1);
        expect(at).toBeLessThan(pulumiAt);
      }
      const cloud = stateCloudOf(props.stateBackend);
      if (cloud) {
        const provider = steps.slice(0, pulumiAt).map((s) => s.uses ?? '');
        expect(
          provider.some((u) => u.startsWith(OIDC_BY_CLOUD[cloud])),
          `${job.name}: ${cloud} credentials for the state`,
        ).toBe(true);
      }
    }
    const deployJob = deploy.jobs[`deploy-${env.name}`];
    expect(deployJob.steps[0]).toMatchObject({ name: REF_CHECK_STEP, env: { DEPLOY_REF: `refs/heads/${branch}` } });
    expect(deployJob.environment.name ?? deployJob.environment).toBe(env.name);
    expect(drift.jobs[`drift-${env.name}`].steps[0].name).toBe(REF_CHECK_STEP);
    expect(drift.jobs[`drift-${env.name}`].environment).toBeUndefined();
    expect(pr.jobs[`preview-${env.name}`].if).toBe(
      'github.event.pull_request.head.repo.full_name == github.repository',
    );
  });
  expect(deploy.on).toEqual({ push: { branches: [branch] }, workflow_dispatch: {} });
}

const OIDC_BY_CLOUD = {
  aws: 'aws-actions/configure-aws-credentials@',
  gcp: 'google-github-actions/auth@',
  azure: 'azure/login@',
} as const;
function stateCloudOf(b: StateBackend): keyof typeof OIDC_BY_CLOUD | undefined {
  if (b.kind !== 'self-managed') return undefined;
  return ({ s3: 'aws', gs: 'gcp', azblob: 'azure' } as const)[b.url.split(':')[0] as 's3'];
}

describe('pipeline identities on the generated workflows', () => {
  it('the reference pipeline: previews and drift checks read-only, deploys only in their environment from main', () => {
    assertIdentityProperties(PIPELINE);
    const { jobs } = workflows()['switchyard-pull-request']!;
    expect(jobs['preview-prod'].steps.map((s: any) => s.with?.['role-to-assume']).filter(Boolean)).toEqual([
      'arn:aws:iam::111122223333:role/switchyard-readonly',
    ]);
    // dev is bare metal with S3 state: the state's read-only role first, then the view kubeconfig.
    expect(jobs['preview-dev'].steps.slice(3, 5).map((s: any) => s.name)).toEqual([
      'AWS credentials (OIDC, read-only, for the state)',
      'Kubeconfig of the read-only identity (view)',
    ]);
    expect(jobs['preview-dev'].steps[4].env).toEqual({ KUBECONFIG_DATA: '${{ secrets.DEV_READONLY_KUBECONFIG }}' });
    const dev = workflows()['switchyard-deploy']!.jobs['deploy-dev'];
    expect(dev.steps[4]).toMatchObject({
      with: { 'role-to-assume': 'arn:aws:iam::111122223333:role/switchyard-dev-state' },
    });
  });

  it('GCP and Azure on Pulumi Cloud: a read-only token for previews and drift, the deploy token only in deploys', () => {
    assertIdentityProperties(SMALL);
    const all = workflows(SMALL);
    expect(secretsOf(all['switchyard-drift']!.jobs['drift-live'])).toEqual(['PULUMI_READONLY_ACCESS_TOKEN']);
    expect(secretsOf(all['switchyard-deploy']!.jobs['deploy-live'])).toEqual(['PULUMI_ACCESS_TOKEN']);
  });

  it('kubeconfig-only environments on Pulumi Cloud ask for no id-token at all', () => {
    const props: PipelineProps = {
      ...SMALL,
      branch: 'trunk',
      environments: [
        {
          name: 'lab',
          credentials: { provider: 'kubeconfig', secret: 'LAB_KUBECONFIG' },
          readOnly: { provider: 'kubeconfig', secret: 'LAB_VIEW_KUBECONFIG' },
        },
      ],
    };
    assertIdentityProperties(props);
    for (const wf of Object.values(workflows(props))) {
      for (const job of Object.values(wf.jobs)) expect(job.permissions['id-token']).toBeUndefined();
    }
  });

  it('holds for generated pipelines: any providers, backends and branches (property)', () => {
    const identity = (env: string, role: string): fc.Arbitrary<CloudIdentity> =>
      fc.constantFrom<CloudIdentity>(
        { provider: 'aws', roleArn: `arn:aws:iam::123456789012:role/${env}-${role}`, region: 'eu-west-1' },
        {
          provider: 'gcp',
          workloadIdentityProvider: 'projects/1/locations/global/workloadIdentityPools/gh/providers/gh',
          serviceAccount: `${env}-${role}@p.iam.gserviceaccount.com`,
        },
        { provider: 'azure', clientId: `${env}-${role}`, tenantId: 't', subscriptionId: 's' },
        { provider: 'kubeconfig', secret: `${env.toUpperCase()}_${role.toUpperCase()}_KUBECONFIG` },
      );
    const backend = fc.constantFrom<StateBackend>(
      { kind: 'pulumi-cloud' },
      { kind: 'pulumi-cloud', accessTokenSecret: 'DEPLOY_TOKEN', readOnlyAccessTokenSecret: 'READ_TOKEN' },
      { kind: 'self-managed', url: 's3://state' },
      { kind: 'self-managed', url: 'gs://state', secretsProvider: 'kms' },
      { kind: 'self-managed', url: 'azblob://state', passphraseSecret: 'PASS' },
      { kind: 'self-managed', url: 'file://state' },
    );
    const names = fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/), { minLength: 1, maxLength: 4 });
    const pipeline = fc
      .tuple(names, backend, fc.constantFrom('main', 'trunk', 'release/v2'))
      .chain(([envNames, stateBackend, branch]) =>
        fc
          .tuple(
            ...envNames.map((n) =>
              fc.tuple(identity(n, 'deploy'), identity(n, 'view'), identity(n, 'sd'), identity(n, 'sr')),
            ),
          )
          .map((ids): PipelineProps => {
            const cloud = stateCloudOf(stateBackend);
            const environments = envNames.map((name, i): PipelineEnvironment => {
              const [credentials, readOnly] = ids[i]!;
              const needs = cloud && (credentials.provider !== cloud || readOnly.provider !== cloud);
              const onCloud = (x: CloudIdentity, role: string): CloudIdentity =>
                x.provider === cloud ? x : cloudIdentity(cloud!, `${name}-${role}`);
              return {
                name,
                credentials,
                readOnly,
                ...(needs
                  ? { stateCredentials: { deploy: onCloud(ids[i]![2], 'sd'), readOnly: onCloud(ids[i]![3], 'sr') } }
                  : {}),
              };
            });
            return { ...SMALL, environments, stateBackend, branch };
          }),
      );
    fc.assert(
      fc.property(pipeline, (props) => assertIdentityProperties(props)),
      // Each run generates and parses three workflows (~10 ms): capped, so a 100,000-run fuzz stays minutes long.
      { numRuns: Math.min(1000, Math.max(40, Math.floor(FUZZ_RUNS / 3))) },
    );
  }, 240_000);
});

function cloudIdentity(cloud: 'aws' | 'gcp' | 'azure', name: string): CloudIdentity {
  if (cloud === 'aws')
    return { provider: 'aws', roleArn: `arn:aws:iam::123456789012:role/${name}`, region: 'eu-west-1' };
  if (cloud === 'gcp') {
    return {
      provider: 'gcp',
      workloadIdentityProvider: 'projects/1/locations/global/workloadIdentityPools/gh/providers/gh',
      serviceAccount: `${name}@p.iam.gserviceaccount.com`,
    };
  }
  return { provider: 'azure', clientId: name, tenantId: 't', subscriptionId: 's' };
}

describe('the ref check', () => {
  const script = workflows()['switchyard-deploy']!.jobs['deploy-prod'].steps[0].run as string;
  const run = (ref: string) =>
    spawnSync('bash', ['-c', script], {
      env: { PATH: process.env.PATH, GITHUB_REF: ref, DEPLOY_REF: 'refs/heads/main' },
      encoding: 'utf8',
    });

  it('passes on the default branch and fails on any other ref, before anything else runs', () => {
    expect(run('refs/heads/main').status).toBe(0);
    for (const ref of ['refs/heads/feature', 'refs/pull/7/merge', 'refs/tags/v1', 'refs/heads/main2', '']) {
      const result = run(ref);
      expect(result.status, ref).toBe(1);
      expect(result.stdout).toContain('::error title=Refused::this job runs only on refs/heads/main');
    }
  });
});

describe('trustPolicies', () => {
  it('deploy identities trust only their environment; read-only ones pull requests and the default branch', () => {
    const trust = trustPolicies(PIPELINE, 'acme/platform');
    const prod = trust.find((t) => t.property === 'environments[2].credentials')!;
    expect(prod).toMatchObject({ use: 'deploy', subjects: ['repo:acme/platform:environment:prod'] });
    expect(trust.find((t) => t.property === 'environments[2].readOnly')).toMatchObject({
      use: 'read-only',
      subjects: ['repo:acme/platform:pull_request', 'repo:acme/platform:ref:refs/heads/main'],
    });
    expect(trust.find((t) => t.property === 'environments[0].credentials')).toMatchObject({
      subjects: [],
      secretScope: 'environment',
    });
    expect(trust.find((t) => t.property === 'environments[0].readOnly')?.secretScope).toBe('repository');
    expect(trust.find((t) => t.property === 'environments[0].stateCredentials.deploy')?.subjects).toEqual([
      'repo:acme/platform:environment:dev',
    ]);
    expect(trust).toHaveLength(8);
  });

  it('refuses a repository that is not owner/name, naming it', () => {
    expect(() => trustPolicies(PIPELINE, 'platform')).toThrow(InvalidPropertyError);
    expect(() => trustPolicies(PIPELINE, 'a/b c')).toThrow(/'repository' \("a\/b c"\) must be 'owner\/name'/);
  });
});
