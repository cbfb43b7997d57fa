/**
 * The one table of Pod Security exceptions: every platform namespace enforces `restricted`, except the
 * namespaces of the releases listed here, at the level and for the reason given. The Namespace carries the
 * release's name in {@link POD_SECURITY_EXCEPTION_LABEL}, and `switchyard check` prints the reason. Pure.
 */
import type { KubeObject } from '../routing/types';

/** A Pod Security level below `restricted` that a release's pods need, and why. */
export interface PodSecurityException {
  readonly level: 'baseline' | 'privileged';
  readonly reason: string;
}

/** Label on a Namespace naming the release whose exception it enforces. */
export const POD_SECURITY_EXCEPTION_LABEL = 'switchyard.io/pod-security-exception';

/** The exceptions by release name; a release not listed runs under `restricted`. */
export const POD_SECURITY_EXCEPTIONS: Readonly<Record<string, PodSecurityException>> = {
  metallb: {
    level: 'privileged',
    reason:
      'the MetalLB speaker runs on the host network with NET_RAW (ARP/NDP replies, BGP sessions), which only privileged admits',
  },
  haproxy: {
    level: 'baseline',
    reason:
      "the chart's controller container adds NET_BIND_SERVICE and allows privilege escalation by default, which restricted rejects",
  },
  contour: {
    level: 'baseline',
    reason: "the chart's Contour and Envoy pods are not yet checked against restricted; baseline until they are",
  },
  'ingress-nginx': {
    level: 'baseline',
    reason:
      'the controller adds NET_BIND_SERVICE to bind 80 and 443 in the pod; legacy and not checked against restricted (retired upstream)',
  },
  'prometheus-node-exporter': {
    level: 'privileged',
    reason:
      "the node exporter measures the node: host network, host PID namespace and the host's root filesystem (hostPath, read-only), which baseline refuses; it runs non-root with ALL capabilities dropped, alone in its namespace",
  },
  alloy: {
    level: 'privileged',
    reason:
      'the log agent reads /var/log/pods through a hostPath and keeps its positions in one, which baseline refuses; it runs as root only to read the root-owned log files, with ALL capabilities dropped, alone in its namespace',
  },
};

/** The Pod Security level a release's namespace enforces. */
export function podSecurityLevel(release: string): 'restricted' | 'baseline' | 'privileged' {
  return POD_SECURITY_EXCEPTIONS[release]?.level ?? 'restricted';
}

/** A namespace enforcing less than `restricted`, with the recorded exception (undefined: none recorded). */
export interface NamespaceException {
  readonly namespace: string;
  readonly level: string;
  readonly release?: string;
  readonly reason?: string;
}

/** The Namespaces among `objects` that enforce less than `restricted`, with their recorded exceptions. */
export function podSecurityExceptionsOf(objects: readonly unknown[]): NamespaceException[] {
  const out: NamespaceException[] = [];
  for (const o of objects as KubeObject[]) {
    if (o?.kind !== 'Namespace' || o.apiVersion !== 'v1') continue;
    const labels = (o.metadata?.labels ?? {}) as Record<string, string>;
    const level = labels['pod-security.kubernetes.io/enforce'] ?? 'privileged';
    if (level === 'restricted') continue;
    const release = labels[POD_SECURITY_EXCEPTION_LABEL];
    const recorded = release === undefined ? undefined : POD_SECURITY_EXCEPTIONS[release];
    out.push({
      namespace: o.metadata.name,
      level,
      ...(recorded && recorded.level === level ? { release, reason: recorded.reason } : {}),
    });
  }
  return out;
}

/** One info line per exception, as `switchyard check` prints them. */
export function renderPodSecurityExceptions(exceptions: readonly NamespaceException[]): string {
  return exceptions
    .map((e) =>
      e.reason
        ? `info: Namespace/${e.namespace} enforces Pod Security '${e.level}' (recorded exception for ${e.release}: ${e.reason})\n`
        : `info: Namespace/${e.namespace} enforces Pod Security '${e.level}' and no exception is recorded for it: label it restricted, or record why in POD_SECURITY_EXCEPTIONS\n`,
    )
    .join('');
}
