import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accountScopeOf, secretsReaderPolicy } from '../../../constructs/cluster/eks-iam';

const SCOPE = { partition: 'aws', accountId: '111122223333' };
const resourceOf = (policy: string) => JSON.parse(policy).Statement[0].Resource as string;

describe('secretsReaderPolicy', () => {
  it('scopes the secrets to the partition, region, account and prefix, never a wildcard account', () => {
    expect(resourceOf(secretsReaderPolicy(SCOPE, 'eu-west-1', 'shop/prod/'))).toBe(
      'arn:aws:secretsmanager:eu-west-1:111122223333:secret:shop/prod/*',
    );
    expect(
      resourceOf(secretsReaderPolicy({ partition: 'aws-cn', accountId: '444455556666' }, 'cn-north-1', 'app/')),
    ).toBe('arn:aws-cn:secretsmanager:cn-north-1:444455556666:secret:app/*');
    expect(
      resourceOf(secretsReaderPolicy({ partition: 'aws-us-gov', accountId: '000011112222' }, 'us-gov-west-1', 'x/')),
    ).toMatch(/^arn:aws-us-gov:secretsmanager:us-gov-west-1:000011112222:secret:x\/\*$/);
  });

  it('only ever reads: no write, delete or policy change actions', () => {
    const actions = JSON.parse(secretsReaderPolicy(SCOPE, 'eu-west-1', 'p/')).Statement[0].Action as string[];
    for (const action of actions) expect(action).toMatch(/^secretsmanager:(Get|Describe|List)/);
  });

  it('has exactly one wildcard, at the end of the prefix, for any account and prefix', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{12}$/), fc.stringMatching(/^[a-z][a-z0-9/_-]{0,20}$/), (accountId, prefix) => {
        const arn = resourceOf(secretsReaderPolicy({ partition: 'aws', accountId }, 'eu-west-1', prefix));
        expect(arn).toBe(`arn:aws:secretsmanager:eu-west-1:${accountId}:secret:${prefix}*`);
        expect(arn.split('*')).toHaveLength(2);
      }),
    );
  });

  it.each([
    [{ partition: '*', accountId: '111122223333' }, 'eu-west-1', 'p/', /partition "\*"/],
    [{ partition: 'aws', accountId: '*' }, 'eu-west-1', 'p/', /12-digit AWS account id/],
    [{ partition: 'aws', accountId: '1234' }, 'eu-west-1', 'p/', /12-digit AWS account id/],
    [SCOPE, '*', 'p/', /AWS region/],
    [SCOPE, 'eu-west-1', '', /non-empty name prefix/],
    [SCOPE, 'eu-west-1', 'p/*', /without wildcards/],
  ])('refuses %j in %s with prefix %s', (scope, region, prefix, message) => {
    expect(() => secretsReaderPolicy(scope, region, prefix)).toThrow(message);
  });
});

describe('accountScopeOf', () => {
  it('reads the partition and account of an IAM role ARN', () => {
    expect(accountScopeOf('arn:aws:iam::111122223333:role/x')).toEqual(SCOPE);
    expect(accountScopeOf('arn:aws-cn:iam::444455556666:role/y')).toEqual({
      partition: 'aws-cn',
      accountId: '444455556666',
    });
  });

  it('refuses what is not an ARN with an account', () => {
    expect(() => accountScopeOf('role/x')).toThrow(/not an ARN/);
    expect(() => accountScopeOf('arn:aws:iam::*:role/x')).toThrow(/12-digit/);
  });
});
