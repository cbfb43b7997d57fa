export * from './catalog';
export * from './dashboard';
export * from './golden-signals';
export * from './slo-names';
export * from './scrape';
export * from './access-logs';
export * from './slo';
export { type BurnWindow, burnWindows, WORKBOOK_BURN_WINDOWS } from './burn-rates';
export * from './alerting';
