import * as fs from 'node:fs';
import * as path from 'node:path';
import { AlertmanagerConfig } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1alpha1';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { InvalidPropertyError } from '../../../constructs/core/validate';
import {
  type AlertMatcher,
  type AlertmanagerConfigObject,
  type AlertRoute,
  type SloReceiver,
  sloAlertRouting,
} from '../../../constructs/observability/alerting';
import { type AlertingRule, sloRules } from '../../../constructs/observability/slo';
import type { RoutingPolicy } from '../../../constructs/routing/types';

const RECEIVERS: Record<string, SloReceiver> = {
  webhook: { name: 'oncall', webhook: { urlSecret: { name: 'alert-webhook', key: 'url' } } },
  slack: { name: 'team-chat', slack: { apiUrlSecret: { name: 'slack', key: 'webhook-url' }, channel: '#shop-alerts' } },
  pagerduty: { name: 'pager', pagerduty: { routingKeySecret: { name: 'pagerduty', key: 'routing-key' } } },
};

/** The fields a model interface declares, read from its type declarations: the CRD's fields of that object. */
function crdFields(model: string): Set<string> {
  const dir = path.dirname(require.resolve('@kubernetes-models/prometheus-operator/package.json'));
  const text = fs.readFileSync(path.join(dir, 'monitoring.coreos.com/v1alpha1', `${model}.d.ts`), 'utf8');
  const body = text.slice(text.indexOf('export interface'), text.indexOf('export declare class'));
  return new Set([...body.matchAll(/^\s+"([A-Za-z]+)"\??:/gm)].map((m) => m[1]!));
}

function assertKnownFields(value: Record<string, unknown>, model: string, at: string): void {
  const known = crdFields(model);
  for (const key of Object.keys(value)) expect(known.has(key), `${at}.${key} is a field of ${model}`).toBe(true);
}

/** Schema-valid per the prometheus-operator models, and no field the CRD does not define, routes and receivers included. */
function assertValidAlertmanagerConfig(object: AlertmanagerConfigObject): void {
  new AlertmanagerConfig(JSON.parse(JSON.stringify(object))).validate();
  assertKnownFields(object.spec, 'AlertmanagerConfigSpec', 'spec');
  const route = (r: AlertRoute, at: string) => {
    assertKnownFields(r as never, 'Route', at);
    for (const [i, m] of r.matchers.entries()) assertKnownFields(m as never, 'Matcher', `${at}.matchers[${i}]`);
    for (const [i, child] of (r.routes ?? []).entries()) route(child, `${at}.routes[${i}]`);
  };
  route(object.spec.route, 'spec.route');
  const configs: Record<string, string> = {
    webhookConfigs: 'WebhookConfig',
    slackConfigs: 'SlackConfig',
    pagerdutyConfigs: 'PagerDutyConfig',
  };
  for (const receiver of object.spec.receivers) {
    assertKnownFields(receiver, 'Receiver', 'receiver');
    for (const [field, model] of Object.entries(configs))
      for (const config of (receiver[field] as Record<string, unknown>[] | undefined) ?? [])
        assertKnownFields(config, model, `receiver.${field}`);
  }
}

/** Whether an Alertmanager matcher matches a label set (an absent label is the empty string). */
function matches(m: AlertMatcher, labels: Readonly<Record<string, string>>): boolean {
  const value = labels[m.name] ?? '';
  const regex = new RegExp(`^(?:${m.value})$`);
  switch (m.matchType ?? '=') {
    case '=':
      return value === m.value;
    case '!=':
      return value !== m.value;
    case '=~':
      return regex.test(value);
    case '!~':
      return !regex.test(value);
  }
}

/**
 * The receiver and repeat interval an alert gets from the route the operator generates: the object's route
 * plus the `namespace` matcher of the OnNamespace strategy; children tried in order, first match wins.
 */
function routeAlert(object: AlertmanagerConfigObject, labels: Readonly<Record<string, string>>) {
  const top = object.spec.route;
  const scoped: AlertMatcher[] = [{ name: 'namespace', value: object.metadata.namespace }, ...top.matchers];
  if (!scoped.every((m) => matches(m, labels))) return undefined;
  const child = top.routes?.find((r) => r.matchers.every((m) => matches(m, labels)));
  return { receiver: child?.receiver ?? top.receiver, repeatInterval: child?.repeatInterval ?? top.repeatInterval };
}

const shop: RoutingPolicy = {
  name: 'shop',
  namespace: 'web',
  hosts: ['shop.example.com'],
  slo: { availability: 99.9, latency: { percentile: 99, threshold: '250ms' } },
  rules: [{ name: 'api', backends: [{ service: 'api', port: 80 }] }],
};

describe('sloAlertRouting', () => {
  it.each(Object.entries(RECEIVERS))(
    '%s: a schema-valid AlertmanagerConfig with Secret references only',
    (kind, receiver) => {
      const object = sloAlertRouting({ namespace: 'monitoring', receiver });
      assertValidAlertmanagerConfig(object);
      expect(object.metadata).toEqual({
        name: 'switchyard-slo-alerts',
        namespace: 'monitoring',
        labels: { 'app.kubernetes.io/managed-by': 'switchyard' },
      });
      expect(object.spec.route).toMatchObject({
        receiver: receiver.name,
        matchers: [{ name: 'switchyard_slo', matchType: '=~', value: 'availability|latency' }],
        groupBy: ['switchyard_namespace', 'switchyard_policy', 'switchyard_rule', 'switchyard_slo'],
      });
      expect(object.spec.receivers).toHaveLength(1);
      const config = Object.entries(object.spec.receivers[0]!).find(([k]) => k.endsWith('Configs'))!;
      expect(config[0]).toBe(`${kind}Configs`);
      const secret = Object.values((config[1] as Record<string, unknown>[])[0]!).find(
        (v) => typeof v === 'object' && v !== null,
      );
      expect(secret).toEqual(Object.values(Object.values(receiver).find((v) => typeof v === 'object')!)[0]);
      expect(JSON.stringify(object)).not.toMatch(/https?:\/\/|"url":|"serviceKey":/);
    },
  );

  it('the schema check is not vacuous', () => {
    const object = sloAlertRouting({ namespace: 'monitoring', receiver: RECEIVERS.webhook! });
    const route = { ...object.spec.route, matchers: [{ name: 'severity', matchType: '==', value: 'page' }] };
    expect(() => assertValidAlertmanagerConfig({ ...object, spec: { ...object.spec, route } } as never)).toThrow();
    const extra = { ...object.spec.route, routes: [{ matchers: [], repeat: '1h' }] };
    expect(() => assertValidAlertmanagerConfig({ ...object, spec: { ...object.spec, route: extra } } as never)).toThrow(
      'spec.route.routes[0].repeat is a field of Route',
    );
  });

  it("routes sloRules' alerts: pages every hour, tickets every day, only with the AlertmanagerConfig's namespace label", () => {
    const routing = sloAlertRouting({ namespace: 'monitoring', receiver: RECEIVERS.pagerduty! });
    const alerts = (options: object) =>
      sloRules([shop], { dialect: 'gateway-api', ...options }).spec.groups.flatMap((g) =>
        g.rules.filter((r): r is AlertingRule => 'alert' in r),
      );
    const routed = alerts({ namespace: 'monitoring' }).map((a) => [a.labels.severity, routeAlert(routing, a.labels)]);
    expect(routed).toEqual([
      ['page', { receiver: 'pager', repeatInterval: '1h' }],
      ['ticket', { receiver: 'pager', repeatInterval: '1d' }],
      ['page', { receiver: 'pager', repeatInterval: '1h' }],
      ['ticket', { receiver: 'pager', repeatInterval: '1d' }],
    ]);
    // The PrometheusRule elsewhere, alerts labelled for this namespace: still routed.
    expect(
      alerts({ namespace: 'apps', alertNamespace: 'monitoring' }).every((a) => routeAlert(routing, a.labels)),
    ).toBe(true);
    // Without the label, or with another namespace's, the operator's matcher drops them: nothing routed.
    expect(alerts({}).some((a) => routeAlert(routing, a.labels))).toBe(false);
    expect(alerts({ namespace: 'apps' }).some((a) => routeAlert(routing, a.labels))).toBe(false);
    // Other alerts of the namespace are not taken.
    expect(
      routeAlert(routing, { alertname: 'KubePodCrashLooping', namespace: 'monitoring', severity: 'page' }),
    ).toBeUndefined();
  });

  it('takes the name and repeat intervals when given', () => {
    const object = sloAlertRouting({
      namespace: 'team-a',
      receiver: RECEIVERS.slack!,
      name: 'shop-slos',
      pageRepeatInterval: '30m',
      ticketRepeatInterval: '2d12h',
    });
    assertValidAlertmanagerConfig(object);
    expect(object.metadata.name).toBe('shop-slos');
    expect(object.spec.route.routes!.map((r) => [r.matchers[0]!.value, r.repeatInterval])).toEqual([
      ['page', '30m'],
      ['ticket', '2d12h'],
    ]);
  });

  it('validates its input strictly, naming the field, the value and the fix', () => {
    const bad = (options: unknown) => () => sloAlertRouting(options as never);
    const webhook = RECEIVERS.webhook!;
    expect(
      bad({ namespace: 'monitoring', receiver: { name: 'x', webhook: { url: 'https://hooks.example.com/T0' } } }),
    ).toThrow('`receiver.webhook.url`: unknown; known keys: `urlSecret`');
    expect(bad({ namespace: 'monitoring', receiver: { name: 'x', email: { to: 'a@b' } } })).toThrow(
      `'receiver' ({"name":"x","email":{"to":"a@b"}}) must be a receiver: { name, webhook: { urlSecret } }, { name, slack: { apiUrlSecret, channel } } or { name, pagerduty: { routingKeySecret } }`,
    );
    expect(
      bad({
        namespace: 'monitoring',
        receiver: { ...RECEIVERS.slack, slack: { apiUrlSecret: { name: 's', key: 'k' }, channel: 'not a channel' } },
      }),
    ).toThrow(`'receiver.slack.channel' ("not a channel") must be a Slack channel or user`);
    expect(
      bad({
        namespace: 'monitoring',
        receiver: { name: 'x', pagerduty: { routingKeySecret: { name: 'Pager', key: 'k' } } },
      }),
    ).toThrow(`'receiver.pagerduty.routingKeySecret.name' ("Pager") must be a DNS-1123 subdomain`);
    expect(
      bad({ namespace: 'monitoring', receiver: { name: 'x', webhook: { urlSecret: { name: 's', key: 'a/b' } } } }),
    ).toThrow('must be a Secret data key');
    expect(bad({ namespace: 'monitoring', receiver: { ...webhook, name: 'On Call' } })).toThrow(
      `'receiver.name' ("On Call")`,
    );
    expect(bad({ namespace: 'Monitoring', receiver: webhook })).toThrow(
      `'namespace' ("Monitoring") must be a DNS-1123 label`,
    );
    expect(bad({ receiver: webhook })).toThrow(InvalidPropertyError);
    expect(bad({ namespace: 'monitoring' })).toThrow(InvalidPropertyError);
    for (const interval of ['0s', '0', '1.5h', '1h1d', ''])
      expect(bad({ namespace: 'monitoring', receiver: webhook, pageRepeatInterval: interval }), interval).toThrow(
        'must be a non-zero Alertmanager duration',
      );
    expect(bad(null)).toThrow(InvalidPropertyError);
    try {
      bad({ namespace: 'monitoring', receiver: webhook, repeat: '1h' })();
    } catch (e) {
      expect((e as InvalidPropertyError).property).toBe('repeat');
    }
  });

  it('property: any input is accepted whole or refused with InvalidPropertyError, never a TypeError', () => {
    const value = fc.oneof(fc.anything(), fc.constantFrom('monitoring', '1h', '#ops', 'url', 'Bad Name'));
    const secret = fc.oneof(value, fc.record({ name: value, key: value }, { requiredKeys: [] }));
    const receiver = fc.oneof(
      value,
      fc.constantFrom(...Object.values(RECEIVERS)),
      fc.record(
        { name: value, webhook: fc.oneof(value, fc.record({ urlSecret: secret, url: value }, { requiredKeys: [] })) },
        { requiredKeys: [] },
      ),
      fc.record(
        {
          name: value,
          slack: fc.oneof(value, fc.record({ apiUrlSecret: secret, channel: value }, { requiredKeys: [] })),
        },
        { requiredKeys: [] },
      ),
      fc.record(
        { name: value, pagerduty: fc.oneof(value, fc.record({ routingKeySecret: secret }, { requiredKeys: [] })) },
        { requiredKeys: [] },
      ),
    );
    const options = fc.oneof(
      value,
      fc.record(
        { namespace: value, receiver, name: value, pageRepeatInterval: value, ticketRepeatInterval: value },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(options, (input) => {
        try {
          assertValidAlertmanagerConfig(sloAlertRouting(input as never));
        } catch (e) {
          if (!(e instanceof InvalidPropertyError)) throw e;
        }
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 500) },
    );
  });
});

describe('sloAlertRouting as YAML', () => {
  it('writes no bare `=` scalar, which YAML 1.1 parsers read as the value type', () => {
    const object = sloAlertRouting({ namespace: 'shop', receiver: RECEIVERS.webhook! });
    const yaml = stringify(object);
    expect(yaml).not.toMatch(/:\s*=\s*$/m);
    expect(parse(yaml)).toEqual(JSON.parse(JSON.stringify(object)));
    expect(object.spec.route.routes?.map((r) => r.matchers)).toEqual([
      [{ name: 'severity', value: 'page' }],
      [{ name: 'severity', value: 'ticket' }],
    ]);
  });
});
