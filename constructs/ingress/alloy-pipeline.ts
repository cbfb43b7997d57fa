/**
 * The Alloy agent's configuration, in Alloy's configuration syntax, as the logs stack installs it. Pure.
 */

/**
 * The agent's pipeline (Alloy configuration syntax): the pods of its own node, discovered through the API
 * server, their files under /var/log/pods tailed with namespace, pod and container labels, the CRI
 * envelope removed, and JSON lines (the ingress controllers' access logs) parsed: `level` becomes a label,
 * the request fields structured metadata (queryable without a parser, no stream per value).
 */
export function alloyPipeline(pushUrl: string): string {
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
      level    = "level || severity",
      status   = "status || response_code || DownstreamStatus",
      method   = "method || RequestMethod",
      path     = "path || RequestPath",
      duration = "duration || request_duration || Duration",
      trace_id = "trace_id || traceId",
    }
  }
  stage.labels {
    values = { level = "" }
  }
  stage.structured_metadata {
    values = { status = "", method = "", path = "", duration = "", trace_id = "" }
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
