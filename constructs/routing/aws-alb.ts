/**
 * The AWS ALB dialect (AWS Load Balancer Controller 3.x): one Ingress per policy in a shared IngressGroup
 * (one ALB), class 'alb'. Weighted forwards, redirects and per-match conditions go in `actions.<name>`
 * and `conditions.<name>` JSON keyed by a named backend with port `use-annotation`; rewrites in
 * `transforms.<name>`; weights scaled to 0-999. TLS uses ACM certificates (by ARN, or discovered from
 * the hosts); group-wide annotations must agree across the group. Formats follow the controller's
 * docs/guide/ingress/annotations.md. Pure.
 */
import { UnsupportedFeatureError } from './errors';
import { matchesOf, namespaceOf, pathOf, redirectsHttp, weightOf } from './model';
import { objectName } from './names';
import { policyLabels } from './tls-objects';
import type { CompileTarget, KubeObject, RouteMatch, RouteRule, RoutingPolicy } from './types';
import { escapeRegex, parseDuration } from './values';

const A = 'alb.ingress.kubernetes.io/';

function unsupported(path: string, feature: string, detail: string): never {
  throw new UnsupportedFeatureError(path, feature, 'aws-alb', ['gateway-api'], detail);
}

/** Relative weights scaled into ALB's 0-999, keeping non-zero weights non-zero. */
export function scaleAlbWeights(weights: readonly number[]): number[] {
  const top = Math.max(...weights);
  return top <= 999 ? [...weights] : weights.map((w) => (w === 0 ? 0 : Math.max(1, Math.round((w * 999) / top))));
}

function conditions(match: RouteMatch, at: string, warnings: string[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const h of match.headers ?? []) {
    out.push({
      field: 'http-header',
      httpHeaderConfig: {
        httpHeaderName: h.name,
        ...(h.type === 'RegularExpression' ? { regexValues: [h.value] } : { values: [h.value] }),
      },
    });
  }
  for (const q of match.queryParams ?? []) {
    if (q.type === 'RegularExpression')
      unsupported(
        `${at}.queryParams`,
        'match.query',
        'ALB matches query values exactly or by wildcard, not by regular expression',
      );
    out.push({ field: 'query-string', queryStringConfig: { values: [{ key: q.name, value: q.value }] } });
  }
  if (match.method) out.push({ field: 'http-request-method', httpRequestMethodConfig: { Values: [match.method] } });
  if (match.cookie) {
    // A wildcard on the Cookie header: also matches longer names or values ending the same way.
    out.push({
      field: 'http-header',
      httpHeaderConfig: { httpHeaderName: 'Cookie', values: [`*${match.cookie.name}=${match.cookie.value}*`] },
    });
    warnings.push(
      `${at}: ALB matches the cookie with a wildcard on the Cookie header, so similar cookie names also match`,
    );
  }
  return out;
}

function redirectAction(rule: RouteRule, at: string) {
  const r = rule.redirect!;
  const code = r.statusCode ?? 302;
  if (code !== 301 && code !== 302)
    unsupported(`${at}.redirect.statusCode`, 'redirect', 'ALB redirects with HTTP_301 or HTTP_302 only');
  return {
    type: 'redirect',
    redirectConfig: {
      ...(r.hostname ? { host: r.hostname } : {}),
      ...(r.path ? { path: r.path } : {}),
      ...(r.port ? { port: String(r.port) } : {}),
      ...(r.scheme ? { protocol: r.scheme.toUpperCase() } : {}),
      statusCode: `HTTP_${code}`,
    },
  };
}

function transforms(rule: RouteRule, match: RouteMatch) {
  const w = rule.rewrite;
  if (!w) return undefined;
  const list: Record<string, unknown>[] = [];
  if (w.pathPrefix !== undefined) {
    const from = escapeRegex(pathOf(match).value.replace(/\/+$/, ''));
    const to = w.pathPrefix.replace(/\/+$/, '');
    list.push({
      type: 'url-rewrite',
      urlRewriteConfig: {
        rewrites: [
          to ? { regex: `^${from}(/.*)?$`, replace: `${to}$1` } : { regex: `^${from}/?(.*)$`, replace: '/$1' },
        ],
      },
    });
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

function compilePolicy(policy: RoutingPolicy, target: CompileTarget, warnings: string[]): KubeObject {
  const alb = target.alb ?? {};
  const annotations: Record<string, string> = {
    [`${A}group.name`]: alb.groupName ?? 'switchyard',
    [`${A}scheme`]: alb.scheme ?? 'internet-facing',
    [`${A}target-type`]: 'ip',
  };
  if (policy.tls) {
    annotations[`${A}listen-ports`] = JSON.stringify([{ HTTP: 80 }, { HTTPS: 443 }]);
    if (alb.certificateArns?.length) annotations[`${A}certificate-arn`] = alb.certificateArns.join(',');
    else
      warnings.push(
        `${policy.name}.tls: ALB serves ACM certificates only, discovered for ${policy.hosts.join(', ')}; the Secret is not used`,
      );
    if (redirectsHttp(policy)) annotations[`${A}ssl-redirect`] = '443';
  }
  const paths: Record<string, unknown>[] = [];
  policy.rules.forEach((rule, index) => {
    const at = `${policy.name}.rules[${index}]`;
    const label = rule.name ?? `rule-${index}`;
    const backends = rule.backends ?? [];
    if (backends.some((b) => b.protocol === 'https')) annotations[`${A}backend-protocol`] = 'HTTPS';
    if (backends.some((b) => b.protocol === 'grpc')) annotations[`${A}backend-protocol-version`] = 'GRPC';
    if (rule.sessionAffinity) {
      const seconds = rule.sessionAffinity.maxAge
        ? Math.floor(parseDuration(rule.sessionAffinity.maxAge)! / 1000)
        : 86400;
      annotations[`${A}target-group-attributes`] =
        `stickiness.enabled=true,stickiness.lb_cookie.duration_seconds=${seconds}`;
      warnings.push(
        `${at}.sessionAffinity: ALB's stickiness cookie is named AWSALB, not ${rule.sessionAffinity.cookieName}`,
      );
    }
    matchesOf(rule).forEach((match, m) => {
      const conds = conditions(match, at, warnings);
      const transform = transforms(rule, match);
      const direct = !rule.redirect && backends.length === 1 && conds.length === 0 && !transform;
      const name = objectName(['r', label, ...(matchesOf(rule).length > 1 ? [String(m)] : [])]);
      const path = pathOf(match);
      const backend = direct
        ? { service: { name: backends[0]!.service, port: { number: backends[0]!.port } } }
        : { service: { name, port: { name: 'use-annotation' } } };
      if (!direct) {
        const weights = scaleAlbWeights(backends.map(weightOf));
        const action = rule.redirect
          ? redirectAction(rule, at)
          : {
              type: 'forward',
              forwardConfig: {
                targetGroups: backends.map((b, i) => ({
                  serviceName: b.service,
                  servicePort: b.port,
                  weight: weights[i],
                })),
                ...(rule.sessionAffinity
                  ? {
                      targetGroupStickinessConfig: {
                        enabled: true,
                        durationSeconds: Math.floor(parseDuration(rule.sessionAffinity.maxAge ?? '24h')! / 1000),
                      },
                    }
                  : {}),
              },
            };
        annotations[`${A}actions.${name}`] = JSON.stringify(action);
        if (conds.length) annotations[`${A}conditions.${name}`] = JSON.stringify(conds);
        if (transform?.length) annotations[`${A}transforms.${name}`] = JSON.stringify(transform);
      }
      paths.push({
        path: path.type === 'PathPrefix' ? path.value.replace(/\/+$/, '') || '/' : path.value,
        pathType: path.type === 'Exact' ? 'Exact' : 'Prefix',
        backend,
      });
    });
  });
  if (policy.hosts.some((h) => h.startsWith('*.')))
    warnings.push(`${policy.name}.hosts: ALB wildcards are globs: '*.example.com' also matches 'a.b.example.com'`);
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: objectName([policy.name]),
      namespace: namespaceOf(policy),
      labels: policyLabels(policy),
      annotations,
    },
    spec: {
      ingressClassName: target.ingressClassName ?? 'alb',
      ...(policy.tls ? { tls: [{ hosts: [...policy.hosts] }] } : {}),
      rules: policy.hosts.map((host) => ({ host, http: { paths } })),
    },
  };
}

/** Group-wide (Exclusive) annotations must agree across every Ingress of the group, or the group fails. */
export function checkAlbGroupAgreement(objects: readonly KubeObject[]): void {
  const exclusive = ['ssl-redirect', 'scheme', 'inbound-cidrs', 'load-balancer-attributes'].map((a) => `${A}${a}`);
  const seen = new Map<string, { value: string; owner: string }>();
  for (const o of objects) {
    const annotations = (o.metadata.annotations ?? {}) as Record<string, string>;
    const group = annotations[`${A}group.name`];
    for (const key of exclusive) {
      const value = annotations[key] ?? '';
      const previous = seen.get(`${group}\u0000${key}`);
      if (previous && previous.value !== value && value !== '' && previous.value !== '') {
        unsupported(
          o.metadata.name,
          key.slice(A.length),
          `${key} is exclusive to the IngressGroup '${group}', and ${previous.owner} sets '${previous.value}' while ${o.metadata.name} sets '${value}'`,
        );
      }
      if (!previous || previous.value === '') seen.set(`${group}\u0000${key}`, { value, owner: o.metadata.name });
    }
  }
  const redirecting = objects.filter(
    (o) => (o.metadata.annotations as Record<string, string> | undefined)?.[`${A}ssl-redirect`],
  );
  if (
    redirecting.length &&
    redirecting.length !==
      objects.filter((o) => (o.metadata.annotations as Record<string, string>)[`${A}listen-ports`]).length
  ) {
    unsupported(
      redirecting[0]!.metadata.name,
      'tls.redirect-http',
      'ALB redirects HTTP to HTTPS for the whole IngressGroup: every TLS policy in it must redirect, or none',
    );
  }
}

/** Compiles validated, conflict-free policies to AWS Load Balancer Controller Ingresses. */
export function compileAwsAlb(
  policies: readonly RoutingPolicy[],
  target: CompileTarget,
  warnings: string[],
): KubeObject[] {
  const objects = policies.map((p) => compilePolicy(p, target, warnings));
  checkAlbGroupAgreement(objects);
  return objects;
}
