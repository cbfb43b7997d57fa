import { describe, expect, it } from 'vitest';
import { validateBareMetalCluster } from '../../../constructs/cluster/bare-metal';
import { EKS_VERSION } from '../../../constructs/cluster/eks-args';
import { ed25519HostKey } from '../../../constructs/cluster/host-key';
import { K3S_VERSION } from '../../../constructs/cluster/k3s';
import {
  type ClusterKind,
  DEFAULT_KUBERNETES_VERSION,
  k3sKubernetesVersion,
  kubernetesMinor,
  resolveClusterTraits,
} from '../../../constructs/cluster/traits';

const SHA = 'a'.repeat(64);

describe('the Kubernetes version of cluster traits', () => {
  it('resolves a minor for every kind: EKS_VERSION on eks, K3S_VERSION on k3s, the documented default elsewhere', () => {
    const expected: Record<ClusterKind, string> = {
      eks: EKS_VERSION,
      'bare-metal': K3S_VERSION.slice(1, 5),
      vm: K3S_VERSION.slice(1, 5),
      gke: DEFAULT_KUBERNETES_VERSION,
      aks: DEFAULT_KUBERNETES_VERSION,
      existing: DEFAULT_KUBERNETES_VERSION,
    };
    for (const [kind, minor] of Object.entries(expected)) {
      expect(kubernetesMinor({ kind: kind as ClusterKind }), kind).toBe(minor);
      expect(kubernetesMinor({ kind: kind as ClusterKind }), kind).toMatch(/^1\.\d{2}$/);
    }
    // Today every kind runs 1.33; the k3s default is read from its pinned tag.
    expect(k3sKubernetesVersion(K3S_VERSION)).toBe('1.33');
  });

  it('keeps the trait the user sets, and treats an empty one as unset', () => {
    expect(kubernetesMinor({ kind: 'existing', kubernetesVersion: '1.31' })).toBe('1.31');
    expect(kubernetesMinor({ kind: 'eks', kubernetesVersion: '' })).toBe(EKS_VERSION);
    // Resolving is idempotent: resolved traits give the same minor.
    expect(kubernetesMinor(resolveClusterTraits({ kind: 'gke', kubernetesVersion: '1.32' }))).toBe('1.32');
  });

  it('fails if the version is not a minor version, naming the field', () => {
    for (const bad of ['1.33.1', 'v1.33', '2.0', 'latest']) {
      expect(() => kubernetesMinor({ kind: 'existing', kubernetesVersion: bad }), bad).toThrow(
        /'kubernetesVersion' \(".*"\) must be a minor version like '1.33'/,
      );
    }
  });

  it('reads the minor of a k3s tag and refuses what is not one', () => {
    expect(k3sKubernetesVersion('v1.32.9+k3s1')).toBe('1.32');
    expect(() => k3sKubernetesVersion('1.32.9')).toThrow(/'k3sVersion' \("1.32.9"\) must be a k3s release tag/);
  });

  it('bare metal: the trait must be the minor k3s installs', () => {
    const hostKey = ed25519HostKey(Buffer.alloc(32, 1))!.publicKey;
    const args = { servers: [{ address: '10.0.0.1', hostKey }], k3sInstaller: { sha256: SHA } };
    expect(() =>
      validateBareMetalCluster('c', { ...args, k3sVersion: 'v1.32.9+k3s1', traits: { kubernetesVersion: '1.32' } }),
    ).not.toThrow();
    expect(() => validateBareMetalCluster('c', { ...args, traits: { kubernetesVersion: '1.31' } })).toThrow(
      /'traits.kubernetesVersion' \("1.31"\) must be the minor k3s runs \("1.33"\)/,
    );
  });
});
