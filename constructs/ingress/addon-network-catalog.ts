/**
 * The catalog's network needs by release name (`ADDON_NETWORK`), from which addon-network-policies.ts
 * derives each platform namespace's NetworkPolicies; the telemetry stacks' entries are in
 * telemetry-network.ts. Pure.
 */
import type { AddonNetworkProfile, NetworkNeed } from './addon-network-policies';
import { TELEMETRY_NETWORK } from './telemetry-network';

const API = { kind: 'api-server' } as const;
const DNS = { kind: 'dns' } as const;
const BACKENDS = { kind: 'backends' } as const;
const all = (needs: readonly NetworkNeed[]): AddonNetworkProfile => ({
  components: [{ name: 'pods', podLabels: {}, needs }],
});

/**
 * The catalog's network needs by release name. Ports are the charts' defaults: cert-manager's webhook
 * `webhook.securePort` 10250 and metrics 9402 (controller, webhook, cainjector); External Secrets'
 * `webhook.port` 10250 and `metrics.listen.port` 8080; MetalLB's controller webhook 9443 and `--port=7472`
 * metrics; the AWS Load Balancer Controller's webhook 9443 and metrics 8080; Envoy Gateway's
 * `deployment.ports` (xDS grpc 18000, ratelimit 18001, wasm 18002, metrics 19001); the Envoy proxies
 * listen on 10080/10443 for Service ports 80/443 (Envoy Gateway shifts ports below 1024 by 10000) and
 * serve metrics on 19001; Traefik's entry points 8000/8443 and metrics 9100; HAProxy's 8080/8443 and
 * stats 1024; Contour's xDS 8001, metrics 8000 and Envoy 8080/8443 with metrics 8002; ingress-nginx's
 * 80/443, admission webhook 8443 and metrics 10254.
 */
export const ADDON_NETWORK: Readonly<Record<string, AddonNetworkProfile>> = {
  // Only CRDs: no pods, so the default deny is the whole policy.
  'gateway-api-crds': { components: [] },
  'cert-manager': all([
    API,
    { kind: 'webhook', port: 10250 },
    // ACME directory and orders on 443; the HTTP-01 self check fetches the challenge over port 80.
    { kind: 'internet', ports: [80, 443], reason: 'ACME (Let’s Encrypt) and the HTTP-01 self check' },
    DNS,
    { kind: 'metrics', port: 9402 },
  ]),
  'external-secrets': all([
    API,
    { kind: 'webhook', port: 10250 },
    { kind: 'internet', ports: [443], reason: 'AWS Secrets Manager and STS (IRSA)' },
    DNS,
    { kind: 'metrics', port: 8080 },
  ]),
  metallb: {
    ...all([API, { kind: 'webhook', port: 9443 }, DNS, { kind: 'metrics', port: 7472 }]),
    hostNetwork:
      'the speaker DaemonSet runs on the host network (ARP/NDP or BGP announcements, memberlist on 7946): NetworkPolicy does not apply to it; the policies cover the controller',
  },
  'aws-load-balancer-controller': all([
    API,
    { kind: 'webhook', port: 9443 },
    { kind: 'internet', ports: [443], reason: 'the AWS ELB, EC2 and STS APIs' },
    DNS,
    { kind: 'metrics', port: 8080 },
  ]),
  'envoy-gateway': {
    components: [
      {
        name: 'controller',
        podLabels: { 'control-plane': 'envoy-gateway' },
        needs: [API, DNS, { kind: 'from-namespace', ports: [18000, 18001, 18002] }, { kind: 'metrics', port: 19001 }],
      },
      {
        name: 'proxies',
        podLabels: { 'app.kubernetes.io/component': 'proxy', 'app.kubernetes.io/managed-by': 'envoy-gateway' },
        needs: [
          { kind: 'data-plane', ports: [80, 443, 10080, 10443] },
          BACKENDS,
          { kind: 'to-namespace', ports: [18000, 18001, 18002] },
          DNS,
          { kind: 'metrics', port: 19001 },
        ],
      },
    ],
  },
  traefik: all([
    API,
    DNS,
    { kind: 'data-plane', ports: [80, 443, 8000, 8443] },
    BACKENDS,
    { kind: 'metrics', port: 9100 },
  ]),
  haproxy: all([
    API,
    DNS,
    { kind: 'data-plane', ports: [80, 443, 8080, 8443] },
    BACKENDS,
    { kind: 'metrics', port: 1024 },
    // The controller's own metrics (its admin port), beside HAProxy's exporter on the stats port.
    { kind: 'metrics', port: 6060 },
  ]),
  contour: all([
    API,
    DNS,
    { kind: 'data-plane', ports: [80, 443, 8080, 8443] },
    BACKENDS,
    { kind: 'from-namespace', ports: [8001] },
    { kind: 'to-namespace', ports: [8001] },
    { kind: 'metrics', port: 8000 },
    { kind: 'metrics', port: 8002 },
  ]),
  'ingress-nginx': all([
    API,
    DNS,
    { kind: 'webhook', port: 8443 },
    { kind: 'data-plane', ports: [80, 443] },
    BACKENDS,
    { kind: 'metrics', port: 10254 },
  ]),
  ...TELEMETRY_NETWORK,
};
