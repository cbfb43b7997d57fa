/**
 * The declarative shapes of the cluster components' arguments and of cluster traits, for the strict input
 * layer (core/strict.ts): unknown keys refused with the nearest key suggested, exact types, `null`
 * refused. `shapeOf<T>()` ties each shape's keys to its interface at compile time. The shapes check
 * types only: each component's own checks (eks-args.ts, gke.ts ...) still judge the values, with their
 * messages. Pure: a Pulumi `Input` is recognized by its shape, without importing the engine.
 */
import {
  arr,
  assertProps,
  bool,
  type Defined,
  num,
  opaque,
  opt,
  rec,
  req,
  type Spec,
  shapeOf,
  str,
  strings,
  tagged,
  union,
} from '../core/strict';
import type { ClusterAccess } from './access';
import type { AksClusterArgs, AksNodePoolSpec } from './aks';
import type { AwsVpcArgs } from './aws-vpc';
import type { BareMetalClusterArgs, SshHost } from './bare-metal';
import type { CloudInitOptions } from './cloud-init';
import type { EksClusterArgs, EksEndpointAccess, EksLogBucketArgs, EksNodeGroupSpec } from './eks-args';
import type { ExistingClusterArgs } from './existing';
import type { GkeClusterArgs, GkeNetworkRanges, GkeNodePoolSpec } from './gke';
import type { K3sInstallOptions } from './k3s';
import type { ClusterTraits, ResolvedClusterTraits } from './traits';
import type { Ec2Machines, OpenStackMachines, VmClusterArgs } from './vm';

const labels = rec(str());

/** Whether `value` is a Pulumi Output or a promise (the non-plain forms of `pulumi.Input`). */
export function isPulumiDeferred(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { __pulumiOutput?: unknown; then?: unknown };
  return v.__pulumiOutput === true || typeof v.then === 'function';
}

/** A `pulumi.Input<string>`: a string, or an Output or promise of one (not looked into). */
export const inputString: Spec = union(
  'must be a string or a Pulumi Output of one',
  str(),
  opaque('must be a Pulumi Output', isPulumiDeferred),
);

const TRAIT_FIELDS = {
  loadBalancer: opt(str()),
  internalLoadBalancer: opt(bool),
  multiZone: opt(bool),
  prometheusOperator: opt(bool),
  openshift: opt(bool),
  zones: opt(strings),
  storageClass: opt(str()),
  kubernetesVersion: opt(str()),
} as const;

/** The shape of {@link ClusterTraits}. */
export const CLUSTER_TRAITS_SPEC = shapeOf<ClusterTraits>()({ kind: req(str()), ...TRAIT_FIELDS });

/** Traits a managed cluster (EKS, GKE, AKS) lets its caller set: kind, zones and version are its own. */
const MANAGED_TRAITS = shapeOf<Defined<EksClusterArgs['traits']>>()({
  loadBalancer: TRAIT_FIELDS.loadBalancer,
  internalLoadBalancer: TRAIT_FIELDS.internalLoadBalancer,
  multiZone: TRAIT_FIELDS.multiZone,
  prometheusOperator: TRAIT_FIELDS.prometheusOperator,
  openshift: TRAIT_FIELDS.openshift,
  storageClass: TRAIT_FIELDS.storageClass,
});

/** Traits without the kind (existing clusters, VMs). */
const TRAITS_WITHOUT_KIND = shapeOf<Omit<ClusterTraits, 'kind'>>()(TRAIT_FIELDS);

/** The shape of {@link ClusterAccess}. */
export const CLUSTER_ACCESS_SPEC = shapeOf<ClusterAccess>()({ deployer: req(str()), readers: opt(strings) });

const EKS_NODE_GROUP = shapeOf<EksNodeGroupSpec>()({
  name: req(str()),
  instanceTypes: opt(strings),
  minSize: opt(num()),
  maxSize: opt(num()),
  desiredSize: opt(num()),
  capacityType: opt(str()),
  amiType: opt(str()),
  diskSizeGiB: opt(num()),
  labels: opt(labels),
});

/** The shape of {@link EksClusterArgs}. */
export const EKS_ARGS_SPEC = shapeOf<EksClusterArgs>()({
  availabilityZones: req(strings),
  access: req(CLUSTER_ACCESS_SPEC),
  clusterName: opt(str()),
  version: opt(str()),
  vpcCidr: opt(str()),
  natGateways: opt(str()),
  endpoint: opt(shapeOf<EksEndpointAccess>()({ private: opt(bool), publicCidrs: opt(strings) })),
  nodeGroups: opt(arr(EKS_NODE_GROUP)),
  // Unknown add-on names keep validateEksCluster's message (it lists the add-ons).
  addonVersions: opt(rec(str())),
  externalSecrets: opt(shapeOf<Defined<EksClusterArgs['externalSecrets']>>()({ secretPrefix: req(str()) })),
  logBucket: opt(
    shapeOf<EksLogBucketArgs>()({
      bucketName: req(str()),
      retentionDays: opt(num()),
      serviceAccount: opt(
        shapeOf<Defined<EksLogBucketArgs['serviceAccount']>>()({ namespace: req(str()), name: req(str()) }),
      ),
    }),
  ),
  logTypes: opt(strings),
  deletionProtection: opt(bool),
  traits: opt(MANAGED_TRAITS),
  tags: opt(labels),
});

const GKE_POOL = shapeOf<GkeNodePoolSpec>()({
  name: req(str()),
  machineType: opt(str()),
  minNodesPerZone: opt(num()),
  maxNodesPerZone: opt(num()),
  diskSizeGb: opt(num()),
  spot: opt(bool),
  labels: opt(labels),
});

/** The shape of {@link GkeClusterArgs}. */
export const GKE_ARGS_SPEC = shapeOf<GkeClusterArgs>()({
  project: req(str()),
  region: req(str()),
  access: req(CLUSTER_ACCESS_SPEC),
  clusterName: opt(str()),
  releaseChannel: opt(str()),
  version: opt(str()),
  nodeLocations: opt(strings),
  network: opt(
    shapeOf<GkeNetworkRanges>()({
      nodes: opt(str()),
      pods: opt(str()),
      services: opt(str()),
      controlPlane: opt(str()),
    }),
  ),
  privateNodes: opt(bool),
  authorizedNetworks: opt(strings),
  nodePools: opt(arr(GKE_POOL)),
  deletionProtection: opt(bool),
  traits: opt(MANAGED_TRAITS),
  labels: opt(labels),
});

const AKS_POOL = shapeOf<AksNodePoolSpec>()({
  name: req(str()),
  mode: opt(str()),
  vmSize: opt(str()),
  minCount: opt(num()),
  maxCount: opt(num()),
  labels: opt(labels),
});

/** The shape of {@link AksClusterArgs}. */
export const AKS_ARGS_SPEC = shapeOf<AksClusterArgs>()({
  location: req(str()),
  access: req(CLUSTER_ACCESS_SPEC),
  clusterName: opt(str()),
  version: opt(str()),
  zones: opt(strings),
  vnetCidr: opt(str()),
  podCidr: opt(str()),
  serviceCidr: opt(str()),
  privateCluster: opt(bool),
  authorizedIpRanges: opt(strings),
  nodePools: opt(arr(AKS_POOL)),
  principalTypes: opt(
    shapeOf<Defined<AksClusterArgs['principalTypes']>>()({ deployer: opt(str()), readers: opt(str()) }),
  ),
  kubeloginMode: opt(str()),
  tenantId: opt(str()),
  traits: opt(MANAGED_TRAITS),
  tags: opt(labels),
});

/** The shape of {@link ExistingClusterArgs}. */
export const EXISTING_ARGS_SPEC = shapeOf<ExistingClusterArgs>()({
  kubeconfig: opt(inputString),
  context: opt(str()),
  traits: opt(TRAITS_WITHOUT_KIND),
  access: opt(CLUSTER_ACCESS_SPEC),
});

/** The shape of {@link AwsVpcArgs}. */
export const AWS_VPC_ARGS_SPEC = shapeOf<AwsVpcArgs>()({
  availabilityZones: req(strings),
  cidr: opt(str()),
  natGateways: opt(str()),
  clusterName: opt(str()),
  tags: opt(labels),
});

// The k3s components (bare-metal.ts, vm.ts, k3s.ts, cloud-init.ts) are to call these first in their validators.

const SSH_HOST = shapeOf<SshHost>()({
  address: req(inputString),
  hostKey: req(inputString),
  user: opt(str()),
  privateKey: opt(inputString),
  port: opt(num()),
  nodeLabels: opt(strings),
});

const K3S_INSTALLER_PIN = shapeOf<BareMetalClusterArgs['k3sInstaller']>()({ sha256: req(str()), url: opt(str()) });

/** The shape of {@link BareMetalClusterArgs}. */
export const BARE_METAL_ARGS_SPEC = shapeOf<BareMetalClusterArgs>()({
  servers: req(arr(SSH_HOST)),
  agents: opt(arr(SSH_HOST)),
  apiAddress: opt(inputString),
  k3sVersion: opt(str()),
  k3sInstaller: req(K3S_INSTALLER_PIN),
  traits: opt(shapeOf<Defined<BareMetalClusterArgs['traits']>>()({ kind: opt(str()), ...TRAIT_FIELDS })),
  access: opt(CLUSTER_ACCESS_SPEC),
});

const EC2_MACHINES = shapeOf<Ec2Machines>()({
  cloud: req(str()),
  ami: req(str()),
  vpcId: req(inputString),
  subnetIds: req(arr(inputString)),
  adminCidrs: req(strings),
  instanceType: opt(str()),
});
const OPENSTACK_MACHINES = shapeOf<OpenStackMachines>()({
  cloud: req(str()),
  image: req(str()),
  flavor: req(str()),
  network: req(str()),
  adminCidrs: req(strings),
  availabilityZones: opt(strings),
});

/** The shape of {@link VmClusterArgs}. */
export const VM_ARGS_SPEC = shapeOf<VmClusterArgs>()({
  machines: req(tagged('cloud', { 'aws-ec2': EC2_MACHINES, openstack: OPENSTACK_MACHINES })),
  servers: opt(num()),
  agents: opt(num()),
  sshPublicKey: req(str()),
  sshPrivateKey: opt(inputString),
  sshUser: opt(str()),
  diskSizeGiB: opt(num()),
  k3sVersion: opt(str()),
  k3sInstaller: req(K3S_INSTALLER_PIN),
  access: opt(CLUSTER_ACCESS_SPEC),
  traits: opt(TRAITS_WITHOUT_KIND),
  tags: opt(labels),
});

/** The shape of {@link K3sInstallOptions}. */
export const K3S_INSTALL_SPEC = shapeOf<K3sInstallOptions>()({
  version: req(str()),
  role: req(
    tagged('kind', {
      init: shapeOf<{ kind: 'init' }>()({ kind: req(str()) }),
      server: shapeOf<{ kind: 'server'; serverUrl: string }>()({ kind: req(str()), serverUrl: req(str()) }),
      agent: shapeOf<{ kind: 'agent'; serverUrl: string }>()({ kind: req(str()), serverUrl: req(str()) }),
    }),
  ),
  installer: req(shapeOf<K3sInstallOptions['installer']>()({ url: req(str()), sha256: req(str()) })),
  tlsSans: opt(strings),
  nodeLabels: opt(strings),
});

/** The shape of {@link CloudInitOptions}. */
export const CLOUD_INIT_SPEC = shapeOf<CloudInitOptions>()({
  user: req(str()),
  sshPublicKey: req(str()),
  hostKey: opt(shapeOf<Defined<CloudInitOptions['hostKey']>>()({ privateKey: req(str()), publicKey: req(str()) })),
});

/** Throws an InvalidPropertyError naming the first ill-typed or unknown argument of a cluster component. */
export function assertClusterArgs(spec: Spec, args: unknown, at = ''): void {
  assertProps(args, spec, 'args', at);
}

/** The shape of {@link ResolvedClusterTraits}: every trait present (what the add-on catalog is handed). */
export const RESOLVED_CLUSTER_TRAITS_SPEC = shapeOf<ResolvedClusterTraits>()({
  kind: req(str()),
  loadBalancer: req(str()),
  internalLoadBalancer: req(bool),
  multiZone: req(bool),
  prometheusOperator: req(bool),
  openshift: req(bool),
  zones: req(strings),
  storageClass: req(str()),
  kubernetesVersion: req(str()),
});
