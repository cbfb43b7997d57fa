import { describe, expect, it } from 'vitest';
import { definePlatform } from '../../../constructs/platform/define';
import { environmentAddons, environmentClusterTraits } from '../../../constructs/platform/environment-app';
import type { Environment } from '../../../constructs/platform/model';
import { platformPipelineProps } from '../../../constructs/platform/pipeline';
import { SMALL } from '../pipeline/fixtures';

const env = (name: string, cluster: Environment['cluster']): Environment => ({ name, namespace: 'shop', cluster });
const pipeline = { credentials: SMALL.environments[0]!.credentials, readOnly: SMALL.environments[0]!.readOnly };
const settings = { stateBackend: SMALL.stateBackend, signatures: SMALL.signatures };
const enforceVersions = (e: Environment) => [
  ...new Set(
    environmentAddons(e).namespaces.map(
      (n) => (n.metadata.labels as Record<string, string>)['pod-security.kubernetes.io/enforce-version'],
    ),
  ),
];

describe('the Kubernetes version of an environment', () => {
  it('comes from the trait, else what cluster.create installs, else the kind default', () => {
    expect(
      environmentClusterTraits(env('a', { traits: { kind: 'existing', kubernetesVersion: '1.31' } })).kubernetesVersion,
    ).toBe('1.31');
    const k3s = env('b', {
      traits: { kind: 'bare-metal' },
      create: { kind: 'bare-metal', servers: ['10.0.0.1'], k3sVersion: 'v1.32.9+k3s1' },
    });
    expect(environmentClusterTraits(k3s).kubernetesVersion).toBe('1.32');
    expect(environmentClusterTraits(env('c', { traits: { kind: 'bare-metal' } })).kubernetesVersion).toBe('1.33');
    expect(environmentClusterTraits(env('d', { traits: { kind: 'eks' } })).kubernetesVersion).toBe('1.33');
  });

  it('pins every platform namespace to it', () => {
    expect(enforceVersions(env('e', { traits: { kind: 'existing', kubernetesVersion: '1.31' } }))).toEqual(['v1.31']);
    expect(enforceVersions(env('f', { traits: { kind: 'existing' } }))).toEqual(['v1.33']);
  });

  it('fails if the trait and cluster.create disagree, naming both', () => {
    const bad = env('g', {
      traits: { kind: 'bare-metal', kubernetesVersion: '1.31' },
      create: { kind: 'bare-metal', servers: ['10.0.0.1'], k3sVersion: 'v1.32.9+k3s1' },
    });
    expect(() => environmentClusterTraits(bad)).toThrow(
      /environments.g: cluster.traits.kubernetesVersion \("1.31"\) must match the version cluster.create installs \("1.32"\)/,
    );
  });

  it("fills the pipeline's kubernetesVersion from the end-to-end environment's cluster", () => {
    const platform = definePlatform({
      environments: [
        { ...env('dev', { traits: { kind: 'existing', kubernetesVersion: '1.32' } }), pipeline },
        { ...env('prod', { traits: { kind: 'existing', kubernetesVersion: '1.31' } }), pipeline },
      ],
      pipeline: settings,
    });
    expect(platformPipelineProps(platform).kubernetesVersion).toBe('1.32');
    const chosen = definePlatform({ ...platform.definition, pipeline: { ...settings, endToEndEnvironment: 'prod' } });
    expect(platformPipelineProps(chosen).kubernetesVersion).toBe('1.31');
    const pinned = definePlatform({ ...platform.definition, pipeline: { ...settings, kubernetesVersion: '1.30' } });
    expect(() => platformPipelineProps(pinned)).toThrow(
      /'pipeline.kubernetesVersion' \("1.30"\) must be the minor of dev's cluster \("1.32"\)/,
    );
  });
});
