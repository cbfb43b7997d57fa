/**
 * Structured access logs: the JSON access-log format Switchyard configures on each ingress controller
 * (one JSON object per request on the proxy's stdout), and ACCESS_LOG_FIELDS, the table of the JSON field
 * names each controller writes for attributing a request to a route: route object, namespace, upstream
 * service and address, status, duration, method, host, path and request id. The formats below are the one
 * source of both the controller settings and the table. Field names and operators were checked against each
 * controller's docs and code (cited per entry). Pure: no engine imports.
 */
import type { Dialect } from '../routing/types';

/** What a field tells a log pipeline about a request. */
export type LogRole =
  | 'time'
  /** The route object, router or Envoy route that matched. */
  | 'route'
  /** Namespace of the route object. */
  | 'namespace'
  /** The upstream (backend) the request went to, as the controller names it. */
  | 'service'
  /** Address (IP:port, or IP) of the backend pod that answered. */
  | 'upstreamAddress'
  | 'status'
  | 'duration'
  | 'method'
  | 'host'
  | 'path'
  | 'requestId';

/** One JSON field of an access-log line: its name, what fills it, and the role it plays, if any. */
export interface LogField {
  /** The JSON key. */
  readonly name: string;
  /** The controller's variable, operator or sample expression that fills it (documentation for Traefik). */
  readonly source: string;
  readonly role?: LogRole;
  /** The value is a JSON number (quoted string otherwise). */
  readonly numeric?: boolean;
}

/** The dialects whose controllers write structured access logs. */
export type AccessLogDialect = Extract<Dialect, 'gateway-api' | 'traefik' | 'ingress-nginx' | 'contour' | 'haproxy'>;

/** What one controller writes. */
export interface AccessLogFields {
  readonly controller: string;
  /** Every field of a line, in order. */
  readonly fields: readonly LogField[];
  /** The JSON key carrying each role; a role is absent where the controller has no such value (see `note`). */
  readonly roles: Readonly<Partial<Record<LogRole, string>>>;
  /** Unit of the `duration` role's value. */
  readonly durationUnit: 'ns' | 'ms' | 's';
  /** How the route and service values are formed. */
  readonly note: string;
  readonly sources: readonly string[];
}

const f = (name: string, source: string, role?: LogRole, numeric?: boolean): LogField => ({
  name,
  source,
  ...(role ? { role } : {}),
  ...(numeric ? { numeric } : {}),
});

const egResource = (key: string) =>
  `%CEL(xds.route_metadata.filter_metadata['envoy-gateway']['resources'][0]['${key}'])%`;

/** Envoy Gateway: Envoy command operators, in EnvoyProxy telemetry.accessLog (format type JSON). */
const ENVOY_GATEWAY: readonly LogField[] = [
  f('start_time', '%START_TIME%', 'time'),
  f('route_name', '%ROUTE_NAME%', 'route'),
  f('route_kind', egResource('kind')),
  f('route_namespace', egResource('namespace'), 'namespace'),
  f('route_object', egResource('name')),
  f('upstream_cluster', '%UPSTREAM_CLUSTER%', 'service'),
  f('upstream_host', '%UPSTREAM_HOST%', 'upstreamAddress'),
  f('response_code', '%RESPONSE_CODE%', 'status'),
  f('response_flags', '%RESPONSE_FLAGS%'),
  f('duration', '%DURATION%', 'duration'),
  f('method', '%REQ(:METHOD)%', 'method'),
  f('authority', '%REQ(:AUTHORITY)%', 'host'),
  f('path', '%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%', 'path'),
  f('protocol', '%PROTOCOL%'),
  f('request_id', '%REQ(X-REQUEST-ID)%', 'requestId'),
  f('bytes_received', '%BYTES_RECEIVED%'),
  f('bytes_sent', '%BYTES_SENT%'),
  f('user_agent', '%REQ(USER-AGENT)%'),
  f('downstream_remote_address', '%DOWNSTREAM_REMOTE_ADDRESS%'),
];

/** Traefik's own JSON keys (accessLog.format json); request headers appear as request_<Header> when kept. */
const TRAEFIK: readonly LogField[] = [
  f('StartUTC', 'start time, UTC', 'time'),
  f('RouterName', 'router name, <namespace>-<IngressRoute>-<hash>@kubernetescrd', 'route'),
  f('ServiceName', 'Traefik service name', 'service'),
  f('ServiceAddr', 'IP:port of the backend', 'upstreamAddress'),
  f('DownstreamStatus', 'status returned to the client', 'status', true),
  f('OriginStatus', 'status returned by the backend', undefined, true),
  f('Duration', 'total duration, nanoseconds', 'duration', true),
  f('RequestMethod', 'HTTP method', 'method'),
  f('RequestHost', 'Host, without the port', 'host'),
  f('RequestPath', 'request URI', 'path'),
  f('request_X-Request-Id', 'X-Request-Id request header (kept)', 'requestId'),
  f('request_User-Agent', 'User-Agent request header (kept)'),
  f('ClientHost', 'client IP'),
];

/** The request headers Traefik keeps in its access log (all others are dropped, its default). */
export const TRAEFIK_KEPT_HEADERS: readonly string[] = ['X-Request-Id', 'User-Agent'];

/** ingress-nginx: nginx variables in controller config `log-format-upstream`, escaped for JSON. */
const INGRESS_NGINX: readonly LogField[] = [
  f('time', '$time_iso8601', 'time'),
  f('namespace', '$namespace', 'namespace'),
  f('ingress_name', '$ingress_name', 'route'),
  f('service_name', '$service_name', 'service'),
  f('service_port', '$service_port'),
  f('upstream_name', '$proxy_upstream_name'),
  f('upstream_addr', '$upstream_addr', 'upstreamAddress'),
  f('upstream_status', '$upstream_status'),
  f('upstream_response_time', '$upstream_response_time'),
  f('status', '$status', 'status', true),
  f('request_time', '$request_time', 'duration', true),
  f('method', '$request_method', 'method'),
  f('host', '$host', 'host'),
  f('path', '$request_uri', 'path'),
  f('request_id', '$req_id', 'requestId'),
  f('bytes_sent', '$bytes_sent', undefined, true),
  f('protocol', '$server_protocol'),
  f('user_agent', '$http_user_agent'),
  f('remote_addr', '$remote_addr'),
];

/** Contour: names from its json-fields list (built-in mappings and Envoy operators), config `json-fields`. */
const CONTOUR: readonly LogField[] = [
  f('@timestamp', '%START_TIME%', 'time'),
  f('contour_config_kind', '%METADATA(ROUTE:envoy.access_loggers.file:io.projectcontour.kind)%'),
  f('contour_config_namespace', '%METADATA(ROUTE:envoy.access_loggers.file:io.projectcontour.namespace)%', 'namespace'),
  f('contour_config_name', '%METADATA(ROUTE:envoy.access_loggers.file:io.projectcontour.name)%', 'route'),
  f('upstream_cluster', '%UPSTREAM_CLUSTER%', 'service'),
  f('upstream_host', '%UPSTREAM_HOST%', 'upstreamAddress'),
  f('response_code', '%RESPONSE_CODE%', 'status'),
  f('response_flags', '%RESPONSE_FLAGS%'),
  f('duration', '%DURATION%', 'duration'),
  f('method', '%REQ(:METHOD)%', 'method'),
  f('authority', '%REQ(:AUTHORITY)%', 'host'),
  f('path', '%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%', 'path'),
  f('request_id', '%REQ(X-REQUEST-ID)%', 'requestId'),
  f('protocol', '%PROTOCOL%'),
  f('bytes_received', '%BYTES_RECEIVED%'),
  f('bytes_sent', '%BYTES_SENT%'),
  f('upstream_service_time', '%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%'),
  f('user_agent', '%REQ(USER-AGENT)%'),
  f('x_forwarded_for', '%REQ(X-FORWARDED-FOR)%'),
  f('downstream_remote_address', '%DOWNSTREAM_REMOTE_ADDRESS%'),
];

/**
 * HAProxy: named log-format items (`%(name[:type])alias` or `%(name)[sample]`) under the global `+json`
 * encoding, which writes the braces and quotes. txn.host and txn.path are set by the controller on its HTTP
 * frontends; capture slot 0 holds X-Request-ID (the ConfigMap's `request-capture`, the only capture set).
 */
const HAPROXY: readonly LogField[] = [
  f('time', 'tr', 'time'),
  f('frontend', 'ft'),
  f('backend', 'b', 'route'),
  f('server', 's'),
  f('upstream_ip', 'si', 'upstreamAddress'),
  f('upstream_port', 'sp', undefined, true),
  f('status', 'ST', 'status', true),
  f('duration_ms', 'Ta', 'duration', true),
  f('response_ms', 'Tr', undefined, true),
  f('bytes_sent', 'B', undefined, true),
  f('method', 'HM', 'method'),
  f('host', '[var(txn.host)]', 'host'),
  f('path', 'HPO', 'path'),
  f('request_id', '[capture.req.hdr(0)]', 'requestId'),
  f('termination_state', 'tsc'),
  f('client_ip', 'ci'),
  f('protocol', 'HV'),
];

/** The sample expression the HAProxy ConfigMap's `request-capture` captures into slot 0. */
export const HAPROXY_REQUEST_CAPTURE = 'req.fhdr(x-request-id)';

function roles(fields: readonly LogField[]): Partial<Record<LogRole, string>> {
  return Object.fromEntries(fields.filter((x) => x.role).map((x) => [x.role, x.name]));
}

/**
 * Per dialect, the JSON fields its controller writes to stdout for every request, and which of them
 * attribute the request to a route. A log pipeline parses lines with `fields`; dashboards and docs read
 * `roles`.
 */
export const ACCESS_LOG_FIELDS: Readonly<Record<AccessLogDialect, AccessLogFields>> = {
  'gateway-api': {
    controller: 'Envoy Gateway',
    fields: ENVOY_GATEWAY,
    roles: roles(ENVOY_GATEWAY),
    durationUnit: 'ms',
    note:
      'route_name is the Envoy route, <route kind>/<namespace>/<route name>/rule/<rule index>/match/<match index>/...; ' +
      'upstream_cluster is the rule, <route kind>/<namespace>/<route name>/rule/<rule index> (the envoy_cluster_name ' +
      'of the metrics); route_kind, route_namespace and route_object come from the route metadata Envoy Gateway attaches.',
    sources: [
      'github.com/envoyproxy/gateway main@d32f282 api/v1alpha1/envoyproxy_accesslogging_types.go (ProxyAccessLog, ProxyAccessLogFormat JSON)',
      'github.com/envoyproxy/gateway internal/gatewayapi/helpers.go (irRouteName, irRouteDestinationName)',
      'github.com/envoyproxy/gateway site/content/en/latest/tasks/observability/proxy-accesslog.md (Gateway API Metadata)',
      'https://www.envoyproxy.io/docs/envoy/latest/configuration/observability/access_log/usage#command-operators',
    ],
  },
  traefik: {
    controller: 'Traefik',
    fields: TRAEFIK,
    roles: roles(TRAEFIK),
    durationUnit: 'ns',
    note:
      'RouterName carries the namespace and the IngressRoute (Traefik 3.7 logs no separate namespace field); ' +
      'request_X-Request-Id is present only when the client or an upstream proxy sent the header (Traefik makes none).',
    sources: [
      'github.com/traefik/traefik v3.7.9 pkg/middlewares/accesslog/logdata.go (field names), logger.go (JSON, stdout, request_ headers)',
      'github.com/traefik/traefik-helm-chart v41.3.0 traefik/values.yaml (accessLog), templates/_podtemplate.tpl',
    ],
  },
  'ingress-nginx': {
    controller: 'ingress-nginx',
    fields: INGRESS_NGINX,
    roles: roles(INGRESS_NGINX),
    durationUnit: 's',
    note:
      'namespace and ingress_name name the Ingress that served the request (one per rule, as Switchyard emits them); ' +
      'service_name and service_port its backend; request_id is X-Request-ID or one nginx generates.',
    sources: [
      'github.com/kubernetes/ingress-nginx helm-chart-4.15.1 docs/user-guide/nginx-configuration/log-format.md',
      'github.com/kubernetes/ingress-nginx helm-chart-4.15.1 docs/user-guide/nginx-configuration/configmap.md (log-format-upstream, log-format-escape-json)',
    ],
  },
  contour: {
    controller: 'Contour (Envoy)',
    fields: CONTOUR,
    roles: roles(CONTOUR),
    durationUnit: 'ms',
    note:
      'contour_config_kind, _namespace and _name name the HTTPProxy (or Ingress) whose route matched; ' +
      'upstream_cluster is the Envoy cluster of the backend Service port, <namespace>/<service>/<port>/<hash>.',
    sources: [
      'github.com/projectcontour/contour v1.33.6 apis/projectcontour/v1alpha1/accesslog.go (jsonFields, envoySimpleOperators)',
      'github.com/projectcontour/contour v1.33.6 pkg/config/parameters.go (accesslog-format, json-fields), internal/envoy/v3/route.go (route metadata)',
      'github.com/projectcontour/contour site/content/docs/main/config/access-logging.md',
    ],
  },
  haproxy: {
    controller: 'HAProxy Kubernetes Ingress Controller',
    fields: HAPROXY,
    roles: { ...roles(HAPROXY), service: 'backend' }, // the backend names the Service port
    durationUnit: 'ms',
    note:
      'backend is <namespace>_svc_<service>_<port>: it names the Service port, shared by every Ingress routing to it, ' +
      'so it is both the route and the service; upstream_port holds the port of upstream_ip.',
    sources: [
      'https://docs.haproxy.org/3.2/configuration.html#8.2.6 (named items, +json encoding, aliases)',
      'github.com/haproxytech/kubernetes-ingress v3.2.11 documentation/annotations.md (log-format, syslog-server, request-capture)',
      'github.com/haproxytech/kubernetes-ingress v3.2.11 pkg/controller/controller.go (txn.host, txn.path), pkg/annotations/global/logFormat.go',
    ],
  },
};

/** EnvoyProxy `spec.telemetry.accessLog` (gateway.envoyproxy.io/v1alpha1 ProxyAccessLog), as Switchyard sets it. */
export interface EnvoyProxyAccessLog {
  readonly settings: readonly {
    readonly format: { readonly type: 'JSON'; readonly json: Readonly<Record<string, string>> };
    readonly sinks: readonly { readonly type: 'File'; readonly file: { readonly path: string } }[];
  }[];
}

/** The EnvoyProxy `spec.telemetry.accessLog`: one JSON setting to the proxy's stdout (replaces Envoy Gateway's default). */
export function envoyGatewayAccessLog(): EnvoyProxyAccessLog {
  return {
    settings: [
      {
        format: { type: 'JSON', json: Object.fromEntries(ENVOY_GATEWAY.map((x) => [x.name, x.source])) },
        sinks: [{ type: 'File', file: { path: '/dev/stdout' } }],
      },
    ],
  };
}

/** ingress-nginx `log-format-upstream`: a JSON object template (numbers unquoted, strings quoted). */
export function ingressNginxLogFormat(): string {
  const members = INGRESS_NGINX.map((x) => `"${x.name}": ${x.numeric ? x.source : `"${x.source}"`}`);
  return `{${members.join(', ')}}`;
}

/** Contour `json-fields`: built-in names as is, the others as `name=operator`. */
export function contourJsonFields(): string[] {
  // Contour maps these names itself (jsonFields); a name that is an Envoy operator's becomes %NAME%.
  const mapped =
    /^(@timestamp|authority|method|path|request_id|user_agent|x_forwarded_for|upstream_service_time|contour_config_\w+)$/;
  const simple = (x: LogField) => x.source === `%${x.name.toUpperCase()}%`;
  return CONTOUR.map((x) => (mapped.test(x.name) || simple(x) ? x.name : `${x.name}=${x.source}`));
}

/** HAProxy `log-format`: `%{+json}o` then one named item per field, typed `sint` where numeric. */
export function haproxyLogFormat(): string {
  const item = (x: LogField) => `%(${x.name}${x.numeric ? ':sint' : ''})${x.source}`;
  return ['%{+json}o', ...HAPROXY.map(item)].join(' ');
}
