/**
 * The ingress-nginx dialect (legacy: the project was retired in March 2026; kept for existing
 * clusters and as a migration source). One Ingress per rule, so per-rule annotations stay per rule;
 * weighted splits and header or cookie canaries become a second, canary Ingress. Pure.
 */
import type { Feature } from './capabilities';
import { RoutingError } from './errors';
import { NGINX, ruleAnnotations, unsupportedOnNginx as unsupported } from './ingress-nginx-annotations';
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

interface IngressPath {
  readonly path: string;
  readonly pathType: 'Exact' | 'Prefix' | 'ImplementationSpecific';
}

/** The Ingress path of a match; in regex mode, the regex nginx anchors with '^' and matches case-insensitively. */
function ingressPath(match: RouteMatch, regex: boolean, rule: RouteRule): IngressPath & { rewriteTarget?: string } {
  const { type, value } = pathOf(match);
  if (!regex) return { path: value, pathType: type === 'Exact' ? 'Exact' : 'Prefix' };
  const prefix = value.replace(/\/+$/, '');
  if (rule.rewrite?.pathPrefix !== undefined) {
    const to = rule.rewrite.pathPrefix.replace(/\/+$/, '');
    return prefix === ''
      ? { path: '/(.*)', pathType: 'ImplementationSpecific', rewriteTarget: `${to}/$1` }
      : { path: `${escapeRegex(prefix)}(/|$)(.*)`, pathType: 'ImplementationSpecific', rewriteTarget: `${to}/$2` };
  }
  const path =
    type === 'RegularExpression'
      ? value.replace(/^\^/, '')
      : type === 'Exact'
        ? `${escapeRegex(value)}$`
        : prefix === ''
          ? '/'
          : `${escapeRegex(prefix)}(/|$)`;
  return {
    path,
    pathType: 'ImplementationSpecific',
    ...(rule.rewrite?.fullPath ? { rewriteTarget: rule.rewrite.fullPath } : {}),
  };
}

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

function compilePolicy(policy: RoutingPolicy, className: string, regex: boolean, warnings: string[]): KubeObject[] {
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
      `${policy.name}: ingress-nginx matches every path of ${policy.hosts.join(', ')} as a case-insensitive regular expression (use-regex is host-wide)`,
    );
  const fallback = policy.rules.find((r) => r.backends)?.backends?.[0];

  policy.rules.forEach((rule, index) => {
    const at = `${policy.name}.rules[${index}]`;
    const name = objectName([policy.name, rule.name ?? `rule-${index}`]);
    if (isCanaryRule(rule)) {
      const extras = Object.keys(rule).filter((k) => k !== 'name' && k !== 'matches' && k !== 'backends');
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
        const shadowed = policy.rules.some(
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
        claimCanary(path.path, `${at}.matches[${i}]`, match.cookie ? 'match.cookie' : 'match.header');
        objects.push(
          ingress(
            policy,
            objectName([name, 'canary', String(i)]),
            canaryAnnotations(match, `${at}.matches[${i}]`),
            [path],
            rule.backends![0]!,
            className,
          ),
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
    const annotations = {
      ...ruleAnnotations(policy, rule, at, warnings),
      ...(regex ? { [`${NGINX}use-regex`]: 'true' } : {}),
      ...(rewrite ? { [`${NGINX}rewrite-target`]: rewrite } : {}),
    };
    const backends = rule.backends ?? [];
    const primary = backends[0] ?? fallback;
    if (!primary) {
      warnings.push(
        `${at}: the redirect Ingress names Service ${policy.name}-redirect, which never receives traffic (nginx answers the redirect first)`,
      );
    }
    objects.push(
      ingress(policy, name, annotations, paths, primary ?? { service: `${policy.name}-redirect`, port: 80 }, className),
    );
    if (backends.length === 2) {
      const canary = backends[1]!;
      const total = weightOf(backends[0]!) + weightOf(canary);
      paths.forEach((p) => {
        claimCanary(p.path, `${at}.backends[1]`, 'split.weighted');
      });
      objects.push(
        ingress(
          policy,
          objectName([name, 'canary']),
          {
            [`${NGINX}canary`]: 'true',
            [`${NGINX}canary-weight`]: String(weightOf(canary)),
            [`${NGINX}canary-weight-total`]: String(total),
          },
          paths,
          canary,
          className,
        ),
      );
    }
  });
  return objects;
}

/**
 * Checks that every Ingress of a host agrees on the annotations nginx applies host-wide; a
 * disagreement means one Ingress silently changes another's behaviour.
 */
export function checkNginxHostFlags(objects: readonly KubeObject[]): void {
  const flags = ['use-regex', 'ssl-passthrough'].map((f) => `${NGINX}${f}`);
  const seen = new Map<string, { value: string; owner: string }>();
  for (const object of objects) {
    if (object.kind !== 'Ingress') continue;
    const annotations = (object.metadata.annotations ?? {}) as Record<string, string>;
    if (annotations[`${NGINX}canary`] === 'true') continue; // canaries inherit the primary's location
    const rules = (object.spec as { rules: { host: string }[] }).rules;
    for (const { host } of rules) {
      for (const flag of flags) {
        const value = annotations[flag] ?? 'false';
        const key = `${host} ${flag}`;
        const previous = seen.get(key);
        if (previous && previous.value !== value) {
          throw new RoutingError(
            object.metadata.name,
            `Ingresses ${previous.owner} and ${object.metadata.name} disagree on ${flag} for host ${host}; nginx applies it to the whole host`,
          );
        }
        seen.set(key, { value, owner: object.metadata.name });
      }
    }
  }
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
  const regex = regexHosts(policies);
  const className = target.ingressClassName ?? 'nginx';
  const objects = policies.flatMap((p) =>
    compilePolicy(
      p,
      className,
      p.hosts.some((h) => regex.has(h)),
      warnings,
    ),
  );
  checkNginxHostFlags(objects);
  return objects;
}
