/** Checks shared by the dashboard tests: ConfigMap schema, PromQL matchers, grid layout. */
import { parser } from '@prometheus-io/lezer-promql';
import { expect } from 'vitest';
import { map, obj, str, validateStructural } from '../../../constructs/guardrails/models/structural';
import type { routeDashboard } from '../../../constructs/observability/dashboard';
import type { GrafanaDashboard, GrafanaPanel } from '../../../constructs/observability/dashboard-grafana';
import { QUANTILES, RECORD_NAMES } from '../../../constructs/observability/golden-signals';
import { SLO_RECORD_NAMES } from '../../../constructs/observability/slo-names';
import { namespaceOf } from '../../../constructs/routing/model';
import type { Dialect, RoutingPolicy } from '../../../constructs/routing/types';
import { metricNamesIn, parseErrors } from './promql';

/**
 * A v1 ConfigMap as the API server validates it, with unknown fields refused (kubernetes-models lets them
 * through): a DNS-subdomain name, data keys of `[-._a-zA-Z0-9]+` (at most 253), string values.
 */
const CONFIG_MAP = obj(
  {
    apiVersion: str({ enum: ['v1'] }),
    kind: str({ enum: ['ConfigMap'] }),
    metadata: obj(
      {
        name: str({ pattern: /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/ }),
        namespace: str({ pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/ }),
        labels: map(str({ pattern: /^(?=.{0,63}$)([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/ })),
        annotations: map(str()),
      },
      ['name'],
    ),
    data: map(str()),
  },
  ['apiVersion', 'kind', 'metadata', 'data'],
);

/** ConfigMap data keys (the structural schema has no key patterns). */
const DATA_KEY = /^(?=.{1,253}$)[-._a-zA-Z0-9]+$/;

/** What the API server would refuse in `object` as a ConfigMap, unknown fields included. */
export function configMapErrors(object: unknown): string[] {
  const data = (object as { data?: Record<string, unknown> }).data ?? {};
  const badKeys = Object.keys(data).filter((k) => !DATA_KEY.test(k));
  return [...validateStructural(CONFIG_MAP, object), ...badKeys.map((k) => `/data/${k} is not a valid ConfigMap key`)];
}

/** The pairs of panels whose grid rectangles intersect. */
export function gridOverlaps(
  panels: readonly { readonly gridPos: { x: number; y: number; w: number; h: number } }[],
): string[] {
  const found: string[] = [];
  panels.forEach((a, i) => {
    panels.slice(i + 1).forEach((b, k) => {
      const p = a.gridPos;
      const q = b.gridPos;
      if (p.x < q.x + q.w && q.x < p.x + p.w && p.y < q.y + q.h && q.y < p.y + p.h) found.push(`${i} and ${i + k + 1}`);
    });
  });
  return found;
}

/** The label matchers of each vector selector of `expr`, as name -> value, read with Prometheus' parser. */
export function matchersIn(expr: string): Record<string, string>[] {
  const selectors: Record<string, string>[] = [];
  parser.parse(expr).iterate({
    enter(node) {
      if (node.name !== 'VectorSelector') return;
      const matchers: Record<string, string> = {};
      const cursor = node.node.cursor();
      cursor.iterate((inner) => {
        if (inner.name !== 'UnquotedLabelMatcher') return;
        const name = inner.node.getChild('LabelName');
        const value = inner.node.getChild('StringLiteral');
        if (name && value) matchers[expr.slice(name.from, name.to)] = JSON.parse(expr.slice(value.from, value.to));
      });
      selectors.push(matchers);
    },
  });
  return selectors;
}

/** Grafana's reference to the `datasource` variable. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a template literal
export const DATASOURCE_VARIABLE = '${datasource}';

const RECORDED = new Set([
  RECORD_NAMES.rate,
  RECORD_NAMES.errors,
  ...QUANTILES.map((q) => RECORD_NAMES.latency(q)),
  SLO_RECORD_NAMES.budgetRemaining,
  SLO_RECORD_NAMES.objective,
]);

export const dashboardOf = (configMap: ReturnType<typeof routeDashboard>): GrafanaDashboard =>
  JSON.parse(Object.values(configMap.data)[0]!) as GrafanaDashboard;
export const visuals = (d: GrafanaDashboard) => d.panels.filter((p): p is GrafanaPanel => p.type !== 'row');

/**
 * Every query parses with Prometheus' parser, reads only our recorded series, and each selector names the
 * panel's rule: its policy, namespace and rule among `policies`, and the controller `dialect`.
 */
export function assertQueries(
  dashboard: GrafanaDashboard,
  policies: readonly RoutingPolicy[],
  dialect: Dialect,
): number {
  const rules = new Set(
    policies.flatMap((p) =>
      p.rules.flatMap((r, i) => (r.backends ? [`${p.name}/${namespaceOf(p)}/${r.name ?? `rule-${i}`}`] : [])),
    ),
  );
  let count = 0;
  for (const panel of visuals(dashboard)) {
    const [policy, rule] = panel.title.split(':')[0]!.split('/');
    for (const t of panel.targets) {
      expect(parseErrors(t.expr), t.expr).toEqual([]);
      const names = metricNamesIn(t.expr);
      expect(names.length, t.expr).toBeGreaterThan(0);
      for (const name of names) expect(RECORDED.has(name), `${name} is recorded`).toBe(true);
      const selectors = matchersIn(t.expr);
      expect(selectors.length, t.expr).toBe(names.length);
      for (const m of selectors) {
        expect([m.switchyard_policy, m.switchyard_rule], t.expr).toEqual([policy, rule]);
        expect(rules.has(`${m.switchyard_policy}/${m.switchyard_namespace}/${m.switchyard_rule}`), t.expr).toBe(true);
        expect(m.switchyard_controller, t.expr).toBe(dialect);
      }
      expect(t.datasource).toEqual({ type: 'prometheus', uid: DATASOURCE_VARIABLE });
      count++;
    }
  }
  return count;
}

/** Panel ids unique, every panel inside the 24 columns, no two overlapping. */
export function assertLayout(dashboard: GrafanaDashboard): void {
  const ids = dashboard.panels.map((p) => p.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const p of dashboard.panels) {
    const { x, y, w, h } = p.gridPos;
    expect(Number.isInteger(x) && Number.isInteger(y) && Number.isInteger(w) && Number.isInteger(h)).toBe(true);
    expect(x >= 0 && y >= 0 && w > 0 && h > 0 && x + w <= 24, JSON.stringify(p.gridPos)).toBe(true);
  }
  expect(gridOverlaps(dashboard.panels)).toEqual([]);
}
