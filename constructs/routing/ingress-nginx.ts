/**
 * The ingress-nginx dialect (legacy: the project was retired in March 2026; kept for existing
 * clusters and as a migration source). One Ingress per rule, so per-rule annotations stay per rule;
 * weighted splits and header or cookie canaries become a second, canary Ingress. Pure.
 */
import type { Feature } from './capabilities';
import { NGINX, ruleAnnotations, unsupportedOnNginx as unsupported } from './ingress-nginx-annotations';
import {
  checkDefaultLocations,
  checkNginxHostFlags,
  checkSharedLocations,
  checkUpstreams,
  type Emitted,
} from './ingress-nginx-checks';

export { checkNginxHostFlags };

import { ingressObject } from './ingress-objects';
import { matchesOf, pathOf, weightOf } from './model';
import { objectName } from './names';
import { certificateFor } from './tls-objects';
import type { Backend, CompileTarget, KubeObject, RouteMatch, RouteRule, RoutingPolicy } from './types';
import { escapeRegex } from './values';

/** Paths ingress-nginx accepts as Exact or Prefix under strict path validation. */
const PLAIN_PATH = /^\/[A-Za-z0-9._\-/]*$/;

/** Whether a rule needs nginx regex locations (which then apply to every path of its hosts). */
function needsRegex(rule: RouteRule): boolean {
  if (rule.rewrite?.pathPrefix !== undefined || rule.rewrite?.fullPath !== undefined) return true;
  return matchesOf(rule).some((m) => pathOf(m).type === 'RegularExpression' || !PLAIN_PATH.test(pathOf(m).value));
}

/** Hosts in regex mode: any rule on them needs regex, closed over policies sharing an Ingress host list. */
function regexHosts(policies: readonly RoutingPolicy[]): Set<string> {
  const hosts = new Set(policies.filter((p) => p.rules.some(needsRegex)).flatMap((p) => p.hosts));
  for (let changed = true; changed; ) {
    changed = false;
    for (const p of policies) {
      if (p.hosts.some((h) => hosts.has(h)) && !p.hosts.every((h) => hosts.has(h))) {
        p.hosts.forEach((h) => {
          hosts.add(h);
        });
        changed = true;
      }
    }
  }
  return hosts;
}

export interface IngressPath {
  readonly path: string;
  readonly pathType: 'Exact' | 'Prefix' | 'ImplementationSpecific';
}

/**
 * The Ingress path of a match; in regex mode, the regex nginx anchors with '^' and matches
 * case-insensitively. In regex mode the controller sorts locations longest path first and the first
 * regex that matches wins (controller.go getBackendServers), so the paths are written for that order:
 * every prefix has the form '<prefix>(/|$)(.*)', rewritten or not, so a longer prefix sorts first;
 * an Exact path carries a PCRE comment that makes it longer than any prefix that could also match it,
 * and the catch-all '/' stays pathType Prefix so it replaces the host's default location (an
 * ImplementationSpecific '/' would sort after it and never match). Outside regex mode a prefix drops
 * its trailing '/': nginx's Prefix '/api/' would not match '/api' (location.go updateServerLocations).
 */
function ingressPath(match: RouteMatch, regex: boolean, rule: RouteRule): IngressPath & { rewriteTarget?: string } {
  const { type, value } = pathOf(match);
  const prefix = value.replace(/\/+$/, '');
  if (!regex)
    return type === 'Exact' ? { path: value, pathType: 'Exact' } : { path: prefix || '/', pathType: 'Prefix' };
  if (rule.rewrite?.pathPrefix !== undefined) {
    const to = rule.rewrite.pathPrefix.replace(/\/+$/, '');
    // nginx replaces the whole URI with the target: '/old' must become '/new', not '/new/'.
    return prefix === ''
      ? { path: '/(.*)', pathType: 'ImplementationSpecific', rewriteTarget: `${to}/$1` }
      : {
          path: caseSensitive(`${escapeRegex(prefix)}(/|$)(.*)`),
          pathType: 'ImplementationSpecific',
          rewriteTarget: to === '' ? '/$2' : `${to}$1$2`,
        };
  }
  const full = rule.rewrite?.fullPath ? { rewriteTarget: rule.rewrite.fullPath } : {};
  if (type === 'PathPrefix' && prefix === '') return { path: '/', pathType: 'Prefix', ...full };
  const path =
    type === 'RegularExpression'
      ? regexPath(value)
      : type === 'Exact'
        ? caseSensitive(`${escapeRegex(value)}${EXACT_MARK}$`)
        : caseSensitive(`${escapeRegex(prefix)}(/|$)(.*)`); // the rewrite's form: longer prefix, longer path
  return { path, pathType: 'ImplementationSpecific', ...full };
}

/**
 * nginx writes regex locations `~* "^<path>"` (template.go buildLocation), case-insensitive; a PCRE
 * `(?-i)` right after the leading '/' restores the case-sensitive match the model means.
 */
function caseSensitive(path: string): string {
  return path === '/' ? path : `/(?-i)${path.slice(1)}`;
}

/** An RE2 path regex ('^/...', leading flags allowed) as an nginx location path (nginx adds the '^'). */
function regexPath(value: string): string {
  const [, flags = '', body = ''] = /^(?:\(\?([imsU]+)\))?\^\/(.*)$/s.exec(value) ?? [];
  return `/(?-i)${flags ? `(?${flags})` : ''}${body}`;
}

/** A PCRE comment: it makes an Exact regex sort before every prefix regex that also matches its path. */
const EXACT_MARK = '(?#exact)';

function ingress(
  policy: RoutingPolicy,
  name: string,
  annotations: Record<string, string>,
  paths: readonly IngressPath[],
  backend: Backend,
  className: string,
): KubeObject {
  const service = { name: backend.service, port: { number: backend.port } };
  return ingressObject(
    policy,
    name,
    annotations,
    className,
    paths.map((p) => ({ path: p.path, pathType: p.pathType, backend: { service } })),
  );
}

/** A rule every match of which selects by header or cookie: on nginx, a canary of the rule it shadows. */
function isCanaryRule(rule: RouteRule): boolean {
  return matchesOf(rule).every((m) => (m.headers?.length ?? 0) > 0 || m.cookie !== undefined);
}

function canaryAnnotations(match: RouteMatch, at: string): Record<string, string> {
  const base = { [`${NGINX}canary`]: 'true' };
  const headers = match.headers ?? [];
  if (headers.length + (match.cookie ? 1 : 0) !== 1) {
    unsupported(`${at}.headers`, 'match.header', 'an nginx canary selects by exactly one header or one cookie');
  }
  if (match.cookie) {
    if (match.cookie.value !== 'always')
      unsupported(`${at}.cookie.value`, 'match.cookie', "nginx canary-by-cookie only routes on the value 'always'");
    return { ...base, [`${NGINX}canary-by-cookie`]: match.cookie.name };
  }
  const h = headers[0]!;
  return h.type === 'RegularExpression'
    ? { ...base, [`${NGINX}canary-by-header`]: h.name, [`${NGINX}canary-by-header-pattern`]: h.value }
    : { ...base, [`${NGINX}canary-by-header`]: h.name, [`${NGINX}canary-by-header-value`]: h.value };
}

/** The backends that take traffic (weight > 0), in order. */
function liveBackends(rule: RouteRule): Backend[] {
  return (rule.backends ?? []).filter((b) => weightOf(b) > 0);
}

/**
 * canary-weight and canary-weight-total for an exact split. The Lua balancer sends a request to the
 * canary when math.random(total) <= weight, with total = canary-weight-total only when it exceeds 100,
 * else 100 (rootfs/etc/nginx/lua/balancer.lua): so the total is scaled to at least 100.
 */
export function canaryWeights(primary: number, canary: number): { weight: number; total: number } {
  const g = gcd(primary, canary);
  const [p, c] = [primary / g, canary / g];
  const k = Math.max(1, Math.ceil(100 / (p + c)));
  return { weight: c * k, total: (p + c) * k };
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** A passthrough policy: one Ingress on '/', the server's root location, which the SNI proxy forwards. */
function compilePassthrough(
  policy: RoutingPolicy,
  className: string,
  warnings: string[],
  emitted: Emitted[],
): KubeObject[] {
  const at = `${policy.name}.rules[0]`;
  const live = liveBackends(policy.rules[0]!);
  // controller.go getConfiguration: the SSL passthrough backend is the root location's own upstream;
  // canaries (alternative backends) are never consulted.
  if (live.length !== 1)
    unsupported(
      `${at}.backends`,
      'tls.passthrough',
      'the ssl-passthrough proxy forwards to the one Service of the host; it ignores canaries, so a split would send nothing to the other backends',
    );
  for (const field of ['allowSourceRanges', 'denySourceRanges'] as const)
    if (policy[field])
      unsupported(
        `${policy.name}.${field}`,
        field === 'allowSourceRanges' ? 'ip.allow' : 'ip.deny',
        'the ssl-passthrough proxy checks no client address (the lists apply to plain HTTP locations only)',
      );
  if (policy.rules.length > 1) warnings.push(`${policy.name}: passthrough uses rules[0] only`);
  const name = objectName([policy.name, policy.rules[0]!.name ?? 'rule-0']);
  const annotations = { [`${NGINX}ssl-passthrough`]: 'true' };
  warnings.push(
    `${policy.name}: ssl-passthrough needs the controller flag --enable-ssl-passthrough (Helm controller.extraArgs.enable-ssl-passthrough: "")`,
  );
  const path: IngressPath = { path: '/', pathType: 'Prefix' };
  emitted.push({ owner: at, policy, canary: false, paths: [path], backend: live[0]!, annotations });
  return [ingress(policy, name, annotations, [path], live[0]!, className)];
}

function compilePolicy(
  policy: RoutingPolicy,
  className: string,
  regex: boolean,
  warnings: string[],
  emitted: Emitted[],
): KubeObject[] {
  if (policy.tls?.passthrough) return compilePassthrough(policy, className, warnings, emitted);
  const objects: KubeObject[] = [...certificateFor(policy)];
  const canaries = new Map<string, string>(); // path -> owner, one canary per host and path
  const claimCanary = (path: string, owner: string, feature: Feature) => {
    const previous = canaries.get(path);
    if (previous)
      unsupported(
        owner,
        feature,
        `nginx allows one canary per host and path, and ${previous} already is one for ${path}`,
      );
    canaries.set(path, owner);
  };
  if (regex)
    warnings.push(
      `${policy.name}: ingress-nginx matches every path of ${policy.hosts.join(', ')} as a regular expression (use-regex is host-wide); they are written case-sensitive and ordered to keep their meaning`,
    );
  if (policy.tls && !policy.hsts)
    warnings.push(
      `${policy.name}: ingress-nginx sends HSTS (max-age 31536000, includeSubDomains) on every TLS host unless the controller ConfigMap sets hsts: "false"`,
    );
  const fallback = policy.rules.find((r) => r.backends)?.backends?.[0];

  policy.rules.forEach((rule, index) => {
    const at = `${policy.name}.rules[${index}]`;
    const name = objectName([policy.name, rule.name ?? `rule-${index}`]);
    if (isCanaryRule(rule)) {
      // `slo` is no routing feature: nothing to annotate.
      const extras = Object.keys(rule).filter((k) => !['name', 'matches', 'backends', 'slo'].includes(k));
      if (extras.length)
        unsupported(
          `${at}.${extras[0]}`,
          'match.header',
          'an nginx canary Ingress ignores every annotation but the canary ones',
        );
      if (rule.backends?.length !== 1)
        unsupported(
          `${at}.backends`,
          'match.header',
          'a header or cookie canary on nginx sends to exactly one backend',
        );
      matchesOf(rule).forEach((match, i) => {
        const path = ingressPath({ path: pathOf(match) }, regex, rule);
        const shadowed = policy.rules.find(
          (r, j) =>
            j !== index &&
            !isCanaryRule(r) &&
            matchesOf(r).some((m) => !m.headers && !m.cookie && ingressPath(m, regex, r).path === path.path),
        );
        if (!shadowed)
          unsupported(
            `${at}.matches[${i}]`,
            'match.header',
            `nginx matches headers only as a canary of a rule with the same path (${pathOf(match).value}) and no header: add that rule`,
          );
        // The canary is served by the primary's location, with all of its annotations (annotations.md,
        // Canary: "inherited from the corresponding main ingress"): the rule it shadows must have none.
        const inherited = (
          [
            'redirect',
            'rewrite',
            'timeouts',
            'retries',
            'mirror',
            'sessionAffinity',
            'rateLimit',
            'allowSourceRanges',
            'maxBodySize',
          ] as const
        ).find((k) => shadowed![k] !== undefined);
        if (inherited)
          unsupported(
            `${at}.matches[${i}]`,
            'match.header',
            `an nginx canary is served with the settings of the rule it shadows, and ${policy.name}.rules[${policy.rules.indexOf(shadowed!)}] sets ${inherited}: move it to a rule of its own path`,
          );
        if ((shadowed!.backends?.[0]?.protocol ?? 'http') !== (rule.backends![0]!.protocol ?? 'http'))
          unsupported(
            `${at}.backends[0].protocol`,
            'match.header',
            'an nginx canary is proxied with the backend-protocol of the rule it shadows: use the same protocol',
          );
        claimCanary(path.path, `${at}.matches[${i}]`, match.cookie ? 'match.cookie' : 'match.header');
        const annotations = canaryAnnotations(match, `${at}.matches[${i}]`);
        emitted.push({
          owner: `${at}.matches[${i}]`,
          policy,
          canary: true,
          paths: [path],
          backend: rule.backends![0]!,
          annotations,
        });
        objects.push(
          ingress(policy, objectName([name, 'canary', String(i)]), annotations, [path], rule.backends![0]!, className),
        );
      });
      return;
    }
    if (matchesOf(rule).some((m) => m.headers || m.cookie)) {
      unsupported(
        `${at}.matches`,
        'match.header',
        'on nginx a rule matches headers in all of its matches (a canary) or in none',
      );
    }
    const paths = matchesOf(rule).map((m) => ingressPath(m, regex, rule));
    const rewrite = paths.find((p) => p.rewriteTarget)?.rewriteTarget;
    const backends = liveBackends(rule);
    if (backends.length === 2 && (backends[0]!.protocol ?? 'http') !== (backends[1]!.protocol ?? 'http'))
      unsupported(
        `${at}.backends`,
        'split.weighted',
        'an nginx canary is proxied with the backend-protocol of the primary: split between backends of one protocol',
      );
    const annotations = {
      ...ruleAnnotations(policy, { ...rule, ...(rule.backends ? { backends } : {}) }, at, warnings),
      ...(regex ? { [`${NGINX}use-regex`]: 'true' } : {}),
      ...(rewrite ? { [`${NGINX}rewrite-target`]: rewrite } : {}),
    };
    const primary = backends[0] ?? fallback;
    if (!primary) {
      warnings.push(
        `${at}: the redirect Ingress names Service ${policy.name}-redirect, which never receives traffic (nginx answers the redirect first)`,
      );
    }
    const main = primary ?? { service: `${policy.name}-redirect`, port: 80 };
    emitted.push({
      owner: at,
      policy,
      canary: false,
      paths,
      backend: main,
      annotations,
      ...(rule.redirect ? { redirect: true } : {}),
    });
    objects.push(ingress(policy, name, annotations, paths, main, className));
    if (backends.length === 2) {
      const canary = backends[1]!;
      const { weight, total } = canaryWeights(weightOf(backends[0]!), weightOf(canary));
      paths.forEach((p) => {
        claimCanary(p.path, `${at}.backends[1]`, 'split.weighted');
      });
      const canaryAnnotations = {
        [`${NGINX}canary`]: 'true',
        [`${NGINX}canary-weight`]: String(weight),
        [`${NGINX}canary-weight-total`]: String(total),
      };
      emitted.push({
        owner: `${at}.backends[1]`,
        policy,
        canary: true,
        paths,
        backend: canary,
        annotations: canaryAnnotations,
      });
      objects.push(ingress(policy, objectName([name, 'canary']), canaryAnnotations, paths, canary, className));
    }
  });
  return objects;
}

/** Compiles validated, conflict-free policies to ingress-nginx Ingress objects. */
export function compileIngressNginx(
  policies: readonly RoutingPolicy[],
  target: CompileTarget,
  warnings: string[],
): KubeObject[] {
  warnings.push(
    'ingress-nginx was retired in March 2026 (final chart 4.15.1): plan the move to Gateway API (compile with dialect gateway-api)',
  );
  checkSharedLocations(policies, isCanaryRule);
  const regex = regexHosts(policies);
  const className = target.ingressClassName ?? 'nginx';
  const emitted: Emitted[] = [];
  const objects = policies.flatMap((p) =>
    compilePolicy(
      p,
      className,
      p.hosts.some((h) => regex.has(h)),
      warnings,
      emitted,
    ),
  );
  checkNginxHostFlags(objects);
  checkDefaultLocations(emitted, warnings);
  checkUpstreams(emitted);
  return objects;
}
