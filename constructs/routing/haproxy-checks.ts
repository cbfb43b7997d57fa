/**
 * Cross-rule checks of the HAProxy dialect: what the haproxytech controller shares between Ingresses
 * and Services, so that one rule's settings cannot leak into another's traffic. Pure.
 *
 * - A Service with `route-acl` turns EVERY Ingress path that names it into a `use_backend ... if`
 *   rule inserted before the map-based switching (pkg/ingress/ingress.go handlePath, pkg/route/route.go
 *   AddCustomRoute: BackendSwitchingRuleCreate(0, ...)); those rules run in no defined order (the
 *   controller walks Go maps of namespaces, Ingresses and paths).
 * - The http-request rules of an Ingress (redirects, allow lists, headers, rewrites) apply to the
 *   requests whose map lookup returned that Ingress's rule IDs (pkg/haproxy/rules/main.go: the
 *   `{ var(txn.path_match) -m dom <id> }` condition), so canary traffic gets the settings of the rule
 *   the map matched for its path, not its own.
 * - A backend is one per Service and port (pkg/service/service.go GetBackendName) and takes its
 *   annotations (timeout-server, server-ssl, server-proto) from whichever Ingress was processed last.
 */
import { UnsupportedFeatureError } from './errors';
import type { Dialect } from './types';

/** One Ingress path the HAProxy compiler emits, with what the controller will make of it. */
export interface HaproxyEntry {
  /** 'policy.rules[i]'. */
  readonly at: string;
  readonly host: string;
  readonly path: { readonly type: 'Exact' | 'PathPrefix'; readonly value: string };
  readonly namespace: string;
  readonly service: string;
  readonly port: number;
  /** The route-acl this entry needs on its Service; undefined for a map entry. */
  readonly acl?: string;
  /** The cookie-persistence this entry needs on its Service. */
  readonly cookie?: string;
  /** The Ingress annotations that become http-request/response rules (everything but the backend ones). */
  readonly frontend: Readonly<Record<string, string>>;
  /** The annotations the controller reads for the backend (timeout-server, server-ssl, server-proto). */
  readonly backend: Readonly<Record<string, string>>;
  /** Whether the policy passes TLS through. */
  readonly passthrough: boolean;
}

const SUPPORTED_BY: readonly Dialect[] = ['gateway-api', 'traefik'];

function refuse(path: string, feature: string, detail: string): never {
  throw new UnsupportedFeatureError(path, feature, 'haproxy', SUPPORTED_BY, detail);
}

const trim = (p: string) => p.replace(/\/+$/, '') || '/';

/** Whether every request path `inner` accepts is also accepted by `outer` (segment-wise prefixes). */
export function covers(outer: HaproxyEntry['path'], inner: HaproxyEntry['path']): boolean {
  if (outer.type === 'Exact') return inner.type === 'Exact' && inner.value === outer.value;
  const o = trim(outer.value);
  const i = trim(inner.value);
  return o === '/' || i === o || i.startsWith(`${o}/`);
}

/** Whether some request path is accepted by both. */
function overlaps(a: HaproxyEntry['path'], b: HaproxyEntry['path']): boolean {
  return covers(a, b) || covers(b, a);
}

/** Gateway API path precedence: Exact, then the longer prefix. */
function moreSpecific(a: HaproxyEntry['path'], b: HaproxyEntry['path']): boolean {
  if (a.type !== b.type) return a.type === 'Exact';
  return a.type === 'PathPrefix' && trim(a.value).length > trim(b.value).length;
}

/** The hosts whose traffic the custom route of `host` also takes: `var(txn.host) -m end <suffix>`. */
function aclCoversHost(aclHost: string, host: string): boolean {
  if (!aclHost.startsWith('*.')) return aclHost === host;
  return host === aclHost || host.endsWith(aclHost.slice(1));
}

const same = (a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>) =>
  JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

/** Refuses what the controller would route differently from the policies. */
export function checkHaproxyEntries(entries: readonly HaproxyEntry[]): void {
  const canaries = entries.filter((e) => e.acl !== undefined);
  const plain = entries.filter((e) => e.acl === undefined);
  for (const c of canaries) {
    for (const e of entries) {
      if (e === c || !aclCoversHost(c.host, e.host)) continue;
      if (e.acl !== undefined) {
        if (e.at !== c.at && overlaps(c.path, e.path))
          refuse(
            c.at,
            'match.header',
            `${c.at} and ${e.at} both need a route-acl for ${e.host} ${e.path.value}; the controller orders route-acl rules arbitrarily, so a request both accept may go to either`,
          );
        continue;
      }
      // Whatever the paths: the exact host owns all its requests (those its rules miss get 404), and a
      // suffix-matching route-acl evaluated before the host map would take some of them.
      if (e.host !== c.host)
        refuse(
          c.at,
          'match.header',
          `the route-acl of wildcard host ${c.host} also matches ${e.host} (it is a suffix match, evaluated before the host map), and would take traffic of ${e.at}`,
        );
      if (e.host === c.host && covers(c.path, e.path) && moreSpecific(e.path, c.path))
        refuse(
          c.at,
          c.acl!.startsWith('rand(') ? 'split.weighted' : 'match.header',
          `a route-acl rule is evaluated before the path maps, so this canary on ${c.path.value} would take the requests of the more specific ${e.at} (${e.path.type} ${e.path.value}); give the split its own path or move the other rule to another host`,
        );
    }
    // The settings canary traffic gets are those of the map entry its path falls into.
    const primary = plain
      .filter((e) => e.host === c.host && covers(e.path, c.path))
      .sort((a, b) => (moreSpecific(a.path, b.path) ? -1 : moreSpecific(b.path, a.path) ? 1 : 0))[0];
    if (primary ? !same(primary.frontend, c.frontend) : Object.keys(c.frontend).length > 0)
      refuse(
        c.at,
        'match.header',
        primary
          ? `HAProxy applies the Ingress settings of ${primary.at} (the rule its path falls into) to this canary's traffic; give both rules the same settings`
          : `HAProxy applies a rule's Ingress settings only to requests a path map entry matched; add a rule without header, cookie or method match on ${c.path.value}, or drop this rule's settings`,
      );
  }
  // A host with route-acl entries only is not in the host map (AddCustomRoute writes none), so the
  // map lookup falls back to a one-label wildcard's entries (controller.go setupHAProxyRules).
  for (const c of canaries) {
    if (c.host.startsWith('*.') || plain.some((e) => e.host === c.host)) continue;
    const parent = `*${c.host.slice(c.host.indexOf('.'))}`;
    const wild = plain.find((e) => e.host === parent);
    if (wild)
      refuse(
        c.at,
        'match.header',
        `${c.host} has only route-acl rules, which HAProxy keeps out of its host map: requests they do not take fall to the rules of ${parent} (${wild.at}); add a rule without header, cookie or method match for ${c.host}`,
      );
  }
  // Service-wide annotations: every path naming the Service gets them.
  for (const e of entries) {
    const acl = canaries.find((c) => c.namespace === e.namespace && c.service === e.service);
    if (acl && e.acl !== acl.acl)
      refuse(
        e.at,
        'split.weighted',
        `Service ${e.namespace}/${e.service} carries route-acl '${acl.acl}' for ${acl.at}, which would apply to this rule's path too; use a separate Service`,
      );
    const cookie = entries.find((o) => o.namespace === e.namespace && o.service === e.service && o.cookie);
    if (cookie && e.cookie !== cookie.cookie)
      refuse(
        e.at,
        'session-affinity',
        `Service ${e.namespace}/${e.service} carries cookie-persistence '${cookie.cookie}' for ${cookie.at}; the controller applies it to every rule that names the Service`,
      );
    const backend = entries.find((o) => o.namespace === e.namespace && o.service === e.service && o.port === e.port);
    if (backend && !same(backend.backend, e.backend))
      refuse(
        e.at,
        'timeouts.backend-request',
        `${backend.at} and ${e.at} need different backend settings (${JSON.stringify(backend.backend)} vs ${JSON.stringify(e.backend)}) on ${e.namespace}/${e.service}:${e.port}, which is one HAProxy backend configured by whichever Ingress comes last`,
      );
  }
  // With any passthrough Ingress, deny rules move from the https frontend to the TCP one (pkg/ingress/
  // ingress.go addRules), where terminated hosts never match: allow and deny lists would fail open.
  const through = entries.find((e) => e.passthrough);
  const listed = entries.find((e) => e.frontend['haproxy.org/allow-list'] || e.frontend['haproxy.org/deny-list']);
  if (through && listed)
    refuse(
      listed.at,
      'ip.allow',
      `with a passthrough policy (${through.at}) on the same controller, HAProxy evaluates allow and deny lists on its TCP frontend only, where HTTPS requests to terminated hosts never match them`,
    );
}
