/**
 * A typed model of OpenShift's Route (route.openshift.io/v1), written from its API types
 * (openshift/api route/v1/types.go): fields, enums, bounds and the CEL rules the API server enforces. Pure.
 */
import { any, arr, int, obj, objectMeta, type Schema, str } from './structural';

const DNS_NAME =
  /^([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]{0,61}[a-zA-Z0-9])(\.([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]{0,61}[a-zA-Z0-9]))*$/;
const target = obj({ kind: str({ enum: ['Service', ''] }), name: str({ minLength: 1 }), weight: int(0, 256) }, [
  'kind',
  'name',
]);
const headerAction = obj(
  {
    name: str({ pattern: /^[-!#$%&'*+.0-9A-Z^_`a-z|~]+$/ }),
    action: obj({ type: str({ enum: ['Set', 'Delete'] }), set: obj({ value: str({ minLength: 1 }) }, ['value']) }, [
      'type',
    ]),
  },
  ['name', 'action'],
);

export const ROUTE: Schema = obj(
  {
    apiVersion: str({ enum: ['route.openshift.io/v1'] }),
    kind: str({ enum: ['Route'] }),
    metadata: objectMeta,
    spec: obj(
      {
        host: str({ pattern: DNS_NAME }),
        subdomain: str({ pattern: DNS_NAME }),
        path: str({ pattern: /^\// }),
        to: target,
        alternateBackends: arr(target, 0, 3),
        port: obj({ targetPort: any }, ['targetPort']),
        tls: obj(
          {
            termination: str({ enum: ['edge', 'reencrypt', 'passthrough'] }),
            certificate: str(),
            key: str(),
            caCertificate: str(),
            destinationCACertificate: str(),
            insecureEdgeTerminationPolicy: str({ enum: ['Allow', 'None', 'Redirect', ''] }),
            externalCertificate: obj({ name: str() }),
          },
          ['termination'],
        ),
        wildcardPolicy: str({ enum: ['None', 'Subdomain', ''] }),
        httpHeaders: obj({ actions: obj({ request: arr(headerAction, 0, 20), response: arr(headerAction, 0, 20) }) }),
      },
      ['to'],
    ),
    status: any,
  },
  ['apiVersion', 'kind', 'metadata', 'spec'],
);

const FORBIDDEN_HEADERS = ['strict-transport-security', 'proxy', 'cookie', 'set-cookie'];

/** The API server's CEL rules for Route, and the int-or-string targetPort. */
export function routeRules(object: unknown): string[] {
  const spec = ((object as { spec?: unknown }).spec ?? {}) as {
    tls?: {
      termination?: string;
      insecureEdgeTerminationPolicy?: string;
      certificate?: string;
      externalCertificate?: unknown;
    };
    httpHeaders?: {
      actions?: {
        request?: { name: string; action: { type: string; set?: unknown } }[];
        response?: { name: string; action: { type: string; set?: unknown } }[];
      };
    };
    port?: { targetPort?: unknown };
  };
  const errors: string[] = [];
  const tls = spec.tls;
  if (tls?.termination === 'passthrough' && tls.insecureEdgeTerminationPolicy === 'Allow')
    errors.push('/spec/tls cannot have termination passthrough with insecureEdgeTerminationPolicy Allow');
  if (tls?.certificate !== undefined && tls.externalCertificate !== undefined)
    errors.push('/spec/tls cannot have both certificate and externalCertificate');
  if (tls?.termination === 'passthrough' && spec.httpHeaders)
    errors.push('/spec/httpHeaders: header actions are not permitted when tls termination is passthrough');
  for (const side of ['request', 'response'] as const) {
    (spec.httpHeaders?.actions?.[side] ?? []).forEach((h, i) => {
      if (FORBIDDEN_HEADERS.includes(h.name.toLowerCase()))
        errors.push(`/spec/httpHeaders/actions/${side}/${i}/name: ${h.name} may not be modified via header actions`);
      if ((h.action.type === 'Set') !== (h.action.set !== undefined))
        errors.push(
          `/spec/httpHeaders/actions/${side}/${i}/action: set is required when type is Set, and forbidden otherwise`,
        );
    });
  }
  const port = spec.port?.targetPort;
  if (
    port !== undefined &&
    !(typeof port === 'string'
      ? port.length > 0
      : Number.isInteger(port) && (port as number) > 0 && (port as number) < 65536)
  ) {
    errors.push('/spec/port/targetPort must be a port number or a port name');
  }
  return errors;
}
