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
} as const satisfies Record<string, ChartRef>;
