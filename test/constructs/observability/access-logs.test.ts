import { describe, expect, it } from 'vitest';
import { resolveClusterTraits } from '../../../constructs/cluster/traits';
import { envoyGateway } from '../../../constructs/ingress/envoy-gateway';
import { contour, haproxy, ingressNginx, traefik } from '../../../constructs/ingress/ingress-controllers';
import {
  ACCESS_LOG_FIELDS,
  type AccessLogDialect,
  HAPROXY_REQUEST_CAPTURE,
  type LogRole,
} from '../../../constructs/observability/access-logs';
import { expectSchemaValid } from '../../helpers/schema';

const cluster = resolveClusterTraits({ kind: 'gke' });
const DIALECTS = Object.keys(ACCESS_LOG_FIELDS) as AccessLogDialect[];
const values = (install: { releases: readonly { values: unknown }[] }) => install.releases[0]!.values as any;

/** The roles every controller's line carries; namespace is separate only where the controller logs it. */
const ATTRIBUTION: readonly LogRole[] = [
  'time',
  'route',
  'service',
  'upstreamAddress',
  'status',
  'duration',
  'method',
  'host',
  'path',
  'requestId',
];

/** Envoy command operators the formats may use (envoyproxy.io access_log/usage, "Command operators"). */
const ENVOY_OPERATORS = new Set([
  'START_TIME',
  'ROUTE_NAME',
  'CEL',
  'METADATA',
  'UPSTREAM_CLUSTER',
  'UPSTREAM_HOST',
  'RESPONSE_CODE',
  'RESPONSE_FLAGS',
  'DURATION',
  'REQ',
  'RESP',
  'PROTOCOL',
  'BYTES_RECEIVED',
  'BYTES_SENT',
  'DOWNSTREAM_REMOTE_ADDRESS',
]);
const envoyOperator = (value: string) => /^%([A-Z_]+)(\(.+\))?%$/.exec(value)?.[1];

describe('ACCESS_LOG_FIELDS', () => {
  it.each(DIALECTS)('%s: names a field for every attribution role, each one written on the line', (dialect) => {
    const entry = ACCESS_LOG_FIELDS[dialect];
    const names = entry.fields.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    for (const role of ATTRIBUTION) expect(entry.roles[role], `${dialect} ${role}`).toBeDefined();
    for (const [role, field] of Object.entries(entry.roles)) expect(names, role).toContain(field);
    expect(entry.sources.length).toBeGreaterThan(0);
    expect(entry.note.length).toBeGreaterThan(40);
  });

  it('logs the route object namespace where the controller has it apart from the route name', () => {
    expect(ACCESS_LOG_FIELDS['gateway-api'].roles.namespace).toBe('route_namespace');
    expect(ACCESS_LOG_FIELDS['ingress-nginx'].roles.namespace).toBe('namespace');
    expect(ACCESS_LOG_FIELDS.contour.roles.namespace).toBe('contour_config_namespace');
    // Traefik's router name and HAProxy's backend name start with the namespace.
    expect(ACCESS_LOG_FIELDS.traefik.roles.namespace).toBeUndefined();
    expect(ACCESS_LOG_FIELDS.haproxy.roles.namespace).toBeUndefined();
  });
});

describe('Envoy Gateway', () => {
  const proxy = envoyGateway(cluster).objects.find((o) => o.kind === 'EnvoyProxy') as any;

  it('writes JSON to stdout from EnvoyProxy spec.telemetry.accessLog, with the route and upstream cluster', () => {
    const { settings } = proxy.spec.telemetry.accessLog;
    expect(settings).toHaveLength(1);
    expect(settings[0].sinks).toEqual([{ type: 'File', file: { path: '/dev/stdout' } }]);
    expect(settings[0].format.type).toBe('JSON');
    const json = settings[0].format.json as Record<string, string>;
    expect(Object.keys(json)).toEqual(ACCESS_LOG_FIELDS['gateway-api'].fields.map((f) => f.name));
    expect(json).toMatchObject({
      route_name: '%ROUTE_NAME%',
      upstream_cluster: '%UPSTREAM_CLUSTER%',
      response_code: '%RESPONSE_CODE%',
      duration: '%DURATION%',
      request_id: '%REQ(X-REQUEST-ID)%',
      upstream_host: '%UPSTREAM_HOST%',
    });
    expect(json.route_namespace).toBe(
      "%CEL(xds.route_metadata.filter_metadata['envoy-gateway']['resources'][0]['namespace'])%",
    );
    for (const value of Object.values(json)) expect(ENVOY_OPERATORS.has(envoyOperator(value)!), value).toBe(true);
  });

  it('keeps the EnvoyProxy valid: the schema registry, and the telemetry fields and rules of the CRD', async () => {
    await expectSchemaValid([proxy]);
    // gateway-crds-helm envoyproxies CRD (api/v1alpha1/envoyproxy_types.go, envoyproxy_accesslogging_types.go).
    const t = proxy.spec.telemetry;
    expect(Object.keys(t).every((k) => ['accessLog', 'metrics', 'tracing'].includes(k))).toBe(true);
    expect(Object.keys(t.accessLog).every((k) => ['disable', 'settings'].includes(k))).toBe(true);
    for (const s of t.accessLog.settings) {
      expect(Object.keys(s).every((k) => ['format', 'matches', 'sinks', 'type'].includes(k))).toBe(true);
      expect(['Text', 'JSON']).toContain(s.format.type);
      // x-kubernetes-validations: JSON needs json and forbids text; a File sink needs file and nothing else.
      expect(s.format.type === 'JSON' ? s.format.json !== undefined && s.format.text === undefined : true).toBe(true);
      expect(s.sinks.length).toBeGreaterThan(0);
      for (const sink of s.sinks) {
        expect(['ALS', 'File', 'OpenTelemetry']).toContain(sink.type);
        if (sink.type === 'File') expect(Object.keys(sink).sort()).toEqual(['file', 'type']);
        expect(sink.file.path.length).toBeGreaterThan(0);
      }
    }
    expect(t.metrics).toEqual({ prometheus: {} }); // no clusterStatName: the golden signals' envoy_cluster_name
  });
});

describe('Traefik', () => {
  const v = values(traefik(cluster));

  it('writes JSON access logs to stdout at accessLog (chart 41.3.0), keeping RouterName and the request id', () => {
    expect(v.accessLog).toMatchObject({ enabled: true, format: 'json' });
    expect(v.accessLog.filePath).toBeUndefined(); // no file: Traefik writes to stdout
    expect(v.accessLog.fields.defaultMode).toBe('keep');
    expect(v.accessLog.fields.names).toEqual({ RouterName: 'keep' });
    expect(v.accessLog.fields.headers).toEqual({
      defaultMode: 'drop',
      names: { 'X-Request-Id': 'keep', 'User-Agent': 'keep' },
    });
    expect(ACCESS_LOG_FIELDS.traefik.roles.requestId).toBe('request_X-Request-Id');
    expect(ACCESS_LOG_FIELDS.traefik.roles.route).toBe('RouterName');
  });

  it('uses only keys of the chart values schema (its root and accessLog refuse unknown keys)', () => {
    // traefik/values.schema.json v41.3.0: top-level properties and accessLog's (no `logs` key in this chart).
    const ROOT = ['accessLog', 'autoscaling', 'deployment', 'ingressClass', 'metrics', 'podDisruptionBudget'];
    const MORE = ['providers', 'resources', 'service', 'topologySpreadConstraints', 'log', 'ports'];
    for (const key of Object.keys(v)) expect([...ROOT, ...MORE], key).toContain(key);
    const ACCESS_LOG = ['addInternals', 'bufferingSize', 'dualOutput', 'enabled', 'fields', 'filters', 'format'];
    for (const key of Object.keys(v.accessLog)) expect([...ACCESS_LOG, 'otlp', 'timezone'], key).toContain(key);
  });
});

describe('ingress-nginx', () => {
  const config = values(ingressNginx(cluster)).controller.config;

  it('sets log-format-escape-json and a JSON log-format-upstream with the Ingress, namespace and Service', () => {
    expect(config['log-format-escape-json']).toBe('true');
    const format: string = config['log-format-upstream'];
    for (const variable of ['$namespace', '$ingress_name', '$service_name', '$status', '$request_time', '$req_id'])
      expect(format).toContain(variable);
    expect(format).not.toContain('{{'); // the chart passes config values through tpl
    // Substituting every variable with a value nginx would write (escaped for JSON) gives a JSON object.
    const line = format.replace(/\$[a-z_]+/g, (v) =>
      ['$status', '$request_time', '$bytes_sent'].includes(v) ? '200' : 'x\\"y',
    );
    const parsed = JSON.parse(line);
    expect(Object.keys(parsed)).toEqual(ACCESS_LOG_FIELDS['ingress-nginx'].fields.map((f) => f.name));
    expect(parsed.ingress_name).toBe('x"y');
  });
});

describe('Contour', () => {
  const inline = values(contour(cluster)).configInline;

  it('sets accesslog-format json and json-fields with the HTTPProxy kind, namespace and name', () => {
    expect(inline['accesslog-format']).toBe('json');
    const fields: string[] = inline['json-fields'];
    expect(fields).toEqual(ACCESS_LOG_FIELDS.contour.fields.map((f) => f.name));
    expect(fields).toEqual(
      expect.arrayContaining(['contour_config_kind', 'contour_config_namespace', 'contour_config_name']),
    );
  });

  it('names only fields Contour maps or Envoy simple operators (apis/projectcontour/v1alpha1/accesslog.go)', () => {
    const MAPPED = ['@timestamp', 'ts', 'authority', 'method', 'path', 'request_id', 'uber_trace_id'];
    const MAPPED_MORE = ['upstream_service_time', 'user_agent', 'x_forwarded_for', 'x_trace_id'];
    const CONTOUR = ['contour_config_kind', 'contour_config_namespace', 'contour_config_name'];
    const SIMPLE = ['UPSTREAM_CLUSTER', 'UPSTREAM_HOST', 'RESPONSE_CODE', 'RESPONSE_FLAGS', 'DURATION', 'PROTOCOL'];
    const SIMPLE_MORE = ['BYTES_RECEIVED', 'BYTES_SENT', 'DOWNSTREAM_REMOTE_ADDRESS'];
    for (const field of inline['json-fields'] as string[])
      expect(
        [...MAPPED, ...MAPPED_MORE, ...CONTOUR].includes(field) ||
          [...SIMPLE, ...SIMPLE_MORE].includes(field.toUpperCase()),
        field,
      ).toBe(true);
  });
});

describe('HAProxy', () => {
  const controller = values(haproxy(cluster)).controller;

  it('logs traffic to stdout unwrapped, with a JSON log-format and the request id captured', () => {
    expect(controller.logging.traffic).toEqual({ address: 'stdout', format: 'raw', facility: 'daemon' });
    expect(controller.config['request-capture']).toBe(HAPROXY_REQUEST_CAPTURE);
    const format: string = controller.config['log-format'];
    expect(format.startsWith('%{+json}o ')).toBe(true);
    expect(format).not.toContain("'"); // the controller wraps the value in single quotes
  });

  it('names every item, so the +json encoder writes one key per field (HAProxy 3.2 configuration 8.2.6)', () => {
    const items = (controller.config['log-format'] as string).split(' ').slice(1);
    const ALIASES = new Set(['tr', 'ft', 'b', 's', 'si', 'sp', 'ST', 'Ta', 'Tr', 'B', 'HM', 'HPO', 'tsc', 'ci', 'HV']);
    const names = items.map((item) => {
      const m = /^%\(([a-z_]+)(?::(sint|str|bool))?\)(\[[^\]\s]+\]|[A-Za-z]+)$/.exec(item);
      expect(m, item).not.toBeNull();
      if (!m![3]!.startsWith('[')) expect(ALIASES.has(m![3]!), item).toBe(true);
      return m![1];
    });
    expect(names).toEqual(ACCESS_LOG_FIELDS.haproxy.fields.map((f) => f.name));
    expect(items).toContain('%(host)[var(txn.host)]');
    expect(items).toContain('%(request_id)[capture.req.hdr(0)]');
    expect(items).toContain('%(backend)b');
  });
});
