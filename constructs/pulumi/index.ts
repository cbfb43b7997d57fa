// The Pulumi side ('switchyard/pulumi'): components that need @pulumi/pulumi and @pulumi/kubernetes.
// The root entry stays free of them, so a cdk8s-only program never loads Pulumi.
export * from '../cluster/bare-metal';
export * from '../cluster/existing';
export * from './deploy-platform';
export * from './helm-releases';
export * from './kubernetes-manifests';
export * from './platform-deployment';
