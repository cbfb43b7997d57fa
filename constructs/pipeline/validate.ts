/**
 * Eager checks of the pipeline props: the strict shape first (unknown keys, exact types, each value's
 * format), then what relates fields: unique environments, state credentials where a job could not reach
 * the state, and read-only identities that are never a deploy identity. Pure.
 */
import { assertProps } from '../core/strict';
import { InvalidPropertyError, show } from '../core/validate';
import {
  deploySecrets,
  environmentIdentity,
  identityKey,
  needsStateCredentials,
  SharedIdentityError,
  stateCloud,
  stateSecrets,
} from './identities';
import { kindNodeImage } from './kind-images';
import type { CloudIdentity, PipelineProps } from './model';
import { PIPELINE_PROPS_SPEC } from './schema';

const CLOUD_NAME = { aws: 'AWS', gcp: 'Google Cloud', azure: 'Azure' } as const;

function describe(identity: CloudIdentity): string {
  switch (identity.provider) {
    case 'aws':
      return `role ${identity.roleArn}`;
    case 'gcp':
      return `service account ${identity.serviceAccount}`;
    case 'azure':
      return `client id ${identity.clientId}`;
    case 'kubeconfig':
      return `kubeconfig secret ${identity.secret}`;
  }
}

function checkStateCredentials(props: PipelineProps): void {
  const cloud = stateCloud(props.stateBackend);
  props.environments.forEach((env, i) => {
    const at = `environments[${i}].stateCredentials`;
    const needed = (['deploy', 'read-only'] as const).filter((use) =>
      needsStateCredentials(props.stateBackend, env, use),
    );
    if (!cloud || needed.length === 0) {
      if (env.stateCredentials) {
        const why = cloud
          ? `the environment's identities are on ${CLOUD_NAME[cloud]} and reach the state themselves`
          : 'the state backend needs no cloud credentials';
        throw new InvalidPropertyError(at, `'${at}' is never used: ${why}; remove it`);
      }
      return;
    }
    if (!env.stateCredentials) {
      const use = needed[0]!;
      const field = use === 'deploy' ? 'credentials' : 'readOnly';
      throw new InvalidPropertyError(
        at,
        `'${at}' is required: the state backend (${(props.stateBackend as { url: string }).url}) needs ${CLOUD_NAME[cloud]} credentials before 'pulumi login', and 'environments[${i}].${field}' is a ${environmentIdentity(env, use).provider} identity; name the ${CLOUD_NAME[cloud]} identities that write (deploy) and read (readOnly) this stack's state`,
      );
    }
    for (const key of ['deploy', 'readOnly'] as const) {
      const identity = env.stateCredentials[key];
      if (identity.provider !== cloud) {
        throw new InvalidPropertyError(
          `${at}.${key}.provider`,
          `'${at}.${key}.provider' (${show(identity.provider)}) must be ${show(cloud)}: the state lives in ${(props.stateBackend as { url: string }).url}`,
        );
      }
    }
  });
}

/** Every deploy identity with the field naming it. */
function deployIdentities(props: PipelineProps): Map<string, string> {
  const out = new Map<string, string>();
  props.environments.forEach((env, i) => {
    const at = `environments[${i}]`;
    const add = (key: string, property: string) => {
      if (!out.has(key)) out.set(key, property);
    };
    add(identityKey(env.credentials), `${at}.credentials`);
    if (env.stateCredentials) add(identityKey(env.stateCredentials.deploy), `${at}.stateCredentials.deploy`);
  });
  return out;
}

const REFUSAL =
  'previews and drift checks run pull-request and branch code, which must never hold a deploy identity; give them a separate identity with view-only permissions (docs/pipeline.md, "Trust per provider")';

function checkSeparation(props: PipelineProps): void {
  const deploys = deployIdentities(props);
  const refuse = (property: string, identity: CloudIdentity) => {
    const deploy = deploys.get(identityKey(identity));
    if (deploy) {
      throw new SharedIdentityError(
        property,
        deploy,
        `'${property}' (${describe(identity)}) is the deploy identity of '${deploy}': ${REFUSAL}`,
      );
    }
  };
  props.environments.forEach((env, i) => {
    refuse(`environments[${i}].readOnly`, env.readOnly);
    if (env.stateCredentials) refuse(`environments[${i}].stateCredentials.readOnly`, env.stateCredentials.readOnly);
  });
  // Secrets the read-only jobs read must not be a secret the deploy jobs read.
  const deploySecretNames = new Set(deploySecrets(props));
  // The pinned image of the cluster's minor, unless an image is given: refused here, not when rendering.
  if (props.kindNodeImage === undefined && props.kubernetesVersion !== undefined) {
    kindNodeImage(props.kubernetesVersion);
  }
  const b = props.stateBackend;
  const readOnlyField =
    b.kind === 'pulumi-cloud' ? 'stateBackend.readOnlyAccessTokenSecret' : 'stateBackend.passphraseSecret';
  for (const secret of stateSecrets(b, 'read-only')) {
    if (deploySecretNames.has(secret)) {
      const deployField =
        b.kind === 'pulumi-cloud' && secret === (b.accessTokenSecret ?? 'PULUMI_ACCESS_TOKEN')
          ? 'stateBackend.accessTokenSecret'
          : 'a deploy kubeconfig secret';
      throw new SharedIdentityError(
        readOnlyField,
        deployField,
        `'${readOnlyField}' (${show(secret)}) is also ${deployField === 'a deploy kubeconfig secret' ? deployField : `'${deployField}'`}: ${REFUSAL}`,
      );
    }
  }
}

/**
 * Checks the props eagerly, naming the field. @throws InvalidPropertyError naming the field (unknown keys
 * with the nearest known one suggested); SharedIdentityError when a read-only identity or secret is also
 * a deploy one
 */
export function validatePipelineProps(props: PipelineProps): void {
  assertProps(props, PIPELINE_PROPS_SPEC);
  const seen = new Set<string>();
  props.environments.forEach((env, i) => {
    if (seen.has(env.name)) {
      throw new InvalidPropertyError(
        `environments[${i}].name`,
        `'environments[${i}].name' (${show(env.name)}) appears twice: each environment deploys once`,
      );
    }
    seen.add(env.name);
  });
  if (props.endToEndEnvironment !== undefined && !seen.has(props.endToEndEnvironment)) {
    throw new InvalidPropertyError(
      'endToEndEnvironment',
      `'endToEndEnvironment' (${show(props.endToEndEnvironment)}) is not one of the environments: ${[...seen].join(', ')}`,
    );
  }
  // The pinned image of the cluster's minor, unless an image is given: refused here, not when rendering.
  if (props.kindNodeImage === undefined && props.kubernetesVersion !== undefined) {
    kindNodeImage(props.kubernetesVersion);
  }
  const b = props.stateBackend;
  if (b.kind === 'self-managed' && b.secretsProvider === 'kms' && b.passphraseSecret !== undefined) {
    throw new InvalidPropertyError(
      'stateBackend.passphraseSecret',
      `'stateBackend.passphraseSecret' (${show(b.passphraseSecret)}) is set with secretsProvider 'kms', which uses no passphrase; remove one of them`,
    );
  }
  checkStateCredentials(props);
  checkSeparation(props);
}
