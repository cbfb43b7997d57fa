import * as k8s from '@pulumi/kubernetes';
import { beforeAll, describe, expect, it } from 'vitest';
import { KubernetesManifests } from '../../../constructs/pulumi/kubernetes-manifests';
import { type MockedResource, promiseOf, settle, useMocks } from '../../helpers/pulumi';

const objects = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
  { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' }, spec: {} },
];

describe('KubernetesManifests', () => {
  let registered: MockedResource[];
  beforeAll(() => {
    registered = useMocks('dev');
  });

  it('registers one ConfigGroup whose objs are the objects, with no child resources (verified under mocks)', async () => {
    const provider = new k8s.Provider('cluster', {});
    const manifests = new KubernetesManifests('platform', { objects }, { providers: { kubernetes: provider } });
    expect(await promiseOf(manifests.objectCount)).toBe(2);
    await settle();
    const groups = registered.filter((r) => r.type === 'kubernetes:yaml/v2:ConfigGroup');
    expect(groups).toHaveLength(1);
    expect(groups[0]!.name).toBe('platform-objects');
    expect(groups[0]!.inputs.objs).toEqual(objects);
    expect(groups[0]!.provider).toMatch(/::cluster::/);
    expect(registered.some((r) => r.type === 'kubernetes:apps/v1:Deployment')).toBe(false);
  });

  it('fails with a clear error when there is nothing to apply', () => {
    expect(() => new KubernetesManifests('empty', { objects: [] })).toThrow(/'objects' is empty/);
  });
});
