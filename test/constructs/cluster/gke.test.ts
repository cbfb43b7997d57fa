import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { GKE_ACCESS_ROLES } from '../../../constructs/cluster/access';
import { GkeCluster, type GkeClusterArgs, validateGkeCluster } from '../../../constructs/cluster/gke';
import { expectInvalid } from '../../helpers/errors';
import { type MockedResource, promiseOf, settle, useMocks } from '../../helpers/pulumi';

const DEPLOYER = 'deployer@shop-prod-4711.iam.gserviceaccount.com';
const BASE: GkeClusterArgs = {
  project: 'shop-prod-4711',
  region: 'europe-west1',
  access: { deployer: DEPLOYER, readers: ['group:sre@example.com'] },
};

const GCP_OUTPUTS = {
  'gcp:container/cluster:Cluster': (inputs: Record<string, unknown>) => ({
    endpoint: '34.76.0.10',
    masterAuth: { clusterCaCertificate: 'Q0EK' },
    name: inputs.name,
  }),
  'gcp:serviceaccount/account:Account': (inputs: Record<string, unknown>) => ({
    email: `${inputs.accountId}@shop-prod-4711.iam.gserviceaccount.com`,
  }),
};

describe('GkeCluster with defaults', () => {
  let registered: MockedResource[];
  let cluster: GkeCluster;
  const named = (name: string) => registered.find((r) => r.name === name)!;
  const ofType = (type: string) => registered.filter((r) => r.type === type);
  beforeAll(async () => {
    registered = useMocks('prod', {}, GCP_OUTPUTS);
    cluster = new GkeCluster('shop', BASE);
    await settle();
  });

  it('builds a VPC-native network with secondary ranges and Cloud NAT for private nodes', () => {
    expect(named('shop-network').inputs).toMatchObject({ autoCreateSubnetworks: false });
    expect(named('shop-subnet').inputs).toMatchObject({
      region: 'europe-west1',
      ipCidrRange: '10.0.0.0/20',
      privateIpGoogleAccess: true,
      secondaryIpRanges: [
        { rangeName: 'pods', ipCidrRange: '10.16.0.0/14' },
        { rangeName: 'services', ipCidrRange: '10.20.0.0/20' },
      ],
    });
    expect(named('shop-nat').inputs).toMatchObject({ sourceSubnetworkIpRangesToNat: 'ALL_SUBNETWORKS_ALL_IP_RANGES' });
  });

  it('creates a regional cluster with private nodes, Workload Identity, Dataplane V2 and the Gateway API', () => {
    expect(named('shop-cluster').inputs).toMatchObject({
      project: 'shop-prod-4711',
      name: 'shop',
      location: 'europe-west1',
      networkingMode: 'VPC_NATIVE',
      ipAllocationPolicy: { clusterSecondaryRangeName: 'pods', servicesSecondaryRangeName: 'services' },
      removeDefaultNodePool: true,
      releaseChannel: { channel: 'REGULAR' },
      datapathProvider: 'ADVANCED_DATAPATH',
      workloadIdentityConfig: { workloadPool: 'shop-prod-4711.svc.id.goog' },
      gatewayApiConfig: { channel: 'CHANNEL_STANDARD' },
      privateClusterConfig: { enablePrivateNodes: true, masterIpv4CidrBlock: '172.16.0.0/28' },
      masterAuthorizedNetworksConfig: { cidrBlocks: [] },
      enableShieldedNodes: true,
      enableLegacyAbac: false,
      masterAuth: { clientCertificateConfig: { issueClientCertificate: false } },
      deletionProtection: true,
    });
  });

  it('runs an autoscaled pool on a least-privilege node account with the GKE metadata server', () => {
    expect(named('shop-general').inputs).toMatchObject({
      name: 'general',
      location: 'europe-west1',
      autoscaling: { minNodeCount: 1, maxNodeCount: 3 },
      management: { autoRepair: true, autoUpgrade: true },
      upgradeSettings: { maxSurge: 1, maxUnavailable: 0 },
      nodeConfig: {
        machineType: 'e2-standard-4',
        serviceAccount: 'shop-nodes@shop-prod-4711.iam.gserviceaccount.com',
        workloadMetadataConfig: { mode: 'GKE_METADATA' },
        shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
        spot: false,
      },
    });
    const nodeRoles = ofType('gcp:projects/iAMMember:IAMMember')
      .filter((m) => String(m.inputs.member).includes('shop-nodes@'))
      .map((m) => m.inputs.role);
    expect(nodeRoles).toContain('roles/artifactregistry.reader');
    expect(nodeRoles.some((r) => /admin|editor|owner/.test(String(r)))).toBe(false);
  });

  it('grants the deployer container.admin and readers container.viewer', () => {
    expect(named('shop-deployer').inputs).toMatchObject({
      role: GKE_ACCESS_ROLES.deployer,
      member: `serviceAccount:${DEPLOYER}`,
    });
    expect(named('shop-reader-0').inputs).toMatchObject({
      role: GKE_ACCESS_ROLES.reader,
      member: 'group:sre@example.com',
    });
  });

  it('writes a kubeconfig that uses gke-gcloud-auth-plugin, and GKE traits', async () => {
    const config = parse(await promiseOf(cluster.kubeconfig));
    expect(config['current-context']).toBe('gke_shop-prod-4711_europe-west1_shop');
    expect(config.clusters[0].cluster.server).toBe('https://34.76.0.10');
    expect(config.users[0].user.exec.command).toBe('gke-gcloud-auth-plugin');
    expect(cluster.traits).toMatchObject({ kind: 'gke', loadBalancer: 'cloud', storageClass: 'standard-rwo' });
  });
});

describe('GkeCluster options', () => {
  it('pins zones, version and spot pools, and skips NAT for public nodes', async () => {
    const registered = useMocks('dev', {}, GCP_OUTPUTS);
    const cluster = new GkeCluster('lab', {
      ...BASE,
      nodeLocations: ['europe-west1-b', 'europe-west1-c'],
      version: '1.33',
      privateNodes: false,
      authorizedNetworks: ['203.0.113.0/24'],
      nodePools: [{ name: 'spot', spot: true, minNodesPerZone: 0, maxNodesPerZone: 5 }],
    });
    await settle();
    const control = registered.find((r) => r.name === 'lab-cluster')!.inputs;
    expect(control).toMatchObject({
      nodeLocations: ['europe-west1-b', 'europe-west1-c'],
      minMasterVersion: '1.33',
      masterAuthorizedNetworksConfig: { cidrBlocks: [{ cidrBlock: '203.0.113.0/24' }] },
    });
    expect(control.privateClusterConfig).toBeUndefined();
    expect(registered.some((r) => r.type === 'gcp:compute/routerNat:RouterNat')).toBe(false);
    expect(registered.find((r) => r.name === 'lab-spot')!.inputs).toMatchObject({
      autoscaling: { minNodeCount: 0, maxNodeCount: 5 },
      nodeConfig: { spot: true },
    });
    expect(cluster.traits.zones).toEqual(['europe-west1-b', 'europe-west1-c']);
  });

  it.each([
    [{ project: 'X' }, 'project', /project id/],
    [{ region: 'europe-west1-b' }, 'region', /not a zone/],
    [{ nodeLocations: ['us-east1-b'] }, 'nodeLocations[0]', /zone of europe-west1/],
    [{ version: 'latest' }, 'version', /minor version/],
    [{ network: { pods: '10.16.0.0' } }, 'network.pods', /IPv4 CIDR/],
    [{ network: { controlPlane: '172.16.0.0/24' } }, 'network.controlPlane', /\/28/],
    [{ authorizedNetworks: ['10.0.0.1/8'] }, 'authorizedNetworks[0]', /host bits set: use 10\.0\.0\.0\/8/],
    [{ nodePools: [] }, 'nodePools', /empty/],
    [
      { nodePools: [{ name: 'a', minNodesPerZone: 4, maxNodesPerZone: 2 }] },
      'nodePools[0].maxNodesPerZone',
      /0 <= minNodesPerZone <= maxNodesPerZone/,
    ],
    [{ nodePools: [{ name: 'a' }, { name: 'a' }] }, 'nodePools', /two pools named a/],
    [{ access: { deployer: 'group:deployers@example.com' } }, 'access.deployer', /gke deploy identity/],
    [{ access: { deployer: DEPLOYER, readers: ['sre@example.com'] } }, 'access.readers[0]', /not a gke principal/],
  ] as const)('rejects %j naming %s', (override, property, message) => {
    expectInvalid(() => validateGkeCluster('shop', { ...BASE, ...override } as GkeClusterArgs), property, message);
  });
});
