/**
 * Deploys a platform onto a cluster in phases: namespaces, then the add-on Helm releases (in dependency
 * order), then everything that needs their CRDs or controllers (infrastructure objects, apps, routes).
 * The objects are what cdk8s charts synthesize (`chart.toJson()`), so both engines deploy the same manifests.
 */
import * as pulumi from '@pulumi/pulumi';
import type { Chart } from 'cdk8s';
import type { KubernetesCluster } from '../cluster/cluster';
import type { ReleaseSpec } from '../ingress/release';
import type { KubeObject } from '../routing';
import { HelmReleases } from './helm-releases';
import { KubernetesManifests } from './kubernetes-manifests';

/** Arguments of {@link PlatformDeployment}. */
export interface PlatformDeploymentArgs {
  /** The cluster: its provider deploys everything, its traits say whether LoadBalancers get addresses. */
  readonly cluster: KubernetesCluster;
  /** Namespaces, applied first. @default [] */
  readonly namespaces?: readonly KubeObject[];
  /** Add-on releases in install order (`platformAddons(...).releases`). @default [] */
  readonly releases?: readonly ReleaseSpec[];
  /** Everything applied after the releases, in order. @default [] */
  readonly manifests?: readonly KubeObject[];
  /** cdk8s charts (apps, routes) applied after `manifests`, in order, as they synthesize. @default [] */
  readonly charts?: readonly Chart[];
}

/** Namespaces, then add-on releases, then manifests and charts, on a cluster's provider. */
export class PlatformDeployment extends pulumi.ComponentResource {
  /** Release names in the order they install. */
  public readonly installOrder: pulumi.Output<string[]>;
  /** How many objects the last phase applies. */
  public readonly objectCount: pulumi.Output<number>;

  public constructor(name: string, args: PlatformDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
    super(
      'switchyard:deploy:PlatformDeployment',
      name,
      {},
      {
        ...opts,
        providers: {
          kubernetes: args.cluster.provider,
          ...(opts?.providers as Record<string, pulumi.ProviderResource>),
        },
      },
    );
    const namespaces = new KubernetesManifests(
      `${name}-namespaces`,
      { objects: args.namespaces ?? [] },
      { parent: this },
    );
    const releases = new HelmReleases(
      `${name}-addons`,
      { releases: args.releases ?? [], loadBalancerAvailable: args.cluster.traits.loadBalancer !== 'none' },
      { parent: this, dependsOn: [namespaces] },
    );
    const manifests = new KubernetesManifests(
      `${name}-platform`,
      { objects: [...(args.manifests ?? []), ...(args.charts ?? []).flatMap((c) => c.toJson() as KubeObject[])] },
      { parent: this, dependsOn: [releases, ...Object.values(releases.releases)] },
    );
    this.installOrder = releases.installOrder;
    this.objectCount = manifests.objectCount;
    this.registerOutputs({ installOrder: this.installOrder, objectCount: this.objectCount });
  }
}
