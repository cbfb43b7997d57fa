/**
 * East-west policy for a namespace, from what the platform knows, as pure data: deny everything by default,
 * then let the ingress proxies reach the backends their routes name, let workloads reach the Services they
 * declare as dependencies (and be reached by them), and let every pod resolve names. Nothing else.
 */
import { assertProps } from '../core/strict';
import { assertDnsLabel, InvalidPropertyError } from '../core/validate';
import type { TrafficSource } from '../ingress/envoy-gateway';
import type { KubeObject, RoutingPolicy } from '../routing';
import { NAMESPACE_NETWORK_POLICY_PROPS_SPEC } from './schema';
import type { WorkloadEndpoint } from './workload';

/** Input of {@link namespaceNetworkPolicies}. */
export interface NamespaceNetworkPolicyProps {
  /** The namespace the policies protect. */
  readonly namespace: string;
  /** Its workloads (`WebApp.endpoint`, `StatefulApp.endpoint`, `ScheduledJob.endpoint`). */
  readonly workloads: readonly WorkloadEndpoint[];
  /** Routes whose backends live here; their proxies may reach those backends' ports. @default [] */
  readonly routes?: readonly RoutingPolicy[];
  /** The ingress proxies (`platformAddons(...).proxy`); required when `routes` name backends here. */
  readonly proxy?: TrafficSource;
  /**
   * The cluster DNS pods.
   * @default { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } }
   */
  readonly dns?: TrafficSource;
  /**
   * The Prometheus pods that scrape the workloads' `metricsPorts` (the metrics stack's).
   * @default - none: metrics ports are reached only as the other rules allow
   */
  readonly scraper?: TrafficSource;
}

const NAME = 'app.kubernetes.io/name';
const NS = 'kubernetes.io/metadata.name';
type Peer = Record<string, unknown>;
interface Rule {
  readonly peers: Peer[];
  readonly ports: number[];
}

const tcp = (ports: readonly number[]) =>
  [...new Set(ports)].sort((a, b) => a - b).map((port) => ({ protocol: 'TCP', port }));
const peerIn = (namespace: string, home: string, labels: Readonly<Record<string, string>>): Peer => ({
  ...(namespace === home ? {} : { namespaceSelector: { matchLabels: { [NS]: namespace } } }),
  podSelector: { matchLabels: { ...labels } },
});

/** Merges rules with the same peer, so each peer appears once with all its ports; sorted for stable output. */
function merge(rules: readonly Rule[]): { peer: Peer; ports: Record<string, unknown>[] }[] {
  const byPeer = new Map<string, { peer: Peer; ports: number[] }>();
  for (const rule of rules) {
    for (const peer of rule.peers) {
      const key = JSON.stringify(peer);
      const entry = byPeer.get(key) ?? { peer, ports: [] };
      entry.ports.push(...rule.ports);
      byPeer.set(key, entry);
    }
  }
  return (
    [...byPeer.entries()]
      // Code-point order: localeCompare ignores punctuation and would vary by locale.
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, { peer, ports }]) => ({ peer, ports: tcp(ports) }))
  );
}

/**
 * One default-deny policy for the namespace and one policy per workload (selecting it by its name label)
 * with exactly the ingress and egress it needs. Routes naming a Service that is not among the workloads
 * are an error, as are routes without a `proxy`.
 */
export function namespaceNetworkPolicies(props: NamespaceNetworkPolicyProps): KubeObject[] {
  assertProps(props, NAMESPACE_NETWORK_POLICY_PROPS_SPEC);
  const home = props.namespace;
  assertDnsLabel('namespace', home);
  const dns = props.dns ?? { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } };
  const byName = new Map(props.workloads.map((w) => [w.name, w]));
  const nsOf = (w: { readonly namespace?: string }) => w.namespace ?? home;
  const local = props.workloads.filter((w) => nsOf(w) === home);

  const ingress = new Map<string, Rule[]>(local.map((w) => [w.name, []]));
  for (const policy of props.routes ?? []) {
    for (const rule of policy.rules) {
      const refs = [...(rule.backends ?? []), ...(rule.mirror ? [rule.mirror.backend] : [])];
      for (const ref of refs) {
        if ((ref.namespace ?? policy.namespace ?? home) !== home) continue;
        const target = byName.get(ref.service);
        if (!target || nsOf(target) !== home) {
          throw new InvalidPropertyError(
            'routes',
            `route '${policy.name}' sends traffic to Service '${ref.service}', which is not one of the workloads of namespace '${home}': add its endpoint to 'workloads'`,
          );
        }
        if (!props.proxy) {
          throw new InvalidPropertyError(
            'proxy',
            `'proxy' is required: routes send traffic to '${ref.service}' through the ingress proxies`,
          );
        }
        ingress
          .get(target.name)!
          .push({ peers: [peerIn(props.proxy.namespace, home, props.proxy.podLabels)], ports: [ref.port] });
      }
    }
  }
  if (props.scraper) {
    for (const w of local) {
      if (w.metricsPorts?.length)
        ingress.get(w.name)!.push({
          peers: [peerIn(props.scraper.namespace, home, props.scraper.podLabels)],
          ports: [...w.metricsPorts],
        });
    }
  }
  const egress = new Map<string, Rule[]>(
    local.map((w) => [
      w.name,
      [
        ...w.dependencies.map((dep) => ({
          peers: [peerIn(dep.namespace ?? home, home, { [NAME]: dep.service })],
          ports: [dep.port],
        })),
      ],
    ]),
  );
  // A dependency on a workload here opens its ingress to the caller.
  for (const caller of props.workloads) {
    for (const dep of caller.dependencies) {
      if ((dep.namespace ?? nsOf(caller)) !== home) continue;
      const target = byName.get(dep.service);
      if (target && nsOf(target) === home) {
        ingress.get(target.name)!.push({ peers: [peerIn(nsOf(caller), home, caller.selector)], ports: [dep.port] });
      }
    }
  }

  const dnsRule = {
    to: [peerIn(dns.namespace, home, dns.podLabels)],
    ports: [
      { protocol: 'UDP', port: 53 },
      { protocol: 'TCP', port: 53 },
    ],
  };
  const policy = (name: string, spec: Record<string, unknown>): KubeObject => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: home, labels: { 'app.kubernetes.io/managed-by': 'switchyard' } },
    spec,
  });
  return [
    policy('default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    ...local.map((w) =>
      policy(w.name, {
        podSelector: { matchLabels: { [NAME]: w.selector[NAME] ?? w.name } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: merge(ingress.get(w.name)!).map((r) => ({ from: [r.peer], ports: r.ports })),
        egress: [dnsRule, ...merge(egress.get(w.name)!).map((r) => ({ to: [r.peer], ports: r.ports }))],
      }),
    ),
  ];
}
