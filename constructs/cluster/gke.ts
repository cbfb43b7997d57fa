/**
 * A GKE cluster as a Pulumi component: regional (control plane and nodes in three zones), VPC-native on its
 * own network, private nodes with Cloud NAT for egress, Dataplane V2 (NetworkPolicy enforced), Workload
 * Identity, shielded nodes on a least-privilege service account, the Gateway API channel, and IAM grants:
 * the deployer administers, readers view. Import it from `switchyard/gke`.
 */
import { assertOptionalPeers } from '../core/optional';

// Before the imports below, which CommonJS runs in order: without the SDKs, importing this entry names
// what to install instead of failing with MODULE_NOT_FOUND somewhere inside.
assertOptionalPeers(['@pulumi/pulumi', '@pulumi/kubernetes', '@pulumi/gcp'], "'switchyard/gke'");

import * as gcp from '@pulumi/gcp';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { assertDnsLabel, firstDuplicate, InvalidPropertyError, show } from '../core/validate';
import { type ClusterAccess, GKE_ACCESS_ROLES, validateClusterAccess } from './access';
import type { KubernetesCluster } from './cluster';
import { execKubeconfig, gkeExec } from './kubeconfig';
import { assertClusterArgs, GKE_ARGS_SPEC } from './schema';
import { assertIpv4Cidr, assertPoolSizes, parseIpv4Cidr } from './subnets';
import { type ClusterTraits, type ResolvedClusterTraits, resolveClusterTraits } from './traits';

/** A node pool; sizes are per zone (a regional pool has nodes in each of the cluster's zones). */
export interface GkeNodePoolSpec {
  /** A DNS label, unique in the cluster. */
  readonly name: string;
  /** @default 'e2-standard-4' */
  readonly machineType?: string;
  /** @default 1 */
  readonly minNodesPerZone?: number;
  /** @default 3 */
  readonly maxNodesPerZone?: number;
  /** @default 100 */
  readonly diskSizeGb?: number;
  /** Spot VMs (cheaper, can be reclaimed). @default false */
  readonly spot?: boolean;
  /** @default {} */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Address ranges of the cluster's network. */
export interface GkeNetworkRanges {
  /** Node addresses. @default '10.0.0.0/20' */
  readonly nodes?: string;
  /** Pod addresses (a secondary range). @default '10.16.0.0/14' */
  readonly pods?: string;
  /** Service addresses (a secondary range). @default '10.20.0.0/20' */
  readonly services?: string;
  /** The control plane's peering range, a /28, with private nodes. @default '172.16.0.0/28' */
  readonly controlPlane?: string;
}

/** Arguments of {@link GkeCluster}. */
export interface GkeClusterArgs {
  /** Google Cloud project id. */
  readonly project: string;
  /** Region of the (regional) cluster, like 'europe-west1'. */
  readonly region: string;
  /** Who may deploy (a Google service account e-mail, the pipeline's) and who may read (IAM members). */
  readonly access: ClusterAccess;
  /** @default - the component's name */
  readonly clusterName?: string;
  /** @default 'REGULAR' */
  readonly releaseChannel?: 'RAPID' | 'REGULAR' | 'STABLE';
  /**
   * Minimum control plane version, like '1.33'.
   * @default - the release channel's default
   */
  readonly version?: string;
  /**
   * Zones of the nodes, in the region.
   * @default - three zones GKE picks
   */
  readonly nodeLocations?: readonly string[];
  /** @default - the defaults of each range */
  readonly network?: GkeNetworkRanges;
  /** Nodes get no public address (egress through Cloud NAT). @default true */
  readonly privateNodes?: boolean;
  /**
   * Ranges allowed to reach the control plane's public endpoint; empty allows only the VPC and Google.
   * @default []
   */
  readonly authorizedNetworks?: readonly string[];
  /** @default [{ name: 'general' }] */
  readonly nodePools?: readonly GkeNodePoolSpec[];
  /** @default true */
  readonly deletionProtection?: boolean;
  /** @default { kind: 'gke' } */
  readonly traits?: Omit<ClusterTraits, 'kind' | 'zones' | 'kubernetesVersion'>;
  /** Labels on the Google Cloud resources. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
}

// Roles the node service account needs: ship logs and metrics, pull images. Nothing else.
const NODE_ROLES = [
  'roles/logging.logWriter',
  'roles/monitoring.metricWriter',
  'roles/monitoring.viewer',
  'roles/stackdriver.resourceMetadata.writer',
  'roles/artifactregistry.reader',
];

/** Checks the arguments, naming the property. */
export function validateGkeCluster(name: string, args: GkeClusterArgs): void {
  assertDnsLabel('name', name);
  assertClusterArgs(GKE_ARGS_SPEC, args);
  if (args.clusterName !== undefined) assertDnsLabel('clusterName', args.clusterName);
  if (typeof args.project !== 'string' || !/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(args.project)) {
    throw new InvalidPropertyError('project', `'project' (${show(args.project)}) must be a Google Cloud project id`);
  }
  if (typeof args.region !== 'string' || !/^[a-z]+-[a-z]+\d$/.test(args.region)) {
    throw new InvalidPropertyError(
      'region',
      `'region' (${show(args.region)}) must be a region like 'europe-west1', not a zone`,
    );
  }
  for (const [i, zone] of (args.nodeLocations ?? []).entries()) {
    if (!new RegExp(`^${args.region}-[a-z]$`).test(zone)) {
      throw new InvalidPropertyError(
        `nodeLocations[${i}]`,
        `'nodeLocations[${i}]' (${show(zone)}) must be a zone of ${args.region}, like ${args.region}-b`,
      );
    }
  }
  if (args.version !== undefined && !/^1\.\d{2}$/.test(args.version)) {
    throw new InvalidPropertyError('version', `'version' (${show(args.version)}) must be a minor version like '1.33'`);
  }
  for (const [key, value] of Object.entries(args.network ?? {})) assertIpv4Cidr(`network.${key}`, value);
  const plane = parseIpv4Cidr(args.network?.controlPlane ?? '172.16.0.0/28');
  if (typeof plane !== 'string' && plane.prefix !== 28) {
    throw new InvalidPropertyError('network.controlPlane', `'network.controlPlane' must be a /28 (GKE's requirement)`);
  }
  for (const [i, range] of (args.authorizedNetworks ?? []).entries()) assertIpv4Cidr(`authorizedNetworks[${i}]`, range);
  const pools = args.nodePools ?? [{ name: 'general' }];
  if (pools.length === 0) throw new InvalidPropertyError('nodePools', `'nodePools' is empty: add at least one`);
  for (const [i, pool] of pools.entries()) {
    assertDnsLabel(`nodePools[${i}].name`, pool.name);
    const min = pool.minNodesPerZone ?? 1;
    assertPoolSizes(`nodePools[${i}]`, min, pool.maxNodesPerZone ?? Math.max(3, min), {
      min: 'minNodesPerZone',
      max: 'maxNodesPerZone',
    });
  }
  const twice = firstDuplicate(pools.map((p) => p.name));
  if (twice) throw new InvalidPropertyError('nodePools', `'nodePools' has two pools named ${twice}`);
  validateClusterAccess('gke', args.access);
}

export class GkeCluster extends pulumi.ComponentResource implements KubernetesCluster {
  /** Kubeconfig running gke-gcloud-auth-plugin (a secret: it names the endpoint). */
  public readonly kubeconfig: pulumi.Output<string>;
  public readonly provider: k8s.Provider;
  public readonly traits: ResolvedClusterTraits;
  public readonly clusterName: pulumi.Output<string>;
  /** Pool of Workload Identity principals, `<project>.svc.id.goog`. */
  public readonly workloadPool: string;

  public constructor(name: string, args: GkeClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super('switchyard:cluster:GkeCluster', name, {}, opts);
    validateGkeCluster(name, args);
    const { project, region } = args;
    const clusterName = args.clusterName ?? name;
    const privateNodes = args.privateNodes ?? true;
    const ranges = {
      nodes: args.network?.nodes ?? '10.0.0.0/20',
      pods: args.network?.pods ?? '10.16.0.0/14',
      services: args.network?.services ?? '10.20.0.0/20',
      controlPlane: args.network?.controlPlane ?? '172.16.0.0/28',
    };
    const labels = { ...args.labels, 'switchyard-cluster': clusterName };
    const parent = { parent: this };
    this.workloadPool = `${project}.svc.id.goog`;
    this.traits = resolveClusterTraits({
      ...args.traits,
      kind: 'gke',
      zones: args.nodeLocations ?? [],
      kubernetesVersion: args.version ?? '',
    });

    const network = new gcp.compute.Network(
      `${name}-network`,
      { project, autoCreateSubnetworks: false, routingMode: 'REGIONAL' },
      parent,
    );
    const subnet = new gcp.compute.Subnetwork(
      `${name}-subnet`,
      {
        project,
        region,
        network: network.id,
        ipCidrRange: ranges.nodes,
        privateIpGoogleAccess: true,
        secondaryIpRanges: [
          { rangeName: 'pods', ipCidrRange: ranges.pods },
          { rangeName: 'services', ipCidrRange: ranges.services },
        ],
      },
      parent,
    );
    if (privateNodes) {
      const router = new gcp.compute.Router(`${name}-router`, { project, region, network: network.id }, parent);
      new gcp.compute.RouterNat(
        `${name}-nat`,
        {
          project,
          region,
          router: router.name,
          natIpAllocateOption: 'AUTO_ONLY',
          sourceSubnetworkIpRangesToNat: 'ALL_SUBNETWORKS_ALL_IP_RANGES',
          logConfig: { enable: true, filter: 'ERRORS_ONLY' },
        },
        parent,
      );
    }

    const accountId = `${clusterName}-nodes`.slice(0, 30);
    const nodeAccount = new gcp.serviceaccount.Account(
      `${name}-nodes`,
      { project, accountId, displayName: `Nodes of ${clusterName}` },
      parent,
    );
    // Google derives the e-mail from the id and project; known up front, it shows in previews and plans.
    const nodeEmail = `${accountId}@${project}.iam.gserviceaccount.com`;
    const nodeRoles = NODE_ROLES.map(
      (role) =>
        new gcp.projects.IAMMember(
          `${name}-nodes-${role.split('/')[1]!.replace(/\./g, '-')}`,
          { project, role, member: `serviceAccount:${nodeEmail}` },
          { parent: this, dependsOn: [nodeAccount] },
        ),
    );

    const cluster = new gcp.container.Cluster(
      `${name}-cluster`,
      {
        project,
        name: clusterName,
        location: region,
        ...(args.nodeLocations ? { nodeLocations: [...args.nodeLocations] } : {}),
        network: network.id,
        subnetwork: subnet.id,
        networkingMode: 'VPC_NATIVE',
        ipAllocationPolicy: { clusterSecondaryRangeName: 'pods', servicesSecondaryRangeName: 'services' },
        // Node pools are managed separately, so changing one never recreates the cluster.
        removeDefaultNodePool: true,
        initialNodeCount: 1,
        releaseChannel: { channel: args.releaseChannel ?? 'REGULAR' },
        ...(args.version ? { minMasterVersion: args.version } : {}),
        datapathProvider: 'ADVANCED_DATAPATH',
        workloadIdentityConfig: { workloadPool: this.workloadPool },
        gatewayApiConfig: { channel: 'CHANNEL_STANDARD' },
        privateClusterConfig: privateNodes
          ? { enablePrivateNodes: true, enablePrivateEndpoint: false, masterIpv4CidrBlock: ranges.controlPlane }
          : undefined,
        masterAuthorizedNetworksConfig: {
          cidrBlocks: (args.authorizedNetworks ?? []).map((block, i) => ({
            cidrBlock: block,
            displayName: `authorized-${i}`,
          })),
        },
        enableShieldedNodes: true,
        enableLegacyAbac: false,
        masterAuth: { clientCertificateConfig: { issueClientCertificate: false } },
        deletionProtection: args.deletionProtection ?? true,
        resourceLabels: labels,
      },
      parent,
    );
    this.clusterName = cluster.name;

    const pools = (args.nodePools ?? [{ name: 'general' }]).map((pool) => {
      const min = pool.minNodesPerZone ?? 1;
      return new gcp.container.NodePool(
        `${name}-${pool.name}`,
        {
          project,
          name: pool.name,
          cluster: cluster.id,
          location: region,
          initialNodeCount: min,
          autoscaling: { minNodeCount: min, maxNodeCount: pool.maxNodesPerZone ?? Math.max(3, min) },
          management: { autoRepair: true, autoUpgrade: true },
          upgradeSettings: { maxSurge: 1, maxUnavailable: 0 },
          nodeConfig: {
            machineType: pool.machineType ?? 'e2-standard-4',
            diskSizeGb: pool.diskSizeGb ?? 100,
            diskType: 'pd-balanced',
            imageType: 'COS_CONTAINERD',
            spot: pool.spot ?? false,
            serviceAccount: nodeEmail,
            oauthScopes: ['https://www.googleapis.com/auth/cloud-platform'],
            // Pods see the GKE metadata server, never the node's credentials.
            workloadMetadataConfig: { mode: 'GKE_METADATA' },
            shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
            labels: { ...pool.labels, 'switchyard/node-pool': pool.name },
            resourceLabels: labels,
          },
        },
        { parent: this, dependsOn: nodeRoles, ignoreChanges: ['initialNodeCount'] },
      );
    });

    const member = (principal: string) => (principal.includes(':') ? principal : `serviceAccount:${principal}`);
    const grants = [
      new gcp.projects.IAMMember(
        `${name}-deployer`,
        { project, role: GKE_ACCESS_ROLES.deployer, member: member(args.access.deployer) },
        parent,
      ),
      ...(args.access.readers ?? []).map(
        (reader, i) =>
          new gcp.projects.IAMMember(
            `${name}-reader-${i}`,
            { project, role: GKE_ACCESS_ROLES.reader, member: reader },
            parent,
          ),
      ),
    ];

    this.kubeconfig = pulumi.secret(
      pulumi.all([cluster.name, cluster.endpoint, cluster.masterAuth]).apply(([id, endpoint, auth]) =>
        execKubeconfig({
          name: `gke_${project}_${region}_${id}`,
          endpoint,
          certificateAuthority: auth?.clusterCaCertificate ?? '',
          exec: gkeExec(),
        }),
      ),
    );
    this.provider = new k8s.Provider(
      `${name}-provider`,
      { kubeconfig: this.kubeconfig, enableServerSideApply: true },
      { parent: this, dependsOn: [...pools, ...grants] },
    );
    this.registerOutputs({ kubeconfig: this.kubeconfig, clusterName: this.clusterName, traits: this.traits });
  }
}
