import { describe, expect, it } from 'vitest';
import { InvalidPropertyError } from '../../../constructs/core/validate';
import { environmentObjects } from '../../../constructs/platform/environment-app';
import { TELEMETRY_OBJECT_MAX_BYTES } from '../../../constructs/platform/environment-telemetry';
import type { Environment } from '../../../constructs/platform/model';
import type { KubeObject, RoutingPolicy } from '../../../constructs/routing/types';
import { expectSchemaValid } from '../../helpers/schema';

const ROUTING: RoutingPolicy[] = [
  {
    name: 'shop',
    namespace: 'shop',
    hosts: ['shop.example.com'],
    rules: [
      { name: 'old', matches: [{ path: { type: 'PathPrefix', value: '/old' } }], redirect: { path: '/new' } },
      { name: 'web', backends: [{ service: 'web', port: 8080 }] },
    ],
  },
];
const WITH_SLO: RoutingPolicy[] = [{ ...ROUTING[0]!, slo: { availability: 99.9 } }];
const RECEIVER = { name: 'oncall', webhook: { urlSecret: { name: 'alert-hook', key: 'url' } } };
const APP = { kind: 'web', name: 'web', props: { image: 'ghcr.io/acme/web:1.0.0', metrics: {} } } as const;

const env = (over: Partial<Environment> = {}): Environment => ({
  name: 'prod',
  namespace: 'shop',
  cluster: { traits: { kind: 'existing' } },
  addons: { metrics: { highAvailability: false } },
  apps: [APP],
  routing: ROUTING,
  ...over,
});
const kinds = (objects: readonly KubeObject[]) => objects.map((o) => `${o.kind}/${o.metadata.name}`);
const telemetryOf = (e: Environment) =>
  environmentObjects(e).manifests.filter(
    (o) =>
      ['PrometheusRule', 'AlertmanagerConfig'].includes(o.kind) ||
      (o.kind === 'ConfigMap' && o.metadata.name.includes('dashboard')),
  );

function refusal(e: Environment): InvalidPropertyError {
  try {
    environmentObjects(e);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidPropertyError);
    return error as InvalidPropertyError;
  }
  throw new Error('the environment was accepted');
}

describe('environment telemetry', () => {
  it('writes golden signals and a dashboard in the namespace by default where the metrics stack runs', async () => {
    const objects = telemetryOf(env());
    expect(kinds(objects)).toEqual([
      'PrometheusRule/switchyard-route-signals-gateway-api',
      'ConfigMap/switchyard-routes-dashboard-prod',
    ]);
    for (const o of objects) expect(o.metadata.namespace).toBe('shop');
    await expectSchemaValid(objects);
  });

  it("adds the SLO rules and the Alertmanager route to the environment's receiver, alerts labelled for it", async () => {
    const objects = telemetryOf(env({ routing: WITH_SLO, observability: { alertReceiver: RECEIVER } }));
    expect(kinds(objects)).toEqual([
      'PrometheusRule/switchyard-route-signals-gateway-api',
      'PrometheusRule/switchyard-route-slos-gateway-api',
      'AlertmanagerConfig/switchyard-slo-alerts',
      'ConfigMap/switchyard-routes-dashboard-prod',
    ]);
    const slos = objects[1] as any;
    const alerts = slos.spec.groups.flatMap((g: any) => g.rules).filter((r: any) => r.alert);
    expect(alerts.length).toBeGreaterThan(0);
    for (const alert of alerts) expect(alert.labels.namespace).toBe('shop');
    expect((objects[2] as any).spec.receivers).toEqual([
      expect.objectContaining({
        name: 'oncall',
        webhookConfigs: [expect.objectContaining({ urlSecret: RECEIVER.webhook.urlSecret })],
      }),
    ]);
    await expectSchemaValid(objects);
  });

  it('lets the apps create their ServiceMonitor and admits the Prometheus pods to their metrics port', () => {
    const { manifests } = environmentObjects(env());
    expect(kinds(manifests)).toContain('ServiceMonitor/web');
    const policy = manifests.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'web') as any;
    expect(policy.spec.ingress).toContainEqual({
      from: [
        expect.objectContaining({
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
        }),
      ],
      ports: [{ protocol: 'TCP', port: 8080 }],
    });
  });

  it('writes nothing without Prometheus, and on a cluster that runs its own uses the scraper given', () => {
    expect(telemetryOf(env({ addons: {} }))).toEqual([]);
    const own = env({
      addons: {},
      cluster: { traits: { kind: 'existing', prometheusOperator: true } },
      observability: { scraper: { namespace: 'observability', podLabels: { app: 'prometheus' } } },
    });
    expect(kinds(telemetryOf(own))).toHaveLength(2);
    const policy = environmentObjects(own).manifests.find(
      (o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'web',
    ) as any;
    expect(JSON.stringify(policy.spec.ingress)).toContain('"observability"');
  });

  it('leaves out the signals or the dashboard when asked', () => {
    expect(kinds(telemetryOf(env({ observability: { routeSignals: false } })))).toEqual([
      'ConfigMap/switchyard-routes-dashboard-prod',
    ]);
    expect(kinds(telemetryOf(env({ observability: { dashboard: false } })))).toEqual([
      'PrometheusRule/switchyard-route-signals-gateway-api',
    ]);
  });

  it('records no latency on HAProxy, which exports no duration histogram', () => {
    const routing = [{ ...ROUTING[0]!, rules: ROUTING[0]!.rules.slice(1) }];
    const objects = telemetryOf(env({ controller: { kind: 'haproxy' }, routing }));
    const records = (objects[0] as any).spec.groups.flatMap((g: any) => g.rules.map((r: any) => r.record));
    expect(records).toEqual(['switchyard:route_requests:rate5m', 'switchyard:route_errors:ratio_rate5m']);
  });

  it.each([
    [{ addons: {}, routing: WITH_SLO }, 'environments.prod.observability', /routes with an SLO but no Prometheus/],
    [
      { addons: {}, observability: { alertReceiver: RECEIVER } },
      'environments.prod.observability',
      /an alert receiver but no Prometheus/,
    ],
    [{ routing: WITH_SLO }, 'environments.prod.observability.alertReceiver', /required/],
    [{ observability: { dashbord: true } as never }, 'environments.prod.observability.dashbord', /dashbord/],
    [{ observability: { routeSignals: 'yes' } as never }, 'environments.prod.observability.routeSignals', /boolean/],
    [
      { routing: WITH_SLO, observability: { alertReceiver: { name: 'oncall', email: 'a@b.c' } } as never },
      'environments.prod.observability.alertReceiver',
      /receiver/,
    ],
  ] as const)('refuses %j naming %s', (over, property, message) => {
    const error = refusal(env(over as Partial<Environment>));
    expect(error.property).toMatch(new RegExp(`^${property.replace(/\./g, '\\.')}`));
    expect(error.message).toMatch(message);
  });
});

describe('environment dashboards at scale', () => {
  it('splits the dashboard over ConfigMaps that each fit 1 MiB, every route drawn exactly once', () => {
    const routing: RoutingPolicy[] = Array.from({ length: 400 }, (_, i) => ({
      name: `site-${i}`,
      namespace: 'shop',
      hosts: [`site-${i}.example.com`],
      rules: [{ name: 'web', backends: [{ service: 'web', port: 8080 }] }],
    }));
    const maps = telemetryOf(env({ routing, observability: { routeSignals: false } }));
    expect(maps.length).toBeGreaterThan(1);
    const drawn: string[] = [];
    for (const map of maps) {
      const [key, text] = Object.entries(map.data as Record<string, string>)[0]!;
      expect(Buffer.byteLength(key) + Buffer.byteLength(text)).toBeLessThanOrEqual(1024 * 1024);
      expect(map.metadata.name).toMatch(/^switchyard-routes-dashboard-prod-part(-[12])+$/);
      const dashboard = JSON.parse(text);
      for (const panel of dashboard.panels) if (panel.type === 'row') drawn.push(panel.title);
    }
    expect(drawn).toHaveLength(400);
    expect(new Set(drawn).size).toBe(400);
  });
});

describe('environment rules at scale', () => {
  it('splits the SLO and signal rules over PrometheusRules the operator can hold, every rule exactly once', () => {
    const routing: RoutingPolicy[] = Array.from({ length: 150 }, (_, i) => ({
      name: `site-${i}`,
      namespace: 'shop',
      hosts: [`site-${i}.example.com`],
      slo: { availability: 99.9 },
      rules: [{ name: 'web', backends: [{ service: 'web', port: 8080 }] }],
    }));
    const rules = telemetryOf(env({ routing, observability: { dashboard: false, alertReceiver: RECEIVER } })).filter(
      (o) => o.kind === 'PrometheusRule',
    );
    const slos = rules.filter((o) => o.metadata.name.startsWith('switchyard-route-slos'));
    expect(slos.length).toBeGreaterThan(1);
    for (const o of rules) expect(Buffer.byteLength(JSON.stringify(o))).toBeLessThanOrEqual(TELEMETRY_OBJECT_MAX_BYTES);
    const names = rules.map((o) => o.metadata.name);
    expect(new Set(names).size).toBe(names.length);
    const groups = slos.flatMap((o: any) => o.spec.groups.map((g: any) => g.name));
    expect(groups).toHaveLength(150);
    expect(new Set(groups).size).toBe(150);
  });
});
