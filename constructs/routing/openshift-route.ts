/**
 * The OpenShift Route dialect (route.openshift.io/v1, the OpenShift router). One Route per host and
 * path (the router matches paths by whole segments); `to` plus up to three `alternateBackends` with
 * weights scaled to 0-256; TLS edge, reencrypt or passthrough with HTTP redirected; certificates by
 * reference (`externalCertificate`, readable by the router through a Role) and never inlined; the
 * router's `haproxy.router.openshift.io/*` annotations for timeouts, allow lists, rate limits,
 * rewrites, HSTS and the affinity cookie. Every field and annotation follows openshift/api and the
 * router's haproxy-config.template. Pure.
 */
import { approximate } from './approximations';
import { UnsupportedFeatureError } from './errors';
import { matchesOf, namespaceOf, pathOf, redirectsHttp, tlsSecretName, weightOf } from './model';
import { objectName } from './names';
import { checkOpenShiftHosts } from './openshift-route-hosts';
import { certificateFor, policyLabels } from './tls-objects';
import type { Backend, CompileTarget, KubeObject, RouteRule, RoutingPolicy } from './types';
import { parseDuration } from './values';

const HAPROXY = 'haproxy.router.openshift.io/';
const MAX_WEIGHT = 256;

function unsupported(path: string, feature: string, detail: string): never {
  throw new UnsupportedFeatureError(path, feature, 'openshift-route', ['gateway-api'], detail);
}

/** Relative weights scaled into 0-256, keeping every non-zero weight above zero. */
export function scaleWeights(weights: readonly number[], max = MAX_WEIGHT): number[] {
  const top = Math.max(...weights);
  if (top <= max) return [...weights];
  return weights.map((w) => (w === 0 ? 0 : Math.max(1, Math.round((w * max) / top))));
}

/**
 * The weights the router gives each Service's endpoints (pkg/router/template/router.go
 * calculateServiceWeights, equal endpoint counts): the heaviest becomes 256 and every other
 * trunc(256 * w / max) in float32, at least 1; a lone live Service gets 1.
 */
export function routerWeights(weights: readonly number[]): number[] {
  const live = weights.filter((w) => w > 0).length;
  if (live <= 1) return weights.map((w) => (w > 0 ? 1 : 0));
  const top = Math.fround(Math.max(...weights));
  const scale = Math.fround(256 / top);
  return weights.map((w) => (w > 0 ? Math.max(1, Math.trunc(Math.fround(Math.fround(w) * scale))) : 0));
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

function routerTimeout(duration: string): string | undefined {
  const ms = parseDuration(duration)!;
  return ms > 0 ? `${ms}ms` : undefined;
}

function annotations(policy: RoutingPolicy, rule: RouteRule, at: string, warnings: string[]): Record<string, string> {
  const a: Record<string, string> = {};
  const timeout = rule.timeouts?.backendRequest ?? rule.timeouts?.request;
  if (timeout && routerTimeout(timeout)) {
    a[`${HAPROXY}timeout`] = routerTimeout(timeout)!;
    warnings.push(
      `${at}.timeouts: the OpenShift router's timeout bounds the server side of a connection (HAProxy 'timeout server'), not a whole request`,
    );
  }
  const allow = rule.allowSourceRanges ?? policy.allowSourceRanges;
  // The template reads ip_allowlist, then the older ip_whitelist (haproxy-config.template, backend
  // section); routers before ip_allowlist existed read only ip_whitelist, so write both. Past 61
  // entries the router moves the list to a file; entries it cannot parse are dropped (parseIPList).
  if (allow) {
    a[`${HAPROXY}ip_allowlist`] = allow.join(' ');
    a[`${HAPROXY}ip_whitelist`] = allow.join(' ');
  }
  const limit = rule.rateLimit ?? policy.rateLimit;
  if (limit) {
    // The router counts HTTP requests per source address over 10 seconds, and drops the connection past it.
    a[`${HAPROXY}rate-limit-connections`] = 'true';
    a[`${HAPROXY}rate-limit-connections.rate-http`] = String(limit.requestsPerSecond * 10);
    warnings.push(
      `${at}: the OpenShift router limits requests per client over a 10s window and rejects the connection instead of answering 429`,
    );
  }
  // replace-path '^<path>(.*)$' '<target>\1' (haproxy-config.template; rewritetarget.go SanitizeInput
  // appends \1): a trailing '/' on the target would double the slash.
  if (rule.rewrite?.pathPrefix !== undefined)
    a[`${HAPROXY}rewrite-target`] = rule.rewrite.pathPrefix.replace(/\/+$/, '') || '/';
  if (policy.hsts) {
    const h = policy.hsts;
    a[`${HAPROXY}hsts_header`] = [
      `max-age=${Math.floor(parseDuration(h.maxAge)! / 1000)}`,
      ...(h.includeSubdomains ? ['includeSubDomains'] : []),
      ...(h.preload ? ['preload'] : []),
    ].join(';');
  }
  if (rule.sessionAffinity) {
    if (!/^[a-zA-Z0-9_-]+$/.test(rule.sessionAffinity.cookieName)) {
      unsupported(
        `${at}.sessionAffinity.cookieName`,
        'session-affinity',
        'the OpenShift router takes cookie names of letters, digits, _ and - only',
      );
    }
    a['router.openshift.io/cookie_name'] = rule.sessionAffinity.cookieName;
    if (rule.sessionAffinity.maxAge)
      approximate(
        warnings,
        policy,
        'openshift-route',
        `${at}.sessionAffinity.maxAge`,
        'session-affinity',
        "the router's affinity cookie has no lifetime: it lasts for the browser session",
      );
  } else if (!policy.tls?.passthrough) {
    // Without this the router inserts an affinity cookie on every HTTP backend (haproxy-config.template:
    // `cookie <name> insert indirect nocache httponly` unless disable_cookies), making clients sticky.
    a[`${HAPROXY}disable_cookies`] = 'true';
  }
  return a;
}

function headerActions(rule: RouteRule) {
  const actions = (side: 'requestHeaders' | 'responseHeaders') => {
    const m = rule[side];
    const set = Object.entries(m?.set ?? {}).map(([name, value]) => ({
      name,
      action: { type: 'Set', set: { value } },
    }));
    const remove = (m?.remove ?? []).map((name) => ({ name, action: { type: 'Delete' } }));
    return [...set, ...remove];
  };
  const request = actions('requestHeaders');
  const response = actions('responseHeaders');
  return request.length || response.length
    ? { actions: { ...(request.length ? { request } : {}), ...(response.length ? { response } : {}) } }
    : undefined;
}

function targets(backends: readonly Backend[], at: string, warnings: string[]) {
  if (backends.length > 4)
    unsupported(
      `${at}.backends`,
      'split.weighted-multi',
      'an OpenShift Route sends to at most 4 Services (to plus 3 alternateBackends)',
    );
  if (new Set(backends.map((b) => b.port)).size > 1)
    unsupported(`${at}.backends`, 'split.weighted', 'the Services of one OpenShift Route share one target port');
  const relative = backends.map(weightOf);
  const d = relative.reduce((g, w) => gcd(g, w), 0) || 1;
  const reduced = relative.map((w) => w / d);
  const top = Math.max(...reduced);
  // The router rescales to 256 for the heaviest Service and truncates the others: exact only when
  // 256 * w / max is a whole number for every weight; then emit exactly those weights.
  const exact = reduced.every((w) => (256 * w) % top === 0);
  const live = reduced.filter((w) => w > 0).length;
  const weights = live <= 1 ? reduced : exact ? reduced.map((w) => (256 * w) / top) : scaleWeights(reduced);
  // The split is approximate in any case (MATRIX: the per-endpoint truncation depends on endpoint
  // counts); with equal counts these weights are exact, others are off by the truncation.
  if (!exact && live > 1)
    warnings.push(
      `${at}.backends: even with equal endpoint counts the router turns ${reduced.join(':')} into ${routerWeights(weights).join(':')} (pkg/router/template/router.go calculateServiceWeights); weights where the largest divides 256 times each are exact`,
    );
  return backends.map((b, i) => ({ kind: 'Service', name: b.service, weight: weights[i]! }));
}

function tlsConfig(policy: RoutingPolicy, rule: RouteRule, at: string) {
  const tls = policy.tls;
  const https = (rule.backends ?? []).map((b) => b.protocol === 'https');
  if (https.some(Boolean) && (!tls || tls.passthrough || !https.every(Boolean)))
    unsupported(
      `${at}.backends`,
      'backend.https',
      !tls || tls.passthrough
        ? 'the router speaks TLS to a backend only on a reencrypt Route, which needs the policy to terminate TLS'
        : 'one Route re-encrypts to all its Services or to none: put HTTPS and plain backends in separate rules',
    );
  if (!tls) return undefined;
  const insecure = redirectsHttp(policy) || tls.passthrough ? 'Redirect' : 'Allow';
  if (tls.passthrough) return { termination: 'passthrough', insecureEdgeTerminationPolicy: insecure };
  const reencrypt = rule.backends?.some((b) => b.protocol === 'https');
  return {
    termination: reencrypt ? 'reencrypt' : 'edge',
    insecureEdgeTerminationPolicy: insecure,
    externalCertificate: { name: tlsSecretName(policy)! },
  };
}

/** The router reads `externalCertificate` Secrets only with this grant. */
function secretReader(policy: RoutingPolicy): KubeObject[] {
  const secret = tlsSecretName(policy);
  if (!secret) return [];
  const name = objectName([policy.name, 'router-certificate-reader']);
  const metadata = { name, namespace: namespaceOf(policy), labels: policyLabels(policy) };
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata,
      rules: [{ apiGroups: [''], resources: ['secrets'], resourceNames: [secret], verbs: ['get', 'list', 'watch'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name: 'router', namespace: 'openshift-ingress' }],
    },
  ];
}

function compilePolicy(policy: RoutingPolicy, warnings: string[]): KubeObject[] {
  const objects: KubeObject[] = [...certificateFor(policy), ...secretReader(policy)];
  const multiple = policy.hosts.length > 1;
  policy.rules.forEach((rule, index) => {
    const at = `${policy.name}.rules[${index}]`;
    const label = rule.name ?? `rule-${index}`;
    const backends = rule.backends!;
    const to = targets(backends, at, warnings);
    const tls = tlsConfig(policy, rule, at);
    const matches = matchesOf(rule);
    warnings.push(
      `${at}: an OpenShift Route selects the endpoint port, so Service port ${backends[0]!.port} must equal its targetPort (or name the port)`,
    );
    policy.hosts.forEach((host, h) => {
      matches.forEach((match, m) => {
        const path = pathOf(match).value.replace(/\/+$/, '') || undefined;
        const wildcard = host.startsWith('*.');
        const headers = headerActions(rule);
        const ann = annotations(policy, rule, at, warnings);
        objects.push({
          apiVersion: 'route.openshift.io/v1',
          kind: 'Route',
          metadata: {
            name: objectName([
              policy.name,
              label,
              ...(multiple ? [String(h)] : []),
              ...(matches.length > 1 ? [String(m)] : []),
            ]),
            namespace: namespaceOf(policy),
            labels: policyLabels(policy),
            ...(Object.keys(ann).length ? { annotations: ann } : {}),
          },
          spec: {
            host: wildcard ? `wildcard.${host.slice(2)}` : host,
            ...(wildcard ? { wildcardPolicy: 'Subdomain' } : {}),
            ...(path && !policy.tls?.passthrough ? { path } : {}),
            to: to[0],
            ...(to.length > 1 ? { alternateBackends: to.slice(1) } : {}),
            port: { targetPort: backends[0]!.port },
            ...(tls ? { tls } : {}),
            ...(headers && !policy.tls?.passthrough ? { httpHeaders: headers } : {}),
          },
        });
      });
    });
  });
  return objects;
}

/** Compiles validated, conflict-free policies to OpenShift Routes. */
export function compileOpenShiftRoutes(
  policies: readonly RoutingPolicy[],
  _target: CompileTarget,
  warnings: string[],
): KubeObject[] {
  for (const policy of policies) {
    policy.rules.forEach((rule, i) => {
      for (const side of ['requestHeaders', 'responseHeaders'] as const) {
        const names = [...Object.keys(rule[side]?.set ?? {}), ...(rule[side]?.remove ?? [])];
        const bad = names.find((n) =>
          ['strict-transport-security', 'proxy', 'cookie', 'set-cookie'].includes(n.toLowerCase()),
        );
        if (bad)
          unsupported(
            `${policy.name}.rules[${i}].${side}`,
            side === 'requestHeaders' ? 'headers.request' : 'headers.response',
            `the OpenShift router does not let routes change the ${bad} header`,
          );
      }
    });
  }
  checkOpenShiftHosts(policies);
  return policies.flatMap((p) => compilePolicy(p, warnings));
}
