/**
 * The traffic oracle's vocabulary: one HTTP (or TLS) request, and what happens to it. The model's
 * semantics (`modelOutcome`) and every dialect's interpreter of its emitted objects speak it, so a
 * property test can require that they agree. Pure: no engine imports.
 */
import type { Dialect, HttpMethod, KubeObject, ServiceAnnotations } from '../types';

/** One request as it reaches the controller, already normalized (no `..`, no `//`, no query in `path`). */
export interface TrafficRequest {
  /** 'https' for a TLS connection (terminated or passed through), 'http' for plain text. */
  readonly scheme: 'http' | 'https';
  /** Host header, or SNI for TLS: lowercase, no port. */
  readonly host: string;
  /** Request path, starting with '/'. */
  readonly path: string;
  readonly method: HttpMethod;
  /** Request headers with lowercase names; cookies travel in `cookies`, not as a `cookie` header. */
  readonly headers: Readonly<Record<string, string>>;
  /** Query parameters (one value each). */
  readonly query: Readonly<Record<string, string>>;
  /** Cookies sent by the client. */
  readonly cookies: Readonly<Record<string, string>>;
  /** Client address as the proxy sees it, IPv4 or IPv6 text. */
  readonly sourceIp: string;
}

/** One backend of a distribution; weights are reduced (gcd 1, no zero weights) and sorted. */
export interface WeightedBackend {
  readonly namespace: string;
  readonly service: string;
  readonly port: number;
  readonly weight: number;
  /** @default 'http' */
  readonly protocol?: 'http' | 'https' | 'h2c' | 'grpc' | 'ws';
}

/** Header changes, normalized: lowercase names, `remove` sorted, empty parts omitted. */
export interface HeaderChanges {
  readonly set?: Readonly<Record<string, string>>;
  readonly add?: Readonly<Record<string, string>>;
  readonly remove?: readonly string[];
}

/** Everything applied to a forwarded request besides where it goes. Durations in milliseconds. */
export interface AppliedPolicy {
  readonly requestHeaders?: HeaderChanges;
  readonly responseHeaders?: HeaderChanges;
  readonly timeouts?: {
    readonly request?: number;
    readonly backendRequest?: number;
    readonly connect?: number;
    readonly idle?: number;
  };
  readonly retries?: { readonly attempts: number; readonly perTryTimeout?: number };
  readonly mirror?: {
    readonly namespace: string;
    readonly service: string;
    readonly port: number;
    readonly percent: number;
  };
  readonly sessionAffinity?: { readonly cookieName: string; readonly maxAge?: number };
  readonly rateLimit?: { readonly requestsPerSecond: number; readonly burst: number };
  /** Bytes. */
  readonly maxBodySize?: number;
  readonly cors?: {
    readonly allowOrigins: readonly string[];
    readonly allowMethods: readonly string[];
    readonly allowHeaders: readonly string[];
    readonly exposeHeaders: readonly string[];
    readonly allowCredentials: boolean;
    /** Seconds. */
    readonly maxAge: number;
  };
  /** `maxAge` in seconds. */
  readonly hsts?: { readonly maxAge: number; readonly includeSubdomains: boolean; readonly preload: boolean };
}

/** What happens to a request. */
export type TrafficOutcome =
  /** No route claims it: the controller's default (404). */
  | { readonly kind: 'no-route' }
  /** Refused by a client IP allow or deny list (403). */
  | { readonly kind: 'denied'; readonly rule?: string }
  /**
   * Answered with a redirect. `location` has no query string. `httpsUpgrade` marks the TLS policy's
   * HTTP-to-HTTPS redirect, whose status is only required to be permanent (301 or 308).
   */
  | {
      readonly kind: 'redirect';
      readonly status: number;
      readonly location: string;
      readonly httpsUpgrade?: boolean;
      /**
       * For the HTTPS upgrade: what the same request gets over HTTPS when that is a refusal. The client
       * ends there either way, so a controller may answer it over HTTP directly.
       */
      readonly afterUpgrade?: 'no-route' | 'denied';
      /** The rule that answered, when known; informative, never compared. */
      readonly rule?: string;
    }
  /** TLS passed through by SNI to the backends, unterminated. */
  | { readonly kind: 'passthrough'; readonly backends: readonly WeightedBackend[]; readonly rule?: string }
  /** Forwarded: the distribution over backends, the upstream path and Host, and what was applied. */
  | {
      readonly kind: 'forward';
      readonly backends: readonly WeightedBackend[];
      readonly path: string;
      readonly host: string;
      readonly applied: AppliedPolicy;
      /** 'policy.rules[i]' when known; informative, never compared. */
      readonly rule?: string;
    };

/** What a dialect's interpreter reads: the compiled objects and the Service annotations. */
export interface CompiledRoutes {
  readonly objects: readonly KubeObject[];
  readonly serviceAnnotations?: readonly ServiceAnnotations[];
}

/** Reproduces what one controller does with the objects compiled for it. */
export type DialectInterpreter = (compiled: CompiledRoutes, request: TrafficRequest) => TrafficOutcome;

/** An interpreter per dialect. */
export type Interpreters = Readonly<Record<Dialect, DialectInterpreter>>;
