/**
 * IAM documents for EKS, as pure data: trust policies for the cluster, the nodes and IRSA roles, and the
 * permissions the AWS Load Balancer Controller needs (scoped by the tags it puts on what it creates).
 */

/** A trust policy letting an AWS service assume the role. */
export function serviceTrustPolicy(service: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
  });
}

/**
 * A trust policy for IAM roles for service accounts: only the named Kubernetes service account, through the
 * cluster's OIDC provider, with the STS audience.
 */
export function irsaTrustPolicy(
  oidcProviderArn: string,
  issuerUrl: string,
  namespace: string,
  account: string,
): string {
  const issuer = issuerUrl.replace(/^https:\/\//, '');
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: oidcProviderArn },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            [`${issuer}:sub`]: `system:serviceaccount:${namespace}:${account}`,
            [`${issuer}:aud`]: 'sts.amazonaws.com',
          },
        },
      },
    ],
  });
}

/** AWS-managed policies by role. */
export const EKS_MANAGED_POLICIES = {
  cluster: ['AmazonEKSClusterPolicy'],
  // SSM instead of SSH for node access: no key pairs, sessions logged.
  node: ['AmazonEKSWorkerNodePolicy', 'AmazonEC2ContainerRegistryReadOnly', 'AmazonSSMManagedInstanceCore'],
  vpcCni: ['AmazonEKS_CNI_Policy'],
  ebsCsi: ['service-role/AmazonEBSCSIDriverPolicy'],
} as const;

/** ARN of an AWS-managed policy. */
export function managedPolicyArn(name: string, partition = 'aws'): string {
  return `arn:${partition}:iam::aws:policy/${name}`;
}

// What the controller tags its load balancers, target groups and security groups with.
const CLUSTER_TAG = 'elbv2.k8s.aws/cluster';
const TAGGED_BY_CONTROLLER = { Null: { [`aws:ResourceTag/${CLUSTER_TAG}`]: 'false' } };
const TAGGING_ON_CREATE = { Null: { [`aws:RequestTag/${CLUSTER_TAG}`]: 'false' } };

/**
 * Permissions of the AWS Load Balancer Controller: read what it reconciles against, and change only
 * load balancers, target groups and security groups carrying its cluster tag.
 */
export function loadBalancerControllerPolicy(): string {
  const read = [
    'ec2:DescribeAccountAttributes',
    'ec2:DescribeAddresses',
    'ec2:DescribeAvailabilityZones',
    'ec2:DescribeInternetGateways',
    'ec2:DescribeVpcs',
    'ec2:DescribeVpcPeeringConnections',
    'ec2:DescribeSubnets',
    'ec2:DescribeSecurityGroups',
    'ec2:DescribeInstances',
    'ec2:DescribeNetworkInterfaces',
    'ec2:DescribeTags',
    'ec2:DescribeRouteTables',
    'ec2:DescribeCoipPools',
    'ec2:DescribeIpamPools',
    'ec2:GetCoipPoolUsage',
    'ec2:GetSecurityGroupsForVpc',
    'elasticloadbalancing:Describe*',
    'acm:ListCertificates',
    'acm:DescribeCertificate',
    'iam:ListServerCertificates',
    'iam:GetServerCertificate',
    'cognito-idp:DescribeUserPoolClient',
    'waf-regional:GetWebACL',
    'waf-regional:GetWebACLForResource',
    'wafv2:GetWebACL',
    'wafv2:GetWebACLForResource',
    'shield:GetSubscriptionState',
    'shield:DescribeProtection',
  ];
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ServiceLinkedRole',
        Effect: 'Allow',
        Action: 'iam:CreateServiceLinkedRole',
        Resource: '*',
        Condition: { StringEquals: { 'iam:AWSServiceName': 'elasticloadbalancing.amazonaws.com' } },
      },
      { Sid: 'Read', Effect: 'Allow', Action: read, Resource: '*' },
      {
        Sid: 'SecurityGroupRules',
        Effect: 'Allow',
        Action: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress'],
        Resource: '*',
      },
      { Sid: 'CreateSecurityGroup', Effect: 'Allow', Action: 'ec2:CreateSecurityGroup', Resource: '*' },
      {
        Sid: 'TagNewSecurityGroup',
        Effect: 'Allow',
        Action: 'ec2:CreateTags',
        Resource: 'arn:aws:ec2:*:*:security-group/*',
        Condition: { StringEquals: { 'ec2:CreateAction': 'CreateSecurityGroup' }, ...TAGGING_ON_CREATE },
      },
      {
        Sid: 'OwnSecurityGroups',
        Effect: 'Allow',
        Action: ['ec2:CreateTags', 'ec2:DeleteTags', 'ec2:DeleteSecurityGroup'],
        Resource: 'arn:aws:ec2:*:*:security-group/*',
        Condition: TAGGED_BY_CONTROLLER,
      },
      {
        Sid: 'CreateLoadBalancers',
        Effect: 'Allow',
        Action: ['elasticloadbalancing:CreateLoadBalancer', 'elasticloadbalancing:CreateTargetGroup'],
        Resource: '*',
        Condition: TAGGING_ON_CREATE,
      },
      {
        Sid: 'Listeners',
        Effect: 'Allow',
        Action: [
          'elasticloadbalancing:CreateListener',
          'elasticloadbalancing:DeleteListener',
          'elasticloadbalancing:CreateRule',
          'elasticloadbalancing:DeleteRule',
          'elasticloadbalancing:ModifyListener',
          'elasticloadbalancing:ModifyRule',
          'elasticloadbalancing:AddListenerCertificates',
          'elasticloadbalancing:RemoveListenerCertificates',
        ],
        Resource: '*',
      },
      {
        Sid: 'OwnLoadBalancers',
        Effect: 'Allow',
        Action: [
          'elasticloadbalancing:AddTags',
          'elasticloadbalancing:RemoveTags',
          'elasticloadbalancing:ModifyLoadBalancerAttributes',
          'elasticloadbalancing:SetIpAddressType',
          'elasticloadbalancing:SetSecurityGroups',
          'elasticloadbalancing:SetSubnets',
          'elasticloadbalancing:DeleteLoadBalancer',
          'elasticloadbalancing:ModifyTargetGroup',
          'elasticloadbalancing:ModifyTargetGroupAttributes',
          'elasticloadbalancing:DeleteTargetGroup',
        ],
        Resource: '*',
        Condition: TAGGED_BY_CONTROLLER,
      },
      {
        Sid: 'Targets',
        Effect: 'Allow',
        Action: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'],
        Resource: 'arn:aws:elasticloadbalancing:*:*:targetgroup/*/*',
      },
      {
        Sid: 'WebAcl',
        Effect: 'Allow',
        Action: [
          'elasticloadbalancing:SetWebAcl',
          'waf-regional:AssociateWebACL',
          'waf-regional:DisassociateWebACL',
          'wafv2:AssociateWebACL',
          'wafv2:DisassociateWebACL',
          'shield:CreateProtection',
          'shield:DeleteProtection',
        ],
        Resource: '*',
      },
    ],
  });
}

/** Loki's permissions on its bucket: list it, and read, write and delete its objects; nothing else. */
export function logBucketAccessPolicy(bucketArn: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'ListBucket', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: bucketArn },
      {
        Sid: 'Objects',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        Resource: `${bucketArn}/*`,
      },
    ],
  });
}

/** A bucket policy refusing every request that does not use TLS. */
export function tlsOnlyBucketPolicy(bucketArn: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'TlsOnly',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ],
  });
}
