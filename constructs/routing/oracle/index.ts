/**
 * The traffic oracle: what the routing model says a request gets (`modelOutcome`), and, per dialect,
 * what the controller does with the compiled objects. A platform team can replay its own requests:
 * `INTERPRETERS[target.dialect](compileRoutes(policies, target), request)`. Pure: no engine imports.
 */
import { interpretAwsAlb } from './aws-alb';
import { interpretContour } from './contour';
import { interpretGatewayApi } from './gateway-api';
import { interpretHaproxy } from './haproxy';
import { interpretIngressNginx } from './ingress-nginx';
import { interpretOpenShiftRoute } from './openshift-route';
import { interpretTraefik } from './traefik';
import type { Interpreters } from './types';

export { canonical, outcomeDifference } from './compare';
export {
  type GatewayImplementation,
  gatewayApiInterpreter,
  interpretGatewayApiEnvoy,
  interpretGatewayApiTraefik,
} from './gateway-api';
export type { GatewayListeners } from './gateway-api-objects';
export * from './model';
export * from './types';
export {
  interpretAwsAlb,
  interpretContour,
  interpretGatewayApi,
  interpretHaproxy,
  interpretIngressNginx,
  interpretOpenShiftRoute,
  interpretTraefik,
};

/**
 * One interpreter per dialect. `gateway-api` is the specification's own semantics; for Envoy Gateway
 * and Traefik's provider use `interpretGatewayApiEnvoy` and `interpretGatewayApiTraefik`.
 */
export const INTERPRETERS: Interpreters = {
  'gateway-api': interpretGatewayApi,
  'ingress-nginx': interpretIngressNginx,
  traefik: interpretTraefik,
  haproxy: interpretHaproxy,
  contour: interpretContour,
  'aws-alb': interpretAwsAlb,
  'openshift-route': interpretOpenShiftRoute,
};
