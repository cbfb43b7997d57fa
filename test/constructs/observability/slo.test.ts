import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidPropertyError } from '../../../constructs/core/validate';
import { METRIC_CATALOG } from '../../../constructs/observability/catalog';
import { goldenSignalRules, RouteTelemetryError } from '../../../constructs/observability/golden-signals';
import { type AlertingRule, type SloRuleObject, sloRules } from '../../../constructs/observability/slo';
import { ROUTE_LABELS, SLO_ALERT_NAMES, SLO_RECORD_NAMES } from '../../../constructs/observability/slo-names';
import { RoutingError, UnsupportedFeatureError } from '../../../constructs/routing/errors';
import type { Dialect, RoutingPolicy } from '../../../constructs/routing/types';
import { validatePolicies } from '../../../constructs/routing/validate';
import { environments, slo as sloArb } from '../routing/oracle/arbitraries';
import { assertExprs, assertValidPrometheusRule } from './rule-checks';

const CATALOGUED = Object.keys(METRIC_CATALOG) as Dialect[];

/** A threshold on each controller's default buckets. */
const THRESHOLD: Partial<Record<Dialect, string>> = {
  'gateway-api': '250ms',
  contour: '250ms',
  traefik: '300ms',
  'ingress-nginx': '1s',
};

const shop = (dialect: Dialect): RoutingPolicy => ({
  name: 'shop',
  namespace: 'web',
  hosts: ['shop.example.com'],
  slo: {
    availability: 99.9,
    ...(THRESHOLD[dialect] ? { latency: { percentile: 99, threshold: THRESHOLD[dialect]! } } : {}),
  },
  acceptApproximations: ['redirect', 'redirect.path'],
  rules: [
    { name: 'web', backends: [{ service: 'web', port: 8080 }], slo: { availability: 99.5, window: '7d' } },
    {
      name: 'api',
      matches: [{ path: { type: 'PathPrefix', value: '/api' } }],
      backends: [
        { service: 'api', port: 80, weight: 90 },
        { service: 'api-v2', port: 80, weight: 10 },
      ],
    },
    { name: 'old', matches: [{ path: { type: 'PathPrefix', value: '/old' } }], redirect: { path: '/new' } },
  ],
});

/** Our own recorded series: SLO_RECORD_NAMES, the ratios at any Prometheus duration. */
const RECORD = /^switchyard:route_(errors|slow_requests):ratio_rate([0-9]+[dhm])+$/;
const ownRecord = (name: string) =>
  RECORD.test(name) ||
  [SLO_RECORD_NAMES.requests, SLO_RECORD_NAMES.badRequests, SLO_RECORD_NAMES.budgetRemaining].includes(name as never);

const rulesOf = (object: SloRuleObject) => object.spec.groups.flatMap((g) => g.rules);
const alertsOf = (object: SloRuleObject) => rulesOf(object).filter((r): r is AlertingRule => 'alert' in r);
const recordOf = (object: SloRuleObject, record: string, rule: string, slo: string) =>
  rulesOf(object).find(
    (r) =>
      'record' in r &&
      r.record === record &&
      r.labels[ROUTE_LABELS.rule] === rule &&
      r.labels[ROUTE_LABELS.slo] === slo,
  )!;

describe('sloRules', () => {
  it.each(CATALOGUED)('%s: records and alerts per objective, parsed, catalogued or ours, schema-valid', (dialect) => {
    const object = sloRules([shop(dialect)], { dialect, namespace: 'monitoring' });
    assertValidPrometheusRule(object);
    const count = assertExprs(object, dialect, ownRecord);
    // Per objective: 2 rates, 6 alert windows (5m from the rates), the SLO window, objective, budget, 2 alerts.
    const objectives = THRESHOLD[dialect] ? 3 : 2;
    expect(count).toBe(objectives * 13);
    expect(object.metadata.name).toBe(`switchyard-route-slos-${dialect}`);
    expect(object.spec.groups.map((g) => g.name)).toEqual(['switchyard.slo.web.shop']);
    const alert = alertsOf(object)[0]!;
    expect(alert.labels).toEqual({
      severity: 'page',
      switchyard_policy: 'shop',
      switchyard_namespace: 'web',
      switchyard_rule: 'web',
      switchyard_hosts: 'shop.example.com',
      switchyard_controller: dialect,
      switchyard_slo: 'availability',
      namespace: 'monitoring',
    });
    expect(alert.annotations.summary).toBe(
      'Route web/shop rule web (shop.example.com) is spending its availability error budget fast',
    );
    expect(alert.annotations.description).toContain('99.5% of requests without a 5xx over 7d');
    expect(alert.annotations.description).toContain('error budget 0.5% of requests over 7d');
  });

  it("selects each controller's series exactly as the golden signals do", () => {
    for (const dialect of CATALOGUED) {
      const golden = goldenSignalRules([shop(dialect)], { dialect, signals: ['errors'] }).spec.groups[0]!.rules[1]!;
      const ratio = recordOf(
        sloRules([shop(dialect)], { dialect }),
        SLO_RECORD_NAMES.errorRatio('1h'),
        'api',
        'availability',
      );
      expect(ratio.labels).toEqual({ ...golden.labels, switchyard_slo: 'availability' });
      expect(ratio.expr, dialect).toBe(golden.expr.replaceAll('[5m]', '[1h]'));
    }
    const envoy = recordOf(
      sloRules([shop('gateway-api')], { dialect: 'gateway-api' }),
      SLO_RECORD_NAMES.slowRatio('1h'),
      'api',
      'latency',
    );
    expect(envoy.expr).toBe(
      '1 - sum(rate(envoy_cluster_upstream_rq_time_bucket{envoy_cluster_name="httproute/web/shop/rule/1",le=~"250|250\\\\.0"}[1h])) / ' +
        'sum(rate(envoy_cluster_upstream_rq_time_bucket{envoy_cluster_name="httproute/web/shop/rule/1",le="+Inf"}[1h]))',
    );
    const traefik = recordOf(
      sloRules([shop('traefik')], { dialect: 'traefik' }),
      SLO_RECORD_NAMES.slowRatio('1h'),
      'api',
      'latency',
    );
    expect(traefik.expr).toContain('traefik_router_request_duration_seconds_bucket{router="web-shop-');
    expect(traefik.expr).toContain('le="0.3"');
    const nginx = recordOf(
      sloRules([shop('ingress-nginx')], { dialect: 'ingress-nginx' }),
      SLO_RECORD_NAMES.slowRatio('1h'),
      'api',
      'latency',
    );
    expect(nginx.expr).toContain('namespace="web",ingress=~"shop-api|shop-api-canary",le=~"1|1\\\\.0"');
  });

  it('alerts on 14.4x, 6x, 3x and 1x the budget: 0.0144, 0.006, 0.003, 0.001 for 99.9% over 30 days', () => {
    const object = sloRules([shop('gateway-api')], { dialect: 'gateway-api' });
    const [page, ticket] = alertsOf(object).filter(
      (a) => a.labels.switchyard_rule === 'api' && a.alert === SLO_ALERT_NAMES.availability,
    );
    expect(page!.labels.severity).toBe('page');
    expect(page!.for).toBe('2m');
    expect(page!.expr).toMatch(
      /^\(switchyard:route_errors:ratio_rate1h\{[^}]*\} > 0\.0144 and \(switchyard:route_slo_bad_requests:rate5m\{[^}]*\} \/ switchyard:route_slo_requests:rate5m\{[^}]*\}\) > 0\.0144\) or \(switchyard:route_errors:ratio_rate6h\{[^}]*\} > 0\.006 and switchyard:route_errors:ratio_rate30m\{[^}]*\} > 0\.006\)$/,
    );
    expect(ticket!.labels.severity).toBe('ticket');
    expect(ticket!.for).toBe('15m');
    expect(ticket!.expr).toMatch(
      /ratio_rate1d\{[^}]*\} > 0\.003 and .*ratio_rate2h\{[^}]*\} > 0\.003\) or .*ratio_rate3d\{[^}]*\} > 0\.001 and .*ratio_rate6h\{[^}]*\} > 0\.001\)$/,
    );
    const latency = alertsOf(object).find((a) => a.alert === SLO_ALERT_NAMES.latency)!;
    expect(latency.expr).toContain('> 0.144');
    for (const rule of rulesOf(object)) expect(rule.expr).not.toMatch(/[0-9]\.[0-9]*(0{6,}|9{6,})[1-9]/);
    expect(recordOf(object, SLO_RECORD_NAMES.objective, 'api', 'availability').expr).toBe('vector(0.999)');
    expect(recordOf(object, SLO_RECORD_NAMES.budgetRemaining, 'api', 'availability').expr).toMatch(
      /^1 - switchyard:route_errors:ratio_rate30d\{switchyard_policy="shop",.*,switchyard_slo="availability"\} \/ 0\.001$/,
    );
    expect(recordOf(object, SLO_RECORD_NAMES.errorRatio('30d'), 'api', 'availability').expr).toMatch(
      /^sum_over_time\(switchyard:route_slo_bad_requests:rate5m\{.*\}\[30d\]\) \/ sum_over_time\(switchyard:route_slo_requests:rate5m\{.*\}\[30d\]\)$/,
    );
    // The golden signal's name is not recorded again (it would double its series).
    expect(rulesOf(object).some((r) => 'record' in r && r.record === SLO_RECORD_NAMES.errorRatio('5m'))).toBe(false);
  });

  it('leaves out conditions that cannot fire (threshold 1 or more) and the alerts left without one', () => {
    const policy = (availability: number): RoutingPolicy => ({
      ...shop('gateway-api'),
      slo: { availability },
      rules: [shop('gateway-api').rules[1]!],
    });
    const alerts = (availability: number) => alertsOf(sloRules([policy(availability)], { dialect: 'gateway-api' }));
    expect(alerts(99).map((a) => a.expr.split(' or ').length)).toEqual([2, 2]);
    expect(alerts(90).map((a) => [a.labels.severity, a.expr.split(' or ').length])).toEqual([
      ['page', 1],
      ['ticket', 2],
    ]);
    expect(alerts(50).map((a) => [a.labels.severity, a.expr])).toEqual([
      ['ticket', expect.stringContaining('ratio_rate3d')],
    ]);
  });

  it('uses a rule objective instead of its policy one, and records nothing for rules without one', () => {
    const object = sloRules([shop('traefik')], { dialect: 'traefik' });
    const kinds = (rule: string) => [
      ...new Set(
        alertsOf(object)
          .filter((a) => a.labels.switchyard_rule === rule)
          .map((a) => a.labels.switchyard_slo),
      ),
    ];
    expect(kinds('web')).toEqual(['availability']);
    expect(kinds('api')).toEqual(['availability', 'latency']);
    expect(kinds('old')).toEqual([]);
    expect(rulesOf(object).some((r) => 'record' in r && r.record === SLO_RECORD_NAMES.errorRatio('7d'))).toBe(true);
    const bare = {
      ...shop('traefik'),
      slo: undefined,
      rules: [{ name: 'web', backends: [{ service: 'web', port: 80 }] }],
    };
    expect(sloRules([bare], { dialect: 'traefik' }).spec.groups).toEqual([]);
  });

  it('labels alerts with the namespace an AlertmanagerConfig matches: alertNamespace, else namespace, else none', () => {
    const labels = (options: object) =>
      alertsOf(sloRules([shop('contour')], { dialect: 'contour', ...options }))[0]!.labels;
    expect(labels({ namespace: 'monitoring' }).namespace).toBe('monitoring');
    expect(labels({ namespace: 'monitoring', alertNamespace: 'shop-team' }).namespace).toBe('shop-team');
    expect(labels({}).namespace).toBeUndefined();
    // Records carry no namespace label: only alerts are routed.
    expect(
      rulesOf(sloRules([shop('contour')], { dialect: 'contour', namespace: 'm' })).filter(
        (r) => 'record' in r && 'namespace' in r.labels,
      ),
    ).toEqual([]);
  });

  it('refuses a latency threshold off the histogram buckets, naming the nearest boundaries', () => {
    const policy = { ...shop('traefik'), slo: { latency: { percentile: 99, threshold: '250ms' } } };
    const run = () => sloRules([policy], { dialect: 'traefik' });
    expect(run).toThrow(RouteTelemetryError);
    expect(run).toThrow(
      'shop.slo.latency.threshold: Traefik (traefik) cannot measure latency under 250ms: 250ms is no bucket boundary of its duration histogram',
    );
    expect(run).toThrow('nearest boundaries: 0.1s and 0.3s. Use one of those as the threshold, or add 0.25s');
    const envoy = {
      ...shop('gateway-api'),
      slo: undefined,
      rules: [{ ...shop('gateway-api').rules[1]!, slo: { latency: { percentile: 99, threshold: '300ms' } } }],
    };
    expect(() => sloRules([envoy], { dialect: 'gateway-api' })).toThrow(
      /shop\.rules\[0\]\.slo\.latency\.threshold: .*nearest boundaries: 250ms and 500ms/,
    );
    // With the controller's buckets configured otherwise, say so.
    const custom = sloRules([envoy], { dialect: 'gateway-api', histogramBuckets: [100, 300, 1000] });
    expect(recordOf(custom, SLO_RECORD_NAMES.slowRatio('1h'), 'api', 'latency').expr).toContain('le=~"300|300\\\\.0"');
    const huge = { ...envoy, rules: [{ ...envoy.rules[0]!, slo: { latency: { percentile: 99, threshold: '1h' } } }] };
    expect(
      recordOf(sloRules([huge], { dialect: 'gateway-api' }), SLO_RECORD_NAMES.slowRatio('1h'), 'api', 'latency').expr,
    ).toContain('le=~"3\\\\.6e\\\\+06|3600000"');
  });

  it('refuses a latency objective on HAProxy (no histogram), and measures its availability', () => {
    expect(() =>
      sloRules([{ ...shop('haproxy'), slo: { latency: { percentile: 99, threshold: '1s' } } }], { dialect: 'haproxy' }),
    ).toThrow(
      "shop.slo.latency.threshold: HAProxy Kubernetes Ingress Controller (haproxy) cannot attribute 'latency' to this rule alone: HAProxy's Prometheus exporter has only averages",
    );
    expect(alertsOf(sloRules([shop('haproxy')], { dialect: 'haproxy' })).length).toBe(4);
  });

  it('refuses rules sharing a backend Service on per-Service controllers, and TLS passthrough never gets an slo', () => {
    const shared: RoutingPolicy = {
      name: 'blog',
      hosts: ['blog.example.com'],
      slo: { availability: 99 },
      rules: [
        {
          name: 'posts',
          matches: [{ path: { type: 'PathPrefix', value: '/posts' } }],
          backends: [{ service: 'blog', port: 80 }],
        },
        {
          name: 'feed',
          matches: [{ path: { type: 'PathPrefix', value: '/feed' } }],
          backends: [{ service: 'blog', port: 80 }],
        },
      ],
    };
    expect(() => sloRules([shared], { dialect: 'contour' })).toThrow(
      /^blog\.rules\[0\]: Contour \(Envoy\) \(contour\) cannot attribute its metrics to this rule alone: its series are per backend Service/,
    );
    expect(alertsOf(sloRules([shared], { dialect: 'gateway-api' })).length).toBe(4);
    expect(() =>
      sloRules([{ ...shared, tls: { passthrough: true }, rules: [{ backends: [{ service: 'db', port: 443 }] }] }], {
        dialect: 'traefik',
      }),
    ).toThrow('blog.slo ({"availability":99}) needs HTTP, which tls.passthrough hides from the proxy');
  });

  it('refuses dialects without Prometheus metrics like goldenSignalRules', () => {
    expect(() => sloRules([shop('aws-alb')], { dialect: 'aws-alb' })).toThrow(UnsupportedFeatureError);
    expect(() => sloRules([shop('aws-alb')], { dialect: 'aws-alb' })).toThrow(
      "options.dialect: aws-alb cannot express 'route-telemetry' (the ALB reports to CloudWatch, not Prometheus)",
    );
    expect(() => sloRules([shop('openshift-route')], { dialect: 'openshift-route' })).toThrow(
      'no metric catalog for this controller yet',
    );
  });

  it('validates options and policies strictly, naming the field', () => {
    const bad = (options: unknown) => () => sloRules([shop('traefik')], options as never);
    expect(bad({ dialect: 'nginx' })).toThrow(InvalidPropertyError);
    expect(bad({ dialect: 'traefik', alertNamespce: 'x' })).toThrow(
      '`alertNamespce`: unknown; did you mean `alertNamespace`?',
    );
    expect(bad({ dialect: 'traefik', alertNamespace: 'Bad_NS' })).toThrow(
      `'alertNamespace' ("Bad_NS") must be a DNS-1123 label`,
    );
    expect(bad({ dialect: 'traefik', histogramBuckets: [1, 0.5] })).toThrow('must be positive and strictly ascending');
    expect(bad({ dialect: 'traefik', histogramBuckets: [] })).toThrow('must list at least one boundary');
    expect(bad({ dialect: 'traefik', histogramBuckets: ['1'] })).toThrow(
      `'histogramBuckets[0]' ("1") must be a number`,
    );
    expect(bad(undefined)).toThrow(InvalidPropertyError);
    expect(() => sloRules([{ ...shop('traefik'), slo: { availability: 100 } }], { dialect: 'traefik' })).toThrow(
      'shop.slo.availability (100) must be a percentage from 50 to below 100',
    );
  });

  it('property: every generated environment with objectives yields parsed, schema-valid rules, or a typed error', () => {
    let yielded = 0;
    fc.assert(
      fc.property(
        environments,
        fc.constantFrom(...CATALOGUED),
        fc.option(fc.constantFrom('monitoring', 'team-a')),
        (policies, dialect, ns) => {
          let object: SloRuleObject;
          try {
            object = sloRules(policies, { dialect, ...(ns ? { namespace: ns } : {}) });
          } catch (e) {
            expect(e, String(e)).toBeInstanceOf(RoutingError);
            return;
          }
          yielded++;
          assertValidPrometheusRule(object);
          assertExprs(object, dialect, ownRecord);
          const objectives = policies.flatMap((p) =>
            p.rules.flatMap((r) => {
              const slo = r.backends ? (r.slo ?? p.slo) : undefined;
              return slo ? [slo.availability, slo.latency].filter((x) => x !== undefined) : [];
            }),
          );
          expect(
            new Set(
              alertsOf(object).map(
                (a) =>
                  `${a.labels.switchyard_namespace}/${a.labels.switchyard_policy}/${a.labels.switchyard_rule}/${a.labels.switchyard_slo}`,
              ),
            ).size,
          ).toBe(objectives.length);
          for (const a of alertsOf(object)) expect(a.labels.namespace).toBe(ns ?? undefined);
        },
      ),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 200) },
    );
    expect(yielded).toBeGreaterThan(20);
  });

  it('property: mutated objectives never make validation or sloRules throw an untyped error', () => {
    const anything = fc.oneof(
      fc.anything(),
      fc.double(),
      fc.constantFrom(99.9, 100, 49.99, 99.9999, '30d', '0d', '91d', '250ms', '0ms', -1),
    );
    const mutated = fc.record(
      {
        availability: anything,
        latency: fc.oneof(anything, fc.record({ percentile: anything, threshold: anything }, { requiredKeys: [] })),
        window: anything,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(sloArb, mutated), fc.boolean(), fc.constantFrom(...CATALOGUED), (slo, onRule, dialect) => {
        const policy = onRule
          ? { ...shop(dialect), slo: undefined, rules: [{ ...shop(dialect).rules[1]!, slo }] }
          : { ...shop(dialect), slo };
        for (const run of [
          () => validatePolicies([policy as RoutingPolicy]),
          () => sloRules([policy as RoutingPolicy], { dialect }),
        ]) {
          try {
            run();
          } catch (e) {
            if (!(e instanceof RoutingError || e instanceof InvalidPropertyError)) throw e;
          }
        }
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 300) },
    );
  });
});
