/**
 * A VPC for a cluster: one private and one public subnet per zone, an internet gateway, and NAT gateways
 * (one per zone by default, so losing a zone does not cut the others off). Subnets carry the tags the AWS
 * Load Balancer Controller discovers them by.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { assertDnsLabel, InvalidPropertyError, show } from '../core/validate';
import { AWS_VPC_ARGS_SPEC, assertClusterArgs } from './schema';
import { planSubnets, type ZoneSubnets } from './subnets';

/** Arguments of {@link AwsVpc}. */
export interface AwsVpcArgs {
  /** Zones to spread over, like `['eu-west-1a', 'eu-west-1b', 'eu-west-1c']`. */
  readonly availabilityZones: readonly string[];
  /**
   * Address range, /16 to /20.
   * @default '10.0.0.0/16'
   */
  readonly cidr?: string;
  /**
   * NAT gateways: one per zone (zone failures stay contained) or a single one (cheaper, for dev).
   * @default 'per-zone'
   */
  readonly natGateways?: 'per-zone' | 'single';
  /**
   * Name of the EKS cluster whose load balancers may use the subnets (adds `kubernetes.io/cluster/<name>`).
   * @default - no cluster tag
   */
  readonly clusterName?: string;
  /** @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

/** A VPC for a cluster: private and public subnets per zone, an internet gateway and NAT gateways. */
export class AwsVpc extends pulumi.ComponentResource {
  public readonly vpcId: pulumi.Output<string>;
  public readonly privateSubnetIds: pulumi.Output<string>[];
  public readonly publicSubnetIds: pulumi.Output<string>[];
  /** The address plan, per zone. */
  public readonly plan: readonly ZoneSubnets[];

  public constructor(name: string, args: AwsVpcArgs, opts?: pulumi.ComponentResourceOptions) {
    super('switchyard:cluster:AwsVpc', name, {}, opts);
    assertDnsLabel('name', name);
    assertClusterArgs(AWS_VPC_ARGS_SPEC, args);
    const natGateways = args.natGateways ?? 'per-zone';
    if (natGateways !== 'per-zone' && natGateways !== 'single') {
      throw new InvalidPropertyError(
        'natGateways',
        `'natGateways' (${show(natGateways)}) must be 'per-zone' or 'single'`,
      );
    }
    const cidr = args.cidr ?? '10.0.0.0/16';
    this.plan = planSubnets(cidr, args.availabilityZones, 'cidr');
    const parent = { parent: this };
    const tags = (extra: Record<string, string>, suffix: string) => ({
      ...args.tags,
      Name: `${name}-${suffix}`,
      ...(args.clusterName ? { [`kubernetes.io/cluster/${args.clusterName}`]: 'shared' } : {}),
      ...extra,
    });

    const vpc = new aws.ec2.Vpc(
      name,
      { cidrBlock: cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: tags({}, 'vpc') },
      parent,
    );
    const gateway = new aws.ec2.InternetGateway(name, { vpcId: vpc.id, tags: tags({}, 'igw') }, parent);
    const publicRoutes = new aws.ec2.RouteTable(
      `${name}-public`,
      { vpcId: vpc.id, routes: [{ cidrBlock: '0.0.0.0/0', gatewayId: gateway.id }], tags: tags({}, 'public') },
      parent,
    );
    const publicSubnets = this.plan.map((zone, i) => {
      const subnet = new aws.ec2.Subnet(
        `${name}-public-${i}`,
        {
          vpcId: vpc.id,
          cidrBlock: zone.public,
          availabilityZone: zone.zone,
          mapPublicIpOnLaunch: false,
          tags: tags({ 'kubernetes.io/role/elb': '1' }, `public-${zone.zone}`),
        },
        parent,
      );
      new aws.ec2.RouteTableAssociation(
        `${name}-public-${i}`,
        { subnetId: subnet.id, routeTableId: publicRoutes.id },
        parent,
      );
      return subnet;
    });
    const nats = (natGateways === 'single' ? publicSubnets.slice(0, 1) : publicSubnets).map((subnet, i) => {
      const address = new aws.ec2.Eip(`${name}-nat-${i}`, { domain: 'vpc', tags: tags({}, `nat-${i}`) }, parent);
      return new aws.ec2.NatGateway(
        `${name}-nat-${i}`,
        { allocationId: address.id, subnetId: subnet.id, tags: tags({}, `nat-${i}`) },
        { parent: this, dependsOn: [gateway] },
      );
    });
    const privateSubnets = this.plan.map((zone, i) => {
      const subnet = new aws.ec2.Subnet(
        `${name}-private-${i}`,
        {
          vpcId: vpc.id,
          cidrBlock: zone.private,
          availabilityZone: zone.zone,
          tags: tags({ 'kubernetes.io/role/internal-elb': '1' }, `private-${zone.zone}`),
        },
        parent,
      );
      const routes = new aws.ec2.RouteTable(
        `${name}-private-${i}`,
        {
          vpcId: vpc.id,
          routes: [{ cidrBlock: '0.0.0.0/0', natGatewayId: nats[Math.min(i, nats.length - 1)]!.id }],
          tags: tags({}, `private-${zone.zone}`),
        },
        parent,
      );
      new aws.ec2.RouteTableAssociation(
        `${name}-private-${i}`,
        { subnetId: subnet.id, routeTableId: routes.id },
        parent,
      );
      return subnet;
    });

    this.vpcId = vpc.id;
    this.privateSubnetIds = privateSubnets.map((s) => s.id);
    this.publicSubnetIds = publicSubnets.map((s) => s.id);
    this.registerOutputs({
      vpcId: this.vpcId,
      privateSubnetIds: this.privateSubnetIds,
      publicSubnetIds: this.publicSubnetIds,
    });
  }
}
