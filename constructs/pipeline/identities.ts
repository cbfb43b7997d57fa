/**
 * Which identity each job holds, and whom each identity must trust. Deploy jobs hold the environment's
 * deploy identity and run only in its GitHub environment on the default branch; previews and drift checks
 * hold the read-only identity. A job that reads state also holds the state backend's credentials. Pure.
 */
import { InvalidPropertyError } from '../core/validate';
import type { CloudIdentity, PipelineEnvironment, PipelineProps, StateBackend } from './model';

/** What a job does with an identity: deploy (write) or preview and drift (read). */
export type IdentityUse = 'deploy' | 'read-only';

/** A read-only identity (or secret) that is also a deploy identity: pull-request code would hold it. */
export class SharedIdentityError extends InvalidPropertyError {
  public constructor(
    property: string,
    /** The deploy field it equals. */
    public readonly deployProperty: string,
    message: string,
  ) {
    super(property, message);
    this.name = 'SharedIdentityError';
  }
}

/** The cloud whose credentials the backend's URL needs, if any. */
export function stateCloud(backend: StateBackend): 'aws' | 'gcp' | 'azure' | undefined {
  if (backend.kind !== 'self-managed') return undefined;
  const scheme = backend.url.slice(0, backend.url.indexOf('://'));
  return ({ s3: 'aws', gs: 'gcp', azblob: 'azure' } as const)[scheme as 's3' | 'gs' | 'azblob'];
}

/** The identity an environment's job of this use holds for the environment itself. */
export function environmentIdentity(env: PipelineEnvironment, use: IdentityUse): CloudIdentity {
  return use === 'deploy' ? env.credentials : env.readOnly;
}

/** Whether a job of this use needs the environment's `stateCredentials` (its own identity cannot reach the state). */
export function needsStateCredentials(backend: StateBackend, env: PipelineEnvironment, use: IdentityUse): boolean {
  const cloud = stateCloud(backend);
  return cloud !== undefined && environmentIdentity(env, use).provider !== cloud;
}

/** A credentials step to configure, in order: the state's first (it is needed at `pulumi login`), then the environment's. */
export interface JobIdentity {
  readonly identity: CloudIdentity;
  readonly use: IdentityUse;
  /** 'state' for the backend's credentials, 'environment' for the environment's identity. */
  readonly purpose: 'state' | 'environment';
}

/** The identities a job of `use` for `env` holds. */
export function jobIdentities(props: PipelineProps, env: PipelineEnvironment, use: IdentityUse): JobIdentity[] {
  const own: JobIdentity = { identity: environmentIdentity(env, use), use, purpose: 'environment' };
  if (!needsStateCredentials(props.stateBackend, env, use) || !env.stateCredentials) return [own];
  const state = use === 'deploy' ? env.stateCredentials.deploy : env.stateCredentials.readOnly;
  return [{ identity: state, use, purpose: 'state' }, own];
}

/** Whether holding these identities needs an OIDC token (`id-token: write`): every kind but a kubeconfig. */
export function needsIdToken(identities: readonly JobIdentity[]): boolean {
  return identities.some((i) => i.identity.provider !== 'kubeconfig');
}

/** What makes two identities the same principal (IAM and email names compare without case). */
export function identityKey(identity: CloudIdentity): string {
  switch (identity.provider) {
    case 'aws':
      return `aws:${identity.roleArn.toLowerCase()}`;
    case 'gcp':
      return `gcp:${identity.serviceAccount.toLowerCase()}`;
    case 'azure':
      return `azure:${identity.clientId.toLowerCase()}`;
    case 'kubeconfig':
      return `secret:${identity.secret}`;
  }
}

/** The secret a job of `use` reads for the state backend, if any. */
export function stateSecrets(backend: StateBackend, use: IdentityUse): string[] {
  if (backend.kind === 'pulumi-cloud') {
    return [
      use === 'deploy'
        ? (backend.accessTokenSecret ?? 'PULUMI_ACCESS_TOKEN')
        : (backend.readOnlyAccessTokenSecret ?? 'PULUMI_READONLY_ACCESS_TOKEN'),
    ];
  }
  return backend.secretsProvider === 'kms' ? [] : [backend.passphraseSecret ?? 'PULUMI_CONFIG_PASSPHRASE'];
}

/** Every secret name deploy jobs read: the deploy kubeconfigs and the Pulumi Cloud deploy token. */
export function deploySecrets(props: PipelineProps): string[] {
  const secrets = new Set<string>();
  for (const env of props.environments) {
    for (const { identity } of jobIdentities(props, env, 'deploy')) {
      if (identity.provider === 'kubeconfig') secrets.add(identity.secret);
    }
  }
  if (props.stateBackend.kind === 'pulumi-cloud')
    for (const s of stateSecrets(props.stateBackend, 'deploy')) secrets.add(s);
  return [...secrets];
}

/** Whom an identity must trust, as the cloud's federation (or GitHub's secret scoping) should say it. */
export interface IdentityTrust {
  /** The prop that names it, e.g. 'environments[2].readOnly'. */
  readonly property: string;
  readonly identity: CloudIdentity;
  readonly use: IdentityUse;
  /** OIDC subjects (`sub`) the identity trusts, with audience and issuer as docs/pipeline.md shows. */
  readonly subjects: readonly string[];
  /** For a kubeconfig: where its secret lives ('environment': only jobs bound to the environment read it). */
  readonly secretScope?: 'environment' | 'repository';
}

/**
 * The trust of every identity of the pipeline for `repository` ('owner/name'): deploy identities trust only
 * `repo:<repository>:environment:<env>`; read-only ones trust pull requests and the default branch (the
 * scheduled drift check runs there). @throws InvalidPropertyError when `repository` is not 'owner/name'
 */
export function trustPolicies(props: PipelineProps, repository: string): IdentityTrust[] {
  if (typeof repository !== 'string' || !/^[\w.-]+\/[\w.-]+$/.test(repository)) {
    throw new InvalidPropertyError(
      'repository',
      `'repository' (${JSON.stringify(repository)}) must be 'owner/name', e.g. 'acme/platform'`,
    );
  }
  const branch = props.branch ?? 'main';
  const subjects = (use: IdentityUse, env: string) =>
    use === 'deploy'
      ? [`repo:${repository}:environment:${env}`]
      : [`repo:${repository}:pull_request`, `repo:${repository}:ref:refs/heads/${branch}`];
  const out: IdentityTrust[] = [];
  props.environments.forEach((env, i) => {
    const at = `environments[${i}]`;
    const add = (property: string, identity: CloudIdentity, use: IdentityUse) =>
      out.push(
        identity.provider === 'kubeconfig'
          ? { property, identity, use, subjects: [], secretScope: use === 'deploy' ? 'environment' : 'repository' }
          : { property, identity, use, subjects: subjects(use, env.name) },
      );
    add(`${at}.credentials`, env.credentials, 'deploy');
    add(`${at}.readOnly`, env.readOnly, 'read-only');
    if (env.stateCredentials) {
      add(`${at}.stateCredentials.deploy`, env.stateCredentials.deploy, 'deploy');
      add(`${at}.stateCredentials.readOnly`, env.stateCredentials.readOnly, 'read-only');
    }
  });
  return out;
}
