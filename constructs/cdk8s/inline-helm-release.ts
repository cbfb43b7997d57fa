import { Helm } from 'cdk8s';
import { Construct } from 'constructs';
import { isOciChart, type ReleaseSpec } from '../ingress/release';

/** Properties of {@link InlineHelmRelease}. */
export interface InlineHelmReleaseProps {
  /** The release to render, e.g. one of `platformAddons(...).releases`. */
  readonly release: ReleaseSpec;
  /**
   * Render from a local copy of the chart (a vendored or air-gapped chart) instead of its repository.
   * @default - the release's repository
   */
  readonly chartPath?: string;
  /**
   * The helm binary.
   * @default 'helm' on the PATH
   */
  readonly helmExecutable?: string;
}

/**
 * Renders a release with `helm template` at synth time (cdk8s `Helm`) and adds its objects to the
 * chart: for teams that want every object in the synthesized output rather than a Flux HelmRelease.
 * The CRDs are rendered only when the release does not skip them.
 */
export class InlineHelmRelease extends Construct {
  /** The underlying cdk8s Helm construct. */
  public readonly helm: Helm;

  public constructor(scope: Construct, id: string, props: InlineHelmReleaseProps) {
    super(scope, id);
    const { release } = props;
    const oci = isOciChart(release.chart);
    this.helm = new Helm(this, 'Chart', {
      chart: props.chartPath ?? (oci ? `${release.chart.repository}/${release.chart.name}` : release.chart.name),
      ...(props.chartPath || oci ? {} : { repo: release.chart.repository }),
      ...(props.chartPath ? {} : { version: release.chart.version }),
      releaseName: release.name,
      namespace: release.namespace,
      values: { ...release.values },
      ...(props.helmExecutable ? { helmExecutable: props.helmExecutable } : {}),
      helmFlags: release.skipCrds ? ['--skip-crds'] : ['--include-crds'],
    });
  }
}
