/**
 * The Alloy agent's configuration, in Alloy's configuration syntax, as the logs stack installs it. The
 * JSON fields it lifts from access-log lines come from ACCESS_LOG_FIELDS, the table the ingress
 * controllers' log formats are written from, so the two agree. Pure.
 */
import { ACCESS_LOG_FIELDS, type LogRole } from '../observability/access-logs';

/**
 * Structured-metadata key per access-log role. The request's namespace is `route_namespace`: `namespace`
 * is the stream label of the pod that wrote the line. `duration` keeps the controller's unit
 * (ACCESS_LOG_FIELDS[dialect].durationUnit).
 */
export const ACCESS_LOG_METADATA: Readonly<Partial<Record<LogRole, string>>> = {
  route: 'route',
  namespace: 'route_namespace',
  service: 'service',
  upstreamAddress: 'upstream',
  status: 'status',
  duration: 'duration',
  method: 'method',
  host: 'host',
  path: 'path',
  requestId: 'request_id',
};

/** A JMESPath reference to a JSON key, quoted unless it is a plain identifier, as an Alloy string would hold it. */
const jmes = (key: string) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? key : `\\"${key}\\"`);

/** The `stage.json` expressions: per metadata key, every controller's JSON key for the role, first present wins. */
export function accessLogExpressions(): Record<string, string> {
  const out: Record<string, string> = { level: 'level || severity' };
  for (const [role, key] of Object.entries(ACCESS_LOG_METADATA) as [LogRole, string][]) {
    const names = [...new Set(Object.values(ACCESS_LOG_FIELDS).flatMap((f) => f.roles[role] ?? []))];
    if (names.length) out[key] = names.map(jmes).join(' || ');
  }
  return out;
}

/**
 * The agent's pipeline (Alloy configuration syntax): the pods of its own node, discovered through the API
 * server, their files under /var/log/pods tailed with namespace, pod and container labels, the CRI
 * envelope removed, and JSON lines (the ingress controllers' access logs) parsed: `level` becomes a label,
 * the request fields structured metadata (queryable without a parser, no stream per value).
 */
export function alloyPipeline(pushUrl: string): string {
  const expressions = accessLogExpressions();
  return `discovery.kubernetes "pods" {
  role = "pod"
  selectors {
    role  = "pod"
    field = "spec.nodeName=" + sys.env("HOSTNAME")
  }
}

discovery.relabel "pods" {
  targets = discovery.kubernetes.pods.targets
  rule {
    source_labels = ["__meta_kubernetes_namespace"]
    target_label  = "namespace"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_name"]
    target_label  = "pod"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_container_name"]
    target_label  = "container"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_uid", "__meta_kubernetes_pod_container_name"]
    separator     = "/"
    target_label  = "__path__"
    replacement   = "/var/log/pods/*$1/*.log"
  }
}

local.file_match "pods" {
  path_targets = discovery.relabel.pods.output
}

loki.source.file "pods" {
  targets    = local.file_match.pods.targets
  forward_to = [loki.process.pods.receiver]
}

loki.process "pods" {
  stage.cri {}

  // A line that is not JSON passes through the json stage unchanged.
  stage.json {
    expressions = {
${Object.entries(expressions)
  .map(([key, expression]) => `      ${key} = "${expression}",`)
  .join('\n')}
    }
  }
  stage.labels {
    values = { level = "" }
  }
  stage.structured_metadata {
    values = { ${Object.keys(expressions)
      .filter((k) => k !== 'level')
      .map((k) => `${k} = ""`)
      .join(', ')} }
  }

  forward_to = [loki.write.loki.receiver]
}

loki.write "loki" {
  endpoint {
    url = "${pushUrl}"
  }
}
`;
}
