import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ClusterAccess,
  deployerBindingException,
  rbacAccessObjects,
  rbacSubject,
  validateClusterAccess,
} from '../../../constructs/cluster/access';
import { expectInvalid } from '../../helpers/errors';
import { expectSchemaValid } from '../../helpers/schema';

describe('rbacAccessObjects', () => {
  const access: ClusterAccess = {
    deployer: 'ServiceAccount:ci/deployer',
    readers: ['Group:developers', 'User:alice@example.com'],
  };

  it('binds the deployer to cluster-admin and readers to view, schema-valid', async () => {
    const [deployer, readers] = rbacAccessObjects('dev', access) as Record<string, any>[];
    expect(deployer).toMatchObject({
      kind: 'ClusterRoleBinding',
      metadata: { name: 'switchyard-dev-deployer' },
      roleRef: { kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'ServiceAccount', name: 'deployer', namespace: 'ci' }],
    });
    expect(readers).toMatchObject({
      roleRef: { name: 'view' },
      subjects: [
        { kind: 'Group', name: 'developers', apiGroup: 'rbac.authorization.k8s.io' },
        { kind: 'User', name: 'alice@example.com' },
      ],
    });
    await expectSchemaValid(rbacAccessObjects('dev', access));
  });

  it('creates no reader binding when there are no readers', () => {
    expect(rbacAccessObjects('dev', { deployer: 'Group:deployers' })).toHaveLength(1);
  });

  it('keeps colons in user names', () => {
    expect(rbacSubject('User:oidc:alice')).toMatchObject({ kind: 'User', name: 'oidc:alice' });
  });
});

describe('validateClusterAccess', () => {
  it('accepts each kind in its own format', () => {
    expect(() => validateClusterAccess('eks', { deployer: 'arn:aws:iam::111122223333:role/deploy' })).not.toThrow();
    expect(() =>
      validateClusterAccess('gke', {
        deployer: 'ci-deployer@proj-1.iam.gserviceaccount.com',
        readers: ['group:sre@example.com'],
      }),
    ).not.toThrow();
    expect(() => validateClusterAccess('aks', { deployer: '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0' })).not.toThrow();
    expect(() => validateClusterAccess('existing', { deployer: 'Group:deployers' })).not.toThrow();
  });

  it('names the property and the expected format', () => {
    expectInvalid(
      () => validateClusterAccess('eks', { deployer: 'arn:aws:iam::1:role/x' }),
      'access.deployer',
      /arn:aws:iam::111122223333/,
    );
    expectInvalid(
      () => validateClusterAccess('bare-metal', { deployer: 'Group:d', readers: ['Group:r', 'Group:r'] }),
      'access.readers',
      /lists Group:r twice/,
    );
    expectInvalid(
      () =>
        validateClusterAccess('gke', {
          deployer: 'd-ploy@p-1234.iam.gserviceaccount.com',
          readers: ['serviceAccount:d-ploy@p-1234.iam.gserviceaccount.com'],
        }),
      'access.readers[0]',
      /is the deployer/,
    );
    expectInvalid(
      () => validateClusterAccess('existing', { deployer: 'ServiceAccount:ci' }),
      'access.deployer',
      /ServiceAccount:ci\/deployer/,
    );
  });

  it('never lets a string with whitespace or a missing kind through as a Kubernetes subject', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const ok = (() => {
          try {
            validateClusterAccess('existing', { deployer: s });
            return true;
          } catch {
            return false;
          }
        })();
        if (ok) expect(s).toMatch(/^(User|Group|ServiceAccount):\S+$/);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('deployerBindingException', () => {
  it('exempts exactly the deployer binding from the RBAC rule, with a reason, when the shape is not trusted', async () => {
    const { runGuardrails } = await import('../../../constructs/guardrails');
    const objects = rbacAccessObjects('dev-cluster', { deployer: 'Group:deployers', readers: ['Group:devs'] });
    // By default the rule accepts this binding by its shape (test/constructs/pulumi/policy-pack.test.ts).
    const strict = { allowSwitchyardDeployers: false };
    const flagged = runGuardrails(objects as never, strict).filter((f) => f.rule === 'rbac-least-privilege');
    expect(flagged.map((f) => f.object)).toEqual(['ClusterRoleBinding/switchyard-dev-cluster-deployer']);
    const excepted = runGuardrails(objects as never, {
      ...strict,
      exceptions: [deployerBindingException('dev-cluster')],
    }).filter((f) => f.rule === 'rbac-least-privilege');
    expect(excepted).toEqual([]);
  });
});
