/**
 * Cluster add-ons the controllers rely on: the Gateway API CRDs, cert-manager with its ClusterIssuers,
 * MetalLB with address pools (bare metal and VMs), and the AWS Load Balancer Controller (EKS). Pure.
 */
import type { ResolvedClusterTraits } from '../cluster/traits';
import { assertDnsLabel, InvalidPropertyError, isIamRoleArn } from '../core/validate';
import type { KubeObject } from '../routing/types';
import { checkCidr } from '../routing/values';
import { CHARTS } from './charts';
import { topologySpread } from './exposure';
import { deepMerge, type ReleaseSpec, validateRelease } from './release';
import {
  AWS_LOAD_BALANCER_CONTROLLER_OPTIONS_SPEC,
  assertOptions,
  assertResolvedTraits,
  CERT_MANAGER_OPTIONS_SPEC,
  HTTP01_SOLVER_SPEC,
  METALLB_OPTIONS_SPEC,
} from './schema';

/** The Gateway API CRDs as a release of their own, installed first and upgraded with it. */
export function gatewayApiCrds(
  options: { readonly channel?: 'standard' | 'experimental'; readonly envoyGatewayCrds?: boolean } = {},
): ReleaseSpec {
  return validateRelease({
    name: 'gateway-api-crds',
    namespace: 'gateway-system',
    chart: CHARTS.gatewayCrds,
    values: {
      crds: {
        gatewayAPI: { enabled: true, channel: options.channel ?? 'standard' },
        envoyGateway: { enabled: options.envoyGatewayCrds ?? false },
      },
    },
  });
}

/** An ACME ClusterIssuer (Let's Encrypt by default) solving HTTP-01 through the Gateway or an IngressClass. */
export interface AcmeIssuer {
  readonly name: string;
  /** Account e-mail for expiry notices. */
  readonly email: string;
  /** @default 'https://acme-v02.api.letsencrypt.org/directory' */
  readonly server?: string;
}

/** Options of {@link certManager}. */
export interface CertManagerOptions {
  /** @default [] */
  readonly issuers?: readonly AcmeIssuer[];
  /** @default 'cert-manager' */
  readonly namespace?: string;
  /** Raw chart values, deep-merged last. @default {} */
  readonly values?: Readonly<Record<string, unknown>>;
}

/** Where HTTP-01 challenges are answered: the Gateway, or an IngressClass. */
export type Http01Solver =
  | { readonly gateway: { readonly name: string; readonly namespace: string } }
  | { readonly ingressClassName: string };

/** cert-manager's release (CRDs, HA controller, webhook and cainjector) and its ACME ClusterIssuers. */
export function certManager(
  cluster: ResolvedClusterTraits,
  solver: Http01Solver,
  options: CertManagerOptions = {},
): { release: ReleaseSpec; objects: KubeObject[] } {
  assertResolvedTraits(cluster);
  assertOptions(HTTP01_SOLVER_SPEC, solver, 'solver');
  assertOptions(CERT_MANAGER_OPTIONS_SPEC, options);
  const namespace = options.namespace ?? 'cert-manager';
  assertDnsLabel('namespace', namespace);
  const gatewayApi = 'gateway' in solver;
  const spread = topologySpread(cluster, {
    'app.kubernetes.io/instance': 'cert-manager',
    'app.kubernetes.io/component': 'controller',
  });
  const release = validateRelease({
    name: 'cert-manager',
    namespace,
    chart: CHARTS.certManager,
    values: deepMerge(
      {
        crds: { enabled: true, keep: true },
        replicaCount: 2,
        podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
        topologySpreadConstraints: spread,
        resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '512Mi' } },
        webhook: { replicaCount: 2, podDisruptionBudget: { enabled: true, maxUnavailable: 1 } },
        cainjector: { replicaCount: 2, podDisruptionBudget: { enabled: true, maxUnavailable: 1 } },
        // Gateway API support needs the Gateway API CRDs present before cert-manager starts.
        config: {
          apiVersion: 'controller.config.cert-manager.io/v1alpha1',
          kind: 'ControllerConfiguration',
          enableGatewayAPI: gatewayApi,
        },
        prometheus: { enabled: true, servicemonitor: { enabled: cluster.prometheusOperator } },
      },
      options.values,
    ),
    dependsOn: gatewayApi ? ['gateway-api-crds'] : [],
    timeoutSeconds: 600,
  });
  const objects = (options.issuers ?? []).map((issuer): KubeObject => {
    assertDnsLabel('issuers[].name', issuer.name);
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(issuer.email)) {
      throw new InvalidPropertyError(
        'issuers[].email',
        `'issuers[].email' (${JSON.stringify(issuer.email)}) must be an e-mail address for the ACME account`,
      );
    }
    const http01 = gatewayApi
      ? {
          gatewayHTTPRoute: {
            parentRefs: [{ name: solver.gateway.name, namespace: solver.gateway.namespace, kind: 'Gateway' }],
          },
        }
      : { ingress: { ingressClassName: solver.ingressClassName } };
    return {
      apiVersion: 'cert-manager.io/v1',
      kind: 'ClusterIssuer',
      metadata: { name: issuer.name },
      spec: {
        acme: {
          email: issuer.email,
          server: issuer.server ?? 'https://acme-v02.api.letsencrypt.org/directory',
          privateKeySecretRef: { name: `${issuer.name}-account-key` },
          solvers: [{ http01 }],
        },
      },
    };
  });
  return { release, objects };
}

/** Options of {@link metallb}. */
export interface MetalLbOptions {
  /** Addresses MetalLB hands out: CIDRs or 'first-last' ranges. */
  readonly addresses: readonly string[];
  /**
   * How addresses are announced: layer 2 (ARP/NDP), or BGP to the given peer.
   * @default { mode: 'l2' }
   */
  readonly advertisement?:
    | { readonly mode: 'l2' }
    | { readonly mode: 'bgp'; readonly myAsn: number; readonly peerAsn: number; readonly peerAddress: string };
  /** @default 'metallb-system' */
  readonly namespace?: string;
}

function checkAddress(entry: string): string | undefined {
  const range = /^([^-\s]+)-([^-\s]+)$/.exec(entry);
  if (range)
    return [range[1]!, range[2]!].every((a) => checkCidr(`${a}/${a.includes(':') ? 128 : 32}`) === undefined)
      ? undefined
      : 'must be a CIDR or a first-last range of addresses';
  return checkCidr(entry);
}

/** MetalLB's release, its address pools and their L2 or BGP advertisement. */
export function metallb(options: MetalLbOptions): { release: ReleaseSpec; objects: KubeObject[] } {
  assertOptions(METALLB_OPTIONS_SPEC, options);
  const namespace = options.namespace ?? 'metallb-system';
  assertDnsLabel('namespace', namespace);
  if (options.addresses.length === 0)
    throw new InvalidPropertyError(
      'addresses',
      "'addresses' is empty: give MetalLB at least one CIDR or range to hand out",
    );
  options.addresses.forEach((a, i) => {
    const problem = checkAddress(a);
    if (problem)
      throw new InvalidPropertyError(`addresses[${i}]`, `'addresses[${i}]' (${JSON.stringify(a)}) ${problem}`);
  });
  const release = validateRelease({
    name: 'metallb',
    namespace,
    chart: CHARTS.metallb,
    values: { controller: { resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } } } },
  });
  const pool: KubeObject = {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'IPAddressPool',
    metadata: { name: 'default', namespace },
    spec: { addresses: [...options.addresses] },
  };
  const ad = options.advertisement ?? { mode: 'l2' };
  const announce: KubeObject[] =
    ad.mode === 'l2'
      ? [
          {
            apiVersion: 'metallb.io/v1beta1',
            kind: 'L2Advertisement',
            metadata: { name: 'default', namespace },
            spec: { ipAddressPools: ['default'] },
          },
        ]
      : [
          {
            apiVersion: 'metallb.io/v1beta2',
            kind: 'BGPPeer',
            metadata: { name: 'upstream', namespace },
            spec: { myASN: ad.myAsn, peerASN: ad.peerAsn, peerAddress: ad.peerAddress },
          },
          {
            apiVersion: 'metallb.io/v1beta1',
            kind: 'BGPAdvertisement',
            metadata: { name: 'default', namespace },
            spec: { ipAddressPools: ['default'] },
          },
        ];
  return { release, objects: [pool, ...announce] };
}

/** The controller's service account, which its IRSA role trusts (EksCluster creates that role). */
export const AWS_LOAD_BALANCER_CONTROLLER_ACCOUNT = {
  namespace: 'kube-system',
  name: 'aws-load-balancer-controller',
} as const;

/** Options of {@link awsLoadBalancerController}. */
export interface AwsLoadBalancerControllerOptions {
  /** The EKS cluster's name (required by the chart). */
  readonly clusterName: string;
  /** IAM role for the controller's service account (IRSA). */
  readonly roleArn: string;
  /** @default - discovered from the node's metadata */
  readonly region?: string;
  /** @default - discovered from the node's metadata */
  readonly vpcId?: string;
  /** @default {} */
  readonly values?: Readonly<Record<string, unknown>>;
}

/** The AWS Load Balancer Controller: NLBs for the controllers' Services, ALBs for the aws-alb dialect. */
export function awsLoadBalancerController(
  cluster: ResolvedClusterTraits,
  options: AwsLoadBalancerControllerOptions,
): ReleaseSpec {
  assertResolvedTraits(cluster);
  assertOptions(AWS_LOAD_BALANCER_CONTROLLER_OPTIONS_SPEC, options);
  if (cluster.kind !== 'eks')
    throw new InvalidPropertyError(
      'cluster.kind',
      `the AWS Load Balancer Controller runs on EKS, not on '${cluster.kind}'`,
    );
  if (!isIamRoleArn(options.roleArn)) {
    throw new InvalidPropertyError(
      'roleArn',
      `'roleArn' (${JSON.stringify(options.roleArn)}) must be an IAM role ARN, e.g. arn:aws:iam::123456789012:role/aws-load-balancer-controller`,
    );
  }
  assertDnsLabel('clusterName', options.clusterName.toLowerCase());
  return validateRelease({
    name: 'aws-load-balancer-controller',
    namespace: AWS_LOAD_BALANCER_CONTROLLER_ACCOUNT.namespace,
    chart: CHARTS.awsLoadBalancerController,
    values: deepMerge(
      {
        clusterName: options.clusterName,
        ...(options.region ? { region: options.region } : {}),
        ...(options.vpcId ? { vpcId: options.vpcId } : {}),
        replicaCount: 2,
        podDisruptionBudget: { maxUnavailable: 1 },
        serviceAccount: {
          create: true,
          name: AWS_LOAD_BALANCER_CONTROLLER_ACCOUNT.name,
          annotations: { 'eks.amazonaws.com/role-arn': options.roleArn },
        },
        // Otherwise the controller takes over every new LoadBalancer Service, other controllers' included.
        enableServiceMutatorWebhook: false,
        createIngressClassResource: true,
        ingressClass: 'alb',
        ingressClassConfig: { default: false },
        serviceMonitor: { enabled: cluster.prometheusOperator },
      },
      options.values,
    ),
    timeoutSeconds: 600,
  });
}
