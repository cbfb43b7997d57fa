/**
 * The AWS ALB dialect (AWS Load Balancer Controller 3.x): the policies of an environment share one
 * IngressGroup (one ALB), class 'alb'. Every rule match becomes one listener rule, and the compiler
 * decides their priorities itself (./aws-alb-order.ts): the controller numbers rules Ingress by
 * Ingress (group.order, then namespace/name) and, inside an Ingress, Exact paths, then longer Prefix
 * paths first, else in manifest order (pkg/ingress/group_loader.go, model_build_listener_rules.go), so
 * the emitted order and group.order reproduce the model's precedence across policies. Weighted
 * forwards, redirects and conditions go in `actions.<name>` / `conditions.<name>` JSON keyed by a
 * named backend with port `use-annotation`; rewrites in `transforms.<name>`; client IP lists become
 * per-rule `source-ip` conditions with a 403 rule behind them. Formats follow the controller's
 * docs/guide/ingress/annotations.md and pkg/ingress/config_types.go. Pure.
 */
import { type AlbEntry, type AlbUnit, albListeners, assembleAlbIngresses } from './aws-alb-order';
import { UnsupportedFeatureError } from './errors';
import { matchesOf, namespaceOf, pathOf, weightOf } from './model';
import { objectName } from './names';
import type { CompileTarget, KubeObject, RouteMatch, RouteRule, RoutingPolicy } from './types';
import { escapeRegex, parseDuration } from './values';

export { checkAlbGroupAgreement } from './aws-alb-order';

function unsupported(path: string, feature: string, detail: string): never {
  throw new UnsupportedFeatureError(path, feature, 'aws-alb', ['gateway-api'], detail);
}

/** ALB limits (ELB docs, listener-rules.html and quotas): values per condition, per rule, and per target group list. */
const MAX_VALUES_PER_CONDITION = 3;
const MAX_VALUES_PER_RULE = 5;
const MAX_WILDCARDS_PER_RULE = 5;
const MAX_TARGET_GROUPS = 5;
const MAX_VALUE_LENGTH = 128;

/**
 * Relative weights as ALB's 0-999 target group weights, exactly: reduced by their gcd; undefined when
 * the reduced weights still exceed 999 (ALB could only approximate them).
 */
export function albWeights(weights: readonly number[]): number[] | undefined {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const divisor = weights.reduce((g, w) => gcd(g, w), 0) || 1;
  const reduced = weights.map((w) => w / divisor);
  return Math.max(...reduced) <= 999 ? reduced : undefined;
}

type Condition = Record<string, unknown>;

/** ALB globs read '*' and '?' as wildcards; header values have no escape, query values take '\'. */
function headerValue(value: string, at: string, feature: string): string {
  if (/[*?]/.test(value)) unsupported(at, feature, "ALB reads '*' and '?' in header values as wildcards");
  if (value.length > MAX_VALUE_LENGTH) unsupported(at, feature, `ALB compares at most ${MAX_VALUE_LENGTH} characters`);
  return value;
}

function queryText(value: string, at: string): string {
  if (!/^[-A-Za-z0-9._~!$'()*,;:@/?]+$/.test(value))
    unsupported(at, 'match.query', 'ALB compares query text as sent: use unreserved characters only');
  if (value.length > MAX_VALUE_LENGTH)
    unsupported(at, 'match.query', `ALB compares at most ${MAX_VALUE_LENGTH} characters`);
  return value.replace(/[*?]/g, '\\$&');
}

/** The `conditions.<name>` entries of one match (host and path come from the Ingress rule itself). */
function conditions(match: RouteMatch, at: string, warnings: string[]): Condition[] {
  const out: Condition[] = [];
  (match.headers ?? []).forEach((h, i) => {
    if (h.name.length > 40)
      unsupported(`${at}.headers[${i}].name`, 'match.header', 'ALB header names are at most 40 characters');
    if (h.name.toLowerCase() === 'host')
      unsupported(`${at}.headers[${i}]`, 'match.header', 'ALB matches Host only as the rule host');
    const regex = h.type === 'RegularExpression';
    out.push({
      field: 'http-header',
      httpHeaderConfig: {
        httpHeaderName: h.name,
        ...(regex
          ? { regexValues: [h.value] }
          : { values: [headerValue(h.value, `${at}.headers[${i}].value`, 'match.header')] }),
      },
    });
  });
  (match.queryParams ?? []).forEach((q, i) => {
    if (q.type === 'RegularExpression')
      unsupported(
        `${at}.queryParams[${i}]`,
        'match.query',
        'ALB matches query values exactly or by wildcard, not by regular expression',
      );
    const where = `${at}.queryParams[${i}]`;
    out.push({
      field: 'query-string',
      queryStringConfig: { values: [{ key: queryText(q.name, where), value: queryText(q.value, where) }] },
    });
  });
  if (match.method) out.push({ field: 'http-request-method', httpRequestMethodConfig: { values: [match.method] } });
  if (match.cookie) {
    // A wildcard on the Cookie header: also matches longer names or values ending the same way.
    const text = `${match.cookie.name}=${match.cookie.value}`;
    out.push({
      field: 'http-header',
      httpHeaderConfig: {
        httpHeaderName: 'Cookie',
        values: [`*${headerValue(text, `${at}.cookie`, 'match.cookie')}*`],
      },
    });
    warnings.push(
      `${at}: ALB matches the cookie with a wildcard on the Cookie header, so similar cookie names also match`,
    );
  }
  return out;
}

/** The rule's transforms for one match (url-rewrite, host-header-rewrite). */
function transforms(rule: RouteRule, match: RouteMatch) {
  const w = rule.rewrite;
  if (!w) return undefined;
  const list: Record<string, unknown>[] = [];
  if (w.pathPrefix !== undefined) {
    const from = escapeRegex(pathOf(match).value.replace(/\/+$/, ''));
    const to = w.pathPrefix.replace(/\/+$/, '');
    const rewrite = to
      ? { regex: `^${from}(/.*)?$`, replace: `${to}$1` }
      : { regex: `^${from}/?(.*)$`, replace: '/$1' };
    list.push({ type: 'url-rewrite', urlRewriteConfig: { rewrites: [rewrite] } });
  }
  if (w.fullPath !== undefined)
    list.push({ type: 'url-rewrite', urlRewriteConfig: { rewrites: [{ regex: '^.*$', replace: w.fullPath }] } });
  if (w.hostname !== undefined)
    list.push({
      type: 'host-header-rewrite',
      hostHeaderRewriteConfig: { rewrites: [{ regex: '^.*$', replace: w.hostname }] },
    });
  return list;
}

/** The class of target group settings a rule needs: backend protocol and stickiness, Ingress-wide in ALB. */
function variantOf(rule: RouteRule, at: string): { protocol: 'http' | 'https' | 'grpc'; sticky?: number } {
  const classes = new Set(
    (rule.backends ?? []).map((b) => (b.protocol === 'https' ? 'https' : b.protocol === 'grpc' ? 'grpc' : 'http')),
  );
  if (classes.size > 1)
    unsupported(
      `${at}.backends`,
      classes.has('https') ? 'backend.https' : 'backend.grpc',
      "ALB sets one backend protocol for the target groups an Ingress builds, so one forward cannot mix protocols: split the rule's backends into rules by protocol",
    );
  const protocol = ([...classes][0] ?? 'http') as 'http' | 'https' | 'grpc';
  const affinity = rule.sessionAffinity;
  const seconds = affinity?.maxAge ? Math.floor(parseDuration(affinity.maxAge)! / 1000) : 86400;
  // ELB target group attributes: stickiness.lb_cookie.duration_seconds is 1 s to 7 days.
  if (affinity && (seconds < 1 || seconds > 604800))
    unsupported(`${at}.sessionAffinity.maxAge`, 'session-affinity', 'ALB stickiness lasts 1 second to 7 days');
  return { protocol, ...(affinity ? { sticky: seconds } : {}) };
}

/** The forward action (or direct backend) of a rule: duplicates merged, weights exact in 0-999. */
function forwardOf(rule: RouteRule, at: string, sticky: number | undefined) {
  const merged = new Map<string, { service: string; port: number; weight: number }>();
  for (const b of rule.backends ?? []) {
    const key = `${b.service}:${b.port}`;
    const seen = merged.get(key);
    merged.set(key, { service: b.service, port: b.port, weight: (seen?.weight ?? 0) + weightOf(b) });
  }
  const list = [...merged.values()];
  if (list.length > MAX_TARGET_GROUPS)
    unsupported(`${at}.backends`, 'split.weighted-multi', `ALB forwards to at most ${MAX_TARGET_GROUPS} target groups`);
  const weights = albWeights(list.map((b) => b.weight));
  if (!weights)
    unsupported(
      `${at}.backends`,
      'split.weighted',
      'ALB weights are 0-999: these weights, reduced, do not fit exactly',
    );
  return {
    list,
    action: {
      type: 'forward',
      forwardConfig: {
        targetGroups: list.map((b, i) => ({ serviceName: b.service, servicePort: b.port, weight: weights![i] })),
        ...(sticky !== undefined && list.length > 1
          ? { targetGroupStickinessConfig: { enabled: true, durationSeconds: sticky } }
          : {}),
      },
    },
  };
}

function redirectAction(rule: RouteRule, at: string, tls: boolean) {
  const r = rule.redirect!;
  const code = r.statusCode ?? 302;
  if (code !== 301 && code !== 302)
    unsupported(`${at}.redirect.statusCode`, 'redirect', 'ALB redirects with HTTP_301 or HTTP_302 only');
  // ELB redirect actions: "You can't redirect HTTPS to HTTP".
  if (r.scheme === 'http' && tls)
    unsupported(`${at}.redirect.scheme`, 'redirect', 'ALB cannot redirect HTTPS requests to HTTP');
  // An unset port keeps the request's ('#{port}'): a scheme change must name the new scheme's port.
  const port = r.port ?? (r.scheme === 'https' ? 443 : r.scheme === 'http' ? 80 : undefined);
  return {
    type: 'redirect',
    redirectConfig: {
      ...(r.hostname ? { host: r.hostname } : {}),
      ...(r.path ? { path: r.path } : {}),
      ...(port !== undefined ? { port: String(port) } : {}),
      ...(r.scheme ? { protocol: r.scheme.toUpperCase() } : {}),
      statusCode: `HTTP_${code}`,
    },
  };
}

/** rule_optimizer.go isInfiniteRedirectRule: the controller drops such a rule, so refuse it. */
function checkRedirectLoop(
  action: { redirectConfig: Record<string, string> },
  host: string,
  patterns: string[],
  listeners: readonly [number, string][],
  at: string,
): void {
  const r = action.redirectConfig;
  for (const [port, protocol] of listeners) {
    const same =
      (r.host === undefined || r.host === host) &&
      (r.path === undefined || patterns.includes(r.path)) &&
      (r.port === undefined || r.port === String(port)) &&
      (r.protocol === undefined || r.protocol === protocol);
    if (same)
      unsupported(
        `${at}.redirect`,
        'redirect',
        `on the ${protocol} listener this redirect leads back to its own rule, and the controller drops such rules as loops`,
      );
  }
}

/** ALB path-pattern values of an Ingress path (buildPathPatternsForPrefixPathType / ExactPathType). */
function patternsOf(type: 'Exact' | 'Prefix', path: string): string[] {
  return type === 'Exact' ? [path] : path === '/' ? ['/*'] : [path, `${path}/*`];
}

const wildcards = (values: readonly string[]) => values.join('').replace(/[^*?]/g, '').length;

/** Values of a condition list, for the per-rule limits. */
function countValues(conds: readonly Condition[]): string[] {
  return conds.flatMap((c) => {
    const cfg = Object.values(c).find((v) => v && typeof v === 'object') as Record<string, unknown>;
    const values = (cfg.values ?? cfg.regexValues ?? []) as unknown[];
    return values.map((v) => (typeof v === 'string' ? v : String((v as { value: string }).value)));
  });
}

/** Source lists cut into rules that respect the value limits; undefined list gives [undefined]. */
function chunks(list: readonly string[], room: number, at: string, feature: string): string[][] {
  const size = Math.min(MAX_VALUES_PER_CONDITION, room);
  if (size < 1)
    unsupported(
      at,
      feature,
      `ALB allows ${MAX_VALUES_PER_RULE} condition values per rule, and this match's host, path and conditions use them all`,
    );
  const out: string[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** Compiles one policy into entries: one per host and rule match (and per source-list rule). */
function policyEntries(policy: RoutingPolicy, index: number, warnings: string[]): AlbEntry[] {
  const tls = policy.tls !== undefined;
  const redirects = tls && policy.tls!.redirectHttp !== false;
  const listeners = albListeners(policy);
  const entries: AlbEntry[] = [];
  // Action names never equal a Service name: conditions.<name> would also apply to that Service's paths.
  const used = new Set(policy.rules.flatMap((r) => (r.backends ?? []).map((b) => b.service)));
  const unique = (parts: string[]) => {
    let name = objectName(['r', ...parts]);
    for (let n = 2; used.has(name); n++) name = objectName(['r', ...parts, String(n)]);
    used.add(name);
    return name;
  };
  policy.rules.forEach((rule, r) => {
    const at = `${policy.name}.rules[${r}]`;
    const variant = variantOf(rule, at);
    // AWS (What's New 2020-10-29, target group protocol version): gRPC target groups serve HTTPS listeners only.
    if (variant.protocol === 'grpc' && listeners.some(([, protocol]) => protocol === 'HTTP'))
      unsupported(
        `${at}.backends`,
        'backend.grpc',
        'ALB forwards gRPC only from an HTTPS listener: give the policy TLS and keep its HTTP redirect',
      );
    const key = `${index}/main/${variant.protocol}/${variant.sticky ?? '-'}`;
    const allow = rule.allowSourceRanges ?? policy.allowSourceRanges;
    const deny = policy.denySourceRanges;
    const label = rule.name ?? `rule-${r}`;
    matchesOf(rule).forEach((match, m) => {
      const path = pathOf(match);
      const mat = `${at}.matches[${m}]`;
      if (path.type === 'RegularExpression')
        unsupported(`${mat}.path`, 'path.regex', "ALB's regex dialect is AWS's own, not RE2");
      if (/[*?]/.test(path.value))
        unsupported(
          `${mat}.path`,
          path.type === 'Exact' ? 'path.exact' : 'path.prefix',
          "ALB path patterns read '*' as a wildcard",
        );
      const type = path.type === 'Exact' ? 'Exact' : 'Prefix';
      const value = type === 'Prefix' ? path.value.replace(/\/+$/, '') || '/' : path.value;
      const patterns = patternsOf(type, value);
      if (patterns.some((p) => p.length > MAX_VALUE_LENGTH))
        unsupported(
          `${mat}.path`,
          `path.${type === 'Exact' ? 'exact' : 'prefix'}`,
          `ALB path patterns are at most ${MAX_VALUE_LENGTH} characters`,
        );
      const conds = conditions(match, mat, warnings);
      const transform = transforms(rule, match);
      const base = unique([label, ...(matchesOf(rule).length > 1 ? [String(m)] : [])]);
      const forward = rule.redirect ? undefined : forwardOf(rule, at, variant.sticky);
      const action = rule.redirect ? redirectAction(rule, at, tls) : forward!.action;
      for (const host of policy.hosts) {
        const hostValues = [host, ...patterns, ...countValues(conds)];
        if (hostValues.length > MAX_VALUES_PER_RULE || wildcards(hostValues) > MAX_WILDCARDS_PER_RULE)
          unsupported(
            mat,
            match.cookie
              ? 'match.cookie'
              : match.method
                ? 'match.method'
                : match.queryParams
                  ? 'match.query'
                  : 'match.header',
            `ALB allows ${MAX_VALUES_PER_RULE} condition values and ${MAX_WILDCARDS_PER_RULE} wildcards per rule (host, path and conditions together)`,
          );
        if (rule.redirect) checkRedirectLoop(action as never, host, patterns, listeners, at);
        const room = MAX_VALUES_PER_RULE - hostValues.length;
        const unit = (
          name: string,
          extra: Condition[],
          act: Record<string, unknown> | undefined,
          direct = false,
        ): AlbUnit => ({
          name,
          conditions: [...conds, ...extra],
          ...(act ? { action: act } : {}),
          ...(direct ? { direct: forward!.list[0]! } : {}),
          ...(act && transform?.length ? { transforms: transform } : {}),
        });
        const units: AlbUnit[] = [];
        const reject = {
          type: 'fixed-response',
          fixedResponseConfig: { contentType: 'text/plain', statusCode: '403', messageBody: 'Forbidden' },
        };
        const source = (cidrs: string[]) => ({ field: 'source-ip', sourceIPConfig: { values: cidrs } });
        if (deny)
          for (const [k, c] of chunks(deny, room, `${policy.name}.denySourceRanges`, 'ip.deny').entries())
            units.push(unit(`${base}-d${k}`, [source(c)], reject));
        if (allow) {
          const at2 = rule.allowSourceRanges ? `${at}.allowSourceRanges` : `${policy.name}.allowSourceRanges`;
          for (const [k, c] of chunks(allow, room, at2, 'ip.allow').entries())
            units.push(unit(k === 0 ? base : `${base}-a${k}`, [source(c)], action));
          units.push(unit(`${base}-x`, [], reject));
        } else {
          const direct = !rule.redirect && forward!.list.length === 1 && conds.length === 0 && !transform && !deny;
          units.push(unit(base, [], direct ? undefined : action, direct));
        }
        entries.push({ host, key, policy: index, rule: r, match, type, path: value, units });
      }
    });
  });
  if (redirects) {
    // HTTP to HTTPS per host, on an HTTP-only Ingress (its TLS Ingress listens on 443 only): the
    // group-wide ssl-redirect annotation would also redirect plain policies of the group.
    const upgrade = { type: 'redirect', redirectConfig: { port: '443', protocol: 'HTTPS', statusCode: 'HTTP_301' } };
    for (const host of policy.hosts)
      entries.push({
        host,
        key: `${index}/redirect`,
        policy: index,
        rule: -1,
        match: { path: { type: 'PathPrefix', value: '/' } },
        type: 'Prefix',
        path: '/',
        units: [{ name: 'https-redirect', conditions: [], action: upgrade }],
      });
  }
  if (policy.hosts.some((h) => h.startsWith('*.')))
    warnings.push(`${policy.name}.hosts: ALB wildcards are globs: '*.example.com' also matches 'a.b.example.com'`);
  return entries;
}

/** Compiles validated, conflict-free policies to AWS Load Balancer Controller Ingresses. */
export function compileAwsAlb(
  policies: readonly RoutingPolicy[],
  target: CompileTarget,
  warnings: string[],
): KubeObject[] {
  const entries = policies.flatMap((p, i) => policyEntries(p, i, warnings));
  return assembleAlbIngresses(policies, entries, target, warnings, namespaceOf);
}
