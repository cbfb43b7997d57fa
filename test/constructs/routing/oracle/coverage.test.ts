/**
 * Acceptance of issue 13: the capability matrix marks nothing as supported (native or emulated) that
 * the oracle has not confirmed, i.e. reproduced on the controller's interpreter for some rule using it.
 */
import { describe, expect, it } from 'vitest';
import { FEATURES, type Feature, supportFor } from '../../../../constructs/routing/capabilities';
import { interpretAwsAlb } from '../../../../constructs/routing/oracle/aws-alb';
import { interpretContour } from '../../../../constructs/routing/oracle/contour';
import {
  interpretGatewayApi,
  interpretGatewayApiEnvoy,
  interpretGatewayApiTraefik,
} from '../../../../constructs/routing/oracle/gateway-api';
import { interpretHaproxy } from '../../../../constructs/routing/oracle/haproxy';
import { interpretIngressNginx } from '../../../../constructs/routing/oracle/ingress-nginx';
import { interpretOpenShiftRoute } from '../../../../constructs/routing/oracle/openshift-route';
import { interpretTraefik } from '../../../../constructs/routing/oracle/traefik';
import type { DialectInterpreter } from '../../../../constructs/routing/oracle/types';
import type { CompileTarget } from '../../../../constructs/routing/types';
import { checkDialect, describeStats } from './harness';

const TARGETS: readonly [CompileTarget, DialectInterpreter][] = [
  [{ dialect: 'gateway-api' }, interpretGatewayApi],
  [{ dialect: 'gateway-api', channel: 'experimental', implementation: 'envoy-gateway' }, interpretGatewayApiEnvoy],
  [{ dialect: 'gateway-api', implementation: 'traefik' }, interpretGatewayApiTraefik],
  [{ dialect: 'ingress-nginx' }, interpretIngressNginx],
  [{ dialect: 'traefik' }, interpretTraefik],
  [{ dialect: 'haproxy' }, interpretHaproxy],
  [{ dialect: 'contour' }, interpretContour],
  [{ dialect: 'aws-alb' }, interpretAwsAlb],
  [{ dialect: 'openshift-route' }, interpretOpenShiftRoute],
];

// Set up by the environment, not by a route: the oracle cannot see them, the schema tests do.
const OUTSIDE_THE_ORACLE: readonly Feature[] = ['tls.cert-manager'];

describe('the capability matrix claims only what the oracle confirms', () => {
  it.each(TARGETS)('%j', ({ dialect, ...rest }, interpret) => {
    const stats = checkDialect(dialect, interpret, {
      target: rest,
      tailored: 0.8,
      seed: 13,
      runs: Number(process.env.ORACLE_RUNS ?? 600),
    });
    console.log(describeStats(JSON.stringify({ dialect, ...rest }), stats));
    const claimed = (Object.keys(FEATURES) as Feature[]).filter(
      (f) => ['native', 'emulated'].includes(supportFor({ dialect, ...rest }, f)) && !OUTSIDE_THE_ORACLE.includes(f),
    );
    expect(claimed.filter((f) => !stats.confirmed.has(f))).toEqual([]);
  });
});
