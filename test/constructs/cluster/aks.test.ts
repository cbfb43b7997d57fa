import { beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { AKS_ACCESS_ROLES } from '../../../constructs/cluster/access';
import { AksCluster, type AksClusterArgs, validateAksCluster } from '../../../constructs/cluster/aks';
import { AKS_AAD_SERVER_ID } from '../../../constructs/cluster/kubeconfig';
import { expectInvalid } from '../../helpers/errors';
import { type MockedResource, promiseOf, settle, useMocks } from '../../helpers/pulumi';

const DEPLOYER = '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';
const READER = '11111111-2222-4333-8444-555555555555';
const BASE: AksClusterArgs = { location: 'westeurope', access: { deployer: DEPLOYER, readers: [READER] } };

// What AKS returns for an Entra ID cluster: base64 YAML with an interactive kubelogin.
const AKS_KUBECONFIG = Buffer.from(
  stringify({
    clusters: [
      {
        name: 'shop',
        cluster: { server: 'https://shop-abc.hcp.westeurope.azmk8s.io:443', 'certificate-authority-data': 'Q0EK' },
      },
    ],
    users: [
      { name: 'clusterUser', user: { exec: { command: 'kubelogin', args: ['get-token', '--login', 'devicecode'] } } },
    ],
  }),
).toString('base64');

function mocks(stack: string): MockedResource[] {
  return useMocks(
    stack,
    {},
    {
      'azure-native:containerservice:ManagedCluster': (inputs) => ({
        name: inputs.resourceName,
        oidcIssuerProfile: { issuerURL: 'https://westeurope.oic.prod-aks.azure.com/tenant/issuer/' },
      }),
      'azure-native:resources:ResourceGroup': () => ({ name: 'shop-rg-1234' }),
    },
    {
      'azure-native:containerservice:listManagedClusterUserCredentials': () => ({
        kubeconfigs: [{ name: 'clusterUser', value: AKS_KUBECONFIG }],
      }),
    },
  );
}

describe('AksCluster with defaults', () => {
  let registered: MockedResource[];
  let cluster: AksCluster;
  const named = (name: string) => registered.find((r) => r.name === name)!;
  beforeAll(async () => {
    registered = mocks('prod');
    cluster = new AksCluster('shop', BASE);
    await settle();
  });

  it('creates Azure CNI overlay with Cilium, Entra ID with Azure RBAC, no local accounts, workload identity', () => {
    expect(named('shop-cluster').inputs).toMatchObject({
      resourceName: 'shop',
      location: 'westeurope',
      sku: { tier: 'Standard' },
      networkProfile: {
        networkPlugin: 'azure',
        networkPluginMode: 'overlay',
        networkDataplane: 'cilium',
        networkPolicy: 'cilium',
        podCidr: '192.168.0.0/16',
        serviceCidr: '10.0.0.0/16',
        dnsServiceIP: '10.0.0.10',
      },
      oidcIssuerProfile: { enabled: true },
      securityProfile: { workloadIdentity: { enabled: true } },
      aadProfile: { managed: true, enableAzureRBAC: true },
      disableLocalAccounts: true,
      autoUpgradeProfile: { upgradeChannel: 'patch', nodeOSUpgradeChannel: 'NodeImage' },
    });
    expect(named('shop-nodes').inputs).toMatchObject({ addressPrefix: '10.10.0.0/20' });
  });

  it('runs the control plane as a user-assigned identity that is Network Contributor on the node subnet', () => {
    const identity = named('shop-identity');
    expect(identity.type).toBe('azure-native:managedidentity:UserAssignedIdentity');
    expect(named('shop-cluster').inputs.identity).toEqual({
      type: 'UserAssigned',
      userAssignedIdentities: ['shop-identity-id'],
    });
    expect(named('shop-network-contributor').inputs).toMatchObject({
      principalType: 'ServicePrincipal',
      scope: 'shop-nodes-id',
      roleDefinitionId:
        'shop-nodes-id/providers/Microsoft.Authorization/roleDefinitions/4d97b98b-1d4f-4787-a291-c67834d212e7',
    });
  });

  it('runs a tainted system pool and an autoscaled user pool across three zones', () => {
    const [system] = named('shop-cluster').inputs.agentPoolProfiles as Record<string, unknown>[];
    expect(system).toMatchObject({
      name: 'system',
      mode: 'System',
      availabilityZones: ['1', '2', '3'],
      minCount: 3,
      maxCount: 3,
      nodeTaints: ['CriticalAddonsOnly=true:NoSchedule'],
      osSKU: 'AzureLinux',
    });
    const apps = named('shop-apps').inputs;
    expect(apps).toMatchObject({
      agentPoolName: 'apps',
      mode: 'User',
      vmSize: 'Standard_D4ds_v5',
      enableAutoScaling: true,
      minCount: 3,
      maxCount: 6,
      availabilityZones: ['1', '2', '3'],
    });
    expect(apps.nodeTaints).toBeUndefined();
  });

  it('assigns the deployer RBAC Cluster Admin and readers RBAC Reader, both cluster users, on the cluster', () => {
    const assignments = registered
      .filter((r) => r.type === 'azure-native:authorization:RoleAssignment' && r.name !== 'shop-network-contributor')
      .map((r) => [r.inputs.principalId, r.inputs.principalType, String(r.inputs.roleDefinitionId).split('/').pop()]);
    expect(assignments).toEqual(
      expect.arrayContaining([
        [DEPLOYER, 'ServicePrincipal', AKS_ACCESS_ROLES.deployer],
        [DEPLOYER, 'ServicePrincipal', AKS_ACCESS_ROLES.user],
        [READER, 'Group', AKS_ACCESS_ROLES.reader],
        [READER, 'Group', AKS_ACCESS_ROLES.user],
      ]),
    );
    expect(assignments).toHaveLength(4);
  });

  it('converts the returned kubeconfig to a non-interactive kubelogin', async () => {
    const config = parse(await promiseOf(cluster.kubeconfig));
    expect(config.clusters[0].cluster.server).toBe('https://shop-abc.hcp.westeurope.azmk8s.io:443');
    expect(config.users[0].user.exec.args).toEqual([
      'get-token',
      '--login',
      'azurecli',
      '--server-id',
      AKS_AAD_SERVER_ID,
    ]);
    expect(await promiseOf(cluster.oidcIssuerUrl)).toMatch(/^https:\/\/westeurope\.oic/);
    expect(cluster.traits).toMatchObject({
      kind: 'aks',
      storageClass: 'managed-csi',
      zones: ['westeurope-1', 'westeurope-2', 'westeurope-3'],
    });
  });
});

describe('AksCluster options', () => {
  it('makes the API private and signs CI in with workload identity', async () => {
    const registered = mocks('dev');
    const cluster = new AksCluster('lab', {
      ...BASE,
      privateCluster: true,
      kubeloginMode: 'workloadidentity',
      version: '1.33',
      principalTypes: { deployer: 'User', readers: 'User' },
    });
    await settle();
    const control = registered.find((r) => r.name === 'lab-cluster')!.inputs;
    expect(control).toMatchObject({
      apiServerAccessProfile: { enablePrivateCluster: true },
      kubernetesVersion: '1.33',
    });
    expect(parse(await promiseOf(cluster.kubeconfig)).users[0].user.exec.args).toContain('workloadidentity');
    const types = registered
      .filter((r) => r.type === 'azure-native:authorization:RoleAssignment' && r.name !== 'lab-network-contributor')
      .map((r) => r.inputs.principalType);
    expect(new Set(types)).toEqual(new Set(['User']));
  });

  it.each([
    [{ location: 'West Europe' }, 'location', /Azure region/],
    [{ version: 'v1.33' }, 'version', /version like/],
    [{ zones: ['4'] }, 'zones[0]', /'1', '2' or '3'/],
    [{ vnetCidr: '10.10.0.0/24' }, 'vnetCidr', /\/20 or larger/],
    [{ podCidr: 'overlay' }, 'podCidr', /IPv4 CIDR/],
    [{ privateCluster: true, authorizedIpRanges: ['203.0.113.0/24'] }, 'authorizedIpRanges', /privateCluster/],
    [{ nodePools: [{ name: 'apps' }] }, 'nodePools', /no system pool/],
    [{ nodePools: [{ name: 'System-Pool', mode: 'system' }] }, 'nodePools[0].name', /lowercase letters and digits/],
    [{ nodePools: [{ name: 'sys', mode: 'system', minCount: 0 }] }, 'nodePools[0].minCount', /at least 1/],
    [{ nodePools: [{ name: 'sys', mode: 'system' }, { name: 'sys' }] }, 'nodePools', /two pools named sys/],
    [{ access: { deployer: 'pipeline' } }, 'access.deployer', /aks deploy identity/],
  ] as const)('rejects %j naming %s', (override, property, message) => {
    expectInvalid(() => validateAksCluster('shop', { ...BASE, ...override } as AksClusterArgs), property, message);
  });
});
