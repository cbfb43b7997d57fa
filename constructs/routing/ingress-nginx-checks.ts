/**
 * Checks across the Ingresses compiled for ingress-nginx, where the controller merges objects in ways
 * that depend on creation order or leak from one route to another (kubernetes/ingress-nginx v1.15.1,
 * `internal/ingress/controller/controller.go`). Each failure is a typed error naming the rule. Pure.
 */
import { approximate } from './approximations';
import { RouteConflictError, RoutingError } from './errors';
import { NGINX, unsupportedOnNginx as unsupported } from './ingress-nginx-annotations';
import { backendNamespace, matchesOf, pathOf } from './model';
import type { Backend, KubeObject, RouteRule, RoutingPolicy } from './types';

/** One Ingress as compiled, with the rule (or match) it carries. */
export interface Emitted {
  readonly owner: string;
  readonly policy: RoutingPolicy;
  readonly canary: boolean;
  readonly paths: readonly { readonly path: string; readonly pathType: string }[];
  readonly backend: Backend;
  readonly annotations: Readonly<Record<string, string>>;
  readonly redirect?: boolean;
}

const upstreamOf = (e: Emitted) => `${backendNamespace(e.policy, e.backend)}/${e.backend.service}:${e.backend.port}`;
const locationKey = (host: string, p: { path: string; pathType: string }) => `${host} ${p.pathType} ${p.path}`;

/**
 * Two rules (in one policy or two) that claim the same path on a host without a header: on nginx they
 * become one location, which the oldest Ingress keeps (getBackendServers: "Location already configured"),
 * or, in regex mode, two regexes whose order the rule order does not decide.
 */
export function checkSharedLocations(policies: readonly RoutingPolicy[], isCanary: (r: RouteRule) => boolean): void {
  const seen = new Map<string, string>();
  for (const policy of policies) {
    if (policy.tls?.passthrough) continue;
    policy.rules.forEach((rule, r) => {
      if (isCanary(rule)) return;
      const owner = `${policy.name}.rules[${r}]`;
      for (const m of matchesOf(rule)) {
        const { type, value } = pathOf(m);
        const match = `${type} ${type === 'PathPrefix' ? value.replace(/\/+$/, '') || '/' : value}`;
        for (const host of policy.hosts) {
          const previous = seen.get(`${host} ${match}`);
          if (previous && previous !== owner)
            throw new RouteConflictError([{ host, match: `${match} (one nginx location)`, rules: [previous, owner] }]);
          seen.set(`${host} ${match}`, owner);
        }
      }
    });
  }
}

/**
 * A host's unmatched requests reach its default root location, which carries the annotations of the
 * host's oldest Ingress (createServers: locationApplyAnnotations on the default location). Without a
 * catch-all rule, a redirect there answers every unmatched path, and a source list refuses them with
 * 403 instead of 404 (an approximation), or, if the Ingresses differ, as creation order decides.
 */
export function checkDefaultLocations(emitted: readonly Emitted[], warnings: string[]): void {
  const hosts = new Set(emitted.flatMap((e) => e.policy.hosts));
  for (const host of hosts) {
    const own = emitted.filter((e) => !e.canary && e.policy.hosts.includes(host));
    if (own.some((e) => e.paths.some((p) => (p.path === '/' && p.pathType === 'Prefix') || p.path === '/(.*)')))
      continue;
    for (const e of own) {
      if (
        [`${NGINX}permanent-redirect`, `${NGINX}temporal-redirect`, `${NGINX}force-ssl-redirect`].some(
          (a) => e.annotations[a] !== undefined,
        )
      )
        unsupported(
          `${e.owner}.redirect`,
          'redirect',
          `host ${host} has no catch-all rule, so its unmatched requests take the annotations of its oldest Ingress, and this redirect would answer them: add a rule for PathPrefix '/'`,
        );
    }
    // The default location answers 403 instead of 404 to the sources the oldest Ingress refuses:
    // an approximation when every Ingress of the host lists the same sources, creation order otherwise.
    const lists = (e: Emitted) =>
      JSON.stringify([e.annotations[`${NGINX}allowlist-source-range`], e.annotations[`${NGINX}denylist-source-range`]]);
    const differing = own.find((e) => lists(e) !== lists(own[0]!));
    const field = (e: Emitted) =>
      e.annotations[`${NGINX}allowlist-source-range`] !== undefined ? 'allowSourceRanges' : 'denySourceRanges';
    const feature = (e: Emitted) => (field(e) === 'allowSourceRanges' ? 'ip.allow' : 'ip.deny');
    const at = (e: Emitted) =>
      e.policy.rules.some((_, i) => e.owner === `${e.policy.name}.rules[${i}]` && e.policy.rules[i]!.allowSourceRanges)
        ? e.owner
        : e.policy.name;
    if (differing)
      unsupported(
        `${at(differing)}.${field(differing)}`,
        feature(differing),
        `host ${host} has no catch-all rule, so its unmatched requests take the source lists of its oldest Ingress, and its Ingresses list different sources: add a rule for PathPrefix '/' or use the same lists`,
      );
    if (lists(own[0]!) !== JSON.stringify([undefined, undefined]))
      for (const policy of new Set(own.map((e) => e.policy)))
        approximate(
          warnings,
          policy,
          'ingress-nginx',
          `${at(own.find((e) => e.policy === policy)!)}.${field(own[0]!)}`,
          feature(own[0]!),
          `host ${host} has no catch-all rule: nginx refuses the unlisted sources with 403 on every path, also where no rule matches (404 elsewhere)`,
        );
  }
}

/**
 * ingress-nginx attaches a canary to the upstream (one per Service port, shared by every Ingress and
 * host that names it), not to the location (mergeAlternativeBackends), and the Lua balancer consults
 * only the first alternative. The upstream's session affinity is shared the same way, and a Service
 * port first named by a canary is never served as a primary (NoServer).
 */
export function checkUpstreams(emitted: readonly Emitted[]): void {
  const primaries = emitted.filter((e) => !e.canary);
  const canaries = emitted.filter((e) => e.canary);
  for (const c of canaries) {
    const clash = primaries.find((p) => upstreamOf(p) === upstreamOf(c));
    if (clash)
      unsupported(
        c.owner,
        c.annotations[`${NGINX}canary-weight`] !== undefined ? 'split.weighted' : 'match.header',
        `${upstreamOf(c)} is the canary here and the primary backend of ${clash.owner}; nginx keeps one role per Service port and creation order picks it: use another Service port`,
      );
  }
  // createUpstreams: the canary's Service port keeps the traffic shaping of the first canary Ingress.
  for (const c of canaries) {
    const other = canaries.find(
      (d) => upstreamOf(d) === upstreamOf(c) && JSON.stringify(d.annotations) !== JSON.stringify(c.annotations),
    );
    if (other)
      unsupported(
        other.owner,
        other.annotations[`${NGINX}canary-weight`] !== undefined ? 'split.weighted' : 'match.header',
        `${upstreamOf(c)} is the canary of ${c.owner} and of ${other.owner} with other settings; nginx keeps one canary policy per Service port and creation order picks it: use another Service port`,
      );
  }
  const byUpstream = new Map<string, Emitted[]>();
  for (const p of primaries) byUpstream.set(upstreamOf(p), [...(byUpstream.get(upstreamOf(p)) ?? []), p]);
  for (const [upstream, users] of byUpstream) {
    const keys = users.flatMap((u) => u.policy.hosts.flatMap((h) => u.paths.map((p) => locationKey(h, p))));
    // The canaries that join this upstream: same host, path and pathType as one of its locations.
    const joining = canaries.filter((c) =>
      c.policy.hosts.some((h) => c.paths.some((p) => keys.includes(locationKey(h, p)))),
    );
    if (joining.length === 0) {
      const affinity = new Set(users.map((u) => u.annotations[`${NGINX}affinity`] ?? 'none'));
      const names = new Set(
        users.map(
          (u) => `${u.annotations[`${NGINX}session-cookie-name`]}/${u.annotations[`${NGINX}session-cookie-max-age`]}`,
        ),
      );
      if (affinity.size > 1 || names.size > 1)
        unsupported(
          `${users.find((u) => u.annotations[`${NGINX}affinity`])!.owner}.sessionAffinity`,
          'session-affinity',
          `nginx keeps session affinity per Service port, and ${upstream} is also the backend of ${users.map((u) => u.owner).join(', ')} with other settings: give them the same sessionAffinity or another Service port`,
        );
      continue;
    }
    const signature = (c: Emitted) => `${upstreamOf(c)} ${JSON.stringify(c.annotations)}`;
    const first = joining[0]!;
    const other = joining.find((c) => signature(c) !== signature(first));
    if (other)
      unsupported(
        other.owner,
        'match.header',
        `${first.owner} and ${other.owner} are canaries of the same Service port ${upstream}; nginx attaches canaries to the port and consults only one: use another Service port`,
      );
    const covered = new Set(
      first.policy.hosts.flatMap((h) => joining.flatMap((c) => c.paths.map((p) => locationKey(h, p)))),
    );
    for (const u of users)
      for (const host of u.policy.hosts)
        for (const p of u.paths)
          if (!covered.has(locationKey(host, p)))
            unsupported(
              first.owner,
              first.annotations[`${NGINX}canary-weight`] !== undefined ? 'split.weighted' : 'match.header',
              `nginx attaches this canary to the Service port ${upstream}, which ${u.owner} also routes ${host}${p.path} to: that route would take the canary too. Use another Service port for one of them`,
            );
    const affinity = new Set(
      users.map((u) =>
        JSON.stringify([
          u.annotations[`${NGINX}affinity`],
          u.annotations[`${NGINX}session-cookie-name`],
          u.annotations[`${NGINX}session-cookie-max-age`],
        ]),
      ),
    );
    if (affinity.size > 1)
      unsupported(
        `${users[1]!.owner}.sessionAffinity`,
        'session-affinity',
        `nginx keeps session affinity per Service port (${upstream}): give every rule using it the same sessionAffinity`,
      );
  }
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
