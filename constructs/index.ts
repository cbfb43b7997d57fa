export * from './cdk8s/kube-objects';
export * from './cdk8s/routes';
export * from './core/validate';
export * from './guardrails/schema';
export * from './ingress/gateway';
export * from './pulumi/kubernetes-manifests';
export * from './routing';
export * from './workload/web-app';
