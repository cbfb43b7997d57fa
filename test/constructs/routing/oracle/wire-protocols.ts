/**
 * The property check for dialects whose controllers cannot tell some backend protocols apart on the
 * wire: Traefik (`scheme: h2c`) and Contour (`protocol: h2c`) proxy gRPC as what it is, HTTP/2 in
 * clear text, and Traefik upgrades WebSockets on every route. The model names the protocol a backend
 * speaks ('grpc', 'ws'); these controllers configure only the transport ('h2c', plain HTTP). Both sides
 * are compared with 'grpc' read as 'h2c' and 'ws' as plain HTTP; everything else as the harness does.
 * Until the lead's compare.ts decides this for every dialect (see the Traefik/Contour report).
 */
import fc from 'fast-check';
import { compileRoutes } from '../../../../constructs/routing/compile';
import { RoutingError } from '../../../../constructs/routing/errors';
import { distribution } from '../../../../constructs/routing/oracle/common';
import { outcomeDifference } from '../../../../constructs/routing/oracle/compare';
import { type ModelOutcome, modelOutcome } from '../../../../constructs/routing/oracle/model';
import type { DialectInterpreter, TrafficOutcome, WeightedBackend } from '../../../../constructs/routing/oracle/types';
import type { Dialect } from '../../../../constructs/routing/types';
import { scenarios } from './arbitraries';
import type { CheckStats } from './harness';

function wire<T extends ModelOutcome | TrafficOutcome>(o: T): T {
  if (o.kind !== 'forward' && o.kind !== 'passthrough') return o;
  const backends = distribution(
    o.backends.map((b): WeightedBackend => {
      const { protocol, ...rest } = b;
      const p = protocol === 'grpc' ? 'h2c' : protocol === 'ws' ? undefined : protocol;
      return { ...rest, ...(p ? { protocol: p } : {}) };
    }),
  );
  return { ...o, backends };
}

/** checkDialect with the wire-protocol reading above. */
export function checkWireDialect(dialect: Dialect, interpret: DialectInterpreter, runs?: number): CheckStats {
  const stats: CheckStats = { environments: 0, compiled: 0, compared: 0, unspecified: 0, refused: {} };
  fc.assert(
    fc.property(scenarios, ([policies, reqs]) => {
      stats.environments++;
      let compiled: ReturnType<typeof compileRoutes>;
      try {
        compiled = compileRoutes(policies, { dialect });
      } catch (error) {
        if (!(error instanceof RoutingError)) throw error;
        stats.refused[error.constructor.name] = (stats.refused[error.constructor.name] ?? 0) + 1;
        return;
      }
      stats.compiled++;
      for (const request of reqs) {
        const expected = modelOutcome(policies, request);
        if (expected.kind === 'unspecified') {
          stats.unspecified++;
          continue;
        }
        const diff = outcomeDifference(wire(expected), wire(interpret(compiled, request)));
        if (diff) throw new Error(`${dialect}: ${JSON.stringify(request)}\n${diff}`);
        stats.compared++;
      }
    }),
    { numRuns: runs ?? Number(process.env.ORACLE_RUNS ?? 250) },
  );
  return stats;
}
