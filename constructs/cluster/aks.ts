/**
 * An AKS cluster as a Pulumi component: its resource group and virtual network, Azure CNI overlay with the
 * Cilium dataplane (NetworkPolicy enforced), a system pool tainted for critical add-ons and autoscaled user
 * pools across three zones, the OIDC issuer and workload identity, Entra ID sign-in with Azure RBAC and no
 * local accounts, automatic patch upgrades, and role assignments: the deployer administers, readers view.
 * Imports azure-native per module, so loading stays fast. Import it from `switchyard/aks`.
 */
import { assertOptionalPeers } from '../core/optional';

// Before the imports below, which CommonJS runs in order: without the SDKs, importing this entry names
// what to install instead of failing with MODULE_NOT_FOUND somewhere inside.
assertOptionalPeers(
  ['@pulumi/pulumi', '@pulumi/kubernetes', '@pulumi/azure-native/containerservice'],
  "'switchyard/aks'",
);

import * as authorization from '@pulumi/azure-native/authorization';
import * as containerservice from '@pulumi/azure-native/containerservice';
import * as managedidentity from '@pulumi/azure-native/managedidentity';
import * as network from '@pulumi/azure-native/network';
import * as resources from '@pulumi/azure-native/resources';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { assertDnsLabel, firstDuplicate, InvalidPropertyError, show } from '../core/validate';
import { AKS_ACCESS_ROLES, type ClusterAccess, validateClusterAccess } from './access';
import type { KubernetesCluster } from './cluster';
import { aksKubeconfig, type KubeloginMode } from './kubeconfig';
import { AKS_ARGS_SPEC, assertClusterArgs } from './schema';
import { assertIpv4Cidr, assertPoolSizes, parseIpv4Cidr } from './subnets';
import { type ClusterTraits, type ResolvedClusterTraits, resolveClusterTraits } from './traits';

/** A node pool; `system` pools run only critical add-ons, `user` pools run the workloads. */
export interface AksNodePoolSpec {
  /** Lowercase letters and digits, at most 12 (an Azure limit), unique in the cluster. */
  readonly name: string;
  /** @default 'user' */
  readonly mode?: 'system' | 'user';
  /** @default 'Standard_D4ds_v5' */
  readonly vmSize?: string;
  /** @default 3 (one per zone) */
  readonly minCount?: number;
  /** @default 6 */
  readonly maxCount?: number;
  /** @default {} */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Kinds of Entra ID principals (a managed identity is a ServicePrincipal). */
export type AksPrincipalType = 'ServicePrincipal' | 'User' | 'Group';

/** Arguments of {@link AksCluster}. */
export interface AksClusterArgs {
  /** Azure region, like 'westeurope'. */
  readonly location: string;
  /** Who may deploy and who may read: Entra ID object ids (the pipeline's managed identity or app). */
  readonly access: ClusterAccess;
  /** @default - the component's name */
  readonly clusterName?: string;
  /** @default - AKS's default version */
  readonly version?: string;
  /** @default ['1', '2', '3'] */
  readonly zones?: readonly string[];
  /** Address space of the virtual network; nodes take its first /20. @default '10.10.0.0/16' */
  readonly vnetCidr?: string;
  /** Pod overlay range (not routable in the VNet). @default '192.168.0.0/16' */
  readonly podCidr?: string;
  /** @default '10.0.0.0/16' */
  readonly serviceCidr?: string;
  /** The API server has only a private endpoint in the VNet. @default false */
  readonly privateCluster?: boolean;
  /** Ranges allowed on the public API endpoint; empty allows any. @default [] */
  readonly authorizedIpRanges?: readonly string[];
  /** @default [{ name: 'system', mode: 'system', minCount: 3, maxCount: 3, vmSize: 'Standard_D2ds_v5' }, { name: 'apps' }] */
  readonly nodePools?: readonly AksNodePoolSpec[];
  /**
   * What kind of Entra ID principal the deployer and the readers are (role assignments must say).
   * @default { deployer: 'ServicePrincipal', readers: 'Group' }
   */
  readonly principalTypes?: {
    readonly deployer?: AksPrincipalType;
    readonly readers?: AksPrincipalType;
  };
  /** How the kubeconfig signs in: people with the Azure CLI, CI runners with workload identity. @default 'azurecli' */
  readonly kubeloginMode?: KubeloginMode;
  /** Entra ID tenant of the cluster's sign-in. @default - the subscription's tenant */
  readonly tenantId?: string;
  /** @default { kind: 'aks' } */
  readonly traits?: Omit<ClusterTraits, 'kind' | 'zones' | 'kubernetesVersion'>;
  /** @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

const DEFAULT_POOLS: readonly AksNodePoolSpec[] = [
  { name: 'system', mode: 'system', minCount: 3, maxCount: 3, vmSize: 'Standard_D2ds_v5' },
  { name: 'apps' },
];

/** Checks the arguments, naming the property. */
export function validateAksCluster(name: string, args: AksClusterArgs): void {
  assertDnsLabel('name', name);
  assertClusterArgs(AKS_ARGS_SPEC, args);
  if (args.clusterName !== undefined) assertDnsLabel('clusterName', args.clusterName);
  if (typeof args.location !== 'string' || !/^[a-z]+[a-z0-9]*$/.test(args.location)) {
    throw new InvalidPropertyError(
      'location',
      `'location' (${show(args.location)}) must be an Azure region like 'westeurope'`,
    );
  }
  if (args.version !== undefined && !/^1\.\d{2}(\.\d+)?$/.test(args.version)) {
    throw new InvalidPropertyError('version', `'version' (${show(args.version)}) must be a version like '1.33'`);
  }
  for (const [i, zone] of (args.zones ?? []).entries()) {
    if (!['1', '2', '3'].includes(zone)) {
      throw new InvalidPropertyError(`zones[${i}]`, `'zones[${i}]' (${show(zone)}) must be '1', '2' or '3'`);
    }
  }
  assertIpv4Cidr('vnetCidr', args.vnetCidr ?? '10.10.0.0/16');
  const vnet = parseIpv4Cidr(args.vnetCidr ?? '10.10.0.0/16');
  if (typeof vnet !== 'string' && vnet.prefix > 20) {
    throw new InvalidPropertyError('vnetCidr', `'vnetCidr' (${args.vnetCidr}) must be /20 or larger: nodes take a /20`);
  }
  if (args.podCidr !== undefined) assertIpv4Cidr('podCidr', args.podCidr);
  if (args.serviceCidr !== undefined) assertIpv4Cidr('serviceCidr', args.serviceCidr);
  for (const [i, range] of (args.authorizedIpRanges ?? []).entries()) assertIpv4Cidr(`authorizedIpRanges[${i}]`, range);
  if (args.privateCluster && args.authorizedIpRanges?.length) {
    throw new InvalidPropertyError(
      'authorizedIpRanges',
      `'authorizedIpRanges' applies to the public endpoint, but 'privateCluster' is true: remove one of them`,
    );
  }
  const pools = args.nodePools ?? DEFAULT_POOLS;
  for (const [i, pool] of pools.entries()) {
    if (!/^[a-z][a-z0-9]{0,11}$/.test(pool.name)) {
      throw new InvalidPropertyError(
        `nodePools[${i}].name`,
        `'nodePools[${i}].name' (${show(pool.name)}) must be 1 to 12 lowercase letters and digits, starting with a letter`,
      );
    }
    const min = pool.minCount ?? 3;
    assertPoolSizes(`nodePools[${i}]`, min, pool.maxCount ?? Math.max(6, min), { min: 'minCount', max: 'maxCount' });
    if (pool.mode === 'system' && min < 1) {
      throw new InvalidPropertyError(
        `nodePools[${i}].minCount`,
        `'nodePools[${i}]' is a system pool: minCount must be at least 1`,
      );
    }
  }
  if (!pools.some((p) => p.mode === 'system')) {
    throw new InvalidPropertyError('nodePools', `'nodePools' has no system pool: AKS needs one (mode: 'system')`);
  }
  const twice = firstDuplicate(pools.map((p) => p.name));
  if (twice) throw new InvalidPropertyError('nodePools', `'nodePools' has two pools named ${twice}`);
  validateClusterAccess('aks', args.access);
}

/** The first /20 of the VNet, for nodes. */
function nodeSubnet(vnetCidr: string): string {
  const [base] = vnetCidr.split('/');
  return `${base}/20`;
}

export class AksCluster extends pulumi.ComponentResource implements KubernetesCluster {
  /** Kubeconfig signing in through kubelogin (a secret: it names the endpoint). */
  public readonly kubeconfig: pulumi.Output<string>;
  public readonly provider: k8s.Provider;
  public readonly traits: ResolvedClusterTraits;
  public readonly clusterName: pulumi.Output<string>;
  public readonly resourceGroupName: pulumi.Output<string>;
  /** Issuer URL for workload identity federation. */
  public readonly oidcIssuerUrl: pulumi.Output<string>;

  public constructor(name: string, args: AksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super('switchyard:cluster:AksCluster', name, {}, opts);
    validateAksCluster(name, args);
    const clusterName = args.clusterName ?? name;
    const zones = [...(args.zones ?? ['1', '2', '3'])];
    const vnetCidr = args.vnetCidr ?? '10.10.0.0/16';
    const tags = { ...args.tags, 'switchyard-cluster': clusterName };
    const parent = { parent: this };
    this.traits = resolveClusterTraits({
      ...args.traits,
      kind: 'aks',
      zones: zones.map((z) => `${args.location}-${z}`),
      kubernetesVersion: args.version?.split('.').slice(0, 2).join('.') ?? '',
    });

    const group = new resources.ResourceGroup(`${name}-rg`, { location: args.location, tags }, parent);
    const vnet = new network.VirtualNetwork(
      `${name}-vnet`,
      { resourceGroupName: group.name, location: args.location, addressSpace: { addressPrefixes: [vnetCidr] }, tags },
      { parent: this, ignoreChanges: ['subnets'] },
    );
    const subnet = new network.Subnet(
      `${name}-nodes`,
      { resourceGroupName: group.name, virtualNetworkName: vnet.name, addressPrefix: nodeSubnet(vnetCidr) },
      parent,
    );
    // The control plane manages load balancers and routes in our subnet: a user-assigned identity can be
    // granted that before the cluster exists (a system-assigned one only after, which ARM clients cannot do).
    const identity = new managedidentity.UserAssignedIdentity(
      `${name}-identity`,
      { resourceGroupName: group.name, location: args.location, tags },
      parent,
    );
    const subnetAccess = new authorization.RoleAssignment(
      `${name}-network-contributor`,
      {
        principalId: identity.principalId,
        principalType: 'ServicePrincipal',
        roleDefinitionId: subnet.id.apply((id) => roleDefinition(id, NETWORK_CONTRIBUTOR)),
        scope: subnet.id,
      },
      parent,
    );

    const pools = args.nodePools ?? DEFAULT_POOLS;
    const profile = (pool: AksNodePoolSpec) => {
      const min = pool.minCount ?? 3;
      const system = pool.mode === 'system';
      return {
        mode: system ? 'System' : 'User',
        vmSize: pool.vmSize ?? 'Standard_D4ds_v5',
        osType: 'Linux',
        osSKU: 'AzureLinux',
        // No osDiskType: AKS picks an ephemeral OS disk whenever the VM size can hold one.
        type: 'VirtualMachineScaleSets',
        availabilityZones: zones,
        enableAutoScaling: true,
        minCount: min,
        maxCount: pool.maxCount ?? Math.max(6, min),
        count: min,
        vnetSubnetID: subnet.id,
        nodeLabels: { ...pool.labels, 'switchyard/node-pool': pool.name },
        // Keeps application pods off the system pool.
        ...(system ? { nodeTaints: ['CriticalAddonsOnly=true:NoSchedule'] } : {}),
        upgradeSettings: { maxSurge: '33%' },
        ...(args.version ? { orchestratorVersion: args.version } : {}),
      };
    };
    const [first, ...rest] = [...pools.filter((p) => p.mode === 'system'), ...pools.filter((p) => p.mode !== 'system')];
    const privateCluster = args.privateCluster ?? false;
    const cluster = new containerservice.ManagedCluster(
      `${name}-cluster`,
      {
        resourceGroupName: group.name,
        resourceName: clusterName,
        location: args.location,
        dnsPrefix: clusterName,
        ...(args.version ? { kubernetesVersion: args.version } : {}),
        sku: { name: 'Base', tier: 'Standard' },
        identity: { type: 'UserAssigned', userAssignedIdentities: [identity.id] },
        agentPoolProfiles: [{ name: first!.name, ...profile(first!) }],
        networkProfile: {
          networkPlugin: 'azure',
          networkPluginMode: 'overlay',
          networkDataplane: 'cilium',
          networkPolicy: 'cilium',
          podCidr: args.podCidr ?? '192.168.0.0/16',
          serviceCidr: args.serviceCidr ?? '10.0.0.0/16',
          dnsServiceIP: dnsServiceIp(args.serviceCidr ?? '10.0.0.0/16'),
          loadBalancerSku: 'standard',
        },
        oidcIssuerProfile: { enabled: true },
        securityProfile: { workloadIdentity: { enabled: true }, imageCleaner: { enabled: true, intervalHours: 48 } },
        aadProfile: { managed: true, enableAzureRBAC: true, ...(args.tenantId ? { tenantID: args.tenantId } : {}) },
        // Entra ID only: no static admin credentials to leak.
        disableLocalAccounts: true,
        enableRBAC: true,
        apiServerAccessProfile: privateCluster
          ? { enablePrivateCluster: true }
          : { authorizedIPRanges: [...(args.authorizedIpRanges ?? [])] },
        autoUpgradeProfile: { upgradeChannel: 'patch', nodeOSUpgradeChannel: 'NodeImage' },
        tags,
      },
      // Autoscaler-owned counts and pools managed as AgentPool resources must not be reverted.
      { parent: this, ignoreChanges: ['agentPoolProfiles'], dependsOn: [subnetAccess] },
    );
    this.clusterName = cluster.name;
    this.resourceGroupName = group.name;
    this.oidcIssuerUrl = cluster.oidcIssuerProfile.apply((p) => p?.issuerURL ?? '');
    const agentPools = rest.map(
      (pool) =>
        new containerservice.AgentPool(
          `${name}-${pool.name}`,
          { resourceGroupName: group.name, resourceName: cluster.name, agentPoolName: pool.name, ...profile(pool) },
          { parent: this, ignoreChanges: ['count'] },
        ),
    );

    const roleId = (guid: string) => cluster.id.apply((id) => roleDefinition(id, guid));
    const assign = (id: string, principalId: string, principalType: AksPrincipalType, guid: string) =>
      new authorization.RoleAssignment(
        `${name}-${id}`,
        { principalId, principalType, roleDefinitionId: roleId(guid), scope: cluster.id },
        parent,
      );
    const types = args.principalTypes ?? {};
    const principals: { id: string; principal: string; type: AksPrincipalType; role: string }[] = [
      {
        id: 'deployer',
        principal: args.access.deployer,
        type: types.deployer ?? 'ServicePrincipal',
        role: AKS_ACCESS_ROLES.deployer,
      },
      ...(args.access.readers ?? []).map((reader, i) => ({
        id: `reader-${i}`,
        principal: reader,
        type: types.readers ?? 'Group',
        role: AKS_ACCESS_ROLES.reader,
      })),
    ];
    const grants = principals.flatMap(({ id, principal, type, role }) => [
      assign(id, principal, type, role),
      assign(`${id}-user`, principal, type, AKS_ACCESS_ROLES.user),
    ]);

    const credentials = containerservice.listManagedClusterUserCredentialsOutput(
      { resourceGroupName: group.name, resourceName: cluster.name, format: 'exec' },
      parent,
    );
    this.kubeconfig = pulumi.secret(
      pulumi
        .all([credentials, cluster.name])
        .apply(([result, id]) => aksKubeconfig(result?.kubeconfigs?.[0]?.value, id, args.kubeloginMode ?? 'azurecli')),
    );
    this.provider = new k8s.Provider(
      `${name}-provider`,
      { kubeconfig: this.kubeconfig, enableServerSideApply: true },
      { parent: this, dependsOn: [...grants, ...agentPools] },
    );
    this.registerOutputs({
      kubeconfig: this.kubeconfig,
      clusterName: this.clusterName,
      oidcIssuerUrl: this.oidcIssuerUrl,
      traits: this.traits,
    });
  }
}

/** Network Contributor, the built-in role AKS's control plane needs on a subnet it does not own. */
const NETWORK_CONTRIBUTOR = '4d97b98b-1d4f-4787-a291-c67834d212e7';

/** A built-in role's definition id under the subscription that `resourceId` names. */
function roleDefinition(resourceId: string, guid: string): string {
  return `${resourceId.split('/resourceGroups/')[0]}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
}

/** The cluster DNS address: the tenth address of the service range (kube-dns's conventional one). */
function dnsServiceIp(serviceCidr: string): string {
  const [base] = serviceCidr.split('/');
  const octets = base!.split('.').map(Number);
  octets[3] = octets[3]! + 10;
  return octets.join('.');
}
