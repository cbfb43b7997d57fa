/** Applies {@link rbacAccessObjects} to clusters that authorize with Kubernetes RBAC alone. */
import * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import { type ClusterAccess, rbacAccessObjects } from './access';

/** Creates the deployer and reader ClusterRoleBindings with the cluster's provider, as children of `parent`. */
export function grantRbacAccess(
  parent: pulumi.Resource,
  name: string,
  access: ClusterAccess,
  provider: k8s.Provider,
): k8s.rbac.v1.ClusterRoleBinding[] {
  return rbacAccessObjects(name, access).map(
    (binding) =>
      new k8s.rbac.v1.ClusterRoleBinding(
        `${name}-${String((binding.metadata as { name: string }).name)
          .split('-')
          .pop()}`,
        binding as unknown as k8s.rbac.v1.ClusterRoleBindingArgs,
        { parent, provider },
      ),
  );
}
