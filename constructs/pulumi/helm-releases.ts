import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { orderReleases } from '../ingress/platform';
import { isOciChart, type ReleaseSpec } from '../ingress/release';

/** Arguments of {@link HelmReleases}. */
export interface HelmReleasesArgs {
  /** The releases, e.g. `platformAddons(...).releases`; installed in dependency order. */
  readonly releases: readonly ReleaseSpec[];
  /**
   * Whether LoadBalancer Services get an address on this cluster (a cloud load balancer, or MetalLB
   * among the releases). Where they do not, releases that create one are not awaited, so `pulumi up`
   * does not hang on a pending address.
   * @default true
   */
  readonly loadBalancerAvailable?: boolean;
}

/**
 * Installs Helm releases with `@pulumi/kubernetes` `helm.v3.Release`: atomic, cleaned up on failure,
 * with timeouts, each release depending on the ones it needs (CRDs before the charts that use them).
 * The Kubernetes provider arrives through `opts.providers` / `opts.provider`.
 */
export class HelmReleases extends pulumi.ComponentResource {
  /** The releases by name, for `dependsOn` of what must come after them. */
  public readonly releases: Readonly<Record<string, k8s.helm.v3.Release>>;
  /** Release names in install order. */
  public readonly installOrder: pulumi.Output<string[]>;

  public constructor(name: string, args: HelmReleasesArgs, opts?: pulumi.ComponentResourceOptions) {
    super('switchyard:addons:HelmReleases', name, {}, opts);
    const loadBalancerAvailable = args.loadBalancerAvailable ?? true;
    const releases: Record<string, k8s.helm.v3.Release> = {};
    const order = orderReleases(args.releases);
    for (const spec of order) {
      const oci = isOciChart(spec.chart);
      releases[spec.name] = new k8s.helm.v3.Release(
        `${name}-${spec.name}`,
        {
          name: spec.name,
          namespace: spec.namespace,
          createNamespace: true,
          chart: oci ? `${spec.chart.repository}/${spec.chart.name}` : spec.chart.name,
          version: spec.chart.version,
          ...(oci ? {} : { repositoryOpts: { repo: spec.chart.repository } }),
          values: spec.values as Record<string, pulumi.Input<unknown>>,
          atomic: true,
          cleanupOnFail: true,
          timeout: spec.timeoutSeconds,
          skipCrds: spec.skipCrds,
          skipAwait: spec.awaitsLoadBalancer && !loadBalancerAvailable,
        },
        { parent: this, dependsOn: spec.dependsOn.map((dep) => releases[dep]!) },
      );
    }
    this.releases = releases;
    this.installOrder = pulumi.output(order.map((r) => r.name));
    this.registerOutputs({ installOrder: this.installOrder });
  }
}
