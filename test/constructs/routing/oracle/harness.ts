/**
 * The differential check behind issue 13: for generated environments and requests, a dialect's
 * compiled objects, run through its interpreter, must give the model's outcome, or compilation must
 * fail with a typed RoutingError. Anything else (a disagreement, a raw TypeError, an interpreter that
 * meets an object it does not model) fails with the shrunk counterexample.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { type Feature, featuresOf } from '../../../../constructs/routing/capabilities';
import { compileRoutes } from '../../../../constructs/routing/compile';
import { RoutingError } from '../../../../constructs/routing/errors';
import { outcomeDifference } from '../../../../constructs/routing/oracle/compare';
import { modelOutcome } from '../../../../constructs/routing/oracle/model';
import type { DialectInterpreter, TrafficOutcome, TrafficRequest } from '../../../../constructs/routing/oracle/types';
import type { CompileTarget, Dialect, RoutingPolicy } from '../../../../constructs/routing/types';
import { scenarios } from './arbitraries';
import { compileCut } from './tailor';

export interface CheckOptions {
  /** Environments to generate. @default ORACLE_RUNS or 250 */
  readonly runs?: number;
  /** fast-check seed, for replaying a failure. */
  readonly seed?: number;
  /** Extra compile target fields (gateway-api implementation, channel). */
  readonly target?: Omit<CompileTarget, 'dialect'>;
  /**
   * Share of environments tailored to the target first (features it refuses removed), so most
   * compile and their traffic is compared; the rest check the refusals. @default 0.5
   */
  readonly tailored?: number;
}

/** What one check did: compiled environments, compared requests, refusals by error class, unspecified ones. */
export interface CheckStats {
  environments: number;
  compiled: number;
  compared: number;
  unspecified: number;
  refused: Record<string, number>;
  /** Features used by a rule (or its policy) whose traffic the interpreter reproduced at least once. */
  confirmed: Set<Feature>;
}

/** The features behind one agreed outcome: the answering rule's and its policy's own. */
function featuresBehind(policies: readonly RoutingPolicy[], outcome: TrafficOutcome): Feature[] {
  if (outcome.kind === 'redirect' && outcome.httpsUpgrade) return ['tls.redirect-http'];
  const rule = 'rule' in outcome ? outcome.rule : undefined;
  if (!rule) return [];
  const policy = policies.find((p) => rule.startsWith(`${p.name}.rules[`));
  if (!policy) return [];
  return featuresOf(policy)
    .filter((u) => u.path === rule || u.path.startsWith(`${rule}.`) || !u.path.startsWith(`${policy.name}.rules[`))
    .map((u) => u.feature);
}

/** Runs the property for one dialect and returns the counts (the caller prints and bounds them). */
export function checkDialect(dialect: Dialect, interpret: DialectInterpreter, options: CheckOptions = {}): CheckStats {
  const runs = options.runs ?? Number(process.env.ORACLE_RUNS ?? 250);
  const stats: CheckStats = {
    environments: 0,
    compiled: 0,
    compared: 0,
    unspecified: 0,
    refused: {},
    confirmed: new Set(),
  };
  const target: CompileTarget = { dialect, ...options.target };
  fc.assert(
    fc.property(scenarios, fc.double({ min: 0, max: 1, noNaN: true }), ([generated, reqs], draw) => {
      stats.environments++;
      let policies: readonly RoutingPolicy[] = generated;
      let compiled: ReturnType<typeof compileRoutes>;
      if (draw < (options.tailored ?? 0.5)) {
        // Cut to what the dialect takes: the refusals themselves are checked on the untailored share.
        const cut = compileCut(generated, target, compileRoutes);
        if (!cut) {
          stats.refused.uncut = (stats.refused.uncut ?? 0) + 1;
          return;
        }
        ({ policies, compiled } = cut);
      } else {
        try {
          compiled = compileRoutes(policies, target);
        } catch (error) {
          if (!(error instanceof RoutingError)) throw error;
          stats.refused[error.constructor.name] = (stats.refused[error.constructor.name] ?? 0) + 1;
          return;
        }
      }
      stats.compiled++;
      for (const request of reqs) {
        const expected = modelOutcome(policies, request);
        if (expected.kind === 'unspecified') {
          stats.unspecified++;
          continue;
        }
        const diff = outcomeDifference(expected, interpret(compiled, request));
        if (diff)
          throw new Error(`${dialect}: ${JSON.stringify(request)}\n${diff}\npolicies: ${JSON.stringify(policies)}`);
        stats.compared++;
        for (const f of featuresBehind(policies, expected)) stats.confirmed.add(f);
      }
    }),
    { numRuns: runs, ...(options.seed !== undefined ? { seed: options.seed } : {}) },
  );
  return stats;
}

/** A one-line summary for the test log. */
export function describeStats(dialect: string, stats: CheckStats): string {
  const refused = Object.entries(stats.refused)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return `${dialect}: ${stats.environments} environments, ${stats.compiled} compiled, ${stats.compared} requests agree, ${stats.unspecified} unspecified; refused: ${refused || 'none'}`;
}

/**
 * For hand-written cases: compiles `policies` for the dialect and requires, for every request, that the
 * model defines it and the interpreter agrees. Returns the interpreter's outcomes.
 */
export function modelChecker(
  dialect: Dialect,
  interpret: DialectInterpreter,
  target: Omit<CompileTarget, 'dialect'> = {},
): (policies: readonly RoutingPolicy[], requests: readonly TrafficRequest[]) => TrafficOutcome[] {
  return (policies, requests) => {
    const compiled = compileRoutes(policies, { dialect, ...target });
    return requests.map((r) => {
      const expected = modelOutcome(policies, r);
      expect(expected.kind, `${r.path}: the model must define this request`).not.toBe('unspecified');
      const actual = interpret(compiled, r);
      expect(outcomeDifference(expected, actual), `${r.scheme}://${r.host}${r.path}`).toBeUndefined();
      return actual;
    });
  };
}
