/**
 * Oracle interpreter for the aws-alb dialect: what an Application Load Balancer, configured by the AWS
 * Load Balancer Controller from the compiled Ingresses, does with one request. The controller's model
 * builder is in ./aws-alb-rules.ts; here is the ALB data plane: the listener for the scheme, the rules
 * by priority (lowest first, all conditions must match), the matching of each condition type, and the
 * action (AWS ELB docs: listener-rules.html, rule-condition-types.html, and the API Reference for
 * HostHeaderConditionConfig, PathPatternConditionConfig, HttpHeaderConditionConfig,
 * QueryStringConditionConfig, SourceIpConditionConfig, RedirectActionConfig, TargetGroupTuple).
 * Pure: no engine imports.
 */

import { ALB, type AlbAction, type AlbCondition, type AlbRule, buildListener, groupMembers } from './aws-alb-rules';
import { distribution, regexMatches, sourceIn } from './common';
import type {
  AppliedPolicy,
  CompiledRoutes,
  DialectInterpreter,
  TrafficOutcome,
  TrafficRequest,
  WeightedBackend,
} from './types';

const fail = (message: string): never => {
  throw new Error(`oracle aws-alb: ${message}`);
};

/**
 * ALB wildcard matching: '*' is 0 or more characters, '?' exactly one; the whole value must match.
 * Query-string values may escape a literal '*' or '?' with '\' (QueryStringConditionConfig).
 */
export function albGlob(pattern: string, value: string, caseInsensitive: boolean, escapes = false): boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (escapes && ch === '\\' && i + 1 < pattern.length) re += pattern[++i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (ch === '*') re += '[\\s\\S]*';
    else if (ch === '?') re += '[\\s\\S]';
    else re += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, caseInsensitive ? 'iu' : 'u').test(value);
}

/** The request's Cookie header, as a browser sends it ('a=1; b=2'); the oracle keeps cookies apart. */
function cookieHeader(request: TrafficRequest): string | undefined {
  const entries = Object.entries(request.cookies);
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join('; ') : undefined;
}

function header(request: TrafficRequest, name: string): string | undefined {
  const lower = name.toLowerCase();
  if (lower === 'cookie') return cookieHeader(request);
  return request.headers[lower];
}

/** One condition: a request satisfies it when any of its values matches (rule-condition-types.html). */
function conditionMatches(c: AlbCondition, request: TrafficRequest): boolean {
  switch (c.field) {
    case 'host-header':
      // Host names are not case-sensitive; wildcards '*' and '?'.
      if (c.regexValues?.length) return fail('host-header regexValues are not modelled');
      return (c.values ?? []).some((v) => albGlob(v, request.host, true));
    case 'path-pattern':
      // Path patterns are case-sensitive, wildcards '*' and '?', applied to the path only (not the query).
      if (c.regexValues?.length) return fail('path-pattern regexValues (use-regex-path-match) are not modelled');
      return (c.values ?? []).some((v) => albGlob(v, request.path, false));
    case 'http-header': {
      // The header name is case-insensitive; the comparison strings are case-insensitive globs.
      const value = header(request, c.headerName!);
      if (value === undefined) return false;
      if (c.regexValues?.length) return c.regexValues.some((r) => regexMatches(r, value)); // AWS regex, read as RE2
      return (c.values ?? []).some((v) => albGlob(v, value, true));
    }
    case 'http-request-method':
      // Method names are case-sensitive and take no wildcards.
      return (c.values ?? []).includes(request.method);
    case 'query-string':
      // Key/value pairs (or values alone), case-insensitive globs with '\' escapes; any pair found suffices.
      return (c.query ?? []).some((pair) =>
        Object.entries(request.query).some(
          ([k, v]) =>
            (pair.key === undefined || albGlob(pair.key, k, true, true)) && albGlob(pair.value, v, true, true),
        ),
      );
    case 'source-ip':
      // The client address as the load balancer sees it, against CIDRs (X-Forwarded-For is not used).
      return sourceIn(request, c.values ?? []);
  }
}

function ruleMatches(rule: AlbRule, request: TrafficRequest): boolean {
  return rule.conditions.every((c) => conditionMatches(c, request));
}

/** RedirectActionConfig: each part defaults to the request's ('#{protocol}', '#{host}', '#{port}', '/#{path}'). */
function redirectOutcome(
  action: Extract<AlbAction, { type: 'redirect' }>,
  request: TrafficRequest,
  port: number,
  protocol: string,
): TrafficOutcome {
  const fill = (text: string) =>
    text
      .replace(/#\{protocol\}/g, protocol)
      .replace(/#\{host\}/g, request.host)
      .replace(/#\{port\}/g, String(port))
      .replace(/#\{path\}/g, request.path.slice(1));
  const scheme = fill(action.protocol ?? '#{protocol}').toUpperCase();
  if (scheme !== 'HTTP' && scheme !== 'HTTPS') fail(`redirect protocol ${scheme}`);
  // "You can't redirect HTTPS to HTTP" (ELB docs, redirect actions): the rule is refused.
  if (protocol === 'HTTPS' && scheme === 'HTTP') fail('ALB cannot redirect HTTPS to HTTP');
  const toPort = fill(action.port ?? '#{port}');
  const path = fill(action.path ?? '/#{path}');
  if (!path.startsWith('/')) fail(`redirect path must start with '/': ${path}`);
  const status = { HTTP_301: 301, HTTP_302: 302 }[action.statusCode];
  if (!status) fail(`redirect status ${action.statusCode}`);
  // The query (#{query}) is kept by ALB; the oracle's locations carry none. A default port is dropped,
  // as URI normalization does ('https://h:443/' is 'https://h/').
  const standard = (scheme === 'HTTP' && toPort === '80') || (scheme === 'HTTPS' && toPort === '443');
  const host = fill(action.host ?? '#{host}').toLowerCase();
  return {
    kind: 'redirect',
    status: status!,
    location: `${scheme.toLowerCase()}://${host}${standard ? '' : `:${toPort}`}${path}`,
  };
}

/** Target group protocol from backend-protocol and backend-protocol-version (model_build_target_group.go). */
function protocolOf(annotations: Readonly<Record<string, string>>): WeightedBackend['protocol'] {
  const protocol = annotations[`${ALB}backend-protocol`] ?? 'HTTP';
  const version = annotations[`${ALB}backend-protocol-version`] ?? 'HTTP1';
  if (protocol === 'HTTP' && version === 'HTTP1') return undefined;
  if (protocol === 'HTTPS' && version === 'HTTP1') return 'https';
  if (protocol === 'HTTP' && version === 'GRPC') return 'grpc';
  return fail(`target group protocol ${protocol} / ${version} is not modelled`);
}

/** stringMap annotation 'k1=v1,k2=v2'. */
function stringMap(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split(',')
      .map((kv) => kv.trim())
      .filter(Boolean)
      .map((kv) => {
        const i = kv.indexOf('=');
        if (i < 0) fail(`target-group-attributes: '${kv}' is not k=v`);
        return [kv.slice(0, i).trim(), kv.slice(i + 1).trim()];
      }),
  );
}

/** Target group stickiness (lb_cookie, cookie AWSALB) from target-group-attributes; undefined when off. */
function stickinessOf(annotations: Readonly<Record<string, string>>): AppliedPolicy['sessionAffinity'] {
  const raw = annotations[`${ALB}target-group-attributes`];
  if (raw === undefined) return undefined;
  const attrs = stringMap(raw);
  for (const k of Object.keys(attrs))
    if (!['stickiness.enabled', 'stickiness.type', 'stickiness.lb_cookie.duration_seconds'].includes(k))
      fail(`target group attribute ${k} is not modelled`);
  if (attrs['stickiness.enabled'] !== 'true') return undefined;
  if ((attrs['stickiness.type'] ?? 'lb_cookie') !== 'lb_cookie') fail(`stickiness.type ${attrs['stickiness.type']}`);
  // ELB target group attributes: lb_cookie duration defaults to 86400 s; the cookie is AWSALB.
  return { cookieName: 'AWSALB', maxAge: Number(attrs['stickiness.lb_cookie.duration_seconds'] ?? 86400) };
}

/** Transforms: url-rewrite on the path, host-header-rewrite on Host; a rewrite applies where its regex matches. */
function rewrite(value: string, rewrites: readonly { regex: string; replace: string }[]): string {
  for (const r of rewrites) {
    const re = new RegExp(r.regex, 'u');
    if (re.test(value)) return value.replace(re, r.replace);
  }
  return value;
}

function actionOutcome(
  rule: AlbRule | undefined,
  action: AlbAction,
  request: TrafficRequest,
  port: number,
  protocol: string,
): TrafficOutcome {
  if (action.type === 'fixed-response') {
    // The controller's default action is a 404 fixed response (model_build_actions.go build404Action);
    // Switchyard's source-list rules answer 403.
    if (action.statusCode === '404') return { kind: 'no-route' };
    if (action.statusCode === '403') return { kind: 'denied' };
    return fail(`fixed response ${action.statusCode} is not modelled`);
  }
  if (action.type === 'redirect') return redirectOutcome(action, request, port, protocol);
  if (action.targetGroups.length === 0) fail('forward without target groups');
  if (action.targetGroups.length > 5) fail('ALB forwards to at most 5 target groups');
  const seen = new Set<string>();
  for (const tg of action.targetGroups) {
    const key = `${tg.service}:${tg.port}`;
    if (seen.has(key)) fail(`target group ${key} listed twice in one forward action`);
    seen.add(key);
  }
  // Weighted forward: each target group gets weight / sum of weights (a lone group takes everything).
  const backends = distribution(
    action.targetGroups.map((tg) => {
      const protocolName = protocolOf(tg.annotations);
      // gRPC target groups are supported behind HTTPS listeners only (AWS What's New 2020-10-29).
      if (protocolName === 'grpc' && protocol !== 'HTTPS') fail('ALB refuses a gRPC target group on an HTTP listener');
      return {
        namespace: tg.namespace,
        service: tg.service,
        port: tg.port,
        weight: action.targetGroups.length === 1 ? 1 : tg.weight!,
        ...(protocolName ? { protocol: protocolName } : {}),
      };
    }),
  );
  if (backends.length === 0) fail('every target group has weight 0');
  const sticky = [...new Set(action.targetGroups.map((tg) => JSON.stringify(stickinessOf(tg.annotations) ?? null)))];
  if (sticky.length > 1) fail('target groups of one forward differ in stickiness');
  let sessionAffinity = JSON.parse(sticky[0]!) as AppliedPolicy['sessionAffinity'] | null;
  if (!sessionAffinity && action.groupStickiness !== undefined)
    sessionAffinity = { cookieName: 'AWSALBTG', maxAge: action.groupStickiness };
  let path = request.path;
  let host = request.host;
  for (const t of rule?.transforms ?? []) {
    if (t.type === 'url-rewrite') path = rewrite(path, t.rewrites);
    else host = rewrite(host, t.rewrites);
  }
  return {
    kind: 'forward',
    backends,
    path,
    host,
    applied: sessionAffinity ? { sessionAffinity } : {},
    ...(rule ? { rule: rule.owner } : {}),
  };
}

/** What the ALB of the compiled IngressGroup does with `request`. */
export const interpretAwsAlb: DialectInterpreter = (compiled: CompiledRoutes, request: TrafficRequest) => {
  const services = compiled.serviceAnnotations ?? [];
  for (const s of services)
    for (const k of Object.keys(s.annotations))
      if (
        k.startsWith(ALB) &&
        !['backend-protocol', 'backend-protocol-version', 'target-group-attributes'].includes(k.slice(ALB.length))
      )
        fail(`Service annotation ${k} is not modelled`);
  const members = groupMembers(compiled.objects);
  const port = request.scheme === 'https' ? 443 : 80;
  const listener = buildListener(members, port, services);
  // Nothing listens on the port: the connection is refused, which the oracle counts as no route.
  if (!listener) return { kind: 'no-route' };
  if (listener.protocol !== (request.scheme === 'https' ? 'HTTPS' : 'HTTP'))
    fail(`port ${port} is ${listener.protocol}`);
  // listener-rules.html: rules are evaluated in priority order, lowest first; the default rule last.
  const rule = listener.rules.find((r) => ruleMatches(r, request));
  return actionOutcome(rule, rule ? rule.action : listener.defaultAction, request, port, listener.protocol);
};
