export * from './define';
export {
  addEnvironmentCharts,
  type EnvironmentObjects,
  environmentAddons,
  environmentApp,
  environmentObjects,
  routingSnapshot,
} from './environment-app';
export * from './model';
export * from './pipeline';
export * from './stack-settings';
