/**
 * A Helm release as plain data: the chart (repository, name, pinned version), its values and its
 * place in the install order. Both engines install from it: Pulumi with `helm.v3.Release`, GitOps
 * with Flux `HelmRelease`. Pure: no engine imports.
 */
import { checkDnsLabel, InvalidPropertyError } from '../core/validate';

/** A chart in an HTTP repository (`https://...`) or an OCI registry (`oci://...`). */
export interface ChartRef {
  readonly repository: string;
  readonly name: string;
  /** Exact version: charts are pinned, never floating. */
  readonly version: string;
}

/** One Helm release. */
export interface ReleaseSpec {
  /** Release name (at most 53 characters: Helm's limit). */
  readonly name: string;
  readonly namespace: string;
  readonly chart: ChartRef;
  /** Values, with the user's raw `values` already deep-merged last. */
  readonly values: Readonly<Record<string, unknown>>;
  /** Releases that must be ready first (their CRDs or webhooks are needed). */
  readonly dependsOn: readonly string[];
  /** The chart's CRDs are installed by an earlier release: Helm must not install them. */
  readonly skipCrds: boolean;
  /** The release creates a LoadBalancer Service that only gets an address where a load balancer exists. */
  readonly awaitsLoadBalancer: boolean;
  /** How long an install or upgrade may take. */
  readonly timeoutSeconds: number;
  /** Set when the chart is deprecated: what to move to. */
  readonly deprecation?: string;
}

/** Whether the chart lives in an OCI registry. */
export function isOciChart(chart: ChartRef): boolean {
  return chart.repository.startsWith('oci://');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep-merges `override` into `base`: objects merge key by key, anything else (arrays included) replaces. */
export function deepMerge(
  base: Readonly<Record<string, unknown>>,
  override: Readonly<Record<string, unknown>> | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override ?? {})) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}

/** Rejects option keys a typed options object does not define (a typo must not pass silently). */
export function assertKnownOptions(what: string, options: object | undefined, known: readonly string[]): void {
  for (const key of Object.keys(options ?? {})) {
    if (!known.includes(key)) {
      throw new InvalidPropertyError(
        `${what}.${key}`,
        `'${what}.${key}' is not an option of ${what}: use one of ${known.join(', ')}, or set chart values through 'values'`,
      );
    }
  }
}

/**
 * A release as the catalog writes it: what most releases share may be left out (no dependencies, CRDs
 * installed, no LoadBalancer to wait for, Helm's 300 s timeout).
 */
export type ReleaseInput = Omit<ReleaseSpec, 'dependsOn' | 'skipCrds' | 'awaitsLoadBalancer' | 'timeoutSeconds'> &
  Partial<Pick<ReleaseSpec, 'dependsOn' | 'skipCrds' | 'awaitsLoadBalancer' | 'timeoutSeconds'>>;

/** Checks a release before it is handed to an engine, filling in the shared defaults. */
export function validateRelease(input: ReleaseInput): ReleaseSpec {
  const release: ReleaseSpec = {
    dependsOn: [],
    skipCrds: false,
    awaitsLoadBalancer: false,
    timeoutSeconds: 300,
    ...input,
  };
  const label = checkDnsLabel(release.name);
  if (label || release.name.length > 53) {
    throw new InvalidPropertyError(
      'name',
      `release name ${JSON.stringify(release.name)} ${label ?? "is longer than 53 characters (Helm's limit)"}`,
    );
  }
  if (!/^(https:\/\/|oci:\/\/)/.test(release.chart.repository)) {
    throw new InvalidPropertyError(
      'chart.repository',
      `chart repository ${JSON.stringify(release.chart.repository)} must start with https:// or oci://`,
    );
  }
  if (!/^v?\d+\.\d+\.\d+(-[\w.]+)?$/.test(release.chart.version)) {
    throw new InvalidPropertyError(
      'chart.version',
      `chart version ${JSON.stringify(release.chart.version)} must be an exact version such as 1.2.3`,
    );
  }
  return release;
}
