/**
 * Releases as Flux objects for GitOps: a HelmRepository (HTTP charts) or OCIRepository (OCI charts) per
 * source, and a HelmRelease per release with `dependsOn` carrying the install order. Pure.
 */
import type { KubeObject } from '../routing/types';
import { isOciChart, type ReleaseSpec } from './release';
import { assertOptions, FLUX_OPTIONS_SPEC } from './schema';

/** Options of {@link fluxObjects}. */
export interface FluxOptions {
  /** Namespace of the Flux objects. @default 'flux-system' */
  readonly namespace?: string;
  /** How often Flux reconciles. @default '10m' */
  readonly interval?: string;
}

function sourceName(release: ReleaseSpec): string {
  return isOciChart(release.chart)
    ? `${release.name}-chart`
    : new URL(release.chart.repository).hostname.replace(/\./g, '-');
}

/** Flux sources and HelmReleases for the releases, so GitOps installs the same charts Pulumi does. */
export function fluxObjects(releases: readonly ReleaseSpec[], options: FluxOptions = {}): KubeObject[] {
  assertOptions(FLUX_OPTIONS_SPEC, options);
  const namespace = options.namespace ?? 'flux-system';
  const interval = options.interval ?? '10m';
  const sources = new Map<string, KubeObject>();
  const helmReleases = releases.map((release): KubeObject => {
    const name = sourceName(release);
    const oci = isOciChart(release.chart);
    if (!sources.has(name)) {
      sources.set(
        name,
        oci
          ? {
              apiVersion: 'source.toolkit.fluxcd.io/v1',
              kind: 'OCIRepository',
              metadata: { name, namespace },
              spec: {
                interval,
                url: `${release.chart.repository}/${release.chart.name}`,
                ref: { tag: release.chart.version },
              },
            }
          : {
              apiVersion: 'source.toolkit.fluxcd.io/v1',
              kind: 'HelmRepository',
              metadata: { name, namespace },
              spec: { interval, url: release.chart.repository },
            },
      );
    }
    const crds = release.skipCrds ? 'Skip' : 'CreateReplace';
    return {
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name: release.name, namespace },
      spec: {
        interval,
        releaseName: release.name,
        targetNamespace: release.namespace,
        timeout: `${release.timeoutSeconds}s`,
        ...(oci
          ? { chartRef: { kind: 'OCIRepository', name, namespace } }
          : {
              chart: {
                spec: {
                  chart: release.chart.name,
                  version: release.chart.version,
                  sourceRef: { kind: 'HelmRepository', name, namespace },
                },
              },
            }),
        install: { createNamespace: true, crds, remediation: { retries: 3 } },
        upgrade: { crds, cleanupOnFail: true, remediation: { retries: 3, remediateLastFailure: true } },
        ...(release.dependsOn.length ? { dependsOn: release.dependsOn.map((dep) => ({ name: dep })) } : {}),
        values: release.values,
      },
    };
  });
  return [...sources.values(), ...helmReleases];
}
