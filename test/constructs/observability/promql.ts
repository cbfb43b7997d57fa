/** Prometheus' own PromQL parser (@prometheus-io/lezer-promql): parse errors and the metric names used. */
import { parser } from '@prometheus-io/lezer-promql';

/** The parse errors of `expr` (positions of error nodes), empty when it parses cleanly. */
export function parseErrors(expr: string): string[] {
  const errors: string[] = [];
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError)
        errors.push(`parse error at ${node.from}: ${JSON.stringify(expr.slice(node.from, node.from + 20))}`);
    },
  });
  return errors;
}

/** The metric names of every vector selector in `expr`. */
export function metricNamesIn(expr: string): string[] {
  const names: string[] = [];
  parser.parse(expr).iterate({
    enter(node) {
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector')
        names.push(expr.slice(node.from, node.to));
    },
  });
  return names;
}
