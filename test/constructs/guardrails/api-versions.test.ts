import { describe, expect, it } from 'vitest';
import {
  API_VERSION_RULE,
  BUILTIN_API_VERSIONS,
  unservedApiVersions,
} from '../../../constructs/guardrails/api-versions';

const obj = (apiVersion: string, kind: string, name = 'x', namespace?: string) => ({
  apiVersion,
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}) },
});

describe('unservedApiVersions', () => {
  it('passes what the cluster serves, and leaves custom resources to their CRDs', () => {
    const objects = [
      obj('v1', 'Namespace'),
      obj('apps/v1', 'Deployment', 'web', 'shop'),
      obj('autoscaling/v2', 'HorizontalPodAutoscaler', 'web', 'shop'),
      obj('policy/v1', 'PodDisruptionBudget', 'web', 'shop'),
      obj('gateway.networking.k8s.io/v1', 'HTTPRoute', 'web', 'shop'),
      obj('monitoring.coreos.com/v1', 'ServiceMonitor', 'web', 'shop'),
    ];
    expect(unservedApiVersions(objects, '1.33')).toEqual([]);
  });

  it('fails a removed version: policy/v1beta1 PodDisruptionBudget on 1.25, naming the object and the replacement', () => {
    const pdb = obj('policy/v1beta1', 'PodDisruptionBudget', 'web', 'shop');
    expect(unservedApiVersions([pdb], '1.24')).toEqual([]);
    expect(unservedApiVersions([pdb], '1.25')).toEqual([
      {
        rule: API_VERSION_RULE,
        severity: 'danger',
        object: 'PodDisruptionBudget/shop/web',
        field: 'apiVersion',
        message: 'policy/v1beta1 PodDisruptionBudget was removed in Kubernetes 1.25, and the cluster runs 1.25',
        fix: 'emit policy/v1 PodDisruptionBudget instead',
      },
    ]);
    expect(unservedApiVersions([obj('flowcontrol.apiserver.k8s.io/v1beta3', 'FlowSchema')], '1.33')).toHaveLength(1);
    expect(unservedApiVersions([obj('batch/v1beta1', 'CronJob')], '1.27')[0]?.fix).toBe(
      'emit batch/v1 CronJob instead',
    );
  });

  it('fails a version newer than the cluster: autoscaling/v2 before 1.23, ValidatingAdmissionPolicy v1 before 1.30', () => {
    expect(unservedApiVersions([obj('autoscaling/v2', 'HorizontalPodAutoscaler')], '1.22')[0]?.message).toBe(
      'autoscaling/v2 HorizontalPodAutoscaler is served from Kubernetes 1.23, but the cluster runs 1.22',
    );
    const vap = obj('admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicy');
    expect(unservedApiVersions([vap], '1.29')).toHaveLength(1);
    expect(unservedApiVersions([vap], '1.30')).toEqual([]);
    expect(
      unservedApiVersions([obj('flowcontrol.apiserver.k8s.io/v1', 'PriorityLevelConfiguration')], '1.28'),
    ).toHaveLength(1);
  });

  it('fails closed on a built-in apiVersion or kind the table does not list', () => {
    for (const o of [obj('apps/v1beta2', 'Deployment'), obj('v1', 'Pod'), obj('storage.k8s.io/v1', 'CSIDriver')]) {
      expect(unservedApiVersions([o], '1.33')[0]?.fix, o.apiVersion).toMatch(/add it to BUILTIN_API_VERSIONS/);
    }
  });

  it('refuses a cluster version that is not a minor, naming the field', () => {
    for (const bad of ['1.33.1', 'v1.33', '', 'latest']) {
      expect(() => unservedApiVersions([], bad), bad).toThrow(
        /'kubernetesVersion' \(".*"\) must be a Kubernetes minor/,
      );
    }
  });

  it('has one entry per apiVersion and kind, each with valid minors, removed after introduced', () => {
    const keys = BUILTIN_API_VERSIONS.map((e) => `${e.apiVersion} ${e.kind}`);
    expect(new Set(keys).size).toBe(keys.length);
    const minor = (v: string) => Number(/^1\.(\d+)$/.exec(v)![1]);
    for (const e of BUILTIN_API_VERSIONS) {
      expect(e.since, e.apiVersion).toMatch(/^1\.\d+$/);
      if (e.removedIn) expect(minor(e.removedIn.minor), e.apiVersion).toBeGreaterThan(minor(e.since));
    }
  });
});
