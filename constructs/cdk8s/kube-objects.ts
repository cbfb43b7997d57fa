import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import type { KubeObject } from '../routing/types';

/**
 * Adds plain Kubernetes objects (compiler output) to a cdk8s scope as `ApiObject`s, one construct per
 * object, with ids derived from kind, namespace and name so they stay unique and stable.
 */
export function addKubeObjects(scope: Construct, objects: readonly KubeObject[]): ApiObject[] {
  return objects.map((object) => {
    const { apiVersion, kind, metadata, ...rest } = object;
    const id = `${kind}-${metadata.namespace ?? 'cluster'}-${metadata.name}`;
    return new ApiObject(scope, id, { ...rest, apiVersion, kind, metadata: { ...metadata } });
  });
}
