import { beforeAll, describe, expect, it } from 'vitest';
import { platformAddons } from '../../../constructs/ingress/platform';
import { HelmReleases } from '../../../constructs/pulumi/helm-releases';
import { type MockedResource, promiseOf, settle, useMocks } from '../../helpers/pulumi';

describe('the telemetry stacks through the Pulumi engine', () => {
  let registered: MockedResource[];
  beforeAll(() => {
    registered = useMocks('dev');
  });

  it('installs the HTTPS charts from their repositories and Loki from its OCI registry, metrics first', async () => {
    const addons = platformAddons({
      cluster: { kind: 'gke' },
      controller: { kind: 'traefik' },
      metrics: {},
      logs: {},
    });
    const component = new HelmReleases('telemetry', { releases: addons.releases });
    expect(await promiseOf(component.installOrder)).toEqual([
      'kube-prometheus-stack',
      'prometheus-node-exporter',
      'cert-manager',
      'loki',
      'alloy',
      'traefik',
    ]);
    await settle();
    const release = (name: string) =>
      registered.find((r) => r.type === 'kubernetes:helm.sh/v3:Release' && r.name === `telemetry-${name}`)!.inputs;
    expect(release('kube-prometheus-stack')).toMatchObject({
      chart: 'kube-prometheus-stack',
      version: '88.5.3',
      namespace: 'monitoring',
      repositoryOpts: { repo: 'https://prometheus-community.github.io/helm-charts' },
      timeout: 900,
    });
    expect(release('prometheus-node-exporter')).toMatchObject({
      chart: 'prometheus-node-exporter',
      namespace: 'monitoring-node',
    });
    expect(release('loki')).toMatchObject({
      chart: 'oci://ghcr.io/grafana-community/helm-charts/loki',
      version: '18.11.0',
    });
    expect(release('loki').repositoryOpts).toBeUndefined();
    expect(release('alloy')).toMatchObject({
      chart: 'alloy',
      namespace: 'logging-agent',
      repositoryOpts: { repo: 'https://grafana.github.io/helm-charts' },
    });
  });
});
