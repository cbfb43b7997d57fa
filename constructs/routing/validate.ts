import { arr, assertSpec, nearestKey, opaque } from '../core/strict';
import { checkDns1035Label, checkDnsLabel, checkDnsSubdomain, checkIntegerInRange, show } from '../core/validate';
import { FEATURES } from './capabilities';
import { InvalidRoutingPolicyError } from './errors';
import { matchesOf, namespaceOf } from './model';
import { POLICY_SPEC, TARGET_SPEC } from './schema';
import { sloIssue } from './slo-checks';
import type {
  Backend,
  BackendRef,
  CompileTarget,
  CorsPolicy,
  HeaderModifier,
  RateLimit,
  RouteMatch,
  RouteRule,
  RouteSlo,
  RoutingPolicy,
} from './types';
import {
  checkCidr,
  checkDuration,
  checkHeaderName,
  checkHeaderValue,
  checkHostname,
  checkPlainPath,
  checkRegex,
  checkSize,
  parseDuration,
} from './values';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);
const REDIRECT_CODES = new Set([301, 302, 303, 307, 308]);
const PROTOCOLS = new Set(['http', 'https', 'h2c', 'grpc', 'ws']);
const RETRY_CLASSES = new Set(['5xx', 'gateway-error', 'reset', 'connect-failure']);
const MAX_WEIGHT = 1_000_000;

/** Throws when `problem` is set: the message names the path and value, and the problem carries the fix. */
function fail(path: string, value: unknown, problem: string | undefined): void {
  if (problem) throw new InvalidRoutingPolicyError(path, `${path} (${show(value)}) ${problem}`);
}

/** Fails unless `value` is a plain object; `undefined` passes when the field is optional. */
function requireObject(path: string, value: unknown, optional = true): void {
  if (value === undefined && optional) return;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(path, value, 'must be an object');
}

/** Fails unless every value of a name-to-value map is a string. */
function requireStringMap(path: string, value: unknown): void {
  requireObject(path, value);
  for (const [k, v] of Object.entries((value as object | undefined) ?? {})) {
    if (typeof v !== 'string') fail(`${path}.${k}`, v, 'must be a string');
  }
}

function requireArray(path: string, value: unknown, min: number, max: number): void {
  if (!Array.isArray(value)) fail(path, value, 'must be an array');
  const length = (value as unknown[]).length;
  if (length < min) fail(path, value, `must have at least ${min} item(s)`);
  if (length > max) fail(path, value, `has ${length} items; at most ${max}`);
}

function noDuplicates(path: string, values: readonly string[], what: string): void {
  const seen = new Set<string>();
  for (const [i, v] of values.entries()) {
    if (seen.has(v)) fail(`${path}[${i}]`, v, `repeats a ${what}: list each once`);
    seen.add(v);
  }
}

function validateCidrs(path: string, value: readonly string[] | undefined): void {
  if (value === undefined) return;
  requireArray(path, value, 1, 256);
  value.forEach((cidr, i) => {
    fail(`${path}[${i}]`, cidr, checkCidr(cidr));
  });
  noDuplicates(path, value, 'CIDR');
}

function validateRateLimit(path: string, limit: RateLimit | undefined): void {
  if (limit === undefined) return;
  fail(
    `${path}.requestsPerSecond`,
    limit.requestsPerSecond,
    checkIntegerInRange(limit.requestsPerSecond, 1, 1_000_000),
  );
  if (limit.burst !== undefined) fail(`${path}.burst`, limit.burst, checkIntegerInRange(limit.burst, 0, 1_000_000));
}

function validateBackendRef(path: string, ref: BackendRef): void {
  requireObject(path, ref, false);
  fail(`${path}.service`, ref.service, checkDns1035Label(ref.service));
  fail(`${path}.port`, ref.port, checkIntegerInRange(ref.port, 1, 65535));
  if (ref.namespace !== undefined) fail(`${path}.namespace`, ref.namespace, checkDnsLabel(ref.namespace));
}

function validateBackends(path: string, backends: readonly Backend[]): void {
  requireArray(path, backends, 1, 16);
  backends.forEach((b, i) => {
    validateBackendRef(`${path}[${i}]`, b);
    if (b.weight !== undefined) fail(`${path}[${i}].weight`, b.weight, checkIntegerInRange(b.weight, 0, MAX_WEIGHT));
    if (b.protocol !== undefined && !PROTOCOLS.has(b.protocol)) {
      fail(`${path}[${i}].protocol`, b.protocol, `must be one of ${[...PROTOCOLS].join(', ')}`);
    }
  });
  const protocols = new Set(backends.map((b) => b.protocol ?? 'http'));
  if (protocols.size > 1)
    fail(
      path,
      [...protocols],
      'mixes backend protocols: every backend of a rule speaks the same protocol; split the rule',
    );
  if (backends.every((b) => (b.weight ?? 1) === 0)) {
    fail(
      path,
      backends.map((b) => b.weight),
      'has every weight 0: give at least one backend a weight above 0',
    );
  }
  noDuplicates(
    path,
    backends.map((b) => `${b.namespace ?? ''}/${b.service}:${b.port}`),
    'backend (service, port, namespace)',
  );
}

function validateMatch(path: string, match: RouteMatch): void {
  requireObject(path, match, false);
  requireObject(`${path}.path`, match.path);
  requireObject(`${path}.cookie`, match.cookie);
  if (match.path !== undefined) {
    const { type, value } = match.path;
    if (type !== 'Exact' && type !== 'PathPrefix' && type !== 'RegularExpression') {
      fail(`${path}.path.type`, type, "must be 'Exact', 'PathPrefix' or 'RegularExpression'");
    }
    if (type === 'RegularExpression') {
      fail(`${path}.path.value`, value, checkRegex(value));
      if (!value.replace(/^\(\?[imsU]+\)/, '').startsWith('^/'))
        fail(`${path}.path.value`, value, "must match from the path's leading '/': start with '^/'");
    } else {
      fail(`${path}.path.value`, value, checkPlainPath(value));
    }
  }
  for (const [field, list] of [
    ['headers', match.headers],
    ['queryParams', match.queryParams],
  ] as const) {
    if (list === undefined) continue;
    requireArray(`${path}.${field}`, list, 1, 16);
    list.forEach((h, i) => {
      const at = `${path}.${field}[${i}]`;
      requireObject(at, h, false);
      fail(`${at}.name`, h.name, checkHeaderName(h.name));
      fail(`${at}.value`, h.value, h.type === 'RegularExpression' ? checkRegex(h.value) : checkHeaderValue(h.value));
      if (h.type !== undefined && h.type !== 'Exact' && h.type !== 'RegularExpression') {
        fail(`${at}.type`, h.type, "must be 'Exact' or 'RegularExpression'");
      }
    });
    // Header names are case-insensitive; query parameter names are not.
    const names = list.map((h) => (field === 'headers' ? h.name.toLowerCase() : h.name));
    noDuplicates(`${path}.${field}`, names, field === 'headers' ? 'header name' : 'query parameter name');
  }
  if (match.method !== undefined && !METHODS.has(match.method)) {
    fail(`${path}.method`, match.method, `must be one of ${[...METHODS].join(', ')}`);
  }
  if (match.cookie !== undefined) {
    fail(`${path}.cookie.name`, match.cookie.name, checkHeaderName(match.cookie.name));
    if (!/^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]+$/.test(match.cookie.value)) {
      fail(
        `${path}.cookie.value`,
        match.cookie.value,
        'must be a non-empty RFC 6265 cookie value (no spaces, quotes, commas, semicolons or backslashes)',
      );
    }
  }
}

function validateHeaderModifier(path: string, modifier: HeaderModifier | undefined): void {
  if (modifier === undefined) return;
  requireObject(path, modifier);
  requireStringMap(`${path}.set`, modifier.set);
  requireStringMap(`${path}.add`, modifier.add);
  const seen = new Map<string, string>();
  for (const op of ['set', 'add'] as const) {
    const entries = Object.entries(modifier[op] ?? {});
    if (entries.length > 16) fail(`${path}.${op}`, entries.length, 'has more than 16 headers; at most 16');
    for (const [name, value] of entries) {
      fail(`${path}.${op}.${name}`, name, checkHeaderName(name));
      fail(`${path}.${op}.${name}`, value, checkHeaderValue(value));
      const previous = seen.get(name.toLowerCase());
      if (previous)
        fail(`${path}.${op}.${name}`, name, `is already in '${previous}' (names are case-insensitive): keep one`);
      seen.set(name.toLowerCase(), op);
    }
  }
  if (modifier.remove !== undefined) {
    requireArray(`${path}.remove`, modifier.remove, 1, 16);
    modifier.remove.forEach((name, i) => {
      fail(`${path}.remove[${i}]`, name, checkHeaderName(name));
      if (seen.has(name.toLowerCase()))
        fail(
          `${path}.remove[${i}]`,
          name,
          `is also in '${seen.get(name.toLowerCase())}': a header is either changed or removed`,
        );
    });
    noDuplicates(
      `${path}.remove`,
      modifier.remove.map((n) => n.toLowerCase()),
      'header name',
    );
  }
}

/** Fails at the first problem of a service level objective (values, window; see slo-checks.ts). */
function validateSlo(path: string, slo: RouteSlo): void {
  const issue = sloIssue(path, slo);
  if (issue) fail(issue.path, issue.value, issue.problem);
}

function validateRule(path: string, rule: RouteRule, passthrough: boolean): void {
  requireObject(path, rule, false);
  for (const field of ['redirect', 'rewrite', 'timeouts', 'retries', 'mirror', 'sessionAffinity'] as const) {
    requireObject(`${path}.${field}`, rule[field]);
  }
  if (rule.name !== undefined) fail(`${path}.name`, rule.name, checkDnsLabel(rule.name));
  if (rule.matches !== undefined) {
    requireArray(`${path}.matches`, rule.matches, 1, 64);
    rule.matches.forEach((m, i) => {
      validateMatch(`${path}.matches[${i}]`, m);
    });
  }
  if (rule.redirect !== undefined && rule.backends !== undefined) {
    fail(`${path}.redirect`, rule.redirect, "cannot be combined with 'backends': a rule either redirects or forwards");
  }
  if (rule.redirect === undefined && rule.backends === undefined) {
    fail(`${path}.backends`, undefined, "is required unless 'redirect' is set: name at least one Service and port");
  }
  if (rule.backends !== undefined) validateBackends(`${path}.backends`, rule.backends);
  const r = rule.redirect;
  if (r !== undefined) {
    if (r.scheme === undefined && r.hostname === undefined && r.path === undefined && r.port === undefined) {
      fail(`${path}.redirect`, r, 'changes nothing and would loop: set scheme, hostname, path or port');
    }
    if (r.scheme !== undefined && r.scheme !== 'http' && r.scheme !== 'https')
      fail(`${path}.redirect.scheme`, r.scheme, "must be 'http' or 'https'");
    if (r.hostname !== undefined) fail(`${path}.redirect.hostname`, r.hostname, checkHostname(r.hostname, false));
    if (r.path !== undefined) fail(`${path}.redirect.path`, r.path, checkPlainPath(r.path));
    if (r.port !== undefined) fail(`${path}.redirect.port`, r.port, checkIntegerInRange(r.port, 1, 65535));
    if (r.statusCode !== undefined && !REDIRECT_CODES.has(r.statusCode)) {
      fail(`${path}.redirect.statusCode`, r.statusCode, 'must be 301, 302, 303, 307 or 308');
    }
    if (rule.rewrite !== undefined)
      fail(
        `${path}.rewrite`,
        rule.rewrite,
        "cannot be combined with 'redirect': rewrite only applies to forwarded requests",
      );
    for (const field of ['mirror', 'retries', 'sessionAffinity'] as const) {
      if (rule[field] !== undefined)
        fail(`${path}.${field}`, rule[field], "has no effect on a redirect rule: remove it or use 'backends'");
    }
  }
  const w = rule.rewrite;
  if (w !== undefined) {
    if (w.pathPrefix === undefined && w.fullPath === undefined && w.hostname === undefined)
      fail(`${path}.rewrite`, w, 'changes nothing: set pathPrefix, fullPath or hostname');
    if (w.pathPrefix !== undefined && w.fullPath !== undefined)
      fail(`${path}.rewrite`, w, "sets both 'pathPrefix' and 'fullPath': keep one");
    if (w.pathPrefix !== undefined) {
      fail(`${path}.rewrite.pathPrefix`, w.pathPrefix, checkPlainPath(w.pathPrefix));
      const matches = matchesOf(rule);
      if (matches.length !== 1 || matches[0]!.path?.type !== 'PathPrefix') {
        fail(
          `${path}.rewrite.pathPrefix`,
          w.pathPrefix,
          'needs exactly one match with a PathPrefix path (the prefix it replaces): split the rule per prefix',
        );
      }
    }
    if (w.fullPath !== undefined) fail(`${path}.rewrite.fullPath`, w.fullPath, checkPlainPath(w.fullPath));
    if (w.hostname !== undefined) fail(`${path}.rewrite.hostname`, w.hostname, checkHostname(w.hostname, false));
  }
  validateHeaderModifier(`${path}.requestHeaders`, rule.requestHeaders);
  validateHeaderModifier(`${path}.responseHeaders`, rule.responseHeaders);
  if (rule.timeouts !== undefined) {
    for (const [field, value] of Object.entries(rule.timeouts))
      fail(`${path}.timeouts.${field}`, value, checkDuration(value));
    const total = rule.timeouts.request === undefined ? undefined : parseDuration(rule.timeouts.request);
    const attempt =
      rule.timeouts.backendRequest === undefined ? undefined : parseDuration(rule.timeouts.backendRequest);
    if (total !== undefined && attempt !== undefined && total !== 0 && (attempt === 0 || attempt > total)) {
      fail(
        `${path}.timeouts.backendRequest`,
        rule.timeouts.backendRequest,
        `must not exceed timeouts.request (${rule.timeouts.request})`,
      );
    }
  }
  if (rule.retries !== undefined) {
    const { attempts, perTryTimeout, backoff, on } = rule.retries;
    if (on !== undefined) requireArray(`${path}.retries.on`, on, 1, 16);
    fail(`${path}.retries.attempts`, attempts, checkIntegerInRange(attempts, 0, 10));
    if (perTryTimeout !== undefined) fail(`${path}.retries.perTryTimeout`, perTryTimeout, checkDuration(perTryTimeout));
    if (backoff !== undefined) fail(`${path}.retries.backoff`, backoff, checkDuration(backoff));
    on?.forEach((c, i) => {
      const ok = typeof c === 'number' ? Number.isInteger(c) && c >= 400 && c <= 599 : RETRY_CLASSES.has(c);
      if (!ok)
        fail(`${path}.retries.on[${i}]`, c, `must be a status code 400-599 or one of ${[...RETRY_CLASSES].join(', ')}`);
    });
  }
  if (rule.mirror !== undefined) {
    requireObject(`${path}.mirror.backend`, rule.mirror.backend, false);
    validateBackendRef(`${path}.mirror.backend`, rule.mirror.backend);
    if (rule.mirror.percent !== undefined)
      fail(`${path}.mirror.percent`, rule.mirror.percent, checkIntegerInRange(rule.mirror.percent, 1, 100));
  }
  if (rule.sessionAffinity !== undefined) {
    fail(
      `${path}.sessionAffinity.cookieName`,
      rule.sessionAffinity.cookieName,
      checkHeaderName(rule.sessionAffinity.cookieName),
    );
    if (rule.sessionAffinity.maxAge !== undefined)
      fail(`${path}.sessionAffinity.maxAge`, rule.sessionAffinity.maxAge, checkDuration(rule.sessionAffinity.maxAge));
  }
  validateRateLimit(`${path}.rateLimit`, rule.rateLimit);
  validateCidrs(`${path}.allowSourceRanges`, rule.allowSourceRanges);
  if (rule.maxBodySize !== undefined) fail(`${path}.maxBodySize`, rule.maxBodySize, checkSize(rule.maxBodySize));
  if (rule.slo !== undefined) {
    if (rule.backends === undefined)
      fail(
        `${path}.slo`,
        rule.slo,
        "has nothing to measure on a redirect rule (the controller answers it itself): remove it or use 'backends'",
      );
    validateSlo(`${path}.slo`, rule.slo);
  }
  if (passthrough) {
    const extras = Object.keys(rule).filter((k) => k !== 'name' && k !== 'backends' && k !== 'matches');
    if (extras.length > 0 || rule.matches !== undefined) {
      fail(
        path,
        rule,
        `uses ${[...extras, ...(rule.matches ? ['matches'] : [])].join(', ')}; with tls.passthrough the proxy sees no HTTP, so a rule may only list backends`,
      );
    }
  }
}

function validateCors(path: string, cors: CorsPolicy): void {
  requireObject(path, cors);
  for (const field of ['allowMethods', 'allowHeaders', 'exposeHeaders'] as const) {
    if (cors[field] !== undefined) requireArray(`${path}.${field}`, cors[field], 1, 64);
  }
  requireArray(`${path}.allowOrigins`, cors.allowOrigins, 1, 64);
  cors.allowOrigins.forEach((origin, i) => {
    if (origin !== '*' && !/^https?:\/\/(\*\.)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]{1,5})?$/.test(origin)) {
      fail(
        `${path}.allowOrigins[${i}]`,
        origin,
        "must be '*' or scheme://host[:port], e.g. 'https://app.example.com' or 'https://*.example.com'",
      );
    }
  });
  const wildcard = cors.allowOrigins.includes('*');
  if (wildcard && cors.allowOrigins.length > 1)
    fail(`${path}.allowOrigins`, cors.allowOrigins, "mixes '*' with other origins: keep '*' alone or list origins");
  if (wildcard && cors.allowCredentials)
    fail(`${path}.allowCredentials`, true, "cannot be true with origin '*' (browsers refuse it): list the origins");
  cors.allowMethods?.forEach((m, i) => {
    if (m !== '*' && !METHODS.has(m))
      fail(`${path}.allowMethods[${i}]`, m, `must be '*' or one of ${[...METHODS].join(', ')}`);
  });
  for (const field of ['allowHeaders', 'exposeHeaders'] as const) {
    cors[field]?.forEach((h, i) => {
      fail(`${path}.${field}[${i}]`, h, h === '*' ? undefined : checkHeaderName(h));
    });
  }
  if (cors.maxAge !== undefined) fail(`${path}.maxAge`, cors.maxAge, checkDuration(cors.maxAge));
}

const raise = (path: string, message: string) => new InvalidRoutingPolicyError(path, message);

function validatePolicy(policy: RoutingPolicy, index: number): void {
  // The strict layer first: unknown keys, exact types, no null, no holes; the checks below rely on it.
  // Paths start with the policy's name once it is valid, with 'policies[i]' before.
  assertSpec(policy, POLICY_SPEC, checkDnsLabel(policy.name) ? `policies[${index}]` : policy.name, raise);
  const p = policy.name;
  if (policy.namespace !== undefined) fail(`${p}.namespace`, policy.namespace, checkDnsLabel(policy.namespace));
  requireArray(`${p}.hosts`, policy.hosts, 1, 64);
  policy.hosts.forEach((h, i) => {
    fail(`${p}.hosts[${i}]`, h, checkHostname(h, true));
  });
  noDuplicates(`${p}.hosts`, policy.hosts, 'host');
  requireObject(`${p}.tls`, policy.tls);
  requireObject(`${p}.hsts`, policy.hsts);
  const tls = policy.tls;
  if (tls !== undefined) {
    if (tls.secretName !== undefined) fail(`${p}.tls.secretName`, tls.secretName, checkDnsSubdomain(tls.secretName));
    if (tls.clusterIssuer !== undefined)
      fail(`${p}.tls.clusterIssuer`, tls.clusterIssuer, checkDnsSubdomain(tls.clusterIssuer));
    if (tls.passthrough && (tls.secretName !== undefined || tls.clusterIssuer !== undefined)) {
      fail(
        `${p}.tls.passthrough`,
        true,
        "cannot be combined with 'secretName' or 'clusterIssuer': with passthrough the backend holds the certificate",
      );
    }
    if (!tls.passthrough && tls.secretName === undefined && tls.clusterIssuer === undefined) {
      fail(
        `${p}.tls`,
        tls,
        "needs 'secretName' (an existing certificate Secret) or 'clusterIssuer' (cert-manager), or 'passthrough: true'",
      );
    }
    if (tls.passthrough && policy.hosts.some((h) => h.startsWith('*.'))) {
      // SNI routing works with wildcards, but keep passthrough explicit per host.
      fail(`${p}.hosts`, policy.hosts, 'may not use wildcards with tls.passthrough: list each SNI host');
    }
  }
  requireArray(`${p}.rules`, policy.rules, 1, 64);
  const passthrough = tls?.passthrough === true;
  policy.rules.forEach((rule, i) => {
    validateRule(`${p}.rules[${i}]`, rule, passthrough);
  });
  noDuplicates(
    `${p}.rules`,
    policy.rules.flatMap((r) => (r.name ? [r.name] : [])),
    'rule name',
  );
  if (passthrough) {
    for (const field of ['cors', 'rateLimit', 'allowSourceRanges', 'denySourceRanges', 'hsts', 'slo'] as const) {
      if (policy[field] !== undefined)
        fail(`${p}.${field}`, policy[field], 'needs HTTP, which tls.passthrough hides from the proxy: remove it');
    }
    if (policy.rules.length !== 1)
      fail(`${p}.rules`, policy.rules.length, 'must be exactly one rule with tls.passthrough (routing is by SNI only)');
  }
  if (policy.cors !== undefined) validateCors(`${p}.cors`, policy.cors);
  validateCidrs(`${p}.allowSourceRanges`, policy.allowSourceRanges);
  validateCidrs(`${p}.denySourceRanges`, policy.denySourceRanges);
  validateRateLimit(`${p}.rateLimit`, policy.rateLimit);
  if (policy.hsts !== undefined) {
    fail(`${p}.hsts.maxAge`, policy.hsts.maxAge, checkDuration(policy.hsts.maxAge));
    if (tls === undefined) fail(`${p}.hsts`, policy.hsts, "needs 'tls': browsers ignore HSTS sent over plain HTTP");
  }
  if (policy.slo !== undefined) {
    if (!policy.rules.some((r) => r.backends !== undefined && r.slo === undefined))
      fail(
        `${p}.slo`,
        policy.slo,
        'applies to no rule: it covers rules with backends and no slo of their own, and this policy has none; move it to a rule or remove it',
      );
    validateSlo(`${p}.slo`, policy.slo);
  }
  validateAcceptedApproximations(p, policy.acceptApproximations);
}

const FEATURE_NAMES = Object.keys(FEATURES);

/** Every accepted approximation names a routing feature, once. */
function validateAcceptedApproximations(p: string, accepted: readonly string[] | undefined): void {
  if (accepted === undefined) return;
  accepted.forEach((feature, i) => {
    if (FEATURE_NAMES.includes(feature)) return;
    const near = nearestKey(feature, FEATURE_NAMES);
    fail(
      `${p}.acceptApproximations[${i}]`,
      feature,
      `is not a routing feature${near ? `: did you mean '${near}'?` : ''} (features: ${FEATURE_NAMES.join(', ')})`,
    );
  });
  noDuplicates(`${p}.acceptApproximations`, accepted, 'feature');
}

/**
 * Validates every field of every policy, throwing {@link InvalidRoutingPolicyError} for the first
 * problem found. Policy names must be unique per namespace (they prefix generated object names).
 */
export function validatePolicies(policies: readonly RoutingPolicy[]): void {
  if (!Array.isArray(policies)) fail('policies', policies, 'must be an array of routing policies');
  assertSpec(policies, POLICY_LIST, 'policies', raise);
  policies.forEach((policy, i) => {
    if (policy === null || typeof policy !== 'object' || Array.isArray(policy))
      fail(`policies[${i}]`, policy, 'must be a routing policy object');
    validatePolicy(policy, i);
  });
  noDuplicates(
    'policies',
    policies.map((p) => `${namespaceOf(p)}/${p.name}`),
    'policy name in its namespace',
  );
}

/** A dense array; the items are checked one by one (their path starts with the policy's name). */
const POLICY_LIST = arr(opaque('must be a routing policy object', () => true));

/**
 * Validates a compile target strictly (unknown keys, exact types; `null` refused), throwing
 * {@link InvalidRoutingPolicyError} with a path under `target`. The dialect's own check stays in compileRoutes.
 */
export function validateTarget(target: CompileTarget): void {
  assertSpec(target, TARGET_SPEC, 'target', raise);
}
