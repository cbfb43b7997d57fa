import { describe, expect, it } from 'vitest';
import { resolveClusterTraits } from '../../../constructs/cluster/traits';
import { EXTERNAL_SECRETS_ACCOUNT, externalSecretsOperator } from '../../../constructs/ingress/external-secrets';
import { platformAddons } from '../../../constructs/ingress/platform';
import { expectInvalid } from '../../helpers/errors';
import { expectSchemaValid } from '../../helpers/schema';

const EKS = resolveClusterTraits({ kind: 'eks', zones: ['eu-west-1a', 'eu-west-1b'] });
const OPTIONS = {
  roleArn: 'arn:aws:iam::111122223333:role/prod-external-secrets',
  awsSecretsManager: { region: 'eu-west-1', storeName: 'aws-secrets-manager' },
};

describe('externalSecretsOperator', () => {
  it('installs the pinned chart with leader election, valid budgets and the IRSA role on its service account', () => {
    const { release } = externalSecretsOperator(EKS, OPTIONS);
    expect(release).toMatchObject({
      name: 'external-secrets',
      namespace: 'external-secrets',
      chart: { repository: 'https://charts.external-secrets.io', name: 'external-secrets', version: '0.19.2' },
      dependsOn: [],
    });
    const values = release.values as Record<string, any>;
    expect(values).toMatchObject({
      installCRDs: true,
      replicaCount: 2,
      leaderElect: true,
      serviceAccount: {
        name: EXTERNAL_SECRETS_ACCOUNT.name,
        annotations: { 'eks.amazonaws.com/role-arn': OPTIONS.roleArn },
      },
      webhook: { replicaCount: 2 },
      serviceMonitor: { enabled: false },
    });
    // The chart defaults minAvailable: a maxUnavailable as well would be rejected by the API server.
    for (const budget of [values.podDisruptionBudget, values.webhook.podDisruptionBudget]) {
      expect(budget).toEqual({ enabled: true, minAvailable: 1 });
    }
    expect(values.topologySpreadConstraints.map((c: any) => c.topologyKey)).toEqual([
      'topology.kubernetes.io/zone',
      'kubernetes.io/hostname',
    ]);
  });

  it('creates a schema-valid ClusterSecretStore for AWS Secrets Manager that reads with the operator role', async () => {
    const { objects } = externalSecretsOperator(EKS, OPTIONS);
    expect(objects).toEqual([
      expect.objectContaining({
        kind: 'ClusterSecretStore',
        metadata: expect.objectContaining({ name: 'aws-secrets-manager' }),
        spec: { provider: { aws: { service: 'SecretsManager', region: 'eu-west-1' } } },
      }),
    ]);
    await expectSchemaValid(objects);
  });

  it('joins the platform add-ons with a restricted namespace, its store after the CRDs', () => {
    const addons = platformAddons({
      cluster: { kind: 'eks' },
      controller: { kind: 'envoy-gateway' },
      awsLoadBalancerController: { clusterName: 'prod', roleArn: 'arn:aws:iam::111122223333:role/lbc' },
      externalSecrets: OPTIONS,
    });
    expect(addons.releases.map((r) => r.name)).toContain('external-secrets');
    expect(addons.objects.map((o) => o.kind)).toContain('ClusterSecretStore');
    expect(addons.namespaces.find((n) => n.metadata.name === 'external-secrets')?.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
    });
  });

  it('rejects a bad role, region and store name, naming the property', () => {
    expectInvalid(
      () => externalSecretsOperator(EKS, { ...OPTIONS, roleArn: 'admin' }),
      'externalSecrets.roleArn',
      /IAM role ARN/,
    );
    expectInvalid(
      () => externalSecretsOperator(EKS, { ...OPTIONS, awsSecretsManager: { region: 'Ireland', storeName: 'x' } }),
      'externalSecrets.awsSecretsManager.region',
      /AWS region like eu-west-1/,
    );
    expectInvalid(
      () => externalSecretsOperator(EKS, { ...OPTIONS, awsSecretsManager: { region: 'eu-west-1', storeName: 'AWS' } }),
      'externalSecrets.awsSecretsManager.storeName',
      /DNS-1123/,
    );
  });

  it('refuses unknown keys and wrong shapes before the values (issue 14)', () => {
    expectInvalid(
      () => externalSecretsOperator(EKS, { ...OPTIONS, rolArn: 'x' } as never),
      'externalSecrets.rolArn',
      /unknown; did you mean `roleArn`\?/,
    );
    expectInvalid(() => externalSecretsOperator(EKS, null as never), 'externalSecrets', /./);
  });
});
