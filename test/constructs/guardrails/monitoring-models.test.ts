import { describe, expect, it } from 'vitest';
import { SchemaRegistry } from '../../../constructs/guardrails/schema';
import { sloAlertRouting } from '../../../constructs/observability/alerting';
import { goldenSignalRules } from '../../../constructs/observability/golden-signals';
import { sloRules } from '../../../constructs/observability/slo';
import type { RoutingPolicy } from '../../../constructs/routing/types';

const POLICY: RoutingPolicy = {
  name: 'shop',
  namespace: 'shop',
  hosts: ['shop.example.com'],
  slo: { availability: 99.9, latency: { percentile: 99, threshold: '500ms' } },
  rules: [{ name: 'web', backends: [{ service: 'web', port: 8080 }] }],
};
const messages = async (object: unknown) => (await new SchemaRegistry().validate([object])).map((f) => f.message);

describe('PrometheusRule and AlertmanagerConfig models', () => {
  it('pass what the telemetry compilers emit', async () => {
    const registry = new SchemaRegistry();
    const objects = [
      goldenSignalRules([POLICY], { dialect: 'gateway-api', namespace: 'shop' }),
      sloRules([POLICY], { dialect: 'gateway-api', namespace: 'shop' }),
      sloAlertRouting({
        namespace: 'shop',
        receiver: { name: 'oncall', webhook: { urlSecret: { name: 'alert-hook', key: 'url' } } },
      }),
    ];
    expect(await registry.validate(objects)).toEqual([]);
  });

  const rule = (rules: unknown[], extraGroup?: unknown) => ({
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'r', namespace: 'shop' },
    spec: { groups: [{ name: 'g', rules }, ...(extraGroup ? [extraGroup] : [])] },
  });

  it('refuse unknown fields, bad durations, rules that both or neither record and alert, bad label names', async () => {
    expect(await messages(rule([{ record: 'a:b', expr: 'up', unknown: 1 }]))).toEqual([
      '/spec/groups/0/rules/0/unknown is not a field of this object',
    ]);
    expect(await messages(rule([{ alert: 'A', expr: 'up', for: '5 minutes' }]))).toEqual([
      expect.stringMatching(/^\/spec\/groups\/0\/rules\/0\/for /),
    ]);
    expect(await messages(rule([{ expr: 'up' }]))).toEqual([
      '/spec/groups/0/rules/0 must have exactly one of record and alert',
    ]);
    expect(await messages(rule([{ record: 'a', alert: 'A', expr: 'up' }]))).toEqual([
      '/spec/groups/0/rules/0 must have exactly one of record and alert',
    ]);
    expect(await messages(rule([{ record: 'a', expr: 'up', for: '5m' }]))).toEqual([
      "/spec/groups/0/rules/0 is a recording rule: 'for' and 'annotations' belong to alerts",
    ]);
    expect(await messages(rule([{ record: 'a', expr: 'up', labels: { 'bad-label': 'x' } }]))).toEqual([
      '/spec/groups/0/rules/0/labels/bad-label is not a Prometheus label name',
    ]);
    expect(await messages(rule([{ record: 'a', expr: 'up' }], { name: 'g', rules: [] }))).toEqual([
      '/spec/groups/1/name "g" is used twice',
    ]);
  });

  it('refuse an AlertmanagerConfig route to a receiver it does not define, and a secret without a key', async () => {
    const config = (receiver: string, secret: unknown) => ({
      apiVersion: 'monitoring.coreos.com/v1alpha1',
      kind: 'AlertmanagerConfig',
      metadata: { name: 'a', namespace: 'shop' },
      spec: {
        route: { receiver, routes: [{ receiver: 'other' }] },
        receivers: [{ name: 'oncall', webhookConfigs: [{ urlSecret: secret }] }],
      },
    });
    expect(await messages(config('oncall', { name: 's', key: 'url' }))).toEqual([
      '/spec/route/routes/0/receiver "other" is not one of /spec/receivers',
    ]);
    expect(await messages(config('nobody', { name: 's' }))).toEqual([
      "/spec/receivers/0/webhookConfigs/0/urlSecret must have required property 'key'",
      '/spec/route/receiver "nobody" is not one of /spec/receivers',
      '/spec/route/routes/0/receiver "other" is not one of /spec/receivers',
    ]);
  });
});
