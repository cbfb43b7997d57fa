/**
 * The routing contract (`shared/design/routing-api.md`): plain, serializable data. Semantics follow
 * Gateway API wherever it defines them. Pure: no engine imports.
 */

import type { Feature } from './capabilities';

/** The controller dialects a routing policy compiles to. */
export type Dialect =
  | 'gateway-api'
  | 'ingress-nginx'
  | 'traefik'
  | 'haproxy'
  | 'contour'
  | 'aws-alb'
  | 'openshift-route';

/** Every dialect, in the order tables list them. */
export const DIALECTS: readonly Dialect[] = [
  'gateway-api',
  'ingress-nginx',
  'traefik',
  'haproxy',
  'contour',
  'aws-alb',
  'openshift-route',
];

/** Gateway API duration (GEP-2257): one to four `<1-5 digits><h|m|s|ms>` parts, e.g. '10s', '500ms', '1m30s'. */
export type Duration = string;

/** HTTP methods a route can match on. */
export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'CONNECT' | 'OPTIONS' | 'TRACE' | 'PATCH';

/** One public entry point (a set of hosts) and the rules that route its traffic. */
export interface RoutingPolicy {
  /** DNS-1123 label; prefixes every generated object name. */
  readonly name: string;
  /**
   * Namespace of the generated route objects (and of backends that name no namespace).
   * @default 'default'
   */
  readonly namespace?: string;
  /** Lowercase RFC 1123 hostnames; '*.' only as the whole leftmost label. At least one. */
  readonly hosts: readonly string[];
  /**
   * TLS for the hosts.
   * @default - plain HTTP only (a guardrail flags public routes without TLS in prod)
   */
  readonly tls?: TlsPolicy;
  /** The routing rules, at least one. */
  readonly rules: readonly RouteRule[];
  /**
   * Service level objective of every rule with backends; a rule's own `slo` replaces it.
   * @default - no objective
   */
  readonly slo?: RouteSlo;
  /**
   * CORS for every rule of the policy.
   * @default - no CORS headers
   */
  readonly cors?: CorsPolicy;
  /**
   * Client CIDRs (IPv4 or IPv6) allowed to reach the hosts; everything else is refused.
   * @default - every client
   */
  readonly allowSourceRanges?: readonly string[];
  /**
   * Client CIDRs refused.
   * @default - none
   */
  readonly denySourceRanges?: readonly string[];
  /**
   * Request rate limit per client IP for every rule (a rule's own limit overrides it).
   * @default - no limit
   */
  readonly rateLimit?: RateLimit;
  /**
   * HTTP Strict Transport Security sent on every response; needs `tls`.
   * @default - no HSTS header
   */
  readonly hsts?: HstsPolicy;
  /**
   * Features this policy accepts in approximate or controller-wide form, where the target dialect
   * cannot express them exactly (the capability matrix's 'approximate' and 'global-only'). Without
   * consent such a feature fails compilation with an `ApproximationError`; with it, the compile result
   * lists the approximation in `approximations` and the guardrails see it.
   * @default [] (no approximation accepted)
   */
  readonly acceptApproximations?: readonly Feature[];
}

/** HTTP Strict Transport Security settings. */
export interface HstsPolicy {
  /** How long browsers remember to use HTTPS only. */
  readonly maxAge: Duration;
  /**
   * Applies to every subdomain too.
   * @default false
   */
  readonly includeSubdomains?: boolean;
  /**
   * Asks browsers to preload the host as HTTPS-only.
   * @default false
   */
  readonly preload?: boolean;
}

/** TLS for a policy's hosts. */
export interface TlsPolicy {
  /**
   * Existing certificate Secret (in the policy's namespace), or the Secret cert-manager writes.
   * @default - `<policy name>-tls` when `clusterIssuer` is set
   */
  readonly secretName?: string;
  /**
   * cert-manager ClusterIssuer that issues the certificate; the compiler emits what the dialect needs.
   * @default - no cert-manager: `secretName` must exist
   */
  readonly clusterIssuer?: string;
  /**
   * Redirects plain HTTP requests to HTTPS.
   * @default true
   */
  readonly redirectHttp?: boolean;
  /**
   * Passes TLS through to the backend, routed by SNI only (no HTTP matching or filters).
   * @default false
   */
  readonly passthrough?: boolean;
}

/** Redirect target: the parts set replace those of the request URL. */
export interface RouteRedirect {
  /** @default - the request's scheme */
  readonly scheme?: 'http' | 'https';
  /** @default - the request's host */
  readonly hostname?: string;
  /** Replaces the whole path. @default - the request's path */
  readonly path?: string;
  /** @default - the scheme's well-known port */
  readonly port?: number;
  /** @default 302 */
  readonly statusCode?: 301 | 302 | 303 | 307 | 308;
}

/** Rewrites the request before it reaches the backend. */
export interface RouteRewrite {
  /** Replaces the matched path prefix (the rule needs exactly one PathPrefix match). @default - path kept */
  readonly pathPrefix?: string;
  /** Replaces the whole path. @default - path kept */
  readonly fullPath?: string;
  /** Replaces the Host header. @default - host kept */
  readonly hostname?: string;
}

/** Timeouts of a rule. */
export interface RouteTimeouts {
  /** Whole request, from the client's first byte to the response's last. @default - the controller's default */
  readonly request?: Duration;
  /** One attempt against a backend; at most `request`. @default - the controller's default */
  readonly backendRequest?: Duration;
  /** TCP connect to a backend. @default - the controller's default */
  readonly connect?: Duration;
  /** Idle time on a connection. @default - the controller's default */
  readonly idle?: Duration;
}

/** What a retry is triggered by: a class of failure or an HTTP status code (400-599). */
export type RetryOn = '5xx' | 'gateway-error' | 'reset' | 'connect-failure' | number;

/** Retries of a rule. */
export interface RouteRetries {
  /** Retries after the first attempt (0-10). */
  readonly attempts: number;
  /** @default - the request timeout */
  readonly perTryTimeout?: Duration;
  /** @default - the controller's default */
  readonly backoff?: Duration;
  /** @default ['5xx', 'connect-failure'] */
  readonly on?: readonly RetryOn[];
}

/** One routing rule: which requests (matches) go where (backends or a redirect), and how. */
export interface RouteRule {
  /**
   * DNS-1123 label naming the rule in errors and generated objects.
   * @default - the rule's index
   */
  readonly name?: string;
  /**
   * OR of matches.
   * @default [{ path: { type: 'PathPrefix', value: '/' } }]
   */
  readonly matches?: readonly RouteMatch[];
  /** Where traffic goes, with relative weights; required unless `redirect` is set. */
  readonly backends?: readonly Backend[];
  /** Answers with a redirect instead of forwarding. @default - forward to `backends` */
  readonly redirect?: RouteRedirect;
  /** @default - no rewrite */
  readonly rewrite?: RouteRewrite;
  /** @default - request headers unchanged */
  readonly requestHeaders?: HeaderModifier;
  /** @default - response headers unchanged */
  readonly responseHeaders?: HeaderModifier;
  /** @default - the controller's defaults */
  readonly timeouts?: RouteTimeouts;
  /** @default - no retries */
  readonly retries?: RouteRetries;
  /** Copies requests to another backend; responses from it are ignored. @default - no mirror */
  readonly mirror?: { readonly backend: BackendRef; readonly percent?: number };
  /** Keeps a client on one backend pod with a cookie. @default - no affinity */
  readonly sessionAffinity?: { readonly cookieName: string; readonly maxAge?: Duration };
  /** Overrides the policy's rate limit. @default - the policy's */
  readonly rateLimit?: RateLimit;
  /** Overrides the policy's allowed CIDRs. @default - the policy's */
  readonly allowSourceRanges?: readonly string[];
  /** Largest request body accepted: digits with an optional k, m or g suffix ('8m', '512k'). @default - the controller's */
  readonly maxBodySize?: string;
  /** Overrides the policy's service level objective for this rule. @default - the policy's */
  readonly slo?: RouteSlo;
}

/**
 * A service level objective of a route rule, measured at the controller from the route's golden signals
 * and alerted on with multi-window, multi-burn-rate alerts. Not a routing feature: no compiler reads it.
 */
export interface RouteSlo {
  /**
   * Percentage of requests answered without a 5xx over `window`, e.g. 99.9.
   * @default - no availability objective
   */
  readonly availability?: number;
  /**
   * "p`percentile` under `threshold`": at least `percentile` percent of requests over `window` answered within
   * `threshold`. The threshold must be a bucket boundary of the controller's duration histogram.
   * @default - no latency objective
   */
  readonly latency?: { readonly percentile: number; readonly threshold: Duration };
  /** The compliance window, whole days ('30d', '28d', '7d'). @default '30d' */
  readonly window?: string;
}

/** How a header or query parameter value is compared. */
export type StringMatchType = 'Exact' | 'RegularExpression';

/** One match: every part set must hold (AND). */
export interface RouteMatch {
  /** @default { type: 'PathPrefix', value: '/' } */
  readonly path?: { readonly type: 'Exact' | 'PathPrefix' | 'RegularExpression'; readonly value: string };
  /** @default - any headers */
  readonly headers?: readonly { readonly name: string; readonly value: string; readonly type?: StringMatchType }[];
  /** @default - any query */
  readonly queryParams?: readonly { readonly name: string; readonly value: string; readonly type?: StringMatchType }[];
  /** @default - any method */
  readonly method?: HttpMethod;
  /** Matches a cookie's exact value. @default - any cookies */
  readonly cookie?: { readonly name: string; readonly value: string };
}

/** A Service port. */
export interface BackendRef {
  readonly service: string;
  readonly port: number;
  /** @default - the policy's namespace */
  readonly namespace?: string;
}

/** A weighted backend. */
export interface Backend extends BackendRef {
  /** Relative weight, integer >= 0; at least one backend of a rule > 0. @default 1 */
  readonly weight?: number;
  /** Protocol the backend speaks. @default 'http' */
  readonly protocol?: 'http' | 'https' | 'h2c' | 'grpc' | 'ws';
}

/** Header changes: names are case-insensitive. */
export interface HeaderModifier {
  /** @default - none */
  readonly set?: Readonly<Record<string, string>>;
  /** @default - none */
  readonly add?: Readonly<Record<string, string>>;
  /** @default - none */
  readonly remove?: readonly string[];
}

/** Requests per second per client IP. */
export interface RateLimit {
  readonly requestsPerSecond: number;
  /** Extra requests allowed in a burst. @default - the rate itself */
  readonly burst?: number;
}

/** Cross-origin resource sharing. */
export interface CorsPolicy {
  /** Origins ('https://a.example.com', 'https://*.example.com') or '*'. */
  readonly allowOrigins: readonly string[];
  /** @default ['GET', 'HEAD', 'POST'] */
  readonly allowMethods?: readonly string[];
  /** @default - none beyond the CORS-safelisted ones */
  readonly allowHeaders?: readonly string[];
  /** @default - none */
  readonly exposeHeaders?: readonly string[];
  /** @default false */
  readonly allowCredentials?: boolean;
  /** @default '5s' (the browsers' default when absent) */
  readonly maxAge?: Duration;
}

/** Where and for which controller to compile. */
export interface CompileTarget {
  readonly dialect: Dialect;
  /**
   * gateway-api: the Gateway the routes attach to.
   * @default { name: 'switchyard', namespace: 'gateway-system', httpListener: 'http', httpsListener: 'https' }
   */
  readonly gateway?: {
    readonly name: string;
    readonly namespace: string;
    /** @default 'http' */
    readonly httpListener?: string;
    /** @default 'https' */
    readonly httpsListener?: string;
    /** Listener of protocol TLS, mode Passthrough, for passthrough policies. @default 'tls-passthrough' */
    readonly tlsPassthroughListener?: string;
  };
  /**
   * gateway-api: the implementation, for capability gating ('envoy-gateway', 'traefik', 'contour', 'istio', ...).
   * @default - none: only portable Gateway API is emitted
   */
  readonly implementation?: string;
  /**
   * gateway-api: the CRD channel installed; 'experimental' enables retries and session persistence.
   * @default 'standard'
   */
  readonly channel?: 'standard' | 'experimental';
  /**
   * traefik: the entry points routes bind to.
   * @default { webEntryPoint: 'web', websecureEntryPoint: 'websecure' } (the chart's)
   */
  readonly traefik?: { readonly webEntryPoint?: string; readonly websecureEntryPoint?: string };
  /**
   * aws-alb: the IngressGroup (one ALB shared by the policies), its scheme, and ACM certificates.
   * @default { groupName: 'switchyard', scheme: 'internet-facing' } with certificates discovered from the hosts
   */
  readonly alb?: {
    readonly groupName?: string;
    readonly scheme?: 'internet-facing' | 'internal';
    readonly certificateArns?: readonly string[];
  };
  /**
   * Ingress-based dialects: the IngressClass.
   * @default - the dialect's conventional class ('nginx' for ingress-nginx)
   */
  readonly ingressClassName?: string;
}

/** Kubernetes objects as plain JSON: apiVersion, kind, metadata, spec... */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [k: string]: unknown };
  readonly [k: string]: unknown;
}

/** Annotations a dialect needs on a backend Service (HAProxy's route-acl, cookie-persistence). */
export interface ServiceAnnotations {
  readonly namespace: string;
  readonly service: string;
  readonly annotations: Readonly<Record<string, string>>;
  /** The rule that needs them ('policy.rules[i]'). */
  readonly owner: string;
}

/** What a compiler returns: the objects and what was approximated. */
export interface CompileResult {
  readonly objects: readonly KubeObject[];
  readonly warnings: readonly string[];
  /** The approximations the policies accepted (`acceptApproximations`), one per use. @default [] */
  readonly approximations?: readonly Approximation[];
  /**
   * Annotations the dialect needs on the apps' own Services; the `Routes` construct applies them.
   * @default [] (every dialect but haproxy)
   */
  readonly serviceAnnotations?: readonly ServiceAnnotations[];
}

/** Two or more rules that claim the same traffic. */
export interface RouteConflict {
  readonly host: string;
  /** The claimed traffic, e.g. 'PathPrefix /api, header x-env=beta', or 'tls' for disagreeing TLS settings. */
  readonly match: string;
  /** 'policy.rules[i]' for each rule (or 'policy.tls'). */
  readonly rules: readonly string[];
}

/** One accepted approximation: where, which feature, and what differs from the policy. */
export interface Approximation {
  /** The field, e.g. 'shop.rules[0].timeouts.request'. */
  readonly path: string;
  readonly feature: Feature;
  readonly dialect: Dialect;
  /** 'approximate' (different semantics) or 'global-only' (set on the controller, not per route). */
  readonly support: 'approximate' | 'global-only';
  /** What the controller does instead. */
  readonly detail: string;
}

/** How a dialect expresses a feature. */
export type Support = 'native' | 'emulated' | 'approximate' | 'global-only' | 'unsupported';
