export * from './define';
export {
  addEnvironmentCharts,
  type EnvironmentObjects,
  environmentAddons,
  environmentApp,
  environmentClusterTraits,
  environmentObjects,
  routingSnapshot,
} from './environment-app';
export { type EnvironmentObservability, environmentTelemetry } from './environment-telemetry';
export * from './model';
export * from './pipeline';
export * from './stack-settings';
