import { describe, expect, it } from 'vitest';
import { METRIC_CATALOG } from '../../../constructs/observability/catalog';
import { routeDashboard, routeDashboardJson, routeDashboardUid } from '../../../constructs/observability/dashboard';
import type { GrafanaPanel } from '../../../constructs/observability/dashboard-grafana';
import { SLO_RECORD_NAMES } from '../../../constructs/observability/slo-names';
import { RoutingError, UnsupportedFeatureError } from '../../../constructs/routing/errors';
import type { Dialect, RoutingPolicy } from '../../../constructs/routing/types';
import { expectInvalid } from '../../helpers/errors';
import { expectSchemaValid } from '../../helpers/schema';
import {
  assertLayout,
  assertQueries,
  configMapErrors,
  DATASOURCE_VARIABLE,
  dashboardOf,
  gridOverlaps,
  matchersIn,
  visuals,
} from './dashboard-checks';

const CATALOGUED = Object.keys(METRIC_CATALOG) as Dialect[];

const shop: RoutingPolicy = {
  name: 'shop',
  namespace: 'web',
  hosts: ['shop.example.com', 'www.shop.example.com'],
  acceptApproximations: ['redirect', 'redirect.path'],
  slo: { availability: 99.9 },
  rules: [
    { name: 'web', backends: [{ service: 'web', port: 8080 }] },
    {
      name: 'api',
      matches: [{ path: { type: 'PathPrefix', value: '/api' } }],
      backends: [{ service: 'api', port: 80 }],
      slo: { latency: { percentile: 99, threshold: '300ms' }, window: '7d' },
    },
    {
      name: 'old',
      matches: [{ path: { type: 'PathPrefix', value: '/old' } }],
      redirect: { hostname: 'shop.example.com', path: '/new' },
    },
  ],
};
const blog: RoutingPolicy = {
  name: 'blog',
  namespace: 'content',
  hosts: ['blog.example.com'],
  rules: [{ backends: [{ service: 'blog', port: 80 }] }],
};

const optionsFor = (dialect: Dialect) => ({
  environment: 'prod',
  dialect,
  ...(METRIC_CATALOG[dialect]?.duration ? {} : { signals: ['rate', 'errors'] as const }),
});

describe('routeDashboard', () => {
  it.each(CATALOGUED)(
    '%s: a sidecar ConfigMap, schema-valid, with parsed queries of our recorded series',
    async (dialect) => {
      const configMap = routeDashboard([shop, blog], optionsFor(dialect));
      await expectSchemaValid([configMap]);
      expect(configMapErrors(configMap)).toEqual([]);
      expect(configMap.metadata.labels.grafana_dashboard).toBe('1');
      const dashboard = dashboardOf(configMap);
      const perRule = METRIC_CATALOG[dialect]!.duration ? 5 : 2; // rate, errors, p50/p90/p99
      // 3 rules with backends; the web (availability) and api (latency) rules have one objective each, 2 queries.
      expect(assertQueries(dashboard, [shop, blog], dialect)).toBe(3 * perRule + 2 * 2);
      assertLayout(dashboard);
    },
  );

  it('has a row per set of hosts and a line of panels per rule with backends; redirects have none', () => {
    const dashboard = routeDashboardJson([shop, blog], { environment: 'prod', dialect: 'gateway-api' });
    const rows = dashboard.panels.filter((p) => p.type === 'row');
    expect(rows.map((r) => r.title)).toEqual(['shop.example.com, www.shop.example.com', 'blog.example.com']);
    expect(visuals(dashboard).map((p) => p.title)).toEqual([
      'shop/web: requests/s',
      'shop/web: 5xx ratio',
      'shop/web: latency',
      'shop/web: availability SLO',
      'shop/api: requests/s',
      'shop/api: 5xx ratio',
      'shop/api: latency',
      'shop/api: latency SLO',
      'blog/rule-0: requests/s',
      'blog/rule-0: 5xx ratio',
      'blog/rule-0: latency',
    ]);
    const latency = visuals(dashboard)[2]!;
    expect(latency.targets.map((t) => t.legendFormat)).toEqual(['p50', 'p90', 'p99']);
    expect(latency.fieldConfig.defaults.unit).toBe('s');
    // A rule's panels sit below its row, blog's below shop's.
    const rowY = rows.map((r) => r.gridPos.y);
    expect(visuals(dashboard).every((p) => p.gridPos.y > rowY[0]!)).toBe(true);
    expect(
      visuals(dashboard)
        .slice(8)
        .every((p) => p.gridPos.y > rowY[1]!),
    ).toBe(true);
  });

  it('shares one row between policies of the same hosts', () => {
    const admin: RoutingPolicy = {
      ...blog,
      name: 'blog-admin',
      rules: [
        { matches: [{ path: { type: 'PathPrefix', value: '/admin' } }], backends: [{ service: 'admin', port: 80 }] },
      ],
    };
    const dashboard = routeDashboardJson([blog, admin], { environment: 'prod', dialect: 'traefik' });
    expect(dashboard.panels.filter((p) => p.type === 'row')).toHaveLength(1);
    expect(visuals(dashboard)).toHaveLength(6);
    assertLayout(dashboard);
  });

  it('draws SLO stats only for rules with an objective: the policy-level one, or the rule-level one replacing it', () => {
    const dashboard = routeDashboardJson([shop, blog], { environment: 'prod', dialect: 'gateway-api' });
    const stats = visuals(dashboard).filter((p) => p.type === 'stat');
    expect(stats.map((p) => p.title)).toEqual(['shop/web: availability SLO', 'shop/api: latency SLO']);
    const [web, api] = stats;
    expect(web!.targets[0]!.expr).toContain(`${SLO_RECORD_NAMES.budgetRemaining}{`);
    expect(matchersIn(web!.targets[0]!.expr)[0]!.switchyard_slo).toBe('availability');
    expect(matchersIn(api!.targets[1]!.expr).map((m) => m.switchyard_slo)).toEqual(['latency', 'latency']);
    expect(api!.targets[1]!.expr).toContain(`${SLO_RECORD_NAMES.objective}{`);
    // The objective is the threshold of the achieved share; an overspent budget is red.
    const threshold = (p: GrafanaPanel) =>
      (p.fieldConfig.overrides[0]!.properties.find((x) => x.id === 'thresholds')!.value as { steps: unknown[] }).steps;
    expect(threshold(web!)).toEqual([
      { color: 'red', value: null },
      { color: 'green', value: 0.999 },
    ]);
    expect(threshold(api!)).toEqual([
      { color: 'red', value: null },
      { color: 'green', value: 0.99 },
    ]);
    expect(web!.fieldConfig.defaults.thresholds!.steps).toEqual([
      { color: 'red', value: null },
      { color: 'green', value: 0 },
    ]);
    expect(web!.description).toContain('99.9% without 5xx over 30d');
    expect(api!.description).toContain('99% within 300ms over 7d');
    // Both objectives: two stats stacked beside the rule's time series.
    const both = routeDashboardJson(
      [{ ...blog, slo: { availability: 99.5, latency: { percentile: 95, threshold: '1s' } } }],
      { environment: 'prod', dialect: 'gateway-api' },
    );
    expect(visuals(both).filter((p) => p.type === 'stat')).toHaveLength(2);
    assertLayout(both);
    // No objective anywhere: no stat.
    const none = routeDashboardJson([blog], { environment: 'prod', dialect: 'gateway-api' });
    expect(visuals(none).some((p) => p.type === 'stat')).toBe(false);
  });

  it('reads the data source from a Prometheus variable, optionally preselected; no data source uid is baked in', () => {
    const bare = routeDashboardJson([blog], { environment: 'prod', dialect: 'gateway-api' });
    expect(bare.templating.list).toEqual([
      {
        name: 'datasource',
        label: 'Data source',
        type: 'datasource',
        query: 'prometheus',
        hide: 0,
        refresh: 1,
        regex: '',
      },
    ]);
    const chosen = routeDashboardJson([blog], { environment: 'prod', dialect: 'gateway-api', datasource: 'Thanos' });
    expect(chosen.templating.list[0]!.current).toEqual({ selected: true, text: 'Thanos', value: 'Thanos' });
    for (const p of visuals(chosen)) expect(p.datasource.uid).toBe(DATASOURCE_VARIABLE);
  });

  it('derives uid, title, names and key from the environment, deterministically, within the limits', () => {
    const a = routeDashboard([shop, blog], { environment: 'prod', dialect: 'gateway-api', namespace: 'monitoring' });
    expect(
      JSON.stringify(
        routeDashboard([shop, blog], { environment: 'prod', dialect: 'gateway-api', namespace: 'monitoring' }),
      ),
    ).toBe(JSON.stringify(a));
    expect(a.metadata).toEqual({
      name: 'switchyard-routes-dashboard-prod',
      namespace: 'monitoring',
      labels: {
        grafana_dashboard: '1',
        'app.kubernetes.io/managed-by': 'switchyard',
        'switchyard.io/environment': 'prod',
      },
    });
    expect(Object.keys(a.data)).toEqual(['switchyard-routes-prod.json']);
    const d = dashboardOf(a);
    expect(d.uid).toBe('switchyard-routes-prod');
    expect(d.title).toBe('Switchyard routes: prod');
    expect(d).not.toHaveProperty('id');
    const long = 'e'.repeat(63);
    const uid = routeDashboardUid(long);
    expect(uid.length).toBeLessThanOrEqual(40);
    expect(uid).toBe(routeDashboardUid(long));
    expect(uid).not.toBe(routeDashboardUid(`${'e'.repeat(62)}f`));
    expect(routeDashboardUid('prod', 'part-2')).toBe('switchyard-routes-prod-part-2');
    const longest = routeDashboard([blog], { environment: long, name: 'n'.repeat(63), dialect: 'traefik' });
    expect(configMapErrors(longest)).toEqual([]);
    expect(dashboardOf(longest).uid.length).toBeLessThanOrEqual(40);
  });

  it('sets the folder annotation when asked', async () => {
    const configMap = routeDashboard([blog], {
      environment: 'staging',
      dialect: 'contour',
      folder: 'Routes (staging)',
    });
    expect(configMap.metadata.annotations).toEqual({ grafana_folder: 'Routes (staging)' });
    await expectSchemaValid([configMap]);
  });

  it('the ConfigMap check is not vacuous: unknown fields, bad names and keys fail', () => {
    const good = routeDashboard([blog], { environment: 'prod', dialect: 'traefik' });
    expect(configMapErrors({ ...good, dta: {} })).toEqual(['/dta is not a field of this object']);
    expect(configMapErrors({ ...good, metadata: { name: 'Bad_Name' } })).not.toEqual([]);
    expect(configMapErrors({ ...good, data: { 'a/b.json': '{}' } })).toEqual([
      '/data/a/b.json is not a valid ConfigMap key',
    ]);
    expect(configMapErrors({ ...good, data: { 'a.json': 1 } })).toEqual(['/data/a.json must be string']);
    expect(
      gridOverlaps([{ gridPos: { x: 0, y: 0, w: 12, h: 8 } }, { gridPos: { x: 11, y: 7, w: 2, h: 2 } }]),
    ).toHaveLength(1);
    expect(matchersIn('x{a="1",b=~"2"}')).toEqual([{ a: '1', b: '2' }]);
  });

  it('validates options strictly, naming the field, the value and the fix', () => {
    const bad = (options: unknown) => () => routeDashboard([blog], options as never);
    expectInvalid(
      bad({ environment: 'prod', dialect: 'traefik', namspace: 'x' }),
      'namspace',
      /did you mean `namespace`/,
    );
    expectInvalid(
      bad({ environment: 'Prod!', dialect: 'traefik' }),
      'environment',
      /'environment' \("Prod!"\) must be a DNS-1123 label/,
    );
    expectInvalid(bad({ dialect: 'traefik' }), 'environment', /must be a non-empty string/);
    expectInvalid(bad({ environment: 'prod', dialect: 'nginx' }), 'dialect', /must be one of "gateway-api"/);
    expectInvalid(bad({ environment: 'prod', dialect: 'traefik', folder: 'a/b' }), 'folder', /no '\/'/);
    expectInvalid(bad({ environment: 'prod', dialect: 'traefik', datasource: '' }), 'datasource', /non-empty/);
    expectInvalid(
      bad({ environment: 'prod', dialect: 'traefik', signals: ['rate', 'rate'] }),
      'signals',
      /must not repeat/,
    );
    expectInvalid(bad({ environment: 'prod', dialect: 'traefik', name: 'Part 2' }), 'name', /DNS-1123 label/);
    expectInvalid(bad(null), 'options', /must be an object/);
  });

  it('refuses what the recording rules refuse: no catalog, no histogram, invalid policies', () => {
    expect(() => routeDashboard([blog], { environment: 'prod', dialect: 'aws-alb' })).toThrow(UnsupportedFeatureError);
    expect(() => routeDashboard([blog], { environment: 'prod', dialect: 'haproxy' })).toThrow(
      /cannot attribute 'latency'/,
    );
    const haproxy = routeDashboardJson([blog], {
      environment: 'prod',
      dialect: 'haproxy',
      signals: ['rate', 'errors'],
    });
    expect(visuals(haproxy).map((p) => p.title)).toEqual(['blog/rule-0: requests/s', 'blog/rule-0: 5xx ratio']);
    assertLayout(haproxy);
    expect(() => routeDashboard([{ ...blog, name: 'Blog!' }], { environment: 'prod', dialect: 'traefik' })).toThrow(
      RoutingError,
    );
  });
});
