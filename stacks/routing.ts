import type { RoutingPolicy } from '../constructs';
import type { EnvironmentConfig } from './environments';

/** The shop's public routing: HTTPS with HSTS, a weighted canary, and a redirect off the old path. */
export function shopPolicies(env: EnvironmentConfig): RoutingPolicy[] {
  const canary = env.app.canaryPercent;
  return [
    {
      name: 'shop',
      namespace: env.namespace,
      hosts: [`shop.${env.domain}`],
      tls: { clusterIssuer: env.clusterIssuer },
      hsts: { maxAge: '8760h', includeSubdomains: env.name === 'prod' },
      rules: [
        {
          name: 'legacy-catalog',
          matches: [{ path: { type: 'PathPrefix', value: '/catalog' } }],
          redirect: { path: '/products', statusCode: 301 },
        },
        {
          name: 'storefront',
          backends: [
            { service: 'web', port: 8080, weight: 100 - canary },
            { service: 'web-canary', port: 8080, weight: canary },
          ],
          timeouts: { request: '30s', backendRequest: '10s' },
        },
      ],
    },
  ];
}
