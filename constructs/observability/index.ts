export * from './catalog';
export * from './golden-signals';
