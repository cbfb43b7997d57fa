/**
 * Pinned charts: every version is a module constant, bumped deliberately. Sources: the routing matrix's
 * Helm section and the charts' own repositories.
 */
import type { ChartRef } from './release';

/** Every Helm chart Switchyard installs, pinned: repository, name and version. */
export const CHARTS = {
  /** Envoy Gateway controller (chart `gateway-helm`). */
  envoyGateway: { repository: 'oci://docker.io/envoyproxy', name: 'gateway-helm', version: 'v1.10.0' },
  /** Gateway API (and optionally Envoy Gateway) CRDs as templates, so upgrades upgrade them. */
  gatewayCrds: { repository: 'oci://docker.io/envoyproxy', name: 'gateway-crds-helm', version: 'v1.10.0' },
  traefik: { repository: 'https://traefik.github.io/charts', name: 'traefik', version: '41.3.0' },
  haproxy: { repository: 'https://haproxytech.github.io/helm-charts', name: 'kubernetes-ingress', version: '1.52.1' },
  contour: { repository: 'https://projectcontour.github.io/helm-charts', name: 'contour', version: '0.7.0' },
  awsLoadBalancerController: {
    repository: 'https://aws.github.io/eks-charts',
    name: 'aws-load-balancer-controller',
    version: '3.5.0',
  },
  /** Final release: ingress-nginx was retired upstream in March 2026. */
  ingressNginx: { repository: 'https://kubernetes.github.io/ingress-nginx', name: 'ingress-nginx', version: '4.15.1' },
  metallb: { repository: 'https://metallb.github.io/metallb', name: 'metallb', version: '0.15.2' },
  certManager: { repository: 'https://charts.jetstack.io', name: 'cert-manager', version: 'v1.19.1' },
  externalSecrets: { repository: 'https://charts.external-secrets.io', name: 'external-secrets', version: '0.19.2' },
  /**
   * Prometheus Operator, Prometheus, Alertmanager, Grafana (12.11.1), kube-state-metrics (8.4.0): read from
   * prometheus-community/helm-charts charts/kube-prometheus-stack/Chart.yaml (version 88.5.3, appVersion
   * v0.93.1), commit cf408a290aec, 2026-08-22.
   */
  kubePrometheusStack: {
    repository: 'https://prometheus-community.github.io/helm-charts',
    name: 'kube-prometheus-stack',
    version: '88.5.3',
  },
  /** The version kube-prometheus-stack 88.5.3 pins for it; charts/prometheus-node-exporter/Chart.yaml, same commit. */
  prometheusNodeExporter: {
    repository: 'https://prometheus-community.github.io/helm-charts',
    name: 'prometheus-node-exporter',
    version: '4.56.1',
  },
  /**
   * Loki for OSS users moved to grafana-community/helm-charts in March 2026 (grafana/loki's chart 7.x is
   * Enterprise Logs only): charts/loki/Chart.yaml there, version 18.11.0 (Loki 3.7.6), commit 3386a1156177,
   * 2026-08-20. Published as OCI on ghcr.io, which its README prefers.
   */
  loki: { repository: 'oci://ghcr.io/grafana-community/helm-charts', name: 'loki', version: '18.11.0' },
  /** grafana/alloy operations/helm/charts/alloy/Chart.yaml, version 1.11.1 (Alloy v1.18.1), commit 66ebea856dff, 2026-08-21. */
  alloy: { repository: 'https://grafana.github.io/helm-charts', name: 'alloy', version: '1.11.1' },
  /**
   * The Sigstore policy-controller (admission of signed images only): sigstore/helm-charts
   * charts/policy-controller/Chart.yaml, version 0.10.6 (policy-controller v0.13.1), read 2026-08-20.
   */
  policyController: {
    repository: 'https://sigstore.github.io/helm-charts',
    name: 'policy-controller',
    version: '0.10.6',
  },
} as const satisfies Record<string, ChartRef>;
