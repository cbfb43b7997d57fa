/**
 * checkDialect (tailored environments included) for controllers that configure a backend's transport,
 * not the protocol the model names: HAProxy's `server-proto: h2` is the same for gRPC and h2c, and
 * neither HAProxy nor the OpenShift router configures anything for WebSockets (both pass the upgrade).
 * Both sides are compared with 'grpc' read as 'h2c' and 'ws' as plain HTTP, as wire-protocols.ts does
 * for Traefik, Contour and ALB; until compare.ts decides this for every dialect.
 */
import fc from 'fast-check';
import { compileRoutes } from '../../../../constructs/routing/compile';
import { RoutingError } from '../../../../constructs/routing/errors';
import { distribution } from '../../../../constructs/routing/oracle/common';
import { outcomeDifference } from '../../../../constructs/routing/oracle/compare';
import { type ModelOutcome, modelOutcome } from '../../../../constructs/routing/oracle/model';
import type { DialectInterpreter, TrafficOutcome, WeightedBackend } from '../../../../constructs/routing/oracle/types';
import type { CompileTarget, Dialect } from '../../../../constructs/routing/types';
import { scenarios } from './arbitraries';
import type { CheckStats } from './harness';
import { tailor } from './tailor';

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

/** The harness's property (half the environments tailored to the target) with the wire reading above. */
export function checkTailoredWire(dialect: Dialect, interpret: DialectInterpreter, runs?: number): CheckStats {
  const stats: CheckStats = { environments: 0, compiled: 0, compared: 0, unspecified: 0, refused: {} };
  const target: CompileTarget = { dialect };
  fc.assert(
    fc.property(scenarios, fc.double({ min: 0, max: 1, noNaN: true }), ([generated, reqs], draw) => {
      stats.environments++;
      const policies = draw < 0.5 ? tailor(generated, target) : generated;
      let compiled: ReturnType<typeof compileRoutes>;
      try {
        compiled = compileRoutes(policies, target);
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
