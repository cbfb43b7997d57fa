/** Checks shared by the PrometheusRule tests: schema validity with the CRD's field names, and parsed expressions. */
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { expect } from 'vitest';
import { METRIC_CATALOG, metricNames } from '../../../constructs/observability/catalog';
import type { Dialect } from '../../../constructs/routing/types';
import { metricNamesIn, parseErrors } from './promql';

/** A PrometheusRule as the constructs return it: groups of recording or alerting rules. */
export interface RuleObject {
  readonly spec: {
    readonly groups: readonly { readonly name: string; readonly rules: readonly { readonly expr: string }[] }[];
  };
}

/** The fields of a PrometheusRule rule group and rule that the CRD defines. */
export const GROUP_KEYS = new Set([
  'name',
  'interval',
  'labels',
  'limit',
  'partial_response_strategy',
  'query_offset',
  'rules',
]);
export const RULE_KEYS = new Set(['record', 'alert', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations']);

/** Schema-valid per the prometheus-operator models, and no field the CRD does not know (the model lets them through). */
export function assertValidPrometheusRule(object: RuleObject): void {
  new PrometheusRule(JSON.parse(JSON.stringify(object))).validate();
  expect(Object.keys(object).sort()).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
  expect(Object.keys(object.spec)).toEqual(['groups']);
  for (const group of object.spec.groups) {
    for (const key of Object.keys(group)) expect(GROUP_KEYS.has(key), `group field ${key}`).toBe(true);
    for (const rule of group.rules)
      for (const key of Object.keys(rule)) expect(RULE_KEYS.has(key), `rule field ${key}`).toBe(true);
  }
}

/**
 * Every expr parses with Prometheus' parser and uses only the controller's catalogued metrics, or the
 * recorded names `own` accepts; returns the number of rules.
 */
export function assertExprs(
  object: RuleObject,
  dialect: Dialect,
  own: (name: string) => boolean = () => false,
): number {
  const allowed = new Set(metricNames(METRIC_CATALOG[dialect]!));
  let count = 0;
  for (const group of object.spec.groups)
    for (const rule of group.rules) {
      expect(parseErrors(rule.expr), rule.expr).toEqual([]);
      for (const name of metricNamesIn(rule.expr))
        expect(allowed.has(name) || own(name), `${name} in ${dialect}'s catalog or our records`).toBe(true);
      count++;
    }
  return count;
}
