/**
 * The Gateway API interpreter of the traffic oracle: what a conformant implementation does with the
 * compiled HTTPRoutes, GRPCRoutes and TLSRoutes (kubernetes-sigs/gateway-api apis/v1/*_types.go),
 * plus the Envoy Gateway policies and Traefik Middlewares the compiler attaches
 * (envoyproxy/gateway api/v1alpha1, traefik/traefik pkg/provider/kubernetes/gateway). Pure.
 *
 * Steps for one request: the listener (scheme; for TLS, a TLSRoute on the passthrough listener when
 * its hostname is the most specific), the routes that listener accepts (HTTPRoute/GRPCRoute hostname
 * clashes resolved), the most specific hostname and the routes listing it, the winning match by
 * Gateway API precedence, then the rule's policies, filters and backends (gateway-api-apply.ts).
 */

import { distribution, mostSpecificHost } from './common';
import { applyRule, backendsOf } from './gateway-api-apply';
import { envoyKey } from './gateway-api-envoy';
import { candidates, winner } from './gateway-api-match';
import {
  acceptedOn,
  chosenHostname,
  DEFAULT_GATEWAY,
  type GatewayListeners,
  indexObjects,
  routeOrder,
  routesForHost,
} from './gateway-api-objects';
import { traefikHostMatches, traefikPriority } from './gateway-api-traefik';
import type { CompiledRoutes, DialectInterpreter, TrafficOutcome, TrafficRequest } from './types';

export { DEFAULT_GATEWAY, type GatewayListeners } from './gateway-api-objects';

/** Which implementation runs the Gateway: the spec's semantics (Envoy Gateway follows them), or Traefik's provider. */
export interface GatewayImplementation {
  /** @default - the spec's semantics */
  readonly implementation?: 'envoy-gateway' | 'traefik';
}

/** An interpreter for routes attached to `gateway` (its listeners: HTTP :80, HTTPS :443, TLS passthrough). */
export function gatewayApiInterpreter(
  gateway: GatewayListeners = DEFAULT_GATEWAY,
  { implementation }: GatewayImplementation = {},
): DialectInterpreter {
  return (compiled: CompiledRoutes, request: TrafficRequest): TrafficOutcome => {
    if (compiled.serviceAnnotations?.length) {
      throw new Error('oracle(gateway-api): Service annotations are not modelled for Gateway API');
    }
    const index = indexObjects(compiled.objects, gateway);
    if (request.scheme === 'https') {
      // HTTPS and TLS listeners share port 443 and are told apart by SNI hostname: the most specific wins.
      const passthrough = acceptedOn(index.routes, gateway.tlsPassthrough);
      const terminating = acceptedOn(index.routes, gateway.https);
      const sni = chosenHostname(passthrough, request.host);
      const http = chosenHostname(terminating, request.host);
      if (sni !== undefined && (http === undefined || mostSpecificHost([sni, http], request.host) === sni)) {
        if (sni === http) throw new Error(`oracle(gateway-api): ${sni} is both passed through and terminated`);
        const route = routesForHost(passthrough, request.host).sort(routeOrder)[0]!;
        const rule = route.rules[0] ?? {};
        return {
          kind: 'passthrough',
          backends: distribution(backendsOf(index, route, rule, `TLSRoute ${route.namespace}/${route.name} rules[0]`)),
        };
      }
    }
    const listener = request.scheme === 'http' ? gateway.http : gateway.https;
    const accepted = acceptedOn(index.routes, listener);
    const won =
      implementation === 'traefik'
        ? winner(
            candidates(
              accepted.filter((r) => traefikHostMatches(r, request.host)),
              request,
            ).map((c) => {
              if (c.route.kind !== 'HTTPRoute')
                throw new Error("oracle(gateway-api): Traefik's GRPCRoute order is not modelled");
              return { ...c, key: [traefikPriority(c)] };
            }),
          )
        : implementation === 'envoy-gateway'
          ? winner(
              candidates(routesForHost(accepted, request.host), request, true).map((c) => ({ ...c, key: envoyKey(c) })),
            )
          : winner(candidates(routesForHost(accepted, request.host), request));
    if (!won) return { kind: 'no-route' }; // "a HTTP 404 status code MUST be returned"
    return applyRule(index, won.route, won.rule, request, request.scheme, implementation);
  };
}

/** The interpreter for the compiler's default Gateway (switchyard in gateway-system; http, https, tls-passthrough). */
export const interpretGatewayApi: DialectInterpreter = gatewayApiInterpreter();

/** The interpreter for routes run by Envoy Gateway (target.implementation 'envoy-gateway'). */
export const interpretGatewayApiEnvoy: DialectInterpreter = gatewayApiInterpreter(DEFAULT_GATEWAY, {
  implementation: 'envoy-gateway',
});

/** The interpreter for routes run by Traefik's Gateway API provider (target.implementation 'traefik'). */
export const interpretGatewayApiTraefik: DialectInterpreter = gatewayApiInterpreter(DEFAULT_GATEWAY, {
  implementation: 'traefik',
});
