export * from './actions';
export {
  deploySecrets,
  type IdentityTrust,
  type IdentityUse,
  type JobIdentity,
  jobIdentities,
  SharedIdentityError,
  trustPolicies,
} from './identities';
export * from './kind-images';
export * from './model';
export { validatePipelineProps } from './validate';
export { type GeneratedFile, generateWorkflows, renderWorkflow } from './workflows';
