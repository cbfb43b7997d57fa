import { describe, expect, it } from 'vitest';
import { validateClusterAccess } from '../../../constructs/cluster/access';
import { validateAksCluster } from '../../../constructs/cluster/aks';
import { type EksClusterArgs, validateEksCluster } from '../../../constructs/cluster/eks-args';
import { validateGkeCluster } from '../../../constructs/cluster/gke';
import {
  AWS_VPC_ARGS_SPEC,
  assertClusterArgs,
  BARE_METAL_ARGS_SPEC,
  CLOUD_INIT_SPEC,
  EXISTING_ARGS_SPEC,
  inputString,
  K3S_INSTALL_SPEC,
  VM_ARGS_SPEC,
} from '../../../constructs/cluster/schema';
import { resolveClusterTraits } from '../../../constructs/cluster/traits';
import { checkSpec } from '../../../constructs/core/strict';
import { fuzzTarget, lastIs } from './harness';

const TRAITS = {
  loadBalancer: 'cloud',
  internalLoadBalancer: true,
  multiZone: true,
  prometheusOperator: true,
  openshift: false,
  storageClass: 'fast',
};

const EKS = {
  availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
  access: {
    deployer: 'arn:aws:iam::111122223333:role/deployer',
    readers: ['arn:aws:iam::111122223333:role/sre'],
  },
  clusterName: 'shop',
  version: '1.33',
  vpcCidr: '10.0.0.0/16',
  natGateways: 'single',
  endpoint: { private: true, publicCidrs: ['198.51.100.0/24'] },
  nodeGroups: [
    {
      name: 'general',
      instanceTypes: ['m6i.large'],
      minSize: 3,
      maxSize: 6,
      desiredSize: 3,
      capacityType: 'SPOT',
      amiType: 'AL2023_x86_64_STANDARD',
      diskSizeGiB: 50,
      labels: { tier: 'general' },
    },
  ],
  addonVersions: { coredns: 'v1.12.1-eksbuild.2' },
  externalSecrets: { secretPrefix: 'shop/prod/' },
  logTypes: ['api', 'audit'],
  deletionProtection: true,
  traits: TRAITS,
  tags: { team: 'shop' },
};

const GKE = {
  project: 'shop-prod-4711',
  region: 'europe-west1',
  access: {
    deployer: 'deployer@shop-prod-4711.iam.gserviceaccount.com',
    readers: ['group:sre@example.com'],
  },
  clusterName: 'shop',
  releaseChannel: 'STABLE',
  version: '1.33',
  nodeLocations: ['europe-west1-b', 'europe-west1-c'],
  network: { nodes: '10.0.0.0/20', pods: '10.16.0.0/14', services: '10.20.0.0/20', controlPlane: '172.16.0.0/28' },
  privateNodes: true,
  authorizedNetworks: ['198.51.100.0/24'],
  nodePools: [
    {
      name: 'general',
      machineType: 'e2-standard-4',
      minNodesPerZone: 1,
      maxNodesPerZone: 3,
      diskSizeGb: 100,
      spot: false,
      labels: { a: 'b' },
    },
  ],
  deletionProtection: true,
  traits: TRAITS,
  labels: { team: 'shop' },
};

const AKS = {
  location: 'westeurope',
  access: { deployer: '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0', readers: ['11111111-2222-4333-8444-555555555555'] },
  clusterName: 'shop',
  version: '1.33',
  zones: ['1', '2', '3'],
  vnetCidr: '10.10.0.0/16',
  podCidr: '192.168.0.0/16',
  serviceCidr: '10.0.0.0/16',
  privateCluster: false,
  authorizedIpRanges: ['198.51.100.0/24'],
  nodePools: [
    { name: 'system', mode: 'system', vmSize: 'Standard_D2ds_v5', minCount: 3, maxCount: 3, labels: { a: 'b' } },
    { name: 'apps', mode: 'user', minCount: 1, maxCount: 6 },
  ],
  principalTypes: { deployer: 'ServicePrincipal', readers: 'Group' },
  kubeloginMode: 'workloadidentity',
  tenantId: '22222222-3333-4444-8555-666666666666',
  traits: TRAITS,
  tags: { team: 'shop' },
};

const CLUSTER_TRAITS = { kind: 'gke', ...TRAITS, zones: ['europe-west1-b'], kubernetesVersion: '1.33' };
const EXISTING = {
  kubeconfig: 'apiVersion: v1',
  context: 'kind-dev',
  traits: { ...TRAITS, loadBalancer: 'metallb', zones: ['a'], kubernetesVersion: '1.33' },
  access: { deployer: 'Group:deployers', readers: ['Group:devs'] },
};
const VPC = {
  availabilityZones: ['eu-west-1a', 'eu-west-1b'],
  cidr: '10.0.0.0/16',
  natGateways: 'single',
  clusterName: 'shop',
  tags: { team: 'shop' },
};

const FREE_KEYS = lastIs('labels', 'tags', 'addonVersions');

describe('strict cluster args (property tests)', () => {
  fuzzTarget({
    name: 'validateEksCluster',
    rich: EKS,
    run: (a) => validateEksCluster('shop', a as never),
    freeKeys: FREE_KEYS,
  });
  fuzzTarget({
    name: 'validateGkeCluster',
    rich: GKE,
    run: (a) => validateGkeCluster('shop', a as never),
    freeKeys: FREE_KEYS,
  });
  fuzzTarget({
    name: 'validateAksCluster',
    rich: AKS,
    run: (a) => validateAksCluster('shop', a as never),
    freeKeys: FREE_KEYS,
  });
  fuzzTarget({ name: 'resolveClusterTraits', rich: CLUSTER_TRAITS, run: (t) => resolveClusterTraits(t as never) });
  fuzzTarget({
    name: 'validateClusterAccess',
    rich: EKS.access,
    run: (a) => validateClusterAccess('eks', a as never),
  });
  // The components check their args first thing; their shapes are fuzzed here without a Pulumi engine.
  fuzzTarget({ name: 'ExistingCluster args', rich: EXISTING, run: (a) => assertClusterArgs(EXISTING_ARGS_SPEC, a) });
  fuzzTarget({
    name: 'AwsVpc args',
    rich: VPC,
    run: (a) => assertClusterArgs(AWS_VPC_ARGS_SPEC, a),
    freeKeys: FREE_KEYS,
  });

  // The k3s components' shapes, ready for their validators to call (see cluster/schema.ts).
  const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';
  const host = (address: string) => ({
    address,
    hostKey: KEY,
    user: 'ops',
    privateKey: 'KEY',
    port: 22,
    nodeLabels: ['a=b'],
  });
  fuzzTarget({
    name: 'BareMetalCluster args',
    rich: {
      servers: [host('10.0.0.1'), host('10.0.0.2'), host('10.0.0.3')],
      agents: [host('10.0.0.4')],
      apiAddress: '10.0.0.10',
      k3sVersion: 'v1.33.5+k3s1',
      k3sInstaller: { sha256: 'e'.repeat(64), url: 'https://example.com/install.sh' },
      traits: { kind: 'bare-metal', ...TRAITS, loadBalancer: 'metallb', zones: ['a'], kubernetesVersion: '1.33' },
      access: { deployer: 'Group:deployers', readers: ['Group:devs'] },
    },
    run: (a) => assertClusterArgs(BARE_METAL_ARGS_SPEC, a),
  });
  fuzzTarget({
    name: 'VmCluster args (EC2)',
    rich: {
      machines: {
        cloud: 'aws-ec2',
        ami: 'ami-123',
        vpcId: 'vpc-1',
        subnetIds: ['subnet-1', 'subnet-2'],
        adminCidrs: ['198.51.100.0/24'],
        instanceType: 't3.large',
      },
      servers: 3,
      agents: 2,
      sshPublicKey: KEY,
      sshPrivateKey: 'KEY',
      sshUser: 'ubuntu',
      diskSizeGiB: 50,
      k3sVersion: 'v1.33.5+k3s1',
      k3sInstaller: { sha256: 'e'.repeat(64) },
      access: { deployer: 'Group:deployers' },
      traits: { ...TRAITS, loadBalancer: 'metallb' },
      tags: { team: 'shop' },
    },
    run: (a) => assertClusterArgs(VM_ARGS_SPEC, a),
    freeKeys: FREE_KEYS,
  });
  fuzzTarget({
    name: 'k3sInstallScript options',
    rich: {
      version: 'v1.33.5+k3s1',
      role: { kind: 'server', serverUrl: 'https://10.0.0.10:6443' },
      installer: { url: 'https://example.com/install.sh', sha256: 'e'.repeat(64) },
      tlsSans: ['10.0.0.10'],
      nodeLabels: ['a=b'],
    },
    run: (o) => assertClusterArgs(K3S_INSTALL_SPEC, o),
  });
  fuzzTarget({
    name: 'cloud-init options',
    rich: { user: 'ubuntu', sshPublicKey: KEY, hostKey: { privateKey: 'PRIVATE', publicKey: KEY } },
    run: (o) => assertClusterArgs(CLOUD_INIT_SPEC, o),
  });

  it('the reported crashes are typed errors naming the field', () => {
    const eks = (args: Record<string, unknown>) => () =>
      validateEksCluster('shop', { ...EKS, ...args } as EksClusterArgs);
    expect(eks({ availabilityZones: 'eu-west-1a' })).toThrow(/'availabilityZones' \("eu-west-1a"\) must be an array/);
    expect(eks({ availabilityZones: [1, 2] })).toThrow(/'availabilityZones\[0\]' \(1\) must be a string/);
    expect(eks({ availabilityZones: null })).toThrow(/'availabilityZones' \(null\) must be an array/);
    expect(eks({ availabilityZones: ['eu-west-1a', null] })).toThrow(/'availabilityZones\[1\]' \(null\)/);
    expect(eks({ endpoint: { private: 'false', publicCidrs: [] } })).toThrow(
      /'endpoint.private' \("false"\) must be true or false/,
    );
    expect(eks({ nodeGroups: [{ name: 'g', minsize: 1 }] })).toThrow(
      '`nodeGroups[0].minsize`: unknown; did you mean `minSize`?',
    );
    expect(eks({ deletionProtection: 0 })).toThrow(/'deletionProtection' \(0\) must be true or false/);
    expect(eks({ access: { deployer: 'arn:aws:iam::111122223333:role/d', reader: [] } })).toThrow(
      '`access.reader`: unknown; did you mean `readers`?',
    );
    expect(() => validateEksCluster('shop', null as never)).toThrow(/'args' \(null\) must be an object/);
    expect(() => resolveClusterTraits({ kind: 'eks', openshift: 'no' } as never)).toThrow(/'openshift' \("no"\)/);
  });

  it('a Pulumi Input is a string, an Output or a promise, nothing else', () => {
    expect(checkSpec('x', inputString, 'k')).toBeUndefined();
    expect(checkSpec({ __pulumiOutput: true }, inputString, 'k')).toBeUndefined();
    expect(checkSpec(Promise.resolve('x'), inputString, 'k')).toBeUndefined();
    expect(checkSpec({}, inputString, 'k')?.problem).toMatch(/must be a string or a Pulumi Output/);
    expect(checkSpec(null, inputString, 'k')?.problem).toMatch(/must be a string or a Pulumi Output/);
  });
});
