import { describe, expect, it } from 'vitest';
import { assertUniqueObjects, DuplicateObjectError, objectIdentity } from '../../../constructs/ingress/unique-objects';
import type { KubeObject } from '../../../constructs/routing/types';

const obj = (apiVersion: string, kind: string, name: string, namespace?: string): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}) },
});

function thrown(fn: () => void): DuplicateObjectError {
  try {
    fn();
  } catch (e) {
    return e as DuplicateObjectError;
  }
  throw new Error('expected a DuplicateObjectError');
}

describe('assertUniqueObjects', () => {
  it('names the object and both sources that emit it', () => {
    const policy = obj('networking.k8s.io/v1', 'NetworkPolicy', 'default-deny', 'shop');
    const e = thrown(() =>
      assertUniqueObjects([
        { source: 'platformAddons().networkPolicies', objects: [policy] },
        { source: 'construct apps/policies', objects: [{ ...policy, spec: { podSelector: {} } }] },
      ]),
    );
    expect(e).toBeInstanceOf(DuplicateObjectError);
    expect(e.property).toBe('objects');
    expect(e.object).toBe('networking.k8s.io/NetworkPolicy/shop/default-deny');
    expect(e.sources).toEqual(['platformAddons().networkPolicies', 'construct apps/policies']);
    expect(e.message).toMatch(
      /^networking\.k8s\.io\/NetworkPolicy\/shop\/default-deny is emitted twice: by platformAddons\(\)\.networkPolicies and by construct apps\/policies/,
    );
  });

  it('compares the API group, not the version, and treats one source emitting twice as a duplicate', () => {
    expect(() =>
      assertUniqueObjects([
        { source: 'a', objects: [obj('metallb.io/v1beta1', 'BGPPeer', 'p', 'm')] },
        { source: 'b', objects: [obj('metallb.io/v1beta2', 'BGPPeer', 'p', 'm')] },
      ]),
    ).toThrow(DuplicateObjectError);
    expect(
      thrown(() =>
        assertUniqueObjects([{ source: 'a', objects: [obj('v1', 'Namespace', 'x'), obj('v1', 'Namespace', 'x')] }]),
      ).sources,
    ).toEqual(['a', 'a']);
  });

  it('lets the same name differ by group, kind or namespace', () => {
    expect(() =>
      assertUniqueObjects([
        { source: 'a', objects: [obj('v1', 'Service', 'web', 'shop'), obj('v1', 'Service', 'web', 'other')] },
        {
          source: 'b',
          objects: [obj('apps/v1', 'Deployment', 'web', 'shop'), obj('example.com/v1', 'Service', 'web', 'shop')],
        },
        { source: 'c', objects: [] },
      ]),
    ).not.toThrow();
    expect(objectIdentity(obj('v1', 'Namespace', 'shop'))).toBe('core/Namespace/-/shop');
  });
});
