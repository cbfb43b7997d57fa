import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EKS_ACCESS_POLICIES } from '../../../constructs/cluster/access';
import { EKS_VERSION, EksCluster, type EksClusterArgs, validateEksCluster } from '../../../constructs/cluster/eks';
import { expectInvalid } from '../../helpers/errors';
import { type MockedResource, promiseOf, settle, useMocks } from '../../helpers/pulumi';

const ZONES = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];
const DEPLOYER = 'arn:aws:iam::111122223333:role/switchyard-deployer';
const READER = 'arn:aws:iam::111122223333:role/sre-readonly';
const ISSUER = 'https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE';

/** What AWS reports back for the resources the component reads outputs of. */
const AWS_OUTPUTS = {
  'aws:eks/cluster:Cluster': (inputs: Record<string, unknown>) => ({
    endpoint: 'https://EXAMPLE.gr7.eu-west-1.eks.amazonaws.com',
    certificateAuthority: { data: 'Q0EK' },
    identities: [{ oidcs: [{ issuer: ISSUER }] }],
    name: inputs.name,
  }),
  'aws:iam/role:Role': (inputs: Record<string, unknown>) => ({
    arn: `arn:aws:iam::111122223333:role/${inputs.name ?? 'generated'}`,
    name: inputs.name ?? 'generated',
  }),
  'aws:s3/bucket:Bucket': (inputs: Record<string, unknown>) => ({ arn: `arn:aws:s3:::${inputs.bucket}` }),
  'aws:iam/openIdConnectProvider:OpenIdConnectProvider': () => ({
    arn: 'arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE',
  }),
};

function create(
  args: Partial<EksClusterArgs> = {},
  name = 'prod',
): { registered: MockedResource[]; cluster: EksCluster } {
  const registered = useMocks('prod', {}, AWS_OUTPUTS);
  const cluster = new EksCluster(name, {
    availabilityZones: ZONES,
    access: { deployer: DEPLOYER, readers: [READER] },
    ...args,
  });
  return { registered, cluster };
}

describe('EksCluster with defaults', () => {
  let registered: MockedResource[];
  let cluster: EksCluster;
  const ofType = (type: string) => registered.filter((r) => r.type === type);
  const named = (name: string) => registered.find((r) => r.name === name)!;
  beforeAll(async () => {
    ({ registered, cluster } = create({ clusterName: 'switchyard-prod' }));
    await settle();
  });

  it('spreads a VPC over the three zones: private /19s for nodes and pods, public /24s, one NAT gateway per zone', () => {
    const subnets = ofType('aws:ec2/subnet:Subnet').map((s) => [s.name, s.inputs.availabilityZone, s.inputs.cidrBlock]);
    expect(subnets).toEqual(
      expect.arrayContaining([
        ['prod-vpc-private-0', 'eu-west-1a', '10.0.0.0/19'],
        ['prod-vpc-private-1', 'eu-west-1b', '10.0.32.0/19'],
        ['prod-vpc-private-2', 'eu-west-1c', '10.0.64.0/19'],
        ['prod-vpc-public-0', 'eu-west-1a', '10.0.192.0/24'],
      ]),
    );
    expect(subnets).toHaveLength(6);
    expect(ofType('aws:ec2/natGateway:NatGateway')).toHaveLength(3);
    const privateTags = named('prod-vpc-private-0').inputs.tags as Record<string, string>;
    expect(privateTags).toMatchObject({
      'kubernetes.io/role/internal-elb': '1',
      'kubernetes.io/cluster/switchyard-prod': 'shared',
    });
    expect(named('prod-vpc-public-0').inputs.mapPublicIpOnLaunch).toBe(false);
  });

  it('creates a private-endpoint control plane with access entries only, encrypted Secrets and audit logs', () => {
    const control = named('prod-cluster').inputs;
    expect(control).toMatchObject({
      name: 'switchyard-prod',
      version: EKS_VERSION,
      vpcConfig: { endpointPrivateAccess: true, endpointPublicAccess: false },
      accessConfig: { authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: false },
      encryptionConfig: { resources: ['secrets'] },
      enabledClusterLogTypes: ['api', 'audit', 'authenticator'],
      deletionProtection: true,
      bootstrapSelfManagedAddons: false,
    });
    expect((control.vpcConfig as Record<string, unknown>).publicAccessCidrs).toBeUndefined();
    expect(named('prod-secrets').inputs).toMatchObject({ enableKeyRotation: true });
  });

  it('runs a managed node group of three m6i.large nodes on AL2023, updating one node at a time', () => {
    expect(named('prod-general').inputs).toMatchObject({
      nodeGroupName: 'general',
      version: EKS_VERSION,
      instanceTypes: ['m6i.large'],
      capacityType: 'ON_DEMAND',
      amiType: 'AL2023_x86_64_STANDARD',
      diskSize: 50,
      scalingConfig: { minSize: 3, maxSize: 6, desiredSize: 3 },
      updateConfig: { maxUnavailable: 1 },
      labels: { 'switchyard/node-group': 'general' },
    });
    const policies = ofType('aws:iam/rolePolicyAttachment:RolePolicyAttachment')
      .filter((a) => a.name.startsWith('prod-node-role-'))
      .map((a) => a.inputs.policyArn);
    expect(policies).toEqual([
      'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy',
      'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly',
      'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
    ]);
  });

  it('installs the four EKS add-ons, the CNI and the EBS CSI driver with IRSA roles', () => {
    const addons = ofType('aws:eks/addon:Addon');
    expect(addons.map((a) => a.inputs.addonName).sort()).toEqual([
      'aws-ebs-csi-driver',
      'coredns',
      'kube-proxy',
      'vpc-cni',
    ]);
    expect(named('prod-vpc-cni').inputs.serviceAccountRoleArn).toMatch(/^arn:aws:iam::111122223333:role\//);
    expect(named('prod-coredns').inputs.serviceAccountRoleArn).toBeUndefined();
    expect(named('prod-vpc-cni').inputs).toMatchObject({ resolveConflictsOnCreate: 'OVERWRITE' });
  });

  it('trusts the cluster OIDC issuer for exactly the controller service accounts', () => {
    expect(named('prod-oidc').inputs).toMatchObject({ url: ISSUER, clientIdLists: ['sts.amazonaws.com'] });
    const role = named('prod-aws-load-balancer-controller-irsa');
    const trust = JSON.parse(String(role.inputs.assumeRolePolicy));
    expect(trust.Statement[0]).toMatchObject({
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: {
          'oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE:sub':
            'system:serviceaccount:kube-system:aws-load-balancer-controller',
          'oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE:aud': 'sts.amazonaws.com',
        },
      },
    });
    expect(role.inputs.name).toBe('switchyard-prod-aws-load-balancer-controller');
    const policy = JSON.parse(
      String(registered.find((r) => r.type === 'aws:iam/rolePolicy:RolePolicy')!.inputs.policy),
    );
    const owned = policy.Statement.find((s: { Sid: string }) => s.Sid === 'OwnLoadBalancers');
    expect(owned.Condition).toEqual({ Null: { 'aws:ResourceTag/elbv2.k8s.aws/cluster': 'false' } });
  });

  it('gives the deployer cluster admin and readers the view policy, nobody else', () => {
    const associations = ofType('aws:eks/accessPolicyAssociation:AccessPolicyAssociation').map((a) => [
      a.inputs.principalArn,
      a.inputs.policyArn,
      a.inputs.accessScope,
    ]);
    expect(associations).toEqual([
      [DEPLOYER, EKS_ACCESS_POLICIES.deployer, { type: 'cluster' }],
      [READER, EKS_ACCESS_POLICIES.reader, { type: 'cluster' }],
    ]);
    expect(ofType('aws:eks/accessEntry:AccessEntry').map((e) => e.inputs.type)).toEqual(['STANDARD', 'STANDARD']);
  });

  it('writes a credential-free kubeconfig that runs aws eks get-token in the cluster region', async () => {
    const config = parse(await promiseOf(cluster.kubeconfig));
    expect(config.clusters[0].cluster).toEqual({
      server: 'https://EXAMPLE.gr7.eu-west-1.eks.amazonaws.com',
      'certificate-authority-data': 'Q0EK',
    });
    expect(config.users[0].user.exec).toMatchObject({
      command: 'aws',
      args: ['eks', 'get-token', '--cluster-name', 'switchyard-prod', '--region', 'eu-west-1', '--output', 'json'],
    });
    expect(JSON.stringify(config)).not.toMatch(/token:|client-key/);
  });

  it('makes an encrypted gp3 StorageClass the default, and reports the traits', () => {
    expect(named('prod-gp3').inputs).toMatchObject({
      metadata: { name: 'gp3', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'ebs.csi.aws.com',
      parameters: { type: 'gp3', encrypted: 'true' },
      volumeBindingMode: 'WaitForFirstConsumer',
    });
    expect(cluster.traits).toMatchObject({
      kind: 'eks',
      loadBalancer: 'cloud',
      multiZone: true,
      zones: ZONES,
      storageClass: 'gp3',
      kubernetesVersion: EKS_VERSION,
    });
  });
});

describe('EksCluster options', () => {
  it('opens the public endpoint to the listed ranges only, and shares one NAT gateway when asked', async () => {
    const { registered } = create(
      {
        endpoint: { publicCidrs: ['203.0.113.0/24'] },
        natGateways: 'single',
        nodeGroups: [
          { name: 'spot', instanceTypes: ['m7i.large', 'm6i.large'], capacityType: 'SPOT', minSize: 2, maxSize: 9 },
        ],
        addonVersions: { coredns: 'v1.12.1-eksbuild.2' },
        deletionProtection: false,
      },
      'dev',
    );
    await settle();
    const control = registered.find((r) => r.name === 'dev-cluster')!.inputs;
    expect(control.vpcConfig).toMatchObject({ endpointPublicAccess: true, publicAccessCidrs: ['203.0.113.0/24'] });
    expect(control.deletionProtection).toBe(false);
    expect(registered.filter((r) => r.type === 'aws:ec2/natGateway:NatGateway')).toHaveLength(1);
    expect(registered.find((r) => r.name === 'dev-spot')!.inputs).toMatchObject({
      capacityType: 'SPOT',
      scalingConfig: { minSize: 2, maxSize: 9, desiredSize: 2 },
    });
    expect(registered.find((r) => r.name === 'dev-coredns')!.inputs.addonVersion).toBe('v1.12.1-eksbuild.2');
  });

  it('gives the External Secrets Operator a role that reads only the secrets under its prefix', async () => {
    const { registered, cluster } = create(
      { clusterName: 'switchyard-prod', externalSecrets: { secretPrefix: 'shop/prod/' } },
      'eso',
    );
    await settle();
    const role = registered.find((r) => r.name === 'eso-external-secrets-irsa')!;
    expect(role.inputs.name).toBe('switchyard-prod-external-secrets');
    const trust = JSON.parse(String(role.inputs.assumeRolePolicy));
    expect(Object.values(trust.Statement[0].Condition.StringEquals)).toContain(
      'system:serviceaccount:external-secrets:external-secrets',
    );
    const policy = JSON.parse(String(registered.find((r) => r.name === 'eso-external-secrets')!.inputs.policy));
    expect(policy.Statement).toEqual([
      expect.objectContaining({
        Action: expect.arrayContaining(['secretsmanager:GetSecretValue']),
        // Scoped to the account and partition the provider reports (aws.getCallerIdentity, aws.getPartition).
        Resource: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:shop/prod/*',
      }),
    ]);
    expect(await promiseOf(cluster.externalSecretsRoleArn!)).toBe(
      'arn:aws:iam::111122223333:role/switchyard-prod-external-secrets',
    );
    const plain = create({}, 'plain').cluster;
    await settle();
    expect(plain.externalSecretsRoleArn).toBeUndefined();
  });

  it('gives Loki a private, encrypted, TLS-only bucket expiring after the retention, and a role for that bucket alone', async () => {
    const { registered, cluster } = create(
      { clusterName: 'switchyard-prod', logBucket: { bucketName: 'switchyard-prod-logs', retentionDays: 31 } },
      'logs',
    );
    await settle();
    const of = (type: string) => registered.filter((r) => r.type === type);
    expect(of('aws:s3/bucket:Bucket').map((b) => b.inputs)).toEqual([
      expect.objectContaining({ bucket: 'switchyard-prod-logs', forceDestroy: false }),
    ]);
    expect(of('aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock')[0]!.inputs).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(of('aws:s3/bucketOwnershipControls:BucketOwnershipControls')[0]!.inputs).toMatchObject({
      rule: { objectOwnership: 'BucketOwnerEnforced' },
    });
    expect(
      of('aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration')[0]!.inputs,
    ).toMatchObject({ rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms' } }] });
    expect(of('aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration')[0]!.inputs).toMatchObject({
      rules: [{ status: 'Enabled', expiration: { days: 31 } }],
    });
    const bucketPolicy = JSON.parse(String(of('aws:s3/bucketPolicy:BucketPolicy')[0]!.inputs.policy));
    expect(bucketPolicy.Statement).toEqual([
      expect.objectContaining({
        Effect: 'Deny',
        Resource: ['arn:aws:s3:::switchyard-prod-logs', 'arn:aws:s3:::switchyard-prod-logs/*'],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    ]);
    const role = registered.find((r) => r.name === 'logs-loki-irsa')!;
    expect(role.inputs.name).toBe('switchyard-prod-loki');
    const trust = JSON.parse(String(role.inputs.assumeRolePolicy));
    expect(Object.values(trust.Statement[0].Condition.StringEquals)).toContain('system:serviceaccount:logging:loki');
    const access = JSON.parse(String(registered.find((r) => r.name === 'logs-loki')!.inputs.policy));
    const bucketArn = 'arn:aws:s3:::switchyard-prod-logs';
    expect(access.Statement).toEqual([
      { Sid: 'ListBucket', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: bucketArn },
      {
        Sid: 'Objects',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        Resource: `${bucketArn}/*`,
      },
    ]);
    expect(await promiseOf(cluster.logBucket!.roleArn)).toBe('arn:aws:iam::111122223333:role/switchyard-prod-loki');
    const plain = create({}, 'nologs').cluster;
    await settle();
    expect(plain.logBucket).toBeUndefined();
  });

  it('trusts the service account given for Loki, and keeps objects 30 days by default', async () => {
    const { registered } = create(
      { logBucket: { bucketName: 'acme-logs', serviceAccount: { namespace: 'obs', name: 'loki-sa' } } },
      'custom',
    );
    await settle();
    const trust = JSON.parse(String(registered.find((r) => r.name === 'custom-loki-irsa')!.inputs.assumeRolePolicy));
    expect(Object.values(trust.Statement[0].Condition.StringEquals)).toContain('system:serviceaccount:obs:loki-sa');
    expect(
      registered.find((r) => r.type === 'aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration')!.inputs,
    ).toMatchObject({ rules: [{ expiration: { days: 30 } }] });
  });

  const base: EksClusterArgs = { availabilityZones: ZONES, access: { deployer: DEPLOYER } };
  it.each([
    [{ availabilityZones: ['eu-west-1a'] }, 'availabilityZones', /at least 2/],
    [{ availabilityZones: ['eu-west-1a', 'us-east-1b'] }, 'availabilityZones[1]', /must be a zone of eu-west-1/],
    [{ availabilityZones: ['eu-west-1a', 'eu-west-1a'] }, 'availabilityZones', /twice/],
    [{ version: '1.33.1' }, 'version', /minor version like '1\.\d\d'/],
    [{ endpoint: { private: false } }, 'endpoint', /nothing could reach the API/],
    [{ endpoint: { publicCidrs: ['0.0.0.0'] } }, 'endpoint.publicCidrs[0]', /IPv4 CIDR/],
    [{ nodeGroups: [] }, 'nodeGroups', /empty/],
    [{ nodeGroups: [{ name: 'a', minSize: 5, maxSize: 2 }] }, 'nodeGroups[0].maxSize', /minSize <= maxSize/],
    [
      { nodeGroups: [{ name: 'a', desiredSize: 9 }] },
      'nodeGroups[0].desiredSize',
      /between minSize \(3\) and maxSize \(6\)/,
    ],
    [{ nodeGroups: [{ name: 'a' }, { name: 'a' }] }, 'nodeGroups', /two groups named a/],
    [{ logTypes: ['everything'] }, 'logTypes', /must be one of api/],
    [{ addonVersions: { 'metrics-server': 'v1' } }, 'addonVersions', /names "metrics-server"/],
    [{ access: { deployer: 'deployer' } }, 'access.deployer', /not a eks deploy identity/],
    [{ access: { deployer: DEPLOYER, readers: [DEPLOYER] } }, 'access.readers[0]', /is the deployer/],
    [{ vpcCidr: '10.0.0.0/24' }, 'vpcCidr', /\/16 to \/20/],
    [{ externalSecrets: { secretPrefix: 'shop prod' } }, 'externalSecrets.secretPrefix', /name prefix/],
    [{ logBucket: { bucketName: 'Logs_Bucket' } }, 'logBucket.bucketName', /S3 bucket name/],
    [{ logBucket: { bucketName: '10.0.0.1' } }, 'logBucket.bucketName', /not an IP address/],
    [{ logBucket: { bucketName: 'a..b' } }, 'logBucket.bucketName', /S3 bucket name/],
    [{ logBucket: { bucketName: 'logs', retentionDays: 0 } }, 'logBucket.retentionDays', /1 to 3650/],
    [{ logBucket: { bucketName: 'logs', retentionDays: 1.5 } }, 'logBucket.retentionDays', /whole number/],
    [
      { logBucket: { bucketName: 'logs', serviceAccount: { namespace: 'Logging', name: 'loki' } } },
      'logBucket.serviceAccount.namespace',
      /DNS/,
    ],
    [
      { logBucket: { bucketName: 'logs', retention: 3 } },
      'logBucket.retention',
      /not a property|unknown|retentionDays/,
    ],
  ] as const)('rejects %j naming %s', (override, property, message) => {
    const args = { ...base, ...override } as unknown as EksClusterArgs;
    expectInvalid(() => validateEksCluster('prod', args), property, message);
  });
});
