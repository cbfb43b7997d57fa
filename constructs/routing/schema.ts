/**
 * The declarative shapes of the routing contract (types.ts), one per interface, for the strict input
 * layer (core/strict.ts). `shapeOf<T>()` makes each shape's keys and optionality equal the
 * interface's at compile time, and the `SameKeys` assertions below restate it, so the two cannot
 * drift. Leaf checks reuse the messages of validate.ts. Pure.
 */
import {
  arr,
  bool,
  type Defined,
  type Fields,
  num,
  opt,
  rec,
  req,
  type SameKeys,
  shapeOf,
  str,
  strings,
  union,
} from '../core/strict';
import { checkDnsLabel, checkIntegerInRange } from '../core/validate';
import type {
  Backend,
  BackendRef,
  CompileTarget,
  CorsPolicy,
  HeaderModifier,
  HstsPolicy,
  RateLimit,
  RouteMatch,
  RouteRedirect,
  RouteRetries,
  RouteRewrite,
  RouteRule,
  RouteSlo,
  RouteTimeouts,
  RoutingPolicy,
  TlsPolicy,
} from './types';

const int = (min: number, max: number) => num((v) => checkIntegerInRange(v, min, max));

const RATE_LIMIT = shapeOf<RateLimit>()({
  requestsPerSecond: req(int(1, 1_000_000)),
  burst: opt(int(0, 1_000_000)),
});

const BACKEND_REF_FIELDS = {
  service: req(str()),
  port: req(int(1, 65535)),
  namespace: opt(str()),
} as const;
const BACKEND_REF = shapeOf<BackendRef>()(BACKEND_REF_FIELDS);
const BACKEND = shapeOf<Backend>()({ ...BACKEND_REF_FIELDS, weight: opt(int(0, 1_000_000)), protocol: opt(str()) });

type StringMatch = Defined<RouteMatch['headers']>[number];
const STRING_MATCH = shapeOf<StringMatch>()({ name: req(str()), value: req(str()), type: opt(str()) });

const MATCH = shapeOf<RouteMatch>()({
  path: opt(shapeOf<Defined<RouteMatch['path']>>()({ type: req(str()), value: req(str()) })),
  headers: opt(arr(STRING_MATCH)),
  queryParams: opt(arr(STRING_MATCH)),
  method: opt(str()),
  cookie: opt(shapeOf<Defined<RouteMatch['cookie']>>()({ name: req(str()), value: req(str()) })),
});

const HEADER_MODIFIER = shapeOf<HeaderModifier>()({
  set: opt(rec(str())),
  add: opt(rec(str())),
  remove: opt(strings),
});

const REDIRECT = shapeOf<RouteRedirect>()({
  scheme: opt(str()),
  hostname: opt(str()),
  path: opt(str()),
  port: opt(int(1, 65535)),
  statusCode: opt(num()),
});

const REWRITE = shapeOf<RouteRewrite>()({ pathPrefix: opt(str()), fullPath: opt(str()), hostname: opt(str()) });

const TIMEOUTS = shapeOf<RouteTimeouts>()({
  request: opt(str()),
  backendRequest: opt(str()),
  connect: opt(str()),
  idle: opt(str()),
});

const RETRY_ON = union(
  'must be a status code 400-599 or one of 5xx, gateway-error, reset, connect-failure',
  str(),
  num(),
);
const RETRIES = shapeOf<RouteRetries>()({
  attempts: req(int(0, 10)),
  perTryTimeout: opt(str()),
  backoff: opt(str()),
  on: opt(arr(RETRY_ON)),
});

const SLO = shapeOf<RouteSlo>()({
  availability: opt(num()),
  latency: opt(shapeOf<Defined<RouteSlo['latency']>>()({ percentile: req(num()), threshold: req(str()) })),
  window: opt(str()),
});

const RULE_FIELDS = {
  name: opt(str()),
  matches: opt(arr(MATCH)),
  backends: opt(arr(BACKEND)),
  redirect: opt(REDIRECT),
  rewrite: opt(REWRITE),
  requestHeaders: opt(HEADER_MODIFIER),
  responseHeaders: opt(HEADER_MODIFIER),
  timeouts: opt(TIMEOUTS),
  retries: opt(RETRIES),
  mirror: opt(shapeOf<Defined<RouteRule['mirror']>>()({ backend: req(BACKEND_REF), percent: opt(int(1, 100)) })),
  sessionAffinity: opt(
    shapeOf<Defined<RouteRule['sessionAffinity']>>()({ cookieName: req(str()), maxAge: opt(str()) }),
  ),
  rateLimit: opt(RATE_LIMIT),
  allowSourceRanges: opt(strings),
  maxBodySize: opt(str()),
  slo: opt(SLO),
} as const;
const RULE = shapeOf<RouteRule>()(RULE_FIELDS);

const TLS = shapeOf<TlsPolicy>()({
  secretName: opt(str()),
  clusterIssuer: opt(str()),
  redirectHttp: opt(bool),
  passthrough: opt(bool),
});

const HSTS = shapeOf<HstsPolicy>()({ maxAge: req(str()), includeSubdomains: opt(bool), preload: opt(bool) });

const CORS = shapeOf<CorsPolicy>()({
  allowOrigins: req(strings),
  allowMethods: opt(strings),
  allowHeaders: opt(strings),
  exposeHeaders: opt(strings),
  allowCredentials: opt(bool),
  maxAge: opt(str()),
});

const POLICY_FIELDS = {
  name: req(str(checkDnsLabel)),
  namespace: opt(str()),
  hosts: req(strings),
  tls: opt(TLS),
  rules: req(arr(RULE)),
  cors: opt(CORS),
  allowSourceRanges: opt(strings),
  denySourceRanges: opt(strings),
  rateLimit: opt(RATE_LIMIT),
  hsts: opt(HSTS),
  acceptApproximations: opt(strings),
  slo: opt(SLO),
} as const;

/** The shape of a {@link RoutingPolicy}. */
export const POLICY_SPEC = shapeOf<RoutingPolicy>()(POLICY_FIELDS);

/** The shape of a {@link CompileTarget}. */
export const TARGET_SPEC = shapeOf<CompileTarget>()({
  dialect: req(str()),
  gateway: opt(
    shapeOf<Defined<CompileTarget['gateway']>>()({
      name: req(str()),
      namespace: req(str()),
      httpListener: opt(str()),
      httpsListener: opt(str()),
      tlsPassthroughListener: opt(str()),
    }),
  ),
  implementation: opt(str()),
  channel: opt(str()),
  traefik: opt(
    shapeOf<Defined<CompileTarget['traefik']>>()({ webEntryPoint: opt(str()), websecureEntryPoint: opt(str()) }),
  ),
  alb: opt(
    shapeOf<Defined<CompileTarget['alb']>>()({
      groupName: opt(str()),
      scheme: opt(str()),
      certificateArns: opt(strings),
    }),
  ),
  ingressClassName: opt(str()),
});

// The shapes' keys are the interfaces' keys (shapeOf enforces it too; these restate it for readers).
const policyKeys: SameKeys<RoutingPolicy, typeof POLICY_FIELDS> = true;
const ruleKeys: SameKeys<RouteRule, typeof RULE_FIELDS> = true;
const backendKeys: SameKeys<BackendRef, typeof BACKEND_REF_FIELDS> = true;
const targetKeys: SameKeys<CompileTarget, typeof TARGET_SPEC.fields> = true;
/** Every shape key assertion, so none is unused. */
export const SHAPE_KEYS_MATCH: boolean = policyKeys && ruleKeys && backendKeys && targetKeys;

/** Fields of every policy key, for the fuzz tests' misspelling mutations. */
export const POLICY_FIELD_NAMES: readonly string[] = Object.keys(POLICY_FIELDS satisfies Fields);
