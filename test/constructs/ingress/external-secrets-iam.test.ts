import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { scopedSecretsReaderPolicy } from '../../../constructs/cluster/external-secrets-iam';
import {
  checkAwsAccountScope,
  DENY_ALL_SECRETS_POLICY,
  externalSecretsReaderPolicy,
  SECRETS_READ_ACTIONS,
} from '../../../constructs/ingress/external-secrets';
import { expectInvalid } from '../../helpers/errors';
import { promiseOf, settle, useMocks } from '../../helpers/pulumi';

const SCOPE = { partition: 'aws', accountId: '111122223333' };
const resourceOf = (policy: string) => JSON.parse(policy).Statement[0].Resource as string;

describe('externalSecretsReaderPolicy', () => {
  it('scopes the secrets to the partition, region, account and prefix, never a wildcard account', () => {
    expect(resourceOf(externalSecretsReaderPolicy(SCOPE, 'eu-west-1', 'shop/prod/'))).toBe(
      'arn:aws:secretsmanager:eu-west-1:111122223333:secret:shop/prod/*',
    );
    expect(
      resourceOf(externalSecretsReaderPolicy({ partition: 'aws-cn', accountId: '444455556666' }, 'cn-north-1', 'a/')),
    ).toBe('arn:aws-cn:secretsmanager:cn-north-1:444455556666:secret:a/*');
    expect(
      resourceOf(
        externalSecretsReaderPolicy({ partition: 'aws-us-gov', accountId: '000011112222' }, 'us-gov-west-1', 'x/'),
      ),
    ).toBe('arn:aws-us-gov:secretsmanager:us-gov-west-1:000011112222:secret:x/*');
  });

  it('only ever reads: no write, delete or policy change', () => {
    const statement = JSON.parse(externalSecretsReaderPolicy(SCOPE, 'eu-west-1', 'p/')).Statement[0];
    expect(statement.Effect).toBe('Allow');
    expect(statement.Action).toEqual([...SECRETS_READ_ACTIONS]);
    for (const action of statement.Action) expect(action).toMatch(/^secretsmanager:(Get|Describe|List)/);
  });

  it('has exactly one wildcard, at the end of the prefix, for any account and prefix (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{12}$/), fc.stringMatching(/^[a-z][a-z0-9/_-]{0,20}$/), (accountId, prefix) => {
        const arn = resourceOf(externalSecretsReaderPolicy({ partition: 'aws', accountId }, 'eu-west-1', prefix));
        expect(arn).toBe(`arn:aws:secretsmanager:eu-west-1:${accountId}:secret:${prefix}*`);
        expect(arn.split('*')).toHaveLength(2);
      }),
    );
  });

  it.each([
    [
      { partition: '*', accountId: '111122223333' },
      'eu-west-1',
      'p/',
      'partition',
      /partition "\*" is not an AWS partition/,
    ],
    [{ partition: 'aws', accountId: '*' }, 'eu-west-1', 'p/', 'accountId', /account "\*" is not a 12-digit/],
    [{ partition: 'aws', accountId: '1234' }, 'eu-west-1', 'p/', 'accountId', /12-digit AWS account id/],
    [SCOPE, '*', 'p/', 'region', /'region' \("\*"\) must be an AWS region/],
    [SCOPE, 'eu-west-1', '', 'externalSecrets.secretPrefix', /non-empty Secrets Manager name prefix/],
    [SCOPE, 'eu-west-1', 'p/*', 'externalSecrets.secretPrefix', /without wildcards/],
  ])('refuses %j in %s with prefix %j, naming %s', (scope, region, prefix, property, message) => {
    expectInvalid(() => externalSecretsReaderPolicy(scope, region, prefix), property, message);
  });

  it('checks a scope without throwing, whatever it is given (property)', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (partition, accountId) => {
        const problem = checkAwsAccountScope({ partition, accountId });
        const valid =
          typeof partition === 'string' &&
          /^aws(-[a-z]+)*$/.test(partition) &&
          typeof accountId === 'string' &&
          /^\d{12}$/.test(accountId);
        expect(problem === undefined).toBe(valid);
      }),
    );
  });
});

class Parent extends pulumi.ComponentResource {
  public constructor(name: string) {
    super('test:index:Parent', name);
  }
}

describe('scopedSecretsReaderPolicy', () => {
  it('reads the account and partition Pulumi deploys to', async () => {
    const registered = useMocks(
      'prod',
      {},
      {},
      {
        'aws:index/getCallerIdentity:getCallerIdentity': () => ({ accountId: '111122223333', arn: 'x', userId: 'y' }),
        'aws:index/getPartition:getPartition': () => ({ partition: 'aws-cn', dnsSuffix: 'amazonaws.com.cn' }),
      },
    );
    const parent = new Parent('eso');
    const policy = scopedSecretsReaderPolicy('cn-north-1', 'switchyard/prod/', parent);
    new aws.iam.RolePolicy('eso-policy', { role: 'eso', policy }, { parent });
    expect(resourceOf(await promiseOf(policy))).toBe(
      'arn:aws-cn:secretsmanager:cn-north-1:111122223333:secret:switchyard/prod/*',
    );
    await settle();
    expect(resourceOf(String(registered.find((r) => r.name === 'eso-policy')!.inputs.policy))).toContain(
      ':111122223333:',
    );
  });

  it('uses a known scope without any look-up', async () => {
    useMocks('prod');
    const policy = scopedSecretsReaderPolicy('eu-west-1', 'p/', new Parent('known'), SCOPE);
    expect(resourceOf(await promiseOf(policy))).toBe('arn:aws:secretsmanager:eu-west-1:111122223333:secret:p/*');
  });

  it('fails closed without throwing in an apply: a deny-all policy and an error on the parent', async () => {
    // Mocks that answer the look-ups with nothing: no account, no partition (as a misconfigured provider might).
    const registered = useMocks(
      'prod',
      {},
      {},
      {
        'aws:index/getCallerIdentity:getCallerIdentity': () => ({}),
        'aws:index/getPartition:getPartition': () => ({}),
      },
    );
    const error = vi.spyOn(pulumi.log, 'error').mockImplementation(() => Promise.resolve());
    const parent = new Parent('unknown');
    const policy = scopedSecretsReaderPolicy('eu-west-1', 'switchyard/prod/', parent);
    new aws.iam.RolePolicy('unknown-policy', { role: 'eso', policy }, { parent });
    expect(await promiseOf(policy)).toBe(DENY_ALL_SECRETS_POLICY);
    await settle();
    expect(registered.find((r) => r.name === 'unknown-policy')!.inputs.policy).toBe(DENY_ALL_SECRETS_POLICY);
    expect(error).toHaveBeenCalledWith(
      expect.stringMatching(/cannot scope its Secrets Manager policy \(partition undefined/),
      parent,
    );
    error.mockRestore();
  });

  it('refuses a bad region or prefix at once, before any look-up', () => {
    useMocks('prod');
    const parent = new Parent('eager');
    expectInvalid(() => scopedSecretsReaderPolicy('Europe', 'p/', parent), 'region', /AWS region/);
    expectInvalid(
      () => scopedSecretsReaderPolicy('eu-west-1', '*', parent),
      'externalSecrets.secretPrefix',
      /wildcards/,
    );
  });
});
