import { describe, expect, it } from 'vitest';
import { validateClusterAccess } from '../../../constructs/cluster/access';
import { validateAksCluster } from '../../../constructs/cluster/aks';
import { type EksClusterArgs, validateEksCluster } from '../../../constructs/cluster/eks-args';
import { validateGkeCluster } from '../../../constructs/cluster/gke';
import {
  AWS_VPC_ARGS_SPEC,
  assertClusterArgs,
  EXISTING_ARGS_SPEC,
  inputString,
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
