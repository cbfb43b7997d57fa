/**
 * Gateway API entry points: a GatewayClass and a Gateway with HTTP, HTTPS and TLS-passthrough
 * listeners. Routes attach from namespaces that carry the Gateway's label. Pure: no engine imports.
 */
import { assertDnsLabel, InvalidPropertyError } from '../core/validate';
import type { KubeObject } from '../routing/types';
import { assertOptions, GATEWAY_OPTIONS_SPEC } from './schema';

/** A certificate Secret a Gateway listener serves (what `gatewayCertificateRefs` returns). */
export interface CertificateRef {
  readonly name: string;
  readonly namespace: string;
  /** @default 'Secret' (the only kind accepted) */
  readonly kind?: 'Secret';
}

/** The label a namespace needs for its routes to attach to a Gateway (value: the Gateway's name). */
export const GATEWAY_ACCESS_LABEL = 'switchyard.io/gateway';

/** Options of {@link buildGateway}. */
export interface GatewayOptions {
  /** Gateway name (DNS-1035 label). */
  readonly name: string;
  /** Namespace of the Gateway. */
  readonly namespace: string;
  /** GatewayClass the Gateway belongs to. */
  readonly gatewayClassName: string;
  /**
   * Certificate Secrets for the HTTPS listener; without any, the Gateway has no HTTPS listener.
   * @default []
   */
  readonly certificateRefs?: readonly CertificateRef[];
  /**
   * Adds a TLS listener in Passthrough mode, named 'tls-passthrough', on port 8443.
   * @default false
   */
  readonly tlsPassthrough?: boolean;
}

/** A GatewayClass served by `controllerName`. */
export function buildGatewayClass(name: string, controllerName: string): KubeObject {
  assertDnsLabel('name', name);
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GatewayClass',
    metadata: { name },
    spec: { controllerName },
  };
}

/** A Gateway whose listeners accept routes only from namespaces labelled `switchyard.io/gateway: <name>`. */
export function buildGateway(options: GatewayOptions): KubeObject {
  assertOptions(GATEWAY_OPTIONS_SPEC, options);
  assertDnsLabel('name', options.name);
  assertDnsLabel('namespace', options.namespace);
  const refs = options.certificateRefs ?? [];
  const unique = new Map(refs.map((r) => [`${r.namespace}/${r.name}`, r]));
  if (unique.size !== refs.length) {
    throw new InvalidPropertyError('certificateRefs', `'certificateRefs' lists a Secret twice: list each once`);
  }
  const allowedRoutes = {
    namespaces: { from: 'Selector', selector: { matchLabels: { [GATEWAY_ACCESS_LABEL]: options.name } } },
  };
  const listeners: Record<string, unknown>[] = [{ name: 'http', protocol: 'HTTP', port: 80, allowedRoutes }];
  if (unique.size > 0) {
    listeners.push({
      name: 'https',
      protocol: 'HTTPS',
      port: 443,
      tls: {
        mode: 'Terminate',
        certificateRefs: [...unique.values()].map((r) => ({
          group: '',
          kind: 'Secret',
          name: r.name,
          namespace: r.namespace,
        })),
      },
      allowedRoutes,
    });
  }
  if (options.tlsPassthrough) {
    listeners.push({
      name: 'tls-passthrough',
      protocol: 'TLS',
      port: 8443,
      tls: { mode: 'Passthrough' },
      allowedRoutes: { ...allowedRoutes, kinds: [{ kind: 'TLSRoute' }] },
    });
  }
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: options.name, namespace: options.namespace },
    spec: { gatewayClassName: options.gatewayClassName, listeners },
  };
}
