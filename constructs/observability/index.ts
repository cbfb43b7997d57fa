export * from './catalog';
export * from './golden-signals';
export * from './slo-names';
