/**
 * Typed models of the Prometheus Operator's rule and alert-routing CRDs Switchyard emits, written from the
 * operator's API reference: PrometheusRule (monitoring.coreos.com/v1) and AlertmanagerConfig
 * (monitoring.coreos.com/v1alpha1). Only the fields the API defines; unknown ones are errors. Pure.
 */
import { any, arr, bool, map, obj, objectMeta, type Schema, str } from './structural';

// Prometheus durations (PrometheusRule `for`, `interval`) and Alertmanager's (route intervals).
const PROMETHEUS_DURATION =
  /^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const RECORD_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

const rule = obj(
  {
    record: str({ pattern: RECORD_NAME }),
    alert: str({ minLength: 1 }),
    expr: str({ minLength: 1 }),
    for: str({ pattern: PROMETHEUS_DURATION }),
    keep_firing_for: str({ pattern: PROMETHEUS_DURATION }),
    labels: map(str()),
    annotations: map(str()),
  },
  ['expr'],
);

export const PROMETHEUS_RULE: Schema = obj(
  {
    apiVersion: str({ enum: ['monitoring.coreos.com/v1'] }),
    kind: str({ enum: ['PrometheusRule'] }),
    metadata: objectMeta,
    spec: obj({
      groups: arr(
        obj(
          {
            name: str({ minLength: 1 }),
            labels: map(str()),
            interval: str({ pattern: PROMETHEUS_DURATION }),
            query_offset: str({ pattern: PROMETHEUS_DURATION }),
            limit: any,
            partial_response_strategy: str(),
            rules: arr(rule),
          },
          ['name'],
        ),
      ),
    }),
  },
  ['apiVersion', 'kind', 'metadata', 'spec'],
);

/** What the structure cannot say: a rule records or alerts (one of the two), names are label names, groups unique. */
export function prometheusRuleRules(object: unknown): string[] {
  const groups = (object as { spec?: { groups?: unknown } }).spec?.groups;
  if (!Array.isArray(groups)) return [];
  const errors: string[] = [];
  const names = new Set<string>();
  groups.forEach((group: { name?: unknown; rules?: unknown }, g) => {
    if (typeof group?.name === 'string') {
      if (names.has(group.name)) errors.push(`/spec/groups/${g}/name ${JSON.stringify(group.name)} is used twice`);
      names.add(group.name);
    }
    const rules = Array.isArray(group?.rules) ? group.rules : [];
    rules.forEach((r: Record<string, unknown>, i) => {
      const at = `/spec/groups/${g}/rules/${i}`;
      if ((r.record === undefined) === (r.alert === undefined))
        errors.push(`${at} must have exactly one of record and alert`);
      if (r.record !== undefined && (r.for !== undefined || r.annotations !== undefined))
        errors.push(`${at} is a recording rule: 'for' and 'annotations' belong to alerts`);
      for (const key of Object.keys((r.labels as object | undefined) ?? {}))
        if (!LABEL_NAME.test(key)) errors.push(`${at}/labels/${key} is not a Prometheus label name`);
    });
  });
  return errors;
}

const secretKey = obj({ name: str({ minLength: 1 }), key: str({ minLength: 1 }), optional: bool }, ['name', 'key']);
const matcher = obj(
  { name: str({ pattern: LABEL_NAME }), value: str(), matchType: str({ enum: ['=', '!=', '=~', '!~'] }) },
  ['name'],
);
const routeFields = {
  receiver: str(),
  groupBy: arr(str()),
  groupWait: str({ pattern: PROMETHEUS_DURATION }),
  groupInterval: str({ pattern: PROMETHEUS_DURATION }),
  repeatInterval: str({ pattern: PROMETHEUS_DURATION }),
  matchers: arr(matcher),
  continue: bool,
  muteTimeIntervals: arr(str()),
  activeTimeIntervals: arr(str()),
};
// Child routes are stored as raw JSON by the CRD; they take the same fields.
const childRoute = obj(routeFields);
const http = any;

const receiver = obj(
  {
    name: str({ minLength: 1 }),
    webhookConfigs: arr(
      obj({ url: str(), urlSecret: secretKey, sendResolved: bool, httpConfig: http, maxAlerts: any, timeout: str() }),
    ),
    slackConfigs: arr(
      obj({
        apiURL: secretKey,
        channel: str(),
        sendResolved: bool,
        username: str(),
        title: str(),
        titleLink: str(),
        text: str(),
        iconEmoji: str(),
        iconURL: str(),
        httpConfig: http,
      }),
    ),
    pagerdutyConfigs: arr(
      obj({
        routingKey: secretKey,
        serviceKey: secretKey,
        sendResolved: bool,
        url: str(),
        severity: str(),
        description: str(),
        class: str(),
        group: str(),
        component: str(),
        details: any,
        httpConfig: http,
      }),
    ),
    emailConfigs: arr(any),
    opsgenieConfigs: arr(any),
  },
  ['name'],
);

export const ALERTMANAGER_CONFIG: Schema = obj(
  {
    apiVersion: str({ enum: ['monitoring.coreos.com/v1alpha1'] }),
    kind: str({ enum: ['AlertmanagerConfig'] }),
    metadata: objectMeta,
    spec: obj({
      route: obj({ ...routeFields, routes: arr(childRoute) }),
      receivers: arr(receiver),
      inhibitRules: arr(any),
      muteTimeIntervals: arr(any),
    }),
  },
  ['apiVersion', 'kind', 'metadata', 'spec'],
);

/** Every receiver a route names is defined, and the top route names one. */
export function alertmanagerConfigRules(object: unknown): string[] {
  const spec = (object as { spec?: { route?: Record<string, unknown>; receivers?: { name?: unknown }[] } }).spec;
  if (!spec?.route) return [];
  const defined = new Set((spec.receivers ?? []).map((r) => r?.name));
  const errors: string[] = [];
  if (typeof spec.route.receiver !== 'string') errors.push('/spec/route/receiver is required when a route is set');
  const visit = (route: Record<string, unknown>, at: string) => {
    if (typeof route.receiver === 'string' && !defined.has(route.receiver))
      errors.push(`${at}/receiver ${JSON.stringify(route.receiver)} is not one of /spec/receivers`);
    const children = Array.isArray(route.routes) ? route.routes : [];
    for (const [i, child] of children.entries()) visit(child as Record<string, unknown>, `${at}/routes/${i}`);
  };
  visit(spec.route, '/spec/route');
  return errors;
}
