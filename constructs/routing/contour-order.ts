/**
 * Contour orders the routes of a virtual host by path (exact, regex, prefix; longer first), then by
 * method, header and query counts, then position by position by header and query name, type and value
 * (internal/sorter/sorter.go routeSorter and compareRoutesByMethodHeaderQueryParams), on a map of routes
 * whose order is random (internal/dag/dag.go VirtualHost.Routes). Two rules of one policy that are
 * equally specific, in Gateway API terms, and may both match are therefore ordered by their header
 * names, not by rule order as the model requires: this refuses the pairs Contour would turn around.
 * Pure.
 */
import { UnsupportedFeatureError } from './errors';

/** A route as the Contour compiler emits it, with the rule it came from. */
export interface EmittedRoute {
  readonly rule: number;
  readonly conditions: readonly Record<string, Record<string, string> | string>[];
}

interface Cond {
  readonly name: string;
  readonly kind: string;
  readonly value: string;
}

/** The header (less ':method', which sorts on its own) or query conditions, in Contour's order. */
function condsOf(route: EmittedRoute, field: 'header' | 'queryParameter'): Cond[] {
  return route.conditions
    .map((c) => c[field])
    .filter((c): c is Record<string, string> => typeof c === 'object' && c.name !== ':method')
    .map((c) => {
      const kind = 'exact' in c ? 'exact' : 'regex';
      return { name: c.name!, kind, value: c[kind]! };
    })
    .sort((a, b) => (condLess(a, b) ? -1 : condLess(b, a) ? 1 : 0));
}

/** headerMatchConditionSorter.Less: by name, exact before regex, then by value. */
function condLess(a: Cond, b: Cond): boolean {
  if (a.name !== b.name) return a.name < b.name;
  if (a.kind !== b.kind) return a.kind === 'exact';
  return a.value < b.value;
}

/** compareRoutesByMethodHeaderQueryParams for equal counts: true at the first position where `a` is less. */
function sortsFirst(a: EmittedRoute, b: EmittedRoute): boolean {
  const [ha, hb, qa, qb] = [
    condsOf(a, 'header'),
    condsOf(b, 'header'),
    condsOf(a, 'queryParameter'),
    condsOf(b, 'queryParameter'),
  ];
  return ha.some((h, i) => condLess(h, hb[i]!)) || qa.some((q, i) => condLess(q, qb[i]!));
}

/** Whether no request can match both: one header or query asks the same name for two exact values. */
function exclusive(a: EmittedRoute, b: EmittedRoute): boolean {
  const [ma, mb] = [methodOf(a), methodOf(b)];
  if (ma && mb && ma !== mb) return true;
  return (['header', 'queryParameter'] as const).some((field) =>
    condsOf(a, field).some((x) =>
      condsOf(b, field).some(
        (y) =>
          x.name.toLowerCase() === y.name.toLowerCase() &&
          x.kind === 'exact' &&
          y.kind === 'exact' &&
          x.value !== y.value,
      ),
    ),
  );
}

const methodOf = (r: EmittedRoute) =>
  r.conditions
    .map((c) => c.header)
    .find((h): h is Record<string, string> => typeof h === 'object' && h.name === ':method')?.exact;

const pathOf = (r: EmittedRoute) =>
  JSON.stringify(r.conditions.find((c) => !('header' in c) && !('queryParameter' in c)));

/** Throws when Contour would let a later rule of the policy win over an earlier, equally specific one. */
export function checkContourOrder(policy: string, routes: readonly EmittedRoute[]): void {
  routes.forEach((a, i) => {
    for (const b of routes.slice(i + 1)) {
      if (a.rule === b.rule || pathOf(a) !== pathOf(b) || exclusive(a, b)) continue;
      if (Boolean(methodOf(a)) !== Boolean(methodOf(b))) continue; // the one with a method sorts first, as in the model
      const [ha, hb] = [condsOf(a, 'header'), condsOf(b, 'header')];
      const [qa, qb] = [condsOf(a, 'queryParameter'), condsOf(b, 'queryParameter')];
      if (ha.length !== hb.length || qa.length !== qb.length) continue;
      if (sortsFirst(a, b) && !sortsFirst(b, a)) continue;
      throw new UnsupportedFeatureError(
        `${policy}.rules[${b.rule}].matches`,
        'match.header',
        'contour',
        ['gateway-api', 'traefik'],
        `Contour orders routes with the same path and as many header and query matches by header name and value, not by rule order: rules[${b.rule}] would take requests rules[${a.rule}] must win. Put rules[${b.rule}] first if it may win, or make the matches exclusive`,
      );
    }
  });
}
