/**
 * Route maps: an environment's routes as a table and a Mermaid diagram (hosts -> rules -> services),
 * written next to the manifests so a reviewer sees a routing change in the pull request's diff.
 * Pure: no engine imports, no I/O.
 */

import { nearestKey } from '../core/strict';
import { type Feature, featuresOf } from './capabilities';
import { InvalidRoutingPolicyError, RoutingError } from './errors';
import {
  type CompileTarget,
  DIALECTS,
  type RouteMatch,
  type RouteRule,
  type RouteSlo,
  type RoutingPolicy,
} from './types';
import { validatePolicies, validateTarget } from './validate';

/** One row of the route table: one rule of one policy on one host. */
export interface RouteRow {
  readonly host: string;
  /** `policy/rule`, the name errors and generated objects use. */
  readonly route: string;
  /** The rule's matches, OR-ed with ' | '; parts of one match are AND-ed. */
  readonly match: string;
  /** `namespace/service:port` with its share of traffic, or the redirect the rule answers with. */
  readonly backends: readonly RouteTarget[];
  /** Features the rule uses, its policy's included (TLS, CORS, ...), sorted. */
  readonly features: readonly Feature[];
  /** The rule's service level objective (its own, else its policy's), e.g. '99.9% / p99 < 300ms (30d)'; '' for none. */
  readonly slo: string;
  readonly dialect: CompileTarget['dialect'];
}

/** Where a rule sends traffic. */
export interface RouteTarget {
  /** `namespace/service:port`, or `redirect <scheme://host:port/path> <code>`. */
  readonly to: string;
  /** Percentage of the rule's traffic, to 0.01 (a nonzero weight never shows as 0); 100 for a redirect. */
  readonly percent: number;
}

/** A stored snapshot of an environment's routing: what `switchyard routes` reads from `dist/<env>/`. */
export interface RoutingSnapshot {
  readonly environment: string;
  readonly target: CompileTarget;
  readonly policies: readonly RoutingPolicy[];
}

/** The file name of a routing snapshot inside `dist/<env>/`. */
export const ROUTING_SNAPSHOT_FILE = 'routing.json';
/** The file name of the route map inside `dist/<env>/`. */
export const ROUTE_MAP_FILE = 'routes.md';

/** A service level objective in words: availability, then latency, then the window. */
export function describeSlo(slo: RouteSlo | undefined): string {
  if (!slo) return '';
  const parts = [
    ...(slo.availability !== undefined ? [`${slo.availability}%`] : []),
    ...(slo.latency ? [`p${slo.latency.percentile} < ${slo.latency.threshold}`] : []),
  ];
  return `${parts.join(' / ')} (${slo.window ?? '30d'})`;
}

function ruleName(rule: RouteRule, index: number): string {
  return rule.name ?? String(index);
}

function describeMatch(m: RouteMatch): string {
  const path = m.path ?? { type: 'PathPrefix', value: '/' };
  const parts = [`${path.type === 'RegularExpression' ? 'Regex' : path.type} ${path.value}`];
  if (m.method) parts.push(m.method);
  for (const h of m.headers ?? [])
    parts.push(`header ${h.name}${h.type === 'RegularExpression' ? '~' : '='}${h.value}`);
  for (const q of m.queryParams ?? [])
    parts.push(`query ${q.name}${q.type === 'RegularExpression' ? '~' : '='}${q.value}`);
  if (m.cookie) parts.push(`cookie ${m.cookie.name}=${m.cookie.value}`);
  return parts.join(' & ');
}

// A canary at weight 1 of 10,000 still gets traffic: never round it down to a misleading 0%.
function share(weight: number, total: number): number {
  if (weight === 0 || total === 0) return 0;
  return Math.max(0.01, Math.round((weight * 10_000) / total) / 100);
}

function describeTargets(policy: RoutingPolicy, rule: RouteRule): RouteTarget[] {
  if (rule.redirect) {
    const r = rule.redirect;
    const where = `${r.scheme ? `${r.scheme}://` : ''}${r.hostname ?? ''}${r.port ? `:${r.port}` : ''}${r.path ?? ''}`;
    return [{ to: `redirect ${where || '(same URL)'} ${r.statusCode ?? 302}`, percent: 100 }];
  }
  const backends = rule.backends ?? [];
  const total = backends.reduce((sum, b) => sum + (b.weight ?? 1), 0);
  return backends.map((b) => ({
    to: `${b.namespace ?? policy.namespace ?? 'default'}/${b.service}:${b.port}`,
    percent: share(b.weight ?? 1, total),
  }));
}

/** The route table of a set of policies (validated or not: it only reads them). */
export function routeTable(policies: readonly RoutingPolicy[], target: CompileTarget): RouteRow[] {
  const rows: RouteRow[] = [];
  for (const policy of policies) {
    const uses = featuresOf(policy);
    const policyWide = uses.filter((u) => !u.path.startsWith(`${policy.name}.rules[`)).map((u) => u.feature);
    policy.rules.forEach((rule, r) => {
      const own = uses.filter((u) => u.path.startsWith(`${policy.name}.rules[${r}]`)).map((u) => u.feature);
      const features = [...new Set([...policyWide, ...own])].sort();
      const match = policy.tls?.passthrough
        ? 'TLS passthrough (SNI)'
        : (rule.matches ?? [{}]).map(describeMatch).join(' | ');
      const backends = describeTargets(policy, rule);
      for (const host of policy.hosts) {
        rows.push({
          host,
          route: `${policy.name}/${ruleName(rule, r)}`,
          match,
          backends,
          features,
          slo: rule.backends ? describeSlo(rule.slo ?? policy.slo) : '',
          dialect: target.dialect,
        });
      }
    });
  }
  return rows;
}

const COLUMNS = ['HOST', 'ROUTE', 'MATCH', 'BACKENDS', 'FEATURES', 'SLO', 'DIALECT'] as const;

function cells(row: RouteRow): string[] {
  return [
    row.host,
    row.route,
    row.match,
    row.backends.map((b) => `${b.to} ${b.percent}%`).join(', '),
    row.features.join(', '),
    row.slo || '-',
    row.dialect,
  ];
}

/** The table as aligned plain text, for a terminal. */
export function renderRouteTable(rows: readonly RouteRow[]): string {
  const body = rows.map(cells);
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...body.map((r) => r[i]!.length)));
  const line = (r: readonly string[]) =>
    r
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return `${[line(COLUMNS), ...body.map(line)].join('\n')}\n`;
}

// Mermaid labels sit in double quotes; these characters would end or confuse them.
function mermaidLabel(lines: readonly string[]): string {
  const entities = (text: string) =>
    text.replace(/"/g, '#quot;').replace(/[<>]/g, (c) => (c === '<' ? '#lt;' : '#gt;'));
  return `"${lines.map(entities).join('<br/>')}"`;
}

function markdownCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** A Markdown document: the route table and a Mermaid flowchart from hosts to rules to services. */
export function renderRouteMap(snapshot: RoutingSnapshot): string {
  const rows = routeTable(snapshot.policies, snapshot.target);
  const ids = new Map<string, string>();
  const id = (kind: string, key: string) => {
    const k = `${kind}:${key}`;
    if (!ids.has(k)) ids.set(k, `${kind}${ids.size}`);
    return ids.get(k)!;
  };
  const nodes: string[] = [];
  const edges = new Set<string>();
  const declared = new Set<string>();
  const node = (nodeId: string, label: readonly string[], open: string, close: string) => {
    if (declared.has(nodeId)) return;
    declared.add(nodeId);
    nodes.push(`  ${nodeId}${open}${mermaidLabel(label)}${close}`);
  };
  for (const row of rows) {
    const h = id('h', row.host);
    const r = id('r', row.route);
    node(h, [row.host], '([', '])');
    node(r, [row.route, row.match], '[', ']');
    edges.add(`  ${h} --> ${r}`);
    for (const b of row.backends) {
      const s = id('s', b.to);
      node(s, [b.to], b.to.startsWith('redirect ') ? '{{' : '[(', b.to.startsWith('redirect ') ? '}}' : ')]');
      edges.add(`  ${r} -->|${b.percent}%| ${s}`);
    }
  }
  const table = [
    `| ${COLUMNS.map((c) => c.toLowerCase()).join(' | ')} |`,
    `| ${COLUMNS.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${cells(row).map(markdownCell).join(' | ')} |`),
  ];
  return [
    `# Routes: ${snapshot.environment}`,
    '',
    `<!-- Written by Switchyard from ${ROUTING_SNAPSHOT_FILE}; do not edit. -->`,
    '',
    `Dialect: \`${snapshot.target.dialect}\`${snapshot.target.implementation ? ` (${snapshot.target.implementation})` : ''}. ${rows.length} route(s) over ${new Set(rows.map((r) => r.host)).size} host(s).`,
    '',
    ...table,
    '',
    '```mermaid',
    'flowchart LR',
    ...nodes,
    ...edges,
    '```',
    '',
  ].join('\n');
}

/**
 * Reads a routing snapshot written by synth, checking its shape and validating its policies.
 * @throws Error naming the file and the field when the snapshot is malformed
 */
export function parseRoutingSnapshot(text: string, file: string): RoutingSnapshot {
  const fail = (path: string, message: string): never => {
    throw new InvalidRoutingPolicyError(path, `${file}: ${message}; re-run synth to rewrite it`);
  };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    fail('routing.json', `not JSON (${(error as Error).message})`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) fail('routing.json', 'expected an object');
  const snapshot = data as Record<string, unknown>;
  for (const key of Object.keys(snapshot)) {
    if (SNAPSHOT_KEYS.includes(key)) continue;
    const near = nearestKey(key, SNAPSHOT_KEYS);
    fail(key, `unknown key '${key}'${near ? `: did you mean '${near}'?` : ''} (keys: ${SNAPSHOT_KEYS.join(', ')})`);
  }
  if (typeof snapshot.environment !== 'string' || !snapshot.environment) {
    fail('environment', `'environment' must be a non-empty string, got ${JSON.stringify(snapshot.environment)}`);
  }
  const target = snapshot.target as CompileTarget | undefined;
  if (!target || typeof target !== 'object' || !DIALECTS.includes(target.dialect)) {
    fail(
      'target.dialect',
      `'target.dialect' must be one of ${DIALECTS.join(', ')}, got ${JSON.stringify(target?.dialect)}`,
    );
  }
  if (!Array.isArray(snapshot.policies)) {
    fail('policies', `'policies' must be an array, got ${JSON.stringify(snapshot.policies)}`);
  }
  for (const check of [() => validateTarget(target!), () => validatePolicies(snapshot.policies as RoutingPolicy[])]) {
    try {
      check();
    } catch (error) {
      if (!(error instanceof RoutingError)) throw error;
      fail(error.path, error.message);
    }
  }
  return snapshot as unknown as RoutingSnapshot;
}

const SNAPSHOT_KEYS: readonly string[] = ['environment', 'target', 'policies'];
