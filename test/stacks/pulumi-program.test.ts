import * as pulumi from '@pulumi/pulumi';
import { describe, expect, it, vi } from 'vitest';
import { ENVIRONMENTS } from '../../stacks/environments';
import { environmentObjects } from '../../stacks/synth';
import { promiseOf, settle, useMocks } from '../helpers/pulumi';

describe.each(ENVIRONMENTS.map((e) => [e.name, e] as const))('Pulumi program, stack %s', (stack, env) => {
  it('registers a provider and the environment objects, the same ones cdk8s synthesizes', async () => {
    const registered = useMocks(stack, { 'switchyard:kubeContext': `kind-${stack}` });
    vi.resetModules();
    const program = await import('../../stacks/pulumi/index');
    await settle();
    expect(program.environment).toBe(stack);
    expect(program.namespace).toBe(env.namespace);
    const objects = environmentObjects(env);
    expect(await promiseOf(program.objectCount)).toBe(objects.manifests.length);

    const provider = registered.find((r) => r.type === 'pulumi:providers:kubernetes');
    expect(provider?.inputs).toMatchObject({ context: `kind-${stack}` });
    const groups = registered.filter((r) => r.type === 'kubernetes:yaml/v2:ConfigGroup');
    expect(groups.map((g) => g.name)).toEqual([`${stack}-namespaces-objects`, `${stack}-platform-objects`]);
    expect(groups[0]!.inputs.objs).toEqual(objects.namespaces);
    expect(groups[1]!.inputs.objs).toEqual(objects.manifests);

    // Helm releases: the same charts, versions and values as the Flux HelmReleases cdk8s writes.
    const releases = registered.filter((r) => r.type === 'kubernetes:helm.sh/v3:Release');
    const flux = objects.flux.filter((o) => o.kind === 'HelmRelease') as any[];
    expect(releases.map((r) => r.inputs.name)).toEqual(flux.map((f) => f.metadata.name));
    for (const release of releases) {
      const twin = flux.find((f) => f.metadata.name === release.inputs.name);
      expect(release.inputs.values).toEqual(twin.spec.values);
      expect(release.inputs.namespace).toBe(twin.spec.targetNamespace);
      expect(release.inputs).toMatchObject({ atomic: true, cleanupOnFail: true, createNamespace: true });
      if (twin.spec.chart)
        expect(release.inputs).toMatchObject({
          chart: twin.spec.chart.spec.chart,
          version: twin.spec.chart.spec.version,
        });
    }
    expect(await promiseOf(program.releases)).toEqual(flux.map((f) => f.metadata.name));
    // Phases: namespaces, then the releases, then the platform objects (routes included).
    const at = (name: string) => registered.findIndex((r) => r.name === name);
    const lastRelease = Math.max(...releases.map((r) => at(r.name)));
    expect(at(`${stack}-namespaces-objects`)).toBeLessThan(Math.min(...releases.map((r) => at(r.name))));
    expect(at(`${stack}-platform-objects`)).toBeGreaterThan(lastRelease);
  });
});

describe('Pulumi program, unknown stack', () => {
  it('fails with an error that names the stack and the known environments', async () => {
    useMocks('qa');
    vi.resetModules();
    await expect(import('../../stacks/pulumi/index')).rejects.toThrow(
      /Unknown stack "qa": Switchyard defines the environments dev, staging, prod/,
    );
  });

  it('reads the stack name from pulumi.getStack()', () => {
    useMocks('staging');
    expect(pulumi.getStack()).toBe('staging');
  });
});
