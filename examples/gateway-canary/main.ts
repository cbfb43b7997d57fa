/**
 * A shop behind Envoy Gateway: HTTPS with a cert-manager certificate, HSTS, a 10% canary, an API
 * rate limit, and a redirect off an old path. `npx tsx examples/gateway-canary/main.ts` prints the YAML.
 */
import { App, Chart } from 'cdk8s';
import {
  addKubeObjects,
  buildGateway,
  buildGatewayClass,
  gatewayCertificateRefs,
  Routes,
  type RoutingPolicy,
  WebApp,
} from 'switchyard';

export const policies: RoutingPolicy[] = [
  {
    name: 'shop',
    namespace: 'shop',
    hosts: ['shop.example.com'],
    tls: { clusterIssuer: 'letsencrypt-prod' },
    hsts: { maxAge: '8760h', includeSubdomains: true },
    // Envoy Gateway's local rate limit counts per replica for all clients: accepted for this shop.
    acceptApproximations: ['rate-limit'],
    rules: [
      {
        name: 'api',
        matches: [{ path: { type: 'PathPrefix', value: '/api' } }],
        backends: [{ service: 'api', port: 8080 }],
        rateLimit: { requestsPerSecond: 50 },
        timeouts: { request: '15s' },
      },
      {
        name: 'old-cart',
        matches: [{ path: { type: 'Exact', value: '/basket' } }],
        redirect: { path: '/cart', statusCode: 301 },
      },
      {
        name: 'storefront',
        backends: [
          { service: 'web', port: 8080, weight: 90 },
          { service: 'web-canary', port: 8080, weight: 10 },
        ],
      },
    ],
  },
];

/** Builds the example into `app` and returns its chart. */
export function build(app: App): Chart {
  const chart = new Chart(app, 'gateway-canary', { disableResourceNameHashes: true });
  for (const [id, image] of [
    ['api', 'ghcr.io/acme/api:2.3.1'],
    ['web', 'ghcr.io/acme/web:1.4.2'],
    ['web-canary', 'ghcr.io/acme/web:1.5.0-rc.1'],
  ] as const) {
    new WebApp(chart, id, { namespace: 'shop', image });
  }
  addKubeObjects(chart, [
    buildGatewayClass('envoy-gateway', 'gateway.envoyproxy.io/gatewayclass-controller'),
    buildGateway({
      name: 'public',
      namespace: 'gateway-system',
      gatewayClassName: 'envoy-gateway',
      certificateRefs: gatewayCertificateRefs(policies),
    }),
  ]);
  new Routes(chart, 'routes', {
    policies,
    target: {
      dialect: 'gateway-api',
      implementation: 'envoy-gateway',
      gateway: { name: 'public', namespace: 'gateway-system' },
    },
  });
  return chart;
}

if (require.main === module) {
  const app = new App();
  build(app);
  console.log(app.synthYaml());
}
