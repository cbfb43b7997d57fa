export * from './core/validate';
export * from './deploy/kubernetes-manifests';
export * from './guardrails/schema';
export * from './workload/web-app';
