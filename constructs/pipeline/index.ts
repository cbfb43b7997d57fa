export * from './actions';
export * from './model';
export { type GeneratedFile, generateWorkflows, renderWorkflow } from './workflows';
