export * from './catalog';
export * from './dashboard';
export * from './golden-signals';
export * from './slo-names';
