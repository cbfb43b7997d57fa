/**
 * A typed model of Contour's HTTPProxy (projectcontour.io/v1), written from its API reference
 * (apis/projectcontour/v1/httpproxy.go, Contour 1.33). It covers the fields a routing compiler emits,
 * with their enums and bounds; an unknown field is an error. Pure.
 */
import { any, arr, bool, int, obj, objectMeta, type Schema, str } from './structural';

const GO_DURATION = /^((\d*(\.\d*)?(h|m|s|ms|us|µs|ns))+|infinity|infinite)$/;
const headerValue = obj({ name: str({ minLength: 1 }), value: str() }, ['name', 'value']);
const headersPolicy = obj({ set: arr(headerValue), remove: arr(str()) });
const ipFilter = arr(
  obj({ source: str({ enum: ['Peer', 'Remote'] }), cidr: str({ minLength: 1 }) }, ['source', 'cidr']),
);
const rateLimitPolicy = obj({
  local: obj(
    {
      requests: int(1),
      unit: str({ enum: ['second', 'minute', 'hour'] }),
      burst: int(0),
      responseStatusCode: int(400, 599),
      responseHeadersToAdd: arr(headerValue),
    },
    ['requests', 'unit'],
  ),
  global: any,
});
const matchCondition = obj({
  prefix: str({ pattern: /^\// }),
  exact: str({ pattern: /^\// }),
  regex: str({ pattern: /^\// }),
  header: obj(
    {
      name: str({ minLength: 1 }),
      present: bool,
      notpresent: bool,
      contains: str(),
      notcontains: str(),
      ignoreCase: bool,
      exact: str(),
      notexact: str(),
      regex: str(),
      treatMissingAsEmpty: bool,
    },
    ['name'],
  ),
  queryParameter: obj(
    {
      name: str({ minLength: 1 }),
      exact: str(),
      prefix: str(),
      suffix: str(),
      regex: str(),
      contains: str(),
      present: bool,
      ignoreCase: bool,
    },
    ['name'],
  ),
});
const service = obj(
  {
    name: str({ minLength: 1 }),
    port: int(1, 65536),
    healthPort: int(1, 65535),
    protocol: str({ enum: ['h2', 'h2c', 'tls'] }),
    weight: int(0),
    validation: obj({ caSecret: str(), subjectName: str(), subjectNames: arr(str()) }),
    mirror: bool,
    requestHeadersPolicy: headersPolicy,
    responseHeadersPolicy: headersPolicy,
  },
  ['name', 'port'],
);
const route = obj({
  conditions: arr(matchCondition),
  services: arr(service),
  enableWebsockets: bool,
  permitInsecure: bool,
  timeoutPolicy: obj({
    response: str({ pattern: GO_DURATION }),
    idle: str({ pattern: GO_DURATION }),
    idleConnection: str({ pattern: GO_DURATION }),
  }),
  retryPolicy: obj(
    {
      count: int(-1),
      perTryTimeout: str({ pattern: GO_DURATION }),
      retryOn: arr(
        str({
          enum: [
            '5xx',
            'gateway-error',
            'reset',
            'reset-before-request',
            'connect-failure',
            'envoy-ratelimited',
            'retriable-4xx',
            'refused-stream',
            'retriable-status-codes',
            'retriable-headers',
            'http3-post-connect-failure',
            'cancelled',
            'deadline-exceeded',
            'internal',
            'resource-exhausted',
            'unavailable',
          ],
        }),
      ),
      retriableStatusCodes: arr(int(100, 599)),
    },
    ['count'],
  ),
  loadBalancerPolicy: obj({
    strategy: str({ enum: ['Random', 'RoundRobin', 'WeightedLeastRequest', 'Cookie', 'RequestHash'] }),
    requestHashPolicies: any,
  }),
  pathRewritePolicy: obj({
    replacePrefix: arr(obj({ prefix: str({ minLength: 1 }), replacement: str({ minLength: 1 }) }, ['replacement'])),
  }),
  requestHeadersPolicy: headersPolicy,
  responseHeadersPolicy: headersPolicy,
  rateLimitPolicy,
  requestRedirectPolicy: obj({
    scheme: str({ enum: ['http', 'https'] }),
    hostname: str({ pattern: /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/ }),
    port: int(1, 65535),
    statusCode: { type: 'integer', minimum: 301, maximum: 308 },
    path: str({ pattern: /^\// }),
    prefix: str({ pattern: /^\// }),
  }),
  ipAllowPolicy: ipFilter,
  ipDenyPolicy: ipFilter,
  // HTTPDirectResponsePolicy (apis/projectcontour/v1/httpproxy.go): Envoy answers itself.
  directResponsePolicy: obj({ statusCode: int(200, 599), body: str() }, ['statusCode']),
});

const spec = obj({
  virtualhost: obj(
    {
      fqdn: str({ pattern: /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/ }),
      tls: obj({
        secretName: str(),
        minimumProtocolVersion: str({ enum: ['1.2', '1.3'] }),
        maximumProtocolVersion: str({ enum: ['1.2', '1.3'] }),
        passthrough: bool,
        enableFallbackCertificate: bool,
      }),
      corsPolicy: obj(
        {
          allowCredentials: bool,
          allowOrigin: arr(str(), 1),
          allowMethods: arr(str(), 1),
          allowHeaders: arr(str()),
          exposeHeaders: arr(str()),
          maxAge: str(),
          allowPrivateNetwork: bool,
        },
        ['allowOrigin', 'allowMethods'],
      ),
      rateLimitPolicy,
      ipAllowPolicy: ipFilter,
      ipDenyPolicy: ipFilter,
    },
    ['fqdn'],
  ),
  routes: arr(route),
  tcpproxy: obj({ services: arr(service, 1) }, ['services']),
  includes: arr(obj({ name: str({ minLength: 1 }), namespace: str(), conditions: arr(matchCondition) }, ['name'])),
  ingressClassName: str(),
});

/** The HTTPProxy model; `virtualhost` only on roots, and at least routes, includes or a tcpproxy. */
export const HTTP_PROXY: Schema = obj(
  {
    apiVersion: str({ enum: ['projectcontour.io/v1'] }),
    kind: str({ enum: ['HTTPProxy'] }),
    metadata: objectMeta,
    spec,
    status: any,
  },
  ['apiVersion', 'kind', 'metadata', 'spec'],
);

/** Checks the rules the CRD states in prose: one path condition per route, a root per fqdn. */
export function httpProxyRules(object: unknown): string[] {
  const spec = ((object as { spec?: unknown }).spec ?? {}) as {
    routes?: { conditions?: Record<string, unknown>[] }[];
    virtualhost?: { tls?: { passthrough?: boolean } };
    tcpproxy?: unknown;
    includes?: unknown[];
  };
  const errors: string[] = [];
  (spec.routes ?? []).forEach((r, i) => {
    const paths = (r.conditions ?? []).filter(
      (c) => c.prefix !== undefined || c.exact !== undefined || c.regex !== undefined,
    );
    if (paths.length > 1)
      errors.push(`/spec/routes/${i}/conditions may hold at most one prefix, exact or regex condition`);
    for (const c of r.conditions ?? []) {
      if ([c.prefix, c.exact, c.regex, c.header, c.queryParameter].filter((x) => x !== undefined).length !== 1) {
        errors.push(
          `/spec/routes/${i}/conditions: each condition sets exactly one of prefix, exact, regex, header, queryParameter`,
        );
      }
    }
  });
  if (!spec.routes?.length && !spec.includes?.length && !spec.tcpproxy)
    errors.push('/spec needs routes, includes or a tcpproxy');
  if (spec.virtualhost?.tls?.passthrough && spec.routes?.length)
    errors.push('/spec/routes must be empty with TLS passthrough (use tcpproxy)');
  return errors;
}
