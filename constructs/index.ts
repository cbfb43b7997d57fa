export * from './cdk8s/inline-helm-release';
export * from './cdk8s/kube-objects';
export * from './cdk8s/routes';
export * from './cli/platform-files';
export {
  type PulumiProject,
  parsePulumiProject,
  parseStackConfig,
  type StackConfig,
} from './cli/pulumi-project';
export * from './cluster/access';
export * from './cluster/cloud-init';
export * from './cluster/cluster';
export type { GeneratedHostKey, HostKey } from './cluster/host-key';
export * from './cluster/k3s';
export * from './cluster/kubeconfig';
export * from './cluster/subnets';
export * from './cluster/traits';
// EksCluster, GkeCluster, AksCluster and VmCluster: import 'switchyard/eks', '/gke', '/aks' or '/vm', so a
// program loads only its cloud's SDK.
// BareMetalCluster, ExistingCluster, HelmReleases, KubernetesManifests and PlatformDeployment: import
// 'switchyard/pulumi', so a cdk8s program loads no Pulumi module.
export * from './core/validate';
export * from './guardrails';
export * from './guardrails/schema';
export * from './ingress/addon-network-policies';
export * from './ingress/addons';
export * from './ingress/alloy-pipeline';
export * from './ingress/charts';
export * from './ingress/envoy-gateway';
export * from './ingress/exposure';
export * from './ingress/external-secrets';
export * from './ingress/flux';
export * from './ingress/gateway';
export * from './ingress/image-policy';
export * from './ingress/ingress-controllers';
export * from './ingress/logs-stack';
export * from './ingress/metrics-stack';
export * from './ingress/platform';
export * from './ingress/pod-security-exceptions';
export * from './ingress/release';
export * from './ingress/telemetry-network';
export * from './ingress/telemetry-values';
export * from './ingress/unique-objects';
export * from './observability';
export * from './pipeline';
export * from './platform';
export * from './routing';
export * from './workload/external-secret';
export * from './workload/network-policies';
export * from './workload/scheduled-job';
export * from './workload/stateful-app';
export * from './workload/web-app';
export * from './workload/workload';
