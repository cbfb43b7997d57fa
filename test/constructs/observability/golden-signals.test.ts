import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidPropertyError } from '../../../constructs/core/validate';
import { METRIC_CATALOG, metricNames } from '../../../constructs/observability/catalog';
import {
  goldenSignalRules,
  type PrometheusRuleObject,
  RECORD_NAMES,
  RouteTelemetryError,
  traefikRouterName,
} from '../../../constructs/observability/golden-signals';
import { sloRules } from '../../../constructs/observability/slo';
import { RoutingError, UnsupportedFeatureError } from '../../../constructs/routing/errors';
import type { Dialect, RoutingPolicy } from '../../../constructs/routing/types';
import { environments } from '../routing/oracle/arbitraries';
import { metricNamesIn, parseErrors } from './promql';
import { assertExprs as assertCatalogExprs, assertValidPrometheusRule } from './rule-checks';

const CATALOGUED = Object.keys(METRIC_CATALOG) as Dialect[];

const shop: RoutingPolicy = {
  name: 'shop',
  namespace: 'web',
  hosts: ['shop.example.com'],
  acceptApproximations: ['redirect', 'redirect.path'],
  rules: [
    { name: 'web', backends: [{ service: 'web', port: 8080 }] },
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
};

const optionsFor = (dialect: Dialect) => ({
  dialect,
  ...(METRIC_CATALOG[dialect]?.duration ? {} : { signals: ['rate', 'errors'] as const }),
});

/** Every expr parses, uses only the controller's catalogued metrics, and at least one of them. */
function assertExprs(object: PrometheusRuleObject, dialect: Dialect): number {
  for (const group of object.spec.groups)
    for (const rule of group.rules) expect(metricNamesIn(rule.expr).length, rule.expr).toBeGreaterThan(0);
  return assertCatalogExprs(object, dialect);
}

describe('metric catalog', () => {
  it('cites a source and says how finely each controller attributes', () => {
    for (const dialect of CATALOGUED) {
      const entry = METRIC_CATALOG[dialect]!;
      expect(entry.sources.length, dialect).toBeGreaterThan(0);
      expect(entry.note.length, dialect).toBeGreaterThan(20);
      expect(entry.duration !== undefined || entry.noHistogram !== undefined, dialect).toBe(true);
      for (const name of metricNames(entry)) expect(name, dialect).toMatch(/^[a-z_][a-z0-9_]*$/);
    }
  });

  it('catalogues every dialect with a Prometheus controller; HAProxy has no histogram', () => {
    expect(CATALOGUED.sort()).toEqual(['contour', 'gateway-api', 'haproxy', 'ingress-nginx', 'traefik']);
    expect(METRIC_CATALOG.haproxy!.duration).toBeUndefined();
  });
});

describe('goldenSignalRules', () => {
  it.each(CATALOGUED)(
    '%s: rate, error ratio and quantiles per rule with backends, parsed and schema-valid',
    (dialect) => {
      const object = goldenSignalRules([shop], optionsFor(dialect));
      assertValidPrometheusRule(object);
      const perRule = METRIC_CATALOG[dialect]!.duration ? 5 : 2;
      expect(assertExprs(object, dialect)).toBe(2 * perRule); // the redirect rule has no backends
      const rules = object.spec.groups[0]!.rules;
      expect(rules[0]!.record).toBe(RECORD_NAMES.rate);
      expect(rules[1]!.record).toBe(RECORD_NAMES.errors);
      expect(rules[0]!.labels).toEqual({
        switchyard_policy: 'shop',
        switchyard_namespace: 'web',
        switchyard_rule: 'web',
        switchyard_hosts: 'shop.example.com',
        switchyard_controller: dialect,
      });
      expect(rules[perRule]!.labels.switchyard_rule).toBe('api');
    },
  );

  it('selects each controller by its own route label', () => {
    const expr = (dialect: Dialect) =>
      goldenSignalRules([shop], optionsFor(dialect)).spec.groups[0]!.rules.find(
        (r) => r.labels.switchyard_rule === 'api',
      )!.expr;
    expect(expr('gateway-api')).toBe(
      'sum(rate(envoy_cluster_upstream_rq_total{envoy_cluster_name="httproute/web/shop/rule/1"}[5m]))',
    );
    expect(expr('contour')).toBe(
      'sum(rate(envoy_cluster_upstream_rq_total{envoy_cluster_name=~"web_api-v2_80|web_api_80"}[5m]))',
    );
    expect(expr('ingress-nginx')).toContain('namespace="web",ingress=~"shop-api|shop-api-canary"');
    expect(expr('haproxy')).toContain('proxy=~"web_svc_api_[^_]+|web_svc_api-v2_[^_]+"');
    expect(expr('traefik')).toMatch(
      /^sum\(rate\(traefik_router_requests_total\{router="web-shop-[0-9a-f]{10}@kubernetescrd"\}\[5m\]\)\)$/,
    );
    const latency = goldenSignalRules([shop], { dialect: 'gateway-api' }).spec.groups[0]!.rules[9]!;
    expect(latency.record).toBe('switchyard:route_request_duration_seconds:p99_5m');
    expect(latency.expr).toMatch(
      /^histogram_quantile\(0\.99, sum by \(le\) \(rate\(envoy_cluster_upstream_rq_time_bucket\{.*\}\[5m\]\)\)\) \* 0\.001$/,
    );
  });

  it('names Traefik routers as its kubernetescrd provider does (namespace, IngressRoute, SHA-256 of the match)', () => {
    // `printf 'Host(\`a\`)' | sha256sum` begins 4f4040cc3a.
    expect(traefikRouterName('web', 'shop', 'Host(`a`)')).toBe('web-shop-4f4040cc3a@kubernetescrd');
    expect(traefikRouterName('web', 'my.route', 'x')).toMatch(/^web-my-route-/);
  });

  it('the schema check is not vacuous: a wrong type, a missing or an unknown field fails', () => {
    const object = goldenSignalRules([shop], { dialect: 'gateway-api' });
    const group = object.spec.groups[0]!;
    const withRule = (rule: unknown) =>
      ({ ...object, spec: { groups: [{ ...group, rules: [rule] }] } }) as unknown as PrometheusRuleObject;
    expect(() => assertValidPrometheusRule(withRule({ ...group.rules[0], record: 42 }))).toThrow();
    expect(() => assertValidPrometheusRule(withRule({ record: 'r' }))).toThrow('must have required property expr');
    expect(() => assertValidPrometheusRule(withRule({ ...group.rules[0], query: 'x' }))).toThrow('rule field query');
    expect(parseErrors('sum(rate(x{a=}[5m])')).not.toEqual([]);
  });

  it('sets the PrometheusRule namespace when asked', () => {
    const object = goldenSignalRules([shop], { dialect: 'gateway-api', namespace: 'monitoring' });
    expect(object.metadata).toEqual({
      name: 'switchyard-route-signals-gateway-api',
      namespace: 'monitoring',
      labels: { 'app.kubernetes.io/managed-by': 'switchyard', 'switchyard.io/controller': 'gateway-api' },
    });
  });

  it('refuses a rule whose backend Service another rule shares, on per-Service controllers', () => {
    const shared: RoutingPolicy = {
      name: 'blog',
      hosts: ['blog.example.com'],
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
    for (const dialect of ['contour', 'haproxy'] as const) {
      const run = () => goldenSignalRules([shared], optionsFor(dialect));
      expect(run).toThrow(RouteTelemetryError);
      expect(run).toThrow(
        `blog.rules[0]: ${METRIC_CATALOG[dialect]!.controller} (${dialect}) cannot attribute its metrics to this rule alone: ` +
          `its series are per backend Service (label ${dialect === 'contour' ? 'envoy_cluster_name' : 'proxy'}), and ` +
          `Service ${dialect === 'contour' ? 'port default/blog/80' : 'default/blog'} also receives traffic from blog.rules[1]. ` +
          'Give each rule its own backend Service, or compile for a dialect that attributes per rule',
      );
    }
    // Per-rule and per-route-object controllers tell them apart.
    for (const dialect of ['gateway-api', 'traefik', 'ingress-nginx'] as const)
      expect(assertExprs(goldenSignalRules([shared], { dialect }), dialect)).toBe(10);
  });

  it("counts mirrored copies as sharing: a mirror to a rule's Service makes it ambiguous on Contour", () => {
    const mirrored: RoutingPolicy = {
      name: 'shadow',
      hosts: ['shadow.example.com'],
      rules: [
        {
          name: 'live',
          matches: [{ path: { type: 'PathPrefix', value: '/v2' } }],
          backends: [{ service: 'v2', port: 80 }],
        },
        {
          name: 'old',
          backends: [{ service: 'v1', port: 80 }],
          mirror: { backend: { service: 'v2', port: 80 } },
        },
      ],
    };
    expect(() => goldenSignalRules([mirrored], { dialect: 'contour' })).toThrow(
      'shadow.rules[0]: Contour (Envoy) (contour) cannot attribute its metrics to this rule alone: its series are per backend Service (label envoy_cluster_name), and Service port default/v2/80 also receives traffic from shadow.rules[1]',
    );
    // The mirroring rule itself is measured on its own backend only.
    const single = goldenSignalRules([{ ...mirrored, rules: [mirrored.rules[1]!] }], { dialect: 'contour' });
    expect(single.spec.groups[0]!.rules[0]!.expr).toBe(
      'sum(rate(envoy_cluster_upstream_rq_total{envoy_cluster_name="default_v1_80"}[5m]))',
    );
  });

  it('refuses latency on HAProxy (no histogram) and records the rest when told to', () => {
    const run = () => goldenSignalRules([shop], { dialect: 'haproxy' });
    expect(run).toThrow(RouteTelemetryError);
    expect(run).toThrow(
      "shop.rules[0]: HAProxy Kubernetes Ingress Controller (haproxy) cannot attribute 'latency' to this rule alone: " +
        "HAProxy's Prometheus exporter has only averages over the last 1024 requests (haproxy_backend_total_time_average_seconds), " +
        "no duration histogram, so no quantile can be computed. Set signals: ['rate', 'errors'] to record the others",
    );
    const object = goldenSignalRules([shop], { dialect: 'haproxy', signals: ['rate', 'errors'] });
    expect(object.spec.groups[0]!.rules.map((r) => r.record)).toEqual([
      RECORD_NAMES.rate,
      RECORD_NAMES.errors,
      RECORD_NAMES.rate,
      RECORD_NAMES.errors,
    ]);
  });

  it('refuses TLS passthrough: no HTTP metrics', () => {
    const passthrough: RoutingPolicy = {
      name: 'db',
      hosts: ['db.example.com'],
      tls: { passthrough: true },
      rules: [{ backends: [{ service: 'db', port: 443 }] }],
    };
    expect(() => goldenSignalRules([passthrough], { dialect: 'gateway-api' })).toThrow(
      'db.rules[0]: Envoy Gateway (gateway-api) cannot attribute its metrics to this rule alone: TLS passthrough is proxied as TCP',
    );
  });

  it('refuses dialects without a Prometheus catalog with the ones that have one', () => {
    const run = () => goldenSignalRules([shop], { dialect: 'aws-alb' });
    expect(run).toThrow(UnsupportedFeatureError);
    expect(run).toThrow(
      "options.dialect: aws-alb cannot express 'route-telemetry' (the ALB reports to CloudWatch, not Prometheus). " +
        'Dialects that can: gateway-api, ingress-nginx, traefik, haproxy, contour.',
    );
    expect(() => goldenSignalRules([shop], { dialect: 'openshift-route' })).toThrow(
      'no metric catalog for this controller yet',
    );
  });

  it('validates options strictly, naming the field', () => {
    const bad = (options: unknown) => () => goldenSignalRules([shop], options as never);
    expect(bad({ dialect: 'nginx' })).toThrow(InvalidPropertyError);
    expect(bad({ dialect: 'nginx' })).toThrow(`'dialect' ("nginx") must be one of "gateway-api"`);
    expect(bad({ dialect: 'traefik', namespce: 'x' })).toThrow('`namespce`: unknown; did you mean `namespace`?');
    expect(bad({ dialect: 'traefik', namespace: 'Bad_NS' })).toThrow(InvalidPropertyError);
    expect(bad({ dialect: 'traefik', signals: ['rate', 'rate'] })).toThrow('must not repeat a signal');
    expect(bad({ dialect: 'traefik', signals: [] })).toThrow('must name at least one signal');
    expect(bad({ dialect: 'traefik', signals: ['p99'] })).toThrow(`'signals[0]' ("p99") must be one of "rate"`);
    expect(bad(null)).toThrow(InvalidPropertyError);
    try {
      bad({ dialect: 'traefik', extra: 1 })();
    } catch (e) {
      expect((e as InvalidPropertyError).property).toBe('extra');
    }
  });

  it('validates the policies like the routing compiler', () => {
    expect(() => goldenSignalRules([{ ...shop, name: 'Shop!' }], { dialect: 'traefik' })).toThrow(RoutingError);
  });

  it('property: every environment yields parsed, catalogued, schema-valid rules, or a typed error', () => {
    fc.assert(
      fc.property(environments, fc.constantFrom(...CATALOGUED), (policies, dialect) => {
        let object: PrometheusRuleObject;
        try {
          object = goldenSignalRules(policies, optionsFor(dialect));
        } catch (e) {
          expect(e, String(e)).toBeInstanceOf(RoutingError);
          return;
        }
        assertValidPrometheusRule(object);
        const withBackends = policies.flatMap((p) => p.rules.filter((r) => r.backends)).length;
        const perRule = METRIC_CATALOG[dialect]!.duration ? 5 : 2;
        expect(assertExprs(object, dialect)).toBe(withBackends * perRule);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 150) },
    );
  });
});

describe('constructs/observability purity', () => {
  it('imports no engine, reads no files, environment or clock', () => {
    const dir = path.resolve(__dirname, '../../../constructs/observability');
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const text = fs.readFileSync(path.join(dir, file), 'utf8');
      const imports = [...text.matchAll(/from\s+'([^']+)'/g)].map((m) => m[1]!);
      for (const i of imports) {
        expect(i, `${file} imports ${i}`).not.toMatch(
          /^(cdk8s|cdk8s-plus-27|constructs|@pulumi\/.*)$|^(node:)?(fs|child_process|os|process)$/,
        );
      }
      expect(text, file).not.toMatch(/process\.env|Date\.now\(|new Date\(/);
    }
  });
});

describe('rule objects in parts', () => {
  it('end the object name with the part, and refuse a part that is not a DNS label', () => {
    expect(goldenSignalRules([shop], { dialect: 'gateway-api', part: 'part-1' }).metadata.name).toBe(
      'switchyard-route-signals-gateway-api-part-1',
    );
    const slo = { ...shop, slo: { availability: 99.9 } };
    expect(sloRules([slo], { dialect: 'gateway-api', part: 'part-2' }).metadata.name).toBe(
      'switchyard-route-slos-gateway-api-part-2',
    );
    for (const build of [
      () => goldenSignalRules([shop], { dialect: 'gateway-api', part: 'Part 1' }),
      () => sloRules([slo], { dialect: 'gateway-api', part: 'Part 1' }),
    ]) {
      try {
        build();
        throw new Error('accepted');
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidPropertyError);
        expect((error as InvalidPropertyError).property).toBe('part');
        expect((error as Error).message).toMatch(/Part 1/);
      }
    }
  });
});
