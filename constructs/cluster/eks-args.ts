/**
 * The arguments of EksCluster and their checks, as pure data and functions: what a cluster may be asked for
 * and the errors that name the property. No engine import, so the checks run anywhere.
 */
import { assertDnsLabel, firstDuplicate, InvalidPropertyError, show } from '../core/validate';
import { type ClusterAccess, validateClusterAccess } from './access';
import { assertClusterArgs, EKS_ARGS_SPEC } from './schema';
import { assertIpv4Cidr, assertPoolSizes, planSubnets } from './subnets';
import type { ClusterTraits } from './traits';

/** The Kubernetes version new clusters get unless another is pinned. */
export const EKS_VERSION = '1.33';

/** The EKS-managed add-ons every cluster gets. */
export const EKS_ADDONS = ['vpc-cni', 'kube-proxy', 'coredns', 'aws-ebs-csi-driver'] as const;
/** Name of an EKS-managed add-on Switchyard installs. */
export type EksAddonName = (typeof EKS_ADDONS)[number];

/** A managed node group. */
export interface EksNodeGroupSpec {
  /** Name, unique in the cluster (a DNS label). */
  readonly name: string;
  /** @default ['m6i.large'] */
  readonly instanceTypes?: readonly string[];
  /** @default 3 (one node per zone) */
  readonly minSize?: number;
  /** @default 6 */
  readonly maxSize?: number;
  /** @default - minSize */
  readonly desiredSize?: number;
  /** @default 'ON_DEMAND' */
  readonly capacityType?: 'ON_DEMAND' | 'SPOT';
  /** @default 'AL2023_x86_64_STANDARD' */
  readonly amiType?: string;
  /** Root volume size in GiB. @default 50 */
  readonly diskSizeGiB?: number;
  /** @default {} */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Loki's bucket on EKS (see `EksClusterArgs.logBucket`). */
export interface EksLogBucketArgs {
  /** Globally unique S3 bucket name (3-63 lowercase letters, digits, dots and dashes). */
  readonly bucketName: string;
  /** Days objects are kept: at least the logs stack's retention, which deletes earlier. @default 30 */
  readonly retentionDays?: number;
  /** Loki's service account, as the logs stack installs it. @default { namespace: 'logging', name: 'loki' } */
  readonly serviceAccount?: { readonly namespace: string; readonly name: string };
}

/** Who can reach the Kubernetes API endpoint. */
export interface EksEndpointAccess {
  /** Reachable from inside the VPC (nodes, self-hosted runners, VPN). @default true */
  readonly private?: boolean;
  /** Source ranges allowed on the public endpoint; empty means no public endpoint. @default [] */
  readonly publicCidrs?: readonly string[];
}

/** Arguments of {@link EksCluster}. */
export interface EksClusterArgs {
  /** Zones of the VPC and node groups (at least 2; 3 for production), like `['eu-west-1a', 'eu-west-1b', 'eu-west-1c']`. */
  readonly availabilityZones: readonly string[];
  /** Who may deploy (an IAM role ARN, the pipeline's) and who may read. */
  readonly access: ClusterAccess;
  /**
   * EKS cluster name.
   * @default - the component's name
   */
  readonly clusterName?: string;
  /** @default EKS_VERSION */
  readonly version?: string;
  /** @default '10.0.0.0/16' */
  readonly vpcCidr?: string;
  /** @default 'per-zone' */
  readonly natGateways?: 'per-zone' | 'single';
  /** @default { private: true, publicCidrs: [] } (private endpoint only) */
  readonly endpoint?: EksEndpointAccess;
  /** @default [{ name: 'general' }] */
  readonly nodeGroups?: readonly EksNodeGroupSpec[];
  /**
   * Pinned add-on versions, like `{ coredns: 'v1.12.1-eksbuild.2' }`.
   * @default - EKS's default version for the cluster's Kubernetes version
   */
  readonly addonVersions?: Partial<Readonly<Record<EksAddonName, string>>>;
  /**
   * An IRSA role `<clusterName>-external-secrets` for the External Secrets Operator, allowed to read the
   * Secrets Manager secrets whose names start with `secretPrefix` (like 'shop/prod/').
   * @default - no role
   */
  readonly externalSecrets?: { readonly secretPrefix: string };
  /**
   * An S3 bucket for Loki's chunks and index (encrypted, private, TLS only, objects expiring after
   * `retentionDays`) and an IRSA role `<clusterName>-loki` for Loki's service account that may read and
   * write that bucket only: pass `{ type: 's3', bucket, region, roleArn }` as the logs stack's storage.
   * @default - no bucket (Loki on a volume, single replica)
   */
  readonly logBucket?: EksLogBucketArgs;
  /** @default ['api', 'audit', 'authenticator'] */
  readonly logTypes?: readonly string[];
  /**
   * Refuse to delete the cluster until this is turned off.
   * @default true
   */
  readonly deletionProtection?: boolean;
  /** @default { kind: 'eks' } */
  readonly traits?: Omit<ClusterTraits, 'kind' | 'zones' | 'kubernetesVersion'>;
  /** Tags for every AWS resource. @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

const LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];

/** Checks the arguments, naming the property. */
export function validateEksCluster(name: string, args: EksClusterArgs): void {
  assertDnsLabel('name', name);
  assertClusterArgs(EKS_ARGS_SPEC, args);
  if (args.clusterName !== undefined) assertDnsLabel('clusterName', args.clusterName);
  const zones = args.availabilityZones ?? [];
  if (zones.length < 2) {
    throw new InvalidPropertyError(
      'availabilityZones',
      `'availabilityZones' has ${zones.length} zone(s): EKS needs subnets in at least 2 (use 3 for production)`,
    );
  }
  const region = regionOf(zones[0]!);
  for (const [i, zone] of zones.entries()) {
    if (!/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/.test(zone) || regionOf(zone) !== region) {
      throw new InvalidPropertyError(
        `availabilityZones[${i}]`,
        `'availabilityZones[${i}]' (${show(zone)}) must be a zone of ${region}, like ${region}a`,
      );
    }
  }
  if (new Set(zones).size !== zones.length) {
    throw new InvalidPropertyError('availabilityZones', `'availabilityZones' lists a zone twice`);
  }
  planSubnets(args.vpcCidr ?? '10.0.0.0/16', zones, 'vpcCidr');
  if (args.version !== undefined && !/^1\.\d{2}$/.test(args.version)) {
    throw new InvalidPropertyError(
      'version',
      `'version' (${show(args.version)}) must be a minor version like '${EKS_VERSION}'`,
    );
  }
  const publicCidrs = args.endpoint?.publicCidrs ?? [];
  for (const [i, cidr] of publicCidrs.entries()) assertIpv4Cidr(`endpoint.publicCidrs[${i}]`, cidr);
  if (args.endpoint?.private === false && publicCidrs.length === 0) {
    throw new InvalidPropertyError(
      'endpoint',
      `'endpoint' turns the private endpoint off and lists no publicCidrs: nothing could reach the API; keep private: true or list the ranges of your runners`,
    );
  }
  const groups = args.nodeGroups ?? [{ name: 'general' }];
  if (groups.length === 0) throw new InvalidPropertyError('nodeGroups', `'nodeGroups' is empty: add at least one`);
  for (const [i, group] of groups.entries()) validateNodeGroup(`nodeGroups[${i}]`, group);
  const twice = firstDuplicate(groups.map((g) => g.name));
  if (twice) throw new InvalidPropertyError('nodeGroups', `'nodeGroups' has two groups named ${twice}`);
  for (const type of args.logTypes ?? []) {
    if (!LOG_TYPES.includes(type)) {
      throw new InvalidPropertyError(
        'logTypes',
        `'logTypes' entry ${show(type)} must be one of ${LOG_TYPES.join(', ')}`,
      );
    }
  }
  const prefix = args.externalSecrets?.secretPrefix;
  if (prefix !== undefined && !/^[\w/+=.@-]{1,256}$/.test(prefix)) {
    throw new InvalidPropertyError(
      'externalSecrets.secretPrefix',
      `'externalSecrets.secretPrefix' (${show(prefix)}) must be a Secrets Manager name prefix like 'shop/prod/'`,
    );
  }
  if (args.logBucket) validateLogBucket(args.logBucket);
  for (const addon of Object.keys(args.addonVersions ?? {})) {
    if (!(EKS_ADDONS as readonly string[]).includes(addon)) {
      throw new InvalidPropertyError(
        'addonVersions',
        `'addonVersions' names ${show(addon)}: use ${EKS_ADDONS.join(', ')}`,
      );
    }
  }
  validateClusterAccess('eks', args.access);
}

function validateLogBucket(bucket: EksLogBucketArgs): void {
  const name = bucket.bucketName;
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) || name.includes('..') || /^\d+\.\d+\.\d+\.\d+$/.test(name)) {
    throw new InvalidPropertyError(
      'logBucket.bucketName',
      `'logBucket.bucketName' (${show(name)}) must be an S3 bucket name: 3-63 lowercase letters, digits, dots and dashes, not an IP address`,
    );
  }
  const days = bucket.retentionDays ?? 30;
  if (!Number.isInteger(days) || days < 1 || days > 3650) {
    throw new InvalidPropertyError(
      'logBucket.retentionDays',
      `'logBucket.retentionDays' (${show(days)}) must be a whole number of days from 1 to 3650`,
    );
  }
  if (bucket.serviceAccount) {
    assertDnsLabel('logBucket.serviceAccount.namespace', bucket.serviceAccount.namespace);
    assertDnsLabel('logBucket.serviceAccount.name', bucket.serviceAccount.name);
  }
}

function validateNodeGroup(property: string, group: EksNodeGroupSpec): void {
  assertDnsLabel(`${property}.name`, group.name);
  const min = group.minSize ?? 3;
  const max = group.maxSize ?? Math.max(6, min);
  const desired = group.desiredSize ?? min;
  assertPoolSizes(property, min, max);
  if (!Number.isInteger(desired) || desired < min || desired > max) {
    throw new InvalidPropertyError(
      `${property}.desiredSize`,
      `'${property}.desiredSize' (${desired}) must lie between minSize (${min}) and maxSize (${max})`,
    );
  }
  if (group.instanceTypes !== undefined && group.instanceTypes.length === 0) {
    throw new InvalidPropertyError(`${property}.instanceTypes`, `'${property}.instanceTypes' is empty`);
  }
  const disk = group.diskSizeGiB ?? 50;
  if (!Number.isInteger(disk) || disk < 20 || disk > 16384) {
    throw new InvalidPropertyError(
      `${property}.diskSizeGiB`,
      `'${property}.diskSizeGiB' (${disk}) must be 20 to 16384`,
    );
  }
}

/** The region of an availability zone (`eu-west-1a` → `eu-west-1`). */
export function regionOf(zone: string): string {
  return zone.replace(/[a-z]$/, '');
}
