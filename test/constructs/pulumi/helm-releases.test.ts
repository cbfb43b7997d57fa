import * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import { beforeAll, describe, expect, it } from 'vitest';
import { platformAddons } from '../../../constructs/ingress/platform';
import type { ReleaseSpec } from '../../../constructs/ingress/release';
import { HelmReleases } from '../../../constructs/pulumi/helm-releases';
import { type MockedResource, promiseOf, settle, useMocks } from '../../helpers/pulumi';

/** `dependsOn` of every resource, by name: mocks do not report dependencies, transformations see them. */
const dependencies = new Map<string, string[]>();
const capture: pulumi.ResourceTransformation = (args) => {
  const deps = ([] as pulumi.Resource[]).concat((args.opts.dependsOn as pulumi.Resource[] | undefined) ?? []);
  dependencies.set(
    args.name,
    deps.map((d) => (d as unknown as { __name?: string }).__name ?? '?'),
  );
  return undefined;
};

describe('HelmReleases', () => {
  let registered: MockedResource[];
  beforeAll(() => {
    registered = useMocks('dev');
  });

  it('installs releases atomically, in dependency order, with the pinned charts, through the given provider', async () => {
    const addons = platformAddons({
      cluster: { kind: 'bare-metal' },
      controller: { kind: 'envoy-gateway' },
      metallb: { addresses: ['10.0.0.240/28'] },
    });
    const provider = new k8s.Provider('cluster', {});
    const component = new HelmReleases(
      'addons',
      { releases: addons.releases },
      { providers: { kubernetes: provider }, transformations: [capture] },
    );
    expect(await promiseOf(component.installOrder)).toEqual([
      'gateway-api-crds',
      'metallb',
      'cert-manager',
      'envoy-gateway',
    ]);
    await settle();
    const releases = registered.filter((r) => r.type === 'kubernetes:helm.sh/v3:Release');
    expect(releases.map((r) => r.name)).toEqual([
      'addons-gateway-api-crds',
      'addons-metallb',
      'addons-cert-manager',
      'addons-envoy-gateway',
    ]);
    const eg = releases.find((r) => r.name === 'addons-envoy-gateway')!;
    expect(eg.inputs).toMatchObject({
      name: 'envoy-gateway',
      namespace: 'envoy-gateway-system',
      chart: 'oci://docker.io/envoyproxy/gateway-helm',
      version: 'v1.10.0',
      atomic: true,
      cleanupOnFail: true,
      createNamespace: true,
      skipCrds: true,
      timeout: 600,
    });
    expect(eg.inputs.repositoryOpts).toBeUndefined();
    expect(eg.provider).toMatch(/::cluster::/);
    const metallb = releases.find((r) => r.name === 'addons-metallb')!;
    expect(metallb.inputs).toMatchObject({
      chart: 'metallb',
      version: '0.15.2',
      repositoryOpts: { repo: 'https://metallb.github.io/metallb' },
    });
    expect(dependencies.get('addons-envoy-gateway')).toEqual(['addons-gateway-api-crds', 'addons-metallb']);
    expect(dependencies.get('addons-cert-manager')).toEqual(['addons-gateway-api-crds']);
    expect(dependencies.get('addons-gateway-api-crds')).toEqual([]);
  });

  it('orders releases given in any order so that each follows what it depends on', async () => {
    const addons = platformAddons({
      cluster: { kind: 'bare-metal' },
      controller: { kind: 'envoy-gateway' },
      metallb: { addresses: ['10.0.0.240/28'] },
    });
    const order = await promiseOf(
      new HelmReleases('reversed', { releases: [...addons.releases].reverse() }).installOrder,
    );
    for (const release of addons.releases) {
      for (const dep of release.dependsOn) expect(order.indexOf(dep)).toBeLessThan(order.indexOf(release.name));
    }
  });

  it('does not await a load balancer where none can answer', async () => {
    const spec: ReleaseSpec = {
      name: 'traefik',
      namespace: 'traefik',
      chart: { repository: 'https://traefik.github.io/charts', name: 'traefik', version: '41.3.0' },
      values: {},
      dependsOn: [],
      skipCrds: false,
      awaitsLoadBalancer: true,
      timeoutSeconds: 300,
    };
    new HelmReleases('no-lb', { releases: [spec], loadBalancerAvailable: false });
    new HelmReleases('with-lb', { releases: [spec] });
    await settle();
    expect(registered.find((r) => r.name === 'no-lb-traefik')!.inputs.skipAwait).toBe(true);
    expect(registered.find((r) => r.name === 'with-lb-traefik')!.inputs.skipAwait).toBe(false);
  });

  it('fails on a dependency that is not installed', () => {
    const spec = platformAddons({ cluster: { kind: 'existing' }, controller: { kind: 'traefik' }, certManager: false })
      .releases[0]!;
    expect(() => new HelmReleases('broken', { releases: [{ ...spec, dependsOn: ['ghost'] }] })).toThrow(
      /depends on 'ghost', which is not installed/,
    );
  });
});
