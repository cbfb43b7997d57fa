/**
 * The OpenShift Route dialect (route.openshift.io/v1, the OpenShift router). One Route per host and
 * path (the router matches paths by whole segments); `to` plus up to three `alternateBackends` with
 * weights scaled to 0-256; TLS edge, reencrypt or passthrough with HTTP redirected; certificates by
 * reference (`externalCertificate`, readable by the router through a Role) and never inlined; the
 * router's `haproxy.router.openshift.io/*` annotations for timeouts, allow lists, rate limits,
 * rewrites, HSTS and the affinity cookie. Every field and annotation follows openshift/api and the
 * router's haproxy-config.template. Pure.
 */
import { UnsupportedFeatureError } from './errors';
import { matchesOf, namespaceOf, pathOf, redirectsHttp, tlsSecretName, weightOf } from './model';
import { objectName } from './names';
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
  if (allow) a[`${HAPROXY}ip_allowlist`] = allow.join(' ');
  const limit = rule.rateLimit ?? policy.rateLimit;
  if (limit) {
    // The router counts HTTP requests per source address over 10 seconds, and drops the connection past it.
    a[`${HAPROXY}rate-limit-connections`] = 'true';
    a[`${HAPROXY}rate-limit-connections.rate-http`] = String(limit.requestsPerSecond * 10);
    warnings.push(
      `${at}: the OpenShift router limits requests per client over a 10s window and rejects the connection instead of answering 429`,
    );
  }
  if (rule.rewrite?.pathPrefix !== undefined) a[`${HAPROXY}rewrite-target`] = rule.rewrite.pathPrefix;
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
      warnings.push(
        `${at}.sessionAffinity.maxAge: the OpenShift router's affinity cookie lasts for the browser session`,
      );
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

function targets(backends: readonly Backend[], at: string) {
  if (backends.length > 4)
    unsupported(
      `${at}.backends`,
      'split.weighted-multi',
      'an OpenShift Route sends to at most 4 Services (to plus 3 alternateBackends)',
    );
  if (new Set(backends.map((b) => b.port)).size > 1)
    unsupported(`${at}.backends`, 'split.weighted', 'the Services of one OpenShift Route share one target port');
  const weights = scaleWeights(backends.map(weightOf));
  return backends.map((b, i) => ({ kind: 'Service', name: b.service, weight: weights[i]! }));
}

function tlsConfig(policy: RoutingPolicy, rule: RouteRule) {
  const tls = policy.tls;
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
    const to = targets(backends, at);
    const matches = matchesOf(rule);
    warnings.push(
      `${at}: an OpenShift Route selects the endpoint port, so Service port ${backends[0]!.port} must equal its targetPort (or name the port)`,
    );
    policy.hosts.forEach((host, h) => {
      matches.forEach((match, m) => {
        const path = pathOf(match).value.replace(/\/+$/, '') || undefined;
        const wildcard = host.startsWith('*.');
        if (wildcard)
          warnings.push(
            `${policy.name}.hosts[${h}]: the router admits wildcard Routes only when the IngressController's routeAdmission.wildcardPolicy is WildcardsAllowed`,
          );
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
            ...(policy.tls ? { tls: tlsConfig(policy, rule) } : {}),
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
  return policies.flatMap((p) => compilePolicy(p, warnings));
}
