/**
 * The Traefik v3 dialect: IngressRoute (one route per match, each with its Gateway API precedence as
 * priority), Middlewares for what a route does besides forwarding, TraefikService for mirroring and
 * sticky weighted splits, ServersTransport for backend timeouts and TLS, IngressRouteTCP for passthrough,
 * and a cert-manager Certificate (Traefik has no ingress shim for IngressRoute). Pure.
 */
import { UnsupportedFeatureError } from './errors';
import { backendNamespace, matchesOf, namespaceOf, redirectsHttp, tlsSecretName, weightOf } from './model';
import { objectName } from './names';
import { certificateFor, policyLabels } from './tls-objects';
import { policyMiddlewares, ruleMiddlewares } from './traefik-middlewares';
import { clientIpAny, hostConditions, hostSniRule, matchRule, precedence } from './traefik-rules';
import type { Backend, CompileTarget, KubeObject, RouteRule, RoutingPolicy } from './types';
import { parseDuration } from './values';

const API = 'traefik.io/v1alpha1';

function entryPoints(target: CompileTarget) {
  return { web: target.traefik?.webEntryPoint ?? 'web', websecure: target.traefik?.websecureEntryPoint ?? 'websecure' };
}

function object(policy: RoutingPolicy, kind: string, name: string, spec: unknown): KubeObject {
  return {
    apiVersion: `${API}`,
    kind,
    metadata: { name, namespace: namespaceOf(policy), labels: policyLabels(policy) },
    spec,
  };
}

/** Go durations for ServersTransport, exact to the millisecond ('500ms' stays '500ms'). */
function goDuration(duration: string): string {
  return `${parseDuration(duration)!}ms`;
}

interface RuleBackends {
  /** What the IngressRoute route forwards to. */
  readonly services: Record<string, unknown>[];
  readonly objects: KubeObject[];
}

function serviceEntry(
  policy: RoutingPolicy,
  b: Backend,
  transport: string | undefined,
  sticky: Record<string, unknown> | undefined,
  weighted: boolean,
) {
  const ns = backendNamespace(policy, b);
  const scheme = b.protocol === 'https' ? 'https' : b.protocol === 'grpc' || b.protocol === 'h2c' ? 'h2c' : undefined;
  return {
    name: b.service,
    port: b.port,
    ...(ns !== namespaceOf(policy) ? { namespace: ns } : {}),
    ...(weighted ? { weight: weightOf(b) } : {}),
    ...(scheme ? { scheme } : {}),
    ...(transport ? { serversTransport: transport } : {}),
    ...(sticky ? { sticky } : {}),
  };
}

function ruleBackends(
  policy: RoutingPolicy,
  rule: RouteRule,
  label: string,
  at: string,
  warnings: string[],
): RuleBackends {
  const backends = rule.backends ?? [];
  const objects: KubeObject[] = [];
  const t = rule.timeouts;
  const https = backends.find((b) => b.protocol === 'https');
  let transport: string | undefined;
  if (t?.connect || t?.backendRequest || t?.idle || https) {
    transport = objectName([policy.name, label, 'transport']);
    if (t?.backendRequest)
      warnings.push(
        `${at}.timeouts.backendRequest: Traefik bounds the wait for response headers (responseHeaderTimeout), not the whole attempt`,
      );
    objects.push(
      object(policy, 'ServersTransport', transport, {
        ...(t?.connect || t?.backendRequest || t?.idle
          ? {
              forwardingTimeouts: {
                ...(t.connect ? { dialTimeout: goDuration(t.connect) } : {}),
                ...(t.backendRequest ? { responseHeaderTimeout: goDuration(t.backendRequest) } : {}),
                ...(t.idle ? { idleConnTimeout: goDuration(t.idle) } : {}),
              },
            }
          : {}),
        ...(https ? { serverName: `${https.service}.${backendNamespace(policy, https)}.svc` } : {}),
      }),
    );
  }
  const affinity = rule.sessionAffinity;
  const sticky = affinity
    ? {
        cookie: {
          name: affinity.cookieName,
          secure: policy.tls !== undefined,
          httpOnly: true,
          ...(affinity.maxAge ? { maxAge: Math.floor(parseDuration(affinity.maxAge)! / 1000) } : {}),
        },
      }
    : undefined;
  if (backends.some((b) => namespaceOf(policy) !== backendNamespace(policy, b))) {
    warnings.push(
      `${at}: a backend in another namespace needs Traefik's providers.kubernetesCRD.allowCrossNamespace (off by default)`,
    );
  }
  const weighted = backends.length > 1;
  // Stickiness on a weighted split must hold at both levels, each with its own cookie (traefikservice.md
  // "Stickiness on multiple levels"): the policy's cookie picks the Service, `<name>-pod` the pod.
  const podSticky = weighted && sticky ? { cookie: { ...sticky.cookie, name: `${sticky.cookie.name}-pod` } } : sticky;
  let services: Record<string, unknown>[] = backends.map((b) =>
    serviceEntry(policy, b, transport, podSticky, weighted),
  );
  if (weighted && sticky) {
    const name = objectName([policy.name, label, 'split']);
    objects.push(object(policy, 'TraefikService', name, { weighted: { services, sticky } }));
    services = [{ name, kind: 'TraefikService' }];
  }
  if (rule.mirror) {
    const name = objectName([policy.name, label, 'mirror']);
    const primary = services.length === 1 ? services[0]! : undefined;
    if (!primary) {
      const split = objectName([policy.name, label, 'split']);
      objects.push(object(policy, 'TraefikService', split, { weighted: { services } }));
    }
    const m = rule.mirror.backend;
    const mirrorNs = backendNamespace(policy, m);
    objects.push(
      object(policy, 'TraefikService', name, {
        mirroring: {
          ...(primary ?? { name: objectName([policy.name, label, 'split']), kind: 'TraefikService' }),
          mirrorBody: true,
          mirrors: [
            {
              name: m.service,
              port: m.port,
              ...(mirrorNs !== namespaceOf(policy) ? { namespace: mirrorNs } : {}),
              percent: rule.mirror.percent ?? 100,
            },
          ],
        },
      }),
    );
    services = [{ name, kind: 'TraefikService' }];
  }
  return { services, objects };
}

/** The service a route that never forwards names (Traefik answers 418 if a request ever reaches it). */
const NOOP = [{ name: 'noop@internal', kind: 'TraefikService' }];

/**
 * An ipAllowList no client is in: Traefik has no deny-list middleware, so a route that matches exactly
 * the denied clients (`ClientIP`) and outranks the route it shadows refuses them with this (403:
 * pkg/middlewares/ipallowlist). 255.255.255.255 is the limited broadcast address, never a client.
 */
const NOBODY = { ipAllowList: { sourceRange: ['255.255.255.255/32'] } };

function compilePolicy(
  policy: RoutingPolicy,
  all: readonly RoutingPolicy[],
  target: CompileTarget,
  warnings: string[],
): KubeObject[] {
  const ep = entryPoints(target);
  const objects: KubeObject[] = [...certificateFor(policy)];
  if (policy.tls?.passthrough) {
    const ranges = policy.allowSourceRanges
      ? 'allowSourceRanges'
      : policy.denySourceRanges
        ? 'denySourceRanges'
        : undefined;
    if (ranges) {
      throw new UnsupportedFeatureError(
        `${policy.name}.${ranges}`,
        ranges === 'allowSourceRanges' ? 'ip.allow' : 'ip.deny',
        'traefik',
        ['ingress-nginx', 'haproxy', 'contour', 'openshift-route'],
        'a Traefik TCP router cannot refuse a passed-through connection: a client its ClientIP excludes falls through to the HTTPS routers instead',
      );
    }
    const rule = policy.rules[0]!;
    objects.push({
      apiVersion: API,
      kind: 'IngressRouteTCP',
      metadata: { name: objectName([policy.name]), namespace: namespaceOf(policy), labels: policyLabels(policy) },
      spec: {
        entryPoints: [ep.websecure],
        routes: [
          {
            match: hostSniRule(policy, all),
            services: rule.backends!.map((b) => ({ name: b.service, port: b.port, weight: weightOf(b) })),
          },
        ],
        tls: { passthrough: true },
      },
    });
    return objects;
  }
  const shared = policyMiddlewares(policy);
  objects.push(...shared.objects);
  const hosts = hostConditions(policy, all);
  const deny = policy.denySourceRanges ? objectName([policy.name, 'deny']) : undefined;
  if (deny) objects.push(object(policy, 'Middleware', deny, NOBODY));
  const routes: Record<string, unknown>[] = [];
  policy.rules.forEach((rule, index) => {
    const label = rule.name ?? `rule-${index}`;
    const at = `${policy.name}.rules[${index}]`;
    if (rule.timeouts?.request)
      warnings.push(
        `${at}.timeouts.request: Traefik sets the request timeout per entry point (ports.<name>.transport.respondingTimeouts.readTimeout), not per route`,
      );
    const own = ruleMiddlewares(policy, rule, label, at, warnings);
    objects.push(...own.objects);
    const forward = rule.redirect ? { services: NOOP, objects: [] } : ruleBackends(policy, rule, label, at, warnings);
    objects.push(...forward.objects);
    const middlewares = [...shared.refs(rule), ...own.refs].map((name) => ({ name }));
    matchesOf(rule).forEach((match, m) => {
      for (const host of hosts) {
        routes.push({
          kind: 'Rule',
          match: matchRule(host, match),
          priority: precedence(match, index, m),
          services: forward.services,
          ...(middlewares.length ? { middlewares } : {}),
        });
        if (deny) {
          routes.push({
            kind: 'Rule',
            match: matchRule(host, match, [clientIpAny(policy.denySourceRanges!)]),
            priority: precedence(match, index, m, true),
            services: NOOP,
            middlewares: [{ name: deny }],
          });
        }
      }
    });
  });
  const secret = tlsSecretName(policy);
  const spec = (entry: string, tls: boolean) => ({
    entryPoints: [entry],
    routes,
    ...(tls && secret ? { tls: { secretName: secret } } : {}),
  });
  if (!policy.tls) {
    objects.push(object(policy, 'IngressRoute', objectName([policy.name]), spec(ep.web, false)));
  } else {
    objects.push(object(policy, 'IngressRoute', objectName([policy.name]), spec(ep.websecure, true)));
    if (redirectsHttp(policy)) {
      const redirect = objectName([policy.name, 'https-redirect']);
      objects.push(object(policy, 'Middleware', redirect, { redirectScheme: { scheme: 'https', permanent: true } }));
      objects.push(
        object(policy, 'IngressRoute', objectName([policy.name, 'http']), {
          entryPoints: [ep.web],
          // Every path of every host: the upgrade comes before any rule, match or IP check.
          routes: hosts.map((host) => ({
            kind: 'Rule',
            match: matchRule(host, {}),
            priority: 1,
            services: NOOP,
            middlewares: [{ name: redirect }],
          })),
        }),
      );
    } else {
      objects.push(object(policy, 'IngressRoute', objectName([policy.name, 'http']), spec(ep.web, false)));
    }
  }
  return objects;
}

/** Compiles validated, conflict-free policies to Traefik v3 objects. */
export function compileTraefik(
  policies: readonly RoutingPolicy[],
  target: CompileTarget,
  warnings: string[],
): KubeObject[] {
  for (const policy of policies) {
    policy.rules.forEach((rule, i) => {
      const code = rule.redirect?.statusCode;
      if (code === 303) {
        throw new UnsupportedFeatureError(
          `${policy.name}.rules[${i}].redirect.statusCode`,
          'redirect',
          'traefik',
          ['gateway-api', 'ingress-nginx', 'contour'],
          'Traefik redirects are permanent (301/308) or temporary (302/307), never 303',
        );
      }
    });
  }
  return policies.flatMap((p) => compilePolicy(p, policies, target, warnings));
}
