/**
 * What the haproxytech controller applies to a request from an Ingress's `haproxy.org/*` annotations:
 * the http-request rules (redirects, allow and deny lists, rewrites, headers) and the response headers,
 * CORS and HSTS, parsed back from the annotation formats the controller reads. Every annotation the
 * interpreter does not model is refused by name. Pure: no engine imports.
 */
import { ipInCidr, parseDuration } from '../values';
import { headerChanges } from './common';
import type { TrafficRequest } from './types';

/** The Ingress annotations the interpreter understands (prefix stripped), and where the controller reads them. */
export const INGRESS_KEYS = new Set([
  // pkg/annotations/ingress/httpsRedirect.go
  'ssl-redirect',
  'ssl-redirect-code',
  'ssl-redirect-port',
  // pkg/annotations/ingress/hostRedirect.go
  'request-redirect',
  'request-redirect-code',
  // pkg/annotations/ingress/reqPathRewrite.go, reqSetHost.go, reqSetHdr.go
  'path-rewrite',
  'set-host',
  'request-set-header',
  'response-set-header',
  // pkg/annotations/ingress/accessControl.go
  'allow-list',
  'deny-list',
  // pkg/annotations/ingress/reqRateLimit.go
  'rate-limit-requests',
  'rate-limit-period',
  'rate-limit-status-code',
  // pkg/annotations/ingress/resSetCORS.go
  'cors-enable',
  'cors-allow-origin',
  'cors-allow-methods',
  'cors-allow-headers',
  'cors-max-age',
  'cors-allow-credentials',
  // pkg/ingress/ingress.go (Update) and pkg/route/route.go: the SNI map
  'ssl-passthrough',
  // backend annotations, read per Service and port: pkg/annotations/service/{timeoutServer,ssl,proto}.go
  'timeout-server',
  'server-ssl',
  'server-proto',
]);

/** Service annotations the interpreter understands: pkg/ingress/ingress.go (route-acl), pkg/service/service.go (cookie-persistence). */
export const SERVICE_KEYS = new Set(['route-acl', 'cookie-persistence']);

/** Defaults the controller uses when an annotation is absent (pkg/annotations/common/main.go DefaultValues). */
const DEFAULTS: Readonly<Record<string, string>> = {
  'ssl-redirect-code': '302',
  'ssl-redirect-port': '8443',
  'request-redirect-code': '302',
  'cors-allow-origin': '*',
  'cors-allow-methods': '*',
  'cors-allow-headers': '*',
  'cors-max-age': '5s',
};

/** An annotation's value, the controller's default when absent (common.GetValue). */
export function value(a: Readonly<Record<string, string>>, key: string): string | undefined {
  return a[key] ?? DEFAULTS[key];
}

/** HAProxy time ('30000ms', '5s', '1m'): milliseconds (pkg/utils ParseTime, default unit ms). */
export function haproxyMs(text: string): number {
  const m = /^(\d+)(us|ms|s|m|h|d)?$/.exec(text.trim());
  if (!m) throw new Error(`oracle(haproxy): not an HAProxy time: ${JSON.stringify(text)}`);
  const n = Number(m[1]);
  const unit = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? 'ms']!;
  return n * unit;
}

const isTrue = (v: string | undefined) =>
  v !== undefined && ['true', '1', 't', 'y', 'yes', 'on'].includes(v.toLowerCase());

/** Whether the Ingress's ssl-redirect rule exists: annotation true, or absent on an Ingress with spec.tls (httpsRedirect.go). */
function sslRedirect(a: Readonly<Record<string, string>>, tls: boolean): boolean {
  return a['ssl-redirect'] === undefined ? tls : isTrue(a['ssl-redirect']);
}

/** 'https://h:443/p' and 'http://h:80/p' are 'https://h/p' and 'http://h/p'. */
function location(scheme: string, host: string, path: string): string {
  const bare = (scheme === 'https' && host.endsWith(':443')) || (scheme === 'http' && host.endsWith(':80'));
  return `${scheme}://${bare ? host.replace(/:\d+$/, '') : host}${path}`;
}

/** Whether the deny-list or allow-list (REQ_DENY rules, pkg/haproxy/rules/reqDeny.go: `src -f <map>`) refuses the client. */
export function deniedBy(a: Readonly<Record<string, string>>, request: TrafficRequest): boolean {
  const inList = (list: string) =>
    list
      .split(',')
      .map((s) => s.trim())
      .some((c) => ipInCidr(request.sourceIp, c.includes('/') ? c : `${c}/${c.includes(':') ? 128 : 32}`));
  if (a['deny-list'] !== undefined && inList(a['deny-list'])) return true;
  return a['allow-list'] !== undefined && !inList(a['allow-list']);
}

/** The result of the http-request rules: a refusal or redirect, or nothing (forward). */
export type RuleVerdict = { kind: 'denied' } | { kind: 'redirect'; status: number; location: string } | undefined;

/**
 * The http-request rules of the matched Ingress in the controller's order (pkg/haproxy/rules/types.go:
 * REQ_DENY, then REQ_RATELIMIT, then REQ_REDIRECT: ssl-redirect before request-redirect, the order of
 * annotations.go Frontend). ssl-redirect is added to the HTTP frontend only (ingress.go addRules); deny
 * rules leave the https frontend when any Ingress passes TLS through (same function).
 */
export function ruleVerdict(
  a: Readonly<Record<string, string>>,
  tls: boolean,
  request: TrafficRequest,
  passthroughAnywhere: boolean,
): RuleVerdict {
  const denyHere = request.scheme === 'http' || !passthroughAnywhere;
  if (denyHere && deniedBy(a, request)) return { kind: 'denied' };
  // reqRequestRedirect.go: https://%[hdr(host),field(1,:)]:<port>%[capture.req.uri]
  if (request.scheme === 'http' && sslRedirect(a, tls)) {
    return {
      kind: 'redirect',
      status: Number(value(a, 'ssl-redirect-code')),
      location: location('https', `${request.host}:${value(a, 'ssl-redirect-port')}`, request.path),
    };
  }
  const target = a['request-redirect'];
  if (target !== undefined) {
    const https = target.startsWith('https://');
    const host = target.replace(/^https?:\/\//, '');
    return {
      kind: 'redirect',
      status: Number(value(a, 'request-redirect-code')),
      location: location(https ? 'https' : 'http', host, request.path),
    };
  }
  return undefined;
}

/** `Name "value"` lines of request-set-header / response-set-header (reqSetHdr.go): the value is a log-format string. */
function headerLines(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const space = line.indexOf(' ');
    if (space < 0) throw new Error(`oracle(haproxy): malformed header line ${JSON.stringify(line)}`);
    const raw = line.slice(space + 1);
    const v = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
    // Log-format: '%%' is a literal '%'; any other '%' fetches a sample, which is not modelled.
    if (v.replace(/%%/g, '').includes('%'))
      throw new Error(`oracle(haproxy): header value ${JSON.stringify(v)} is a log-format string ('%' not modeled)`);
    out[line.slice(0, space)] = v.replace(/%%/g, '%');
  }
  return out;
}

/** replace-path: when the regex matches, the WHOLE path becomes the expanded format (HAProxy http-request replace-path). */
export function rewritePath(a: Readonly<Record<string, string>>, path: string): string {
  const spec = a['path-rewrite']?.trim();
  if (!spec) return path;
  let out = path;
  for (const line of spec.split('\n')) {
    const parts = line.trim().split(/\s+/);
    if (parts.length > 2) throw new Error(`oracle(haproxy): path-rewrite takes 1 or 2 fields: ${JSON.stringify(line)}`);
    const [regex, fmt] = parts.length === 1 ? ['(.*)', parts[0]!] : [parts[0]!, parts[1]!];
    const m = new RegExp(regex).exec(out);
    if (!m) continue;
    out = fmt.replace(/\\(\d)/g, (_, d: string) => m[Number(d)] ?? '');
  }
  return out;
}

/** The rewritten Host header (set-host: a REQ_SET_HOST set-header rule). */
export function rewriteHost(a: Readonly<Record<string, string>>, host: string): string {
  return a['set-host'] ?? host;
}

/** Turns the compiler's origin regex `^(a|b)$` (or '*') back into the origin list it accepts. */
function origins(text: string): string[] {
  if (text === '*') return ['*'];
  const m = /^\^\((.*)\)\$$/.exec(text);
  if (!m) throw new Error(`oracle(haproxy): cors-allow-origin ${JSON.stringify(text)} is not a list of origins`);
  return m[1]!.split('|').map((o) => o.replace('[^.]+\\.', '*.').replace(/\\(.)/g, '$1'));
}

const list = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Settings of the Ingress's http-request/response rules (backend ones are added by the caller). */
export function appliedFromIngress(
  a: Readonly<Record<string, string>>,
  request: TrafficRequest,
): Record<string, unknown> {
  const applied: Record<string, unknown> = {};
  const req =
    a['request-set-header'] !== undefined ? headerChanges({ set: headerLines(a['request-set-header']) }) : undefined;
  if (req) applied.requestHeaders = req;
  const response = a['response-set-header'] !== undefined ? headerLines(a['response-set-header']) : {};
  const sts = Object.keys(response).find((k) => k.toLowerCase() === 'strict-transport-security');
  const hsts = sts ? response[sts] : undefined;
  if (sts) delete response[sts];
  const res = headerChanges({ set: response });
  if (res) applied.responseHeaders = res;
  // User agents ignore Strict-Transport-Security over plain HTTP (RFC 6797 section 8.1).
  if (hsts && request.scheme === 'https') {
    const age = /max-age=(\d+)/i.exec(hsts);
    if (!age) throw new Error(`oracle(haproxy): HSTS header without max-age: ${hsts}`);
    applied.hsts = {
      maxAge: Number(age[1]),
      includeSubdomains: /(^|;)\s*includeSubDomains\s*(;|$)/i.test(hsts),
      preload: /(^|;)\s*preload\s*(;|$)/i.test(hsts),
    };
  }
  if (a['rate-limit-requests'] !== undefined) {
    const requests = Number(a['rate-limit-requests']);
    const period = a['rate-limit-period'];
    if (period === undefined) throw new Error('oracle(haproxy): rate-limit-requests without rate-limit-period');
    applied.rateLimit = { requestsPerSecond: (requests * 1000) / haproxyMs(period), burst: requests };
  }
  if (isTrue(a['cors-enable'])) {
    const methods = value(a, 'cors-allow-methods')!;
    const headers = value(a, 'cors-allow-headers')!;
    applied.cors = {
      allowOrigins: [...new Set(origins(value(a, 'cors-allow-origin')!))].sort(),
      allowMethods: methods === '*' ? ['*'] : [...new Set(list(methods).map((m) => m.toUpperCase()))].sort(),
      allowHeaders: [...new Set(list(headers).map((h) => h.toLowerCase()))].sort(),
      exposeHeaders: [],
      allowCredentials: a['cors-allow-credentials'] === 'true',
      maxAge: Math.floor(haproxyMs(value(a, 'cors-max-age')!) / 1000),
    };
  }
  return applied;
}

/** Gateway API duration text the compiler wrote, or an HAProxy time: milliseconds. */
export function anyMs(text: string): number {
  return parseDuration(text) ?? haproxyMs(text);
}
