export * from './cdk8s-validation';
export * from './engine';
export * from './findings';
export { type ContainerAt, containersOf, type PodSpecAt, podSpecOf, podsOf } from './pods';
export * from './rules/network';
export * from './rules/pod-security';
export * from './rules/routing';
export * from './rules/secrets-rbac';
export * from './rules/workloads';
