/**
 * What every add-on and controller declares it needs on the network, as typed catalog data, and the
 * NetworkPolicies derived from it: each platform namespace gets a default deny (ingress and egress) and one
 * allow policy per component holding exactly the edges its needs resolve to. {@link declaredEdges} and
 * {@link policyEdges} state those edges as plain tuples, so a test can show the policies allow nothing
 * else. Pure.
 */
import { arr, str } from '../core/strict';
import { InvalidPropertyError } from '../core/validate';
import type { KubeObject } from '../routing/types';
import { checkCidr } from '../routing/values';
import { ADDON_NETWORK } from './addon-network-catalog';
import { assertList, assertOptions, NETWORK_CONTEXT_SPEC, RELEASE_SPEC } from './schema';

export { ADDON_NETWORK };

/** One thing a component needs on the network. */
export type NetworkNeed =
  /** Egress to the Kubernetes API server (TCP 443 and 6443). */
  | { readonly kind: 'api-server' }
  /** Ingress from the API server to an admission or conversion webhook listening on `port`. */
  | { readonly kind: 'webhook'; readonly port: number }
  /** Egress to addresses outside the cluster (ACME, cloud APIs) on these TCP ports. */
  | { readonly kind: 'internet'; readonly ports: readonly number[]; readonly reason: string }
  /** Egress to the cluster DNS (UDP and TCP 53). */
  | { readonly kind: 'dns' }
  /** Ingress from any pod of the cluster (the scraper's namespace is not known) to the metrics port. */
  | { readonly kind: 'metrics'; readonly port: number }
  /** Ingress from anywhere to the data-plane ports (Service ports and the proxy's container ports). */
  | { readonly kind: 'data-plane'; readonly ports: readonly number[] }
  /** Egress to pods of any namespace on any port: the proxies forward to the routes' backends. */
  | { readonly kind: 'backends' }
  /** Ingress from pods of the same namespace on these ports (a control plane the proxies connect to). */
  | { readonly kind: 'from-namespace'; readonly ports: readonly number[]; readonly protocol?: 'TCP' | 'UDP' }
  /** Egress to pods of the same namespace on these ports (TCP unless `protocol` says UDP). */
  | { readonly kind: 'to-namespace'; readonly ports: readonly number[]; readonly protocol?: 'TCP' | 'UDP' }
  /** Egress to pods of any namespace on any port: Prometheus scrapes what ServiceMonitors and PodMonitors name. */
  | { readonly kind: 'scrape' }
  /** Egress to the nodes' addresses on these ports (the kubelet, host-network exporters). */
  | { readonly kind: 'nodes'; readonly ports: readonly number[] }
  /** Ingress from pods of any namespace on these ports (a UI behind a route, an API every namespace calls). */
  | { readonly kind: 'clients'; readonly ports: readonly number[] }
  /** Ingress from the pods with these labels, in any namespace, on these ports. */
  | {
      readonly kind: 'from-pods';
      readonly podLabels: Readonly<Record<string, string>>;
      readonly ports: readonly number[];
    }
  /** Egress to the pods with these labels, in any namespace, on these ports. */
  | {
      readonly kind: 'to-pods';
      readonly podLabels: Readonly<Record<string, string>>;
      readonly ports: readonly number[];
    };

/** One set of pods of an add-on and what they need. */
export interface NetworkComponent {
  /** Names the component's allow policy (`<release>-<name>`). */
  readonly name: string;
  /** Labels of the component's pods; `{}` selects every pod of the namespace. */
  readonly podLabels: Readonly<Record<string, string>>;
  readonly needs: readonly NetworkNeed[];
}

/** What an add-on's pods need on the network, as the catalog declares it. */
export interface AddonNetworkProfile {
  readonly components: readonly NetworkComponent[];
  /** Pods on the host network, to which NetworkPolicy does not apply, and why they are there. */
  readonly hostNetwork?: string;
}

/** Where the API server is: its endpoint CIDRs when known, otherwise any address on its ports. */
export interface NetworkContext {
  /**
   * The API server's addresses as CIDRs. On most clusters the endpoint is outside the pod CIDRs (EKS's
   * control-plane ENIs, k3s servers' host addresses), so a pod selector cannot reach it.
   * @default ['0.0.0.0/0'] (unknown: any address, on TCP 443 and 6443 only)
   */
  readonly apiServerCidrs?: readonly string[];
  /**
   * The nodes' addresses as CIDRs, for what reaches the kubelet and host-network exporters.
   * @default ['0.0.0.0/0'] (unknown: any address, on the declared ports only)
   */
  readonly nodeCidrs?: readonly string[];
  /**
   * The cluster DNS pods.
   * @default { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } }
   */
  readonly dns?: { readonly namespace: string; readonly podLabels: Readonly<Record<string, string>> };
}

/** One allowed connection: direction, the peer (as the NetworkPolicy writes it), protocol and port. */
export interface Edge {
  readonly direction: 'ingress' | 'egress';
  /** Canonical JSON of the NetworkPolicyPeer. */
  readonly peer: string;
  readonly protocol: 'TCP' | 'UDP';
  /** `'*'`: every port. */
  readonly port: number | '*';
}

type Peer = Record<string, unknown>;
interface PeerRule {
  readonly direction: 'ingress' | 'egress';
  readonly peers: readonly Peer[];
  /** Empty: every port. */
  readonly ports: readonly { protocol: 'TCP' | 'UDP'; port: number }[];
}

const NS = 'kubernetes.io/metadata.name';
const tcp = (ports: readonly number[], protocol: 'TCP' | 'UDP' = 'TCP') => ports.map((port) => ({ protocol, port }));
const podsAnywhere = (labels: Readonly<Record<string, string>>): Peer => ({
  namespaceSelector: {},
  podSelector: { matchLabels: { ...labels } },
});
const anywhere: Peer = { ipBlock: { cidr: '0.0.0.0/0' } };

function checkedCidrs(property: string, given: readonly string[] | undefined, what: string): Peer[] {
  const cidrs = given ?? ['0.0.0.0/0'];
  if (cidrs.length === 0)
    throw new InvalidPropertyError(
      property,
      `'${property}' is empty: give the ${what} CIDRs, or leave it out to allow any address on the declared ports`,
    );
  cidrs.forEach((cidr, i) => {
    const problem = checkCidr(cidr);
    if (problem)
      throw new InvalidPropertyError(`${property}[${i}]`, `'${property}[${i}]' (${JSON.stringify(cidr)}) ${problem}`);
  });
  return cidrs.map((cidr): Peer => ({ ipBlock: { cidr } }));
}

function resolve(context: NetworkContext) {
  const dns = context.dns ?? { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } };
  return {
    apiServer: checkedCidrs('apiServerCidrs', context.apiServerCidrs, "API server's"),
    nodes: checkedCidrs('nodeCidrs', context.nodeCidrs, "nodes'"),
    dns: {
      namespaceSelector: { matchLabels: { [NS]: dns.namespace } },
      podSelector: { matchLabels: { ...dns.podLabels } },
    },
  };
}

function assertPorts(what: string, ports: readonly number[]): void {
  ports.forEach((port, i) => {
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new InvalidPropertyError(`${what}[${i}]`, `'${what}[${i}]' (${port}) must be a port from 1 to 65535`);
  });
}

/** The rules a component's needs resolve to, in the order the needs are declared. */
function rulesOf(needs: readonly NetworkNeed[], context: NetworkContext): PeerRule[] {
  const r = resolve(context);
  return needs.map((need): PeerRule => {
    switch (need.kind) {
      case 'api-server':
        return { direction: 'egress', peers: r.apiServer, ports: tcp([443, 6443]) };
      case 'webhook':
        assertPorts('webhook.port', [need.port]);
        return { direction: 'ingress', peers: r.apiServer, ports: tcp([need.port]) };
      case 'internet':
        assertPorts('internet.ports', need.ports);
        return { direction: 'egress', peers: [anywhere], ports: tcp(need.ports) };
      case 'dns':
        return {
          direction: 'egress',
          peers: [r.dns],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        };
      case 'metrics':
        assertPorts('metrics.port', [need.port]);
        return { direction: 'ingress', peers: [{ namespaceSelector: {} }], ports: tcp([need.port]) };
      case 'data-plane':
        assertPorts('data-plane.ports', need.ports);
        return { direction: 'ingress', peers: [anywhere], ports: tcp(need.ports) };
      case 'backends':
        return { direction: 'egress', peers: [{ namespaceSelector: {} }], ports: [] };
      case 'from-namespace':
        assertPorts('from-namespace.ports', need.ports);
        return { direction: 'ingress', peers: [{ podSelector: {} }], ports: tcp(need.ports, need.protocol) };
      case 'to-namespace':
        assertPorts('to-namespace.ports', need.ports);
        return { direction: 'egress', peers: [{ podSelector: {} }], ports: tcp(need.ports, need.protocol) };
      case 'scrape':
        return { direction: 'egress', peers: [{ namespaceSelector: {} }], ports: [] };
      case 'nodes':
        assertPorts('nodes.ports', need.ports);
        return { direction: 'egress', peers: r.nodes, ports: tcp(need.ports) };
      case 'clients':
        assertPorts('clients.ports', need.ports);
        return { direction: 'ingress', peers: [{ namespaceSelector: {} }], ports: tcp(need.ports) };
      case 'from-pods':
        assertPorts('from-pods.ports', need.ports);
        return { direction: 'ingress', peers: [podsAnywhere(need.podLabels)], ports: tcp(need.ports) };
      case 'to-pods':
        assertPorts('to-pods.ports', need.ports);
        return { direction: 'egress', peers: [podsAnywhere(need.podLabels)], ports: tcp(need.ports) };
      default:
        throw new InvalidPropertyError(
          'needs[].kind',
          `'needs[].kind' (${JSON.stringify((need as { kind: unknown }).kind)}) is not a network need: use api-server, webhook, internet, dns, metrics, data-plane, backends, from-namespace, to-namespace, scrape, nodes, clients, from-pods or to-pods`,
        );
    }
  });
}

/** Canonical JSON: keys sorted at every level, so equal peers compare equal. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

const edgeKey = (e: Edge) => `${e.direction} ${e.peer} ${e.protocol} ${e.port}`;
function uniqueEdges(edges: readonly Edge[]): Edge[] {
  const byKey = new Map(edges.map((e) => [edgeKey(e), e]));
  return [...byKey.keys()].sort().map((k) => byKey.get(k)!);
}

function edgesOfRules(rules: readonly PeerRule[]): Edge[] {
  return uniqueEdges(
    rules.flatMap((rule) =>
      rule.peers.flatMap((peer) =>
        (rule.ports.length ? rule.ports : [{ protocol: 'TCP' as const, port: '*' as const }]).map(
          (p): Edge => ({ direction: rule.direction, peer: canonical(peer), protocol: p.protocol, port: p.port }),
        ),
      ),
    ),
  );
}

/** The edges a component's declared needs allow, deduplicated and sorted. */
export function declaredEdges(needs: readonly NetworkNeed[], context: NetworkContext = {}): Edge[] {
  return edgesOfRules(rulesOf(needs, context));
}

/** The edges NetworkPolicies allow, read back from their rules (a rule without ports allows every port). */
export function policyEdges(policies: readonly KubeObject[]): Edge[] {
  const rules: PeerRule[] = [];
  for (const policy of policies) {
    const spec = (policy as { spec?: Record<string, unknown> }).spec ?? {};
    for (const direction of ['ingress', 'egress'] as const) {
      for (const rule of (spec[direction] as Record<string, unknown>[] | undefined) ?? []) {
        rules.push({
          direction,
          peers: (rule[direction === 'ingress' ? 'from' : 'to'] as Peer[] | undefined) ?? [{}],
          ports: (rule.ports as { protocol: 'TCP' | 'UDP'; port: number }[] | undefined) ?? [],
        });
      }
    }
  }
  return edgesOfRules(rules);
}

const policy = (name: string, namespace: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'switchyard' } },
  spec,
});

/** The default deny of a namespace: every pod selected, no rule, so nothing in or out. */
export function defaultDenyPolicy(namespace: string): KubeObject {
  return policy('default-deny', namespace, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
}

/** One component's allow policy: its pods, and a rule per declared need. */
export function componentPolicy(
  release: string,
  namespace: string,
  component: NetworkComponent,
  context: NetworkContext = {},
): KubeObject {
  const rules = rulesOf(component.needs, context);
  const side = (direction: 'ingress' | 'egress') =>
    rules
      .filter((r) => r.direction === direction)
      .map((r) => ({
        [direction === 'ingress' ? 'from' : 'to']: r.peers.map((p) => structuredClone(p)),
        ...(r.ports.length ? { ports: r.ports.map((p) => ({ ...p })) } : {}),
      }));
  return policy(`${release}-${component.name}`, namespace, {
    podSelector: Object.keys(component.podLabels).length ? { matchLabels: { ...component.podLabels } } : {},
    policyTypes: ['Ingress', 'Egress'],
    ingress: side('ingress'),
    egress: side('egress'),
  });
}

/** The profile the catalog declares for a release; a release it does not know is an error. */
export function addonNetworkProfile(release: string): AddonNetworkProfile {
  const profile = ADDON_NETWORK[release];
  if (!profile)
    throw new InvalidPropertyError(
      'release',
      `release '${release}' declares no network needs: add it to ADDON_NETWORK (constructs/ingress/addon-network-policies.ts)`,
    );
  return profile;
}

/**
 * The NetworkPolicies of the platform's namespaces: for each namespace, a default deny and the allow
 * policy of every component of every release installed there (of its `networkProfile` when set, a profile
 * whose needs depend on its options, else of its name). `namespaces` lists every namespace the
 * platform creates (a namespace without releases, like the Gateway's, gets the default deny only).
 */
export function addonNetworkPolicies(
  namespaces: readonly string[],
  releases: readonly { readonly name: string; readonly namespace: string; readonly networkProfile?: string }[],
  context: NetworkContext = {},
): KubeObject[] {
  assertList(arr(str()), namespaces, 'namespaces');
  assertList(arr(RELEASE_SPEC), releases, 'releases');
  assertOptions(NETWORK_CONTEXT_SPEC, context, 'context');
  resolve(context); // checks the CIDRs even where no release is installed
  return namespaces.flatMap((namespace) => [
    defaultDenyPolicy(namespace),
    ...releases
      .filter((r) => r.namespace === namespace)
      .flatMap((r) =>
        addonNetworkProfile(r.networkProfile ?? r.name).components.map((c) =>
          componentPolicy(r.name, namespace, c, context),
        ),
      ),
  ]);
}
