/**
 * Optional peer dependencies: the Pulumi engine, the cloud SDKs and the CrossGuard SDK, which a consumer installs
 * only for the parts of Switchyard it uses (a cdk8s-only platform installs none of them). Code that needs one loads
 * it through {@link requireOptional} or checks it with {@link assertOptionalPeers}, so a missing package is an error
 * that names the package, the feature that needs it and the command that installs it, not a bare MODULE_NOT_FOUND.
 * Pure: no engine imports (the packages are loaded by name, at run time).
 */

/**
 * The optional peers and the ranges `peerDependencies` accepts in package.json (a test keeps the two equal;
 * nothing under constructs/ reads files, so the ranges are written here).
 */
export const OPTIONAL_PEERS = {
  '@pulumi/pulumi': '^3.150.0',
  '@pulumi/kubernetes': '^4.20.0',
  '@pulumi/aws': '^7.48.0',
  '@pulumi/azure-native': '^3.28.0',
  '@pulumi/gcp': '^9.37.0',
  '@pulumi/openstack': '^3.15.2',
  '@pulumi/command': '^4.5.0',
  '@pulumi/random': '^4.21.2',
  '@pulumi/policy': '^1.21.0',
} as const satisfies Record<string, string>;

/** An optional peer package. */
export type OptionalPeer = keyof typeof OPTIONAL_PEERS;

/** An optional peer or one of its subpaths (`@pulumi/azure-native/containerservice`). */
export type OptionalPeerModule = OptionalPeer | `${OptionalPeer}/${string}`;

/** A feature was used whose optional peer dependencies are not installed. */
export class MissingPeerDependencyError extends Error {
  /** The command that installs what is missing, with the ranges Switchyard supports. */
  public readonly installCommand: string;

  public constructor(
    /** The packages to install. */
    public readonly packages: readonly OptionalPeer[],
    /** What needs them (a construct, an entry point). */
    public readonly feature: string,
  ) {
    const install = `npm install ${packages.map((p) => `${p}@${OPTIONAL_PEERS[p]}`).join(' ')}`;
    super(`${feature} needs ${listed(packages)} (optional peer dependencies of switchyard): ${install}`);
    this.name = 'MissingPeerDependencyError';
    this.installCommand = install;
  }
}

function listed(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** The package a module id belongs to: `@pulumi/azure-native/network` -> `@pulumi/azure-native`. */
function packageOf(id: OptionalPeerModule): OptionalPeer {
  return id.split('/').slice(0, 2).join('/') as OptionalPeer;
}

/**
 * Whether `error` says `id` itself cannot be found. A package that is present but fails to load one of its own
 * dependencies is a different problem, and its error is kept.
 */
function isNotFound(error: unknown, id: string): boolean {
  const e = error as { code?: unknown; message?: unknown } | undefined;
  return e?.code === 'MODULE_NOT_FOUND' && typeof e.message === 'string' && e.message.includes(`'${id}'`);
}

/**
 * How modules are found and loaded: this module's `require` (in the published CommonJS build, it resolves from
 * where the package is installed, like a static import would).
 * @internal tests pass another one to simulate a missing package
 */
export interface ModuleLoader {
  (id: string): unknown;
  resolve(id: string): string;
}

/**
 * Loads an optional peer (or a subpath of one) for `feature`.
 * @param id the module, e.g. `'@pulumi/command'`
 * @param feature what needs it, for the error: `'BareMetalCluster'`
 * @throws MissingPeerDependencyError if the package is not installed
 * @example
 * // With the package's types imported type-only (`import type * as command ...`), so nothing loads it before:
 * const sdk = requireOptional<typeof command>('@pulumi/command', 'BareMetalCluster');
 */
export function requireOptional<T>(id: OptionalPeerModule, feature: string, loader: ModuleLoader = require): T {
  try {
    return loader(id) as T;
  } catch (error) {
    if (isNotFound(error, id)) throw new MissingPeerDependencyError([packageOf(id)], feature);
    throw error;
  }
}

/**
 * Checks that optional peers are installed, without loading them (resolving only), and names every missing
 * one in a single error. Entry points call it before the imports that would fail on a missing package.
 * @param ids the modules `feature` imports
 * @param feature what needs them, for the error: `"'switchyard/eks'"`
 * @throws MissingPeerDependencyError naming all the missing packages
 */
export function assertOptionalPeers(
  ids: readonly OptionalPeerModule[],
  feature: string,
  loader: ModuleLoader = require,
): void {
  const missing = ids.filter((id) => {
    try {
      loader.resolve(id);
      return false;
    } catch (error) {
      if (isNotFound(error, id)) return true;
      throw error;
    }
  });
  if (missing.length) throw new MissingPeerDependencyError([...new Set(missing.map(packageOf))], feature);
}
