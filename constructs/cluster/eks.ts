/**
 * An EKS cluster as a Pulumi component: a VPC over the given zones with private nodes, the control plane
 * (secrets encrypted with a rotating KMS key, audit logs on, endpoint access configurable), managed node
 * groups, the OIDC provider and IRSA roles for the VPC CNI, the EBS CSI driver and the AWS Load Balancer
 * Controller, EKS-managed add-ons, and access entries: the deployer administers, readers view.
 * Import it from `switchyard/eks` so programs that target other clouds never load @pulumi/aws.
 */
import { assertOptionalPeers } from '../core/optional';

// Before the imports below, which CommonJS runs in order: without the SDKs, importing this entry names
// what to install instead of failing with MODULE_NOT_FOUND somewhere inside.
assertOptionalPeers(['@pulumi/pulumi', '@pulumi/kubernetes', '@pulumi/aws'], "'switchyard/eks'");

import * as aws from '@pulumi/aws';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { AWS_LOAD_BALANCER_CONTROLLER_ACCOUNT } from '../ingress/addons';
import { EXTERNAL_SECRETS_ACCOUNT } from '../ingress/external-secrets';
import { EKS_ACCESS_POLICIES } from './access';
import { AwsVpc } from './aws-vpc';
import type { KubernetesCluster } from './cluster';
import { EKS_VERSION, type EksAddonName, type EksClusterArgs, regionOf, validateEksCluster } from './eks-args';
import {
  EKS_MANAGED_POLICIES,
  irsaTrustPolicy,
  loadBalancerControllerPolicy,
  logBucketAccessPolicy,
  managedPolicyArn,
  serviceTrustPolicy,
} from './eks-iam';
import { createLogBucket, DEFAULT_LOKI_ACCOUNT } from './eks-log-bucket';
import { scopedSecretsReaderPolicy } from './external-secrets-iam';
import { eksExec, execKubeconfig } from './kubeconfig';
import { type ResolvedClusterTraits, resolveClusterTraits } from './traits';

// The VPC is useful on its own (VmCluster on EC2 needs subnets too).
export { AwsVpc, type AwsVpcArgs } from './aws-vpc';
export * from './eks-args';

export class EksCluster extends pulumi.ComponentResource implements KubernetesCluster {
  /** Kubeconfig running `aws eks get-token` (a secret: it names the endpoint). */
  public readonly kubeconfig: pulumi.Output<string>;
  public readonly provider: k8s.Provider;
  public readonly traits: ResolvedClusterTraits;
  public readonly clusterName: pulumi.Output<string>;
  public readonly vpc: AwsVpc;
  public readonly oidcProviderArn: pulumi.Output<string>;
  /** IRSA role for the AWS Load Balancer Controller (pass it to `awsLoadBalancerController`). */
  public readonly loadBalancerControllerRoleArn: pulumi.Output<string>;
  /** IRSA role for the External Secrets Operator, when `externalSecrets` is set. */
  public readonly externalSecretsRoleArn?: pulumi.Output<string>;
  /** Loki's bucket name and IRSA role, when `logBucket` is set: the logs stack's s3 storage. */
  public readonly logBucket?: { readonly bucket: pulumi.Output<string>; readonly roleArn: pulumi.Output<string> };

  public constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super('switchyard:cluster:EksCluster', name, {}, opts);
    validateEksCluster(name, args);
    const clusterName = args.clusterName ?? name;
    const version = args.version ?? EKS_VERSION;
    const region = regionOf(args.availabilityZones[0]!);
    const tags = { ...args.tags, 'switchyard/cluster': clusterName };
    const parent = { parent: this };
    this.traits = resolveClusterTraits({
      ...args.traits,
      kind: 'eks',
      zones: args.availabilityZones,
      kubernetesVersion: version,
    });

    const role = (id: string, trust: pulumi.Input<string>, policies: readonly string[], roleName?: string) => {
      const created = new aws.iam.Role(
        `${name}-${id}`,
        { ...(roleName ? { name: roleName } : {}), assumeRolePolicy: trust, tags },
        parent,
      );
      const attached = policies.map(
        (policy) =>
          new aws.iam.RolePolicyAttachment(
            `${name}-${id}-${policy.split('/').pop()}`,
            { role: created.name, policyArn: managedPolicyArn(policy) },
            parent,
          ),
      );
      return { role: created, attached };
    };

    this.vpc = new AwsVpc(
      `${name}-vpc`,
      {
        availabilityZones: args.availabilityZones,
        cidr: args.vpcCidr,
        natGateways: args.natGateways,
        clusterName,
        tags,
      },
      parent,
    );
    const key = new aws.kms.Key(
      `${name}-secrets`,
      { description: `Envelope encryption of ${clusterName}'s Secrets`, enableKeyRotation: true, tags },
      parent,
    );
    const clusterRole = role('cluster-role', serviceTrustPolicy('eks.amazonaws.com'), EKS_MANAGED_POLICIES.cluster);
    const publicCidrs = [...(args.endpoint?.publicCidrs ?? [])];
    const cluster = new aws.eks.Cluster(
      `${name}-cluster`,
      {
        name: clusterName,
        version,
        roleArn: clusterRole.role.arn,
        vpcConfig: {
          subnetIds: this.vpc.privateSubnetIds,
          endpointPrivateAccess: args.endpoint?.private ?? true,
          endpointPublicAccess: publicCidrs.length > 0,
          ...(publicCidrs.length ? { publicAccessCidrs: publicCidrs } : {}),
        },
        // Access entries only (no aws-auth ConfigMap), and no implicit admin for whoever ran `pulumi up`.
        accessConfig: { authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: false },
        encryptionConfig: { provider: { keyArn: key.arn }, resources: ['secrets'] },
        enabledClusterLogTypes: [...(args.logTypes ?? ['api', 'audit', 'authenticator'])],
        deletionProtection: args.deletionProtection ?? true,
        // The networking add-ons come as EKS-managed add-ons below, versioned and updatable.
        bootstrapSelfManagedAddons: false,
        tags,
      },
      { parent: this, dependsOn: clusterRole.attached },
    );
    this.clusterName = cluster.name;

    const issuer = cluster.identities.apply((ids) => ids?.[0]?.oidcs?.[0]?.issuer ?? '');
    const oidc = new aws.iam.OpenIdConnectProvider(
      `${name}-oidc`,
      { url: issuer, clientIdLists: ['sts.amazonaws.com'], tags },
      parent,
    );
    this.oidcProviderArn = oidc.arn;
    const irsa = (id: string, namespace: string, account: string, policies: readonly string[], roleName?: string) =>
      role(
        id,
        pulumi.all([oidc.arn, issuer]).apply(([arn, url]) => irsaTrustPolicy(arn, url, namespace, account)),
        policies,
        roleName,
      );

    const cniRole = irsa('vpc-cni-irsa', 'kube-system', 'aws-node', EKS_MANAGED_POLICIES.vpcCni);
    const ebsRole = irsa('ebs-csi-irsa', 'kube-system', 'ebs-csi-controller-sa', EKS_MANAGED_POLICIES.ebsCsi);
    // Named, so the role ARN is known before deploy and cdk8s synth can write it into the chart values.
    const lbc = irsa(
      'aws-load-balancer-controller-irsa',
      AWS_LOAD_BALANCER_CONTROLLER_ACCOUNT.namespace,
      AWS_LOAD_BALANCER_CONTROLLER_ACCOUNT.name,
      [],
      `${clusterName}-aws-load-balancer-controller`,
    );
    new aws.iam.RolePolicy(
      `${name}-aws-load-balancer-controller`,
      { role: lbc.role.name, policy: loadBalancerControllerPolicy() },
      parent,
    );
    this.loadBalancerControllerRoleArn = lbc.role.arn;
    if (args.externalSecrets) {
      const eso = irsa(
        'external-secrets-irsa',
        EXTERNAL_SECRETS_ACCOUNT.namespace,
        EXTERNAL_SECRETS_ACCOUNT.name,
        [],
        `${clusterName}-external-secrets`,
      );
      new aws.iam.RolePolicy(
        `${name}-external-secrets`,
        { role: eso.role.name, policy: scopedSecretsReaderPolicy(region, args.externalSecrets.secretPrefix, this) },
        parent,
      );
      this.externalSecretsRoleArn = eso.role.arn;
    }
    if (args.logBucket) {
      const bucket = createLogBucket(name, args.logBucket, tags, this);
      const account = args.logBucket.serviceAccount ?? DEFAULT_LOKI_ACCOUNT;
      const loki = irsa('loki-irsa', account.namespace, account.name, [], `${clusterName}-loki`);
      new aws.iam.RolePolicy(
        `${name}-loki`,
        { role: loki.role.name, policy: bucket.arn.apply(logBucketAccessPolicy) },
        parent,
      );
      this.logBucket = { bucket: bucket.bucket, roleArn: loki.role.arn };
    }

    const addon = (
      addonName: EksAddonName,
      dependsOn: pulumi.Resource[],
      serviceAccountRoleArn?: pulumi.Input<string>,
    ) =>
      new aws.eks.Addon(
        `${name}-${addonName}`,
        {
          clusterName: cluster.name,
          addonName,
          ...(args.addonVersions?.[addonName] ? { addonVersion: args.addonVersions[addonName] } : {}),
          ...(serviceAccountRoleArn ? { serviceAccountRoleArn } : {}),
          resolveConflictsOnCreate: 'OVERWRITE',
          resolveConflictsOnUpdate: 'PRESERVE',
          tags,
        },
        { parent: this, dependsOn },
      );
    // Nodes only become Ready once the CNI runs; CoreDNS and the CSI controller need Ready nodes.
    const networking = [addon('vpc-cni', cniRole.attached, cniRole.role.arn), addon('kube-proxy', [])];

    const nodeRole = role('node-role', serviceTrustPolicy('ec2.amazonaws.com'), EKS_MANAGED_POLICIES.node);
    const nodeGroups = (args.nodeGroups ?? [{ name: 'general' }]).map((group) => {
      const min = group.minSize ?? 3;
      return new aws.eks.NodeGroup(
        `${name}-${group.name}`,
        {
          clusterName: cluster.name,
          nodeGroupName: group.name,
          version,
          nodeRoleArn: nodeRole.role.arn,
          subnetIds: this.vpc.privateSubnetIds,
          instanceTypes: [...(group.instanceTypes ?? ['m6i.large'])],
          capacityType: group.capacityType ?? 'ON_DEMAND',
          amiType: group.amiType ?? 'AL2023_x86_64_STANDARD',
          diskSize: group.diskSizeGiB ?? 50,
          scalingConfig: {
            minSize: min,
            maxSize: group.maxSize ?? Math.max(6, min),
            desiredSize: group.desiredSize ?? min,
          },
          updateConfig: { maxUnavailable: 1 },
          labels: { ...group.labels, 'switchyard/node-group': group.name },
          tags,
        },
        // The autoscaler owns the desired size once the group exists.
        {
          parent: this,
          dependsOn: [...nodeRole.attached, ...networking],
          ignoreChanges: ['scalingConfig.desiredSize'],
        },
      );
    });
    const ebsCsi = addon('aws-ebs-csi-driver', [...nodeGroups, ...ebsRole.attached], ebsRole.role.arn);
    addon('coredns', nodeGroups);

    const grants = [
      ...this.grant(name, 'deployer', args.access.deployer, EKS_ACCESS_POLICIES.deployer, cluster, tags),
      ...(args.access.readers ?? []).flatMap((reader, i) =>
        this.grant(name, `reader-${i}`, reader, EKS_ACCESS_POLICIES.reader, cluster, tags),
      ),
    ];

    this.kubeconfig = pulumi.secret(
      pulumi.all([cluster.name, cluster.endpoint, cluster.certificateAuthority]).apply(([clusterId, endpoint, ca]) =>
        execKubeconfig({
          name: clusterId,
          endpoint,
          certificateAuthority: ca?.data ?? '',
          exec: eksExec(clusterId, region),
        }),
      ),
    );
    this.provider = new k8s.Provider(
      `${name}-provider`,
      { kubeconfig: this.kubeconfig, enableServerSideApply: true },
      { parent: this, dependsOn: [...grants, ...nodeGroups] },
    );
    new k8s.storage.v1.StorageClass(
      `${name}-gp3`,
      {
        metadata: {
          name: this.traits.storageClass,
          annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
        },
        provisioner: 'ebs.csi.aws.com',
        parameters: { type: 'gp3', encrypted: 'true' },
        volumeBindingMode: 'WaitForFirstConsumer',
        allowVolumeExpansion: true,
        reclaimPolicy: 'Delete',
      },
      { parent: this, provider: this.provider, dependsOn: [ebsCsi] },
    );
    this.registerOutputs({
      kubeconfig: this.kubeconfig,
      clusterName: this.clusterName,
      oidcProviderArn: this.oidcProviderArn,
      loadBalancerControllerRoleArn: this.loadBalancerControllerRoleArn,
      ...(this.logBucket ? { logBucket: this.logBucket } : {}),
      traits: this.traits,
    });
  }

  private grant(
    prefix: string,
    id: string,
    principalArn: string,
    policyArn: string,
    cluster: aws.eks.Cluster,
    tags: Record<string, string>,
  ): pulumi.Resource[] {
    const parent = { parent: this };
    const entry = new aws.eks.AccessEntry(
      `${prefix}-${id}`,
      { clusterName: cluster.name, principalArn, type: 'STANDARD', tags },
      parent,
    );
    const association = new aws.eks.AccessPolicyAssociation(
      `${prefix}-${id}`,
      { clusterName: cluster.name, principalArn, policyArn, accessScope: { type: 'cluster' } },
      { parent: this, dependsOn: [entry] },
    );
    return [entry, association];
  }
}
