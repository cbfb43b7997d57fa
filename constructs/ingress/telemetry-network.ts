/**
 * What the metrics and logs stacks need on the network, as entries of the catalog's `ADDON_NETWORK`
 * (addon-network-policies.ts). Ports are the charts' defaults: Prometheus 9090 and its config reloader
 * 8080; Alertmanager 9093, its reloader 8080 and the cluster mesh 9094 (TCP and UDP); Grafana 3000; the
 * operator's webhook and metrics on `prometheusOperator.tls.internalPort` 10250; kube-state-metrics 8080
 * and 8081; the kubelet 10250 and the node exporter 9100 on the nodes' addresses; Loki's HTTP 3100, gRPC
 * 9095 and memberlist 7946, its gateway 8080; Alloy's HTTP server 12345. Nothing downloads plugins or
 * reports usage (Grafana, Loki and Alloy have it turned off), so only Alertmanager (receivers) and Loki with
 * object storage (its bucket) reach outside the cluster. Pure.
 */
import type { AddonNetworkProfile, NetworkNeed } from './addon-network-policies';

const API = { kind: 'api-server' } as const;
const DNS = { kind: 'dns' } as const;
const PROMETHEUS = { 'app.kubernetes.io/name': 'prometheus' } as const;
const GRAFANA = { 'app.kubernetes.io/name': 'grafana' } as const;
const LOKI = { 'app.kubernetes.io/name': 'loki' } as const;
const ALLOY = { 'app.kubernetes.io/name': 'alloy' } as const;
const scrapedBy = (ports: number[]): NetworkNeed => ({ kind: 'from-pods', podLabels: PROMETHEUS, ports });
const LOKI_PORTS = [3100, 9095, 7946, 8080];

/** Loki's pods (gateway included): the agent pushes, Grafana queries, Prometheus scrapes; `extra` besides. */
function loki(extra: readonly NetworkNeed[]): AddonNetworkProfile {
  const needs: NetworkNeed[] = [
    { kind: 'from-pods', podLabels: ALLOY, ports: [8080, 3100] },
    { kind: 'from-pods', podLabels: GRAFANA, ports: [8080, 3100] },
    scrapedBy([3100]),
    // The gateway to Loki, and the replicas' ring and replication.
    { kind: 'from-namespace', ports: LOKI_PORTS },
    { kind: 'to-namespace', ports: LOKI_PORTS },
    ...extra,
    // The rules sidecar watches ConfigMaps.
    API,
    DNS,
  ];
  return { components: [{ name: 'loki', podLabels: LOKI, needs }] };
}

/**
 * The stacks' network needs by release name; `loki-object-storage` is Loki's profile when it stores in a
 * bucket (see LogsStack.networkProfile).
 */
export const TELEMETRY_NETWORK: Readonly<Record<string, AddonNetworkProfile>> = {
  'kube-prometheus-stack': {
    components: [
      {
        name: 'prometheus',
        podLabels: PROMETHEUS,
        needs: [
          // Grafana queries, Prometheus scrapes its own reloader.
          { kind: 'from-namespace', ports: [9090, 8080] },
          { kind: 'scrape' },
          { kind: 'nodes', ports: [10250, 9100] },
          // The API server's metrics, and service discovery.
          API,
          DNS,
        ],
      },
      {
        name: 'alertmanager',
        podLabels: { 'app.kubernetes.io/name': 'alertmanager' },
        needs: [
          { kind: 'from-namespace', ports: [9093, 8080, 9094] },
          { kind: 'from-namespace', ports: [9094], protocol: 'UDP' },
          { kind: 'to-namespace', ports: [9094] },
          { kind: 'to-namespace', ports: [9094], protocol: 'UDP' },
          {
            kind: 'internet',
            ports: [443, 587],
            reason: 'notification receivers (chat and paging webhooks, SMTP submission)',
          },
          DNS,
        ],
      },
      {
        name: 'grafana',
        podLabels: GRAFANA,
        needs: [
          // The UI, behind a route (the proxies' namespace), and Prometheus' scrape of it.
          { kind: 'clients', ports: [3000] },
          { kind: 'to-namespace', ports: [9090, 9093] },
          { kind: 'to-pods', podLabels: LOKI, ports: [8080, 3100] },
          // The dashboard and data-source sidecars watch ConfigMaps and Secrets.
          API,
          DNS,
        ],
      },
      {
        name: 'operator',
        podLabels: { app: 'kube-prometheus-stack-operator' },
        needs: [API, { kind: 'webhook', port: 10250 }, { kind: 'from-namespace', ports: [10250] }, DNS],
      },
      {
        name: 'kube-state-metrics',
        podLabels: { 'app.kubernetes.io/name': 'kube-state-metrics' },
        needs: [API, { kind: 'from-namespace', ports: [8080, 8081] }, DNS],
      },
      // The Jobs that create and patch the webhook's certificate.
      { name: 'admission-create', podLabels: { app: 'kube-prometheus-stack-admission-create' }, needs: [API, DNS] },
      { name: 'admission-patch', podLabels: { app: 'kube-prometheus-stack-admission-patch' }, needs: [API, DNS] },
    ],
  },
  'prometheus-node-exporter': {
    components: [],
    hostNetwork:
      'the node exporter runs on the host network (it measures the node): NetworkPolicy does not apply to it; Prometheus reaches it on the nodes’ addresses, port 9100',
  },
  loki: loki([]),
  // With object storage only: the bucket's API and the cloud's token endpoint (IRSA, Workload Identity).
  'loki-object-storage': loki([
    { kind: 'internet', ports: [443], reason: 'object storage (S3, GCS, Azure Blob) and its token endpoint' },
  ]),
  alloy: {
    components: [
      {
        name: 'agent',
        podLabels: ALLOY,
        needs: [{ kind: 'to-pods', podLabels: LOKI, ports: [8080, 3100] }, API, DNS, scrapedBy([12345])],
      },
    ],
  },
};
