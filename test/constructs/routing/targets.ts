import type { CompileTarget } from '../../../constructs/routing/types';

/** The compile targets the dialect-wide tests run against: each compiled dialect and each Gateway API variant. */
export const TEST_TARGETS: readonly CompileTarget[] = [
  { dialect: 'gateway-api' },
  { dialect: 'gateway-api', channel: 'experimental', implementation: 'envoy-gateway' },
  { dialect: 'gateway-api', implementation: 'traefik' },
  { dialect: 'ingress-nginx' },
  { dialect: 'traefik' },
  { dialect: 'contour' },
  { dialect: 'openshift-route' },
  { dialect: 'haproxy' },
  { dialect: 'aws-alb' },
];
