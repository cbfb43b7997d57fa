/**
 * Traefik's headers middleware as the oracle sees it: custom request and response headers (an empty
 * value removes, `Host` replaces the upstream Host: pkg/middlewares/headers/header.go
 * modifyCustomRequestHeaders), CORS (exact list or regex list: `matchOrigin`), and HSTS, which is sent
 * on TLS requests only (pkg/middlewares/headers/secure.go, unrolled/secure). Pure.
 */
import type { TrafficRequest } from './types';

// biome-ignore lint/suspicious/noExplicitAny: compiled objects are untyped JSON; unknown fields throw where read
type Spec = Record<string, any>;
interface Changes {
  set: Record<string, string>;
  remove: string[];
}

const KNOWN = new Set([
  'customRequestHeaders',
  'customResponseHeaders',
  'accessControlAllowOriginList',
  'accessControlAllowOriginListRegex',
  'accessControlAllowMethods',
  'accessControlAllowHeaders',
  'accessControlExposeHeaders',
  'accessControlAllowCredentials',
  'accessControlMaxAge',
  'addVaryHeader',
  'stsSeconds',
  'stsIncludeSubdomains',
  'stsPreload',
]);

/** The Gateway API origin glob a regex of the form Switchyard's compilers write stands for, if any. */
export function originGlob(pattern: string): string | undefined {
  const m = /^\^(https?):\/\/\(\[a-zA-Z0-9-\]\+\\\.\)\+(.+)\$$/.exec(pattern);
  if (!m) return undefined;
  const host = m[2]!.replace(/\\(.)/g, '$1');
  return /[\\[\](){}*+?|^$]/.test(host) ? undefined : `${m[1]}://*.${host}`;
}

function apply(headers: Record<string, string> | undefined, into: Changes, onHost?: (v: string) => void) {
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === '') into.remove.push(name);
    else if (onHost && name.toLowerCase() === 'host') onHost(value);
    else into.set[name] = value;
  }
}

/** Applies one headers middleware; returns the upstream Host. */
export function headersMiddleware(
  m: Spec,
  request: TrafficRequest,
  host: string,
  req: Changes,
  res: Changes,
  applied: Record<string, unknown>,
): string {
  for (const k of Object.keys(m)) if (!KNOWN.has(k)) throw new Error(`traefik oracle: headers.${k} is not modelled`);
  let upstream = host;
  apply(m.customRequestHeaders, req, (v) => {
    upstream = v;
  });
  apply(m.customResponseHeaders, res);
  if (m.accessControlAllowOriginList || m.accessControlAllowOriginListRegex) {
    const globs = (m.accessControlAllowOriginListRegex ?? []).map((p: string) => {
      const g = originGlob(p);
      if (!g) throw new Error(`traefik oracle: origin regex ${p} is not a wildcard origin`);
      return g;
    });
    const lower = (l?: string[]) => [...new Set((l ?? []).map((h) => h.toLowerCase()))].sort();
    applied.cors = {
      allowOrigins: [...new Set([...(m.accessControlAllowOriginList ?? []), ...globs])].sort(),
      allowMethods: [...new Set((m.accessControlAllowMethods ?? []).map((x: string) => x.toUpperCase()))].sort(),
      allowHeaders: lower(m.accessControlAllowHeaders),
      exposeHeaders: lower(m.accessControlExposeHeaders),
      allowCredentials: m.accessControlAllowCredentials === true,
      // Without Access-Control-Max-Age browsers cache a preflight 5 seconds (Fetch standard).
      maxAge: m.accessControlMaxAge ?? 5,
    };
  }
  if (m.stsSeconds && request.scheme === 'https') {
    applied.hsts = {
      maxAge: m.stsSeconds,
      includeSubdomains: m.stsIncludeSubdomains === true,
      preload: m.stsPreload === true,
    };
  }
  return upstream;
}
