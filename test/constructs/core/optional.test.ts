import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  assertOptionalPeers,
  MissingPeerDependencyError,
  type ModuleLoader,
  OPTIONAL_PEERS,
  requireOptional,
} from '../../../constructs/core/optional';

const root = path.resolve(__dirname, '../../..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
  devDependencies: Record<string, string>;
};

/** A loader for which `absent` packages are not installed, with Node's error; the rest load normally. */
function without(...absent: string[]): ModuleLoader {
  const notFound = (id: string) =>
    Object.assign(new Error(`Cannot find module '${id}'\nRequire stack:\n- ${__filename}`), {
      code: 'MODULE_NOT_FOUND',
    });
  const gone = (id: string) => absent.some((p) => id === p || id.startsWith(`${p}/`));
  const loader = (id: string) => {
    if (gone(id)) throw notFound(id);
    return require(id);
  };
  loader.resolve = (id: string) => {
    if (gone(id)) throw notFound(id);
    return require.resolve(id);
  };
  return loader;
}

describe('requireOptional', () => {
  it('loads an installed optional peer', () => {
    const random = requireOptional<typeof import('@pulumi/random')>('@pulumi/random', 'BareMetalCluster');
    expect(typeof random.RandomPassword).toBe('function');
  });

  it('names the package, the feature and the install command when the package is missing', () => {
    const load = () => requireOptional('@pulumi/command', 'BareMetalCluster', without('@pulumi/command'));
    expect(load).toThrow(MissingPeerDependencyError);
    expect(load).toThrow(
      'BareMetalCluster needs @pulumi/command (optional peer dependencies of switchyard): npm install @pulumi/command@^4.5.0',
    );
    try {
      load();
    } catch (e) {
      const error = e as MissingPeerDependencyError;
      expect(error.packages).toEqual(['@pulumi/command']);
      expect(error.feature).toBe('BareMetalCluster');
      expect(error.installCommand).toBe('npm install @pulumi/command@^4.5.0');
      expect(error.name).toBe('MissingPeerDependencyError');
    }
  });

  it('names the package of a missing subpath', () => {
    expect(() =>
      requireOptional('@pulumi/azure-native/network', "'switchyard/aks'", without('@pulumi/azure-native')),
    ).toThrow("'switchyard/aks' needs @pulumi/azure-native (optional peer dependencies of switchyard)");
  });

  it('keeps the error of an installed package that fails to load one of its own dependencies', () => {
    const broken: ModuleLoader = Object.assign(
      (id: string): unknown => {
        throw Object.assign(new Error(`Cannot find module 'mime'\nRequire stack:\n- ${id}`), {
          code: 'MODULE_NOT_FOUND',
        });
      },
      { resolve: (id: string) => id },
    );
    expect(() => requireOptional('@pulumi/aws', 'EksCluster', broken)).toThrow("Cannot find module 'mime'");
    expect(() => requireOptional('@pulumi/aws', 'EksCluster', broken)).not.toThrow(MissingPeerDependencyError);
  });
});

describe('assertOptionalPeers', () => {
  it('passes when every package is installed, without loading them', () => {
    const loaded: string[] = [];
    const loader = Object.assign((id: string) => loaded.push(id), { resolve: require.resolve });
    assertOptionalPeers(['@pulumi/pulumi', '@pulumi/kubernetes', '@pulumi/aws'], "'switchyard/eks'", loader);
    expect(loaded).toEqual([]);
  });

  it('names every missing package in one error and one install command', () => {
    expect(() =>
      assertOptionalPeers(
        ['@pulumi/pulumi', '@pulumi/kubernetes', '@pulumi/aws'],
        "'switchyard/eks'",
        without('@pulumi/pulumi', '@pulumi/aws'),
      ),
    ).toThrow(
      "'switchyard/eks' needs @pulumi/pulumi and @pulumi/aws (optional peer dependencies of switchyard): " +
        'npm install @pulumi/pulumi@^3.150.0 @pulumi/aws@^7.48.0',
    );
  });
});

describe('the optional peers match package.json', () => {
  it('each has the range of peerDependencies, is marked optional and is pinned for the repo in devDependencies', () => {
    for (const [name, range] of Object.entries(OPTIONAL_PEERS)) {
      expect(manifest.peerDependencies[name], name).toBe(range);
      expect(manifest.peerDependenciesMeta[name]?.optional, name).toBe(true);
      expect(manifest.devDependencies[name], name).toMatch(/^\d+\.\d+\.\d+$/);
    }
  });

  it('every optional peer in package.json is known here', () => {
    const optional = Object.keys(manifest.peerDependenciesMeta).filter(
      (p) => manifest.peerDependenciesMeta[p]?.optional,
    );
    expect(optional.sort()).toEqual(Object.keys(OPTIONAL_PEERS).sort());
  });
});
