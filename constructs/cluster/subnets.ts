/**
 * Subnet plans for cluster networks, as pure functions: one private subnet per zone sized for pod IPs
 * (the VPC CNI gives pods VPC addresses) and one small public subnet per zone for load balancers and NAT.
 */
import { InvalidPropertyError, show } from '../core/validate';
import { parseCidr } from '../routing/values';

/** Subnets of one zone. */
export interface ZoneSubnets {
  readonly zone: string;
  /** Nodes and pods. */
  readonly private: string;
  /** Internet-facing load balancers and the NAT gateway. */
  readonly public: string;
}

function toIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/** Parses an IPv4 CIDR (with routing's CIDR parser), or explains what is wrong with it. */
export function parseIpv4Cidr(cidr: string): { base: number; prefix: number } | string {
  const parsed = typeof cidr === 'string' ? parseCidr(cidr) : undefined;
  if (parsed?.family !== 4) return 'must be an IPv4 CIDR like 10.0.0.0/16';
  const { prefix } = parsed;
  const base = parsed.bytes.reduce((n, byte) => n * 256 + byte, 0);
  if (base % 2 ** (32 - prefix) !== 0)
    return `has host bits set: use ${toIp(base - (base % 2 ** (32 - prefix)))}/${prefix}`;
  return { base, prefix };
}

/** Checks an IPv4 CIDR, naming the property. */
export function assertIpv4Cidr(property: string, value: string): void {
  const parsed = parseIpv4Cidr(value);
  if (typeof parsed === 'string') throw new InvalidPropertyError(property, `'${property}' (${show(value)}) ${parsed}`);
}

/**
 * Node pool sizes (a managed node group, a GKE or AKS pool): integers with 0 <= min <= max and max >= 1;
 * system pools need a node. Names the pool's property.
 */
export function assertPoolSizes(
  property: string,
  min: number,
  max: number,
  names = { min: 'minSize', max: 'maxSize' },
): void {
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0 || max < Math.max(1, min)) {
    throw new InvalidPropertyError(
      `${property}.${names.max}`,
      `'${property}' sizes (${names.min} ${min}, ${names.max} ${max}) must be integers with 0 <= ${names.min} <= ${names.max} and ${names.max} >= 1`,
    );
  }
}

/**
 * Splits a VPC CIDR (/16 to /20) over zones: private subnets of prefix+3 (an eighth each, a /19 of a /16) and
 * public subnets of prefix+8 (a /24 of a /16) after them. At most 6 zones.
 */
export function planSubnets(vpcCidr: string, zones: readonly string[], property = 'vpcCidr'): ZoneSubnets[] {
  const parsed = parseIpv4Cidr(vpcCidr);
  if (typeof parsed === 'string')
    throw new InvalidPropertyError(property, `'${property}' (${show(vpcCidr)}) ${parsed}`);
  if (parsed.prefix < 16 || parsed.prefix > 20) {
    throw new InvalidPropertyError(
      property,
      `'${property}' (${vpcCidr}) must be a /16 to /20: smaller networks run out of pod addresses`,
    );
  }
  if (zones.length === 0 || zones.length > 6) {
    throw new InvalidPropertyError('availabilityZones', `'availabilityZones' has ${zones.length} zones: use 1 to 6`);
  }
  const privateSize = 2 ** (32 - parsed.prefix - 3);
  const publicSize = 2 ** (32 - parsed.prefix - 8);
  const publicStart = parsed.base + 6 * privateSize;
  return zones.map((zone, i) => ({
    zone,
    private: `${toIp(parsed.base + i * privateSize)}/${parsed.prefix + 3}`,
    public: `${toIp(publicStart + i * publicSize)}/${parsed.prefix + 8}`,
  }));
}
