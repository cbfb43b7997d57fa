/**
 * Parsers and checks for the values routing policies carry. Each `check*` returns what is wrong,
 * including the fix, or `undefined`. Pure: no engine imports.
 */

const DURATION = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;
const DURATION_PART = /([0-9]{1,5})(h|ms|m|s)/g;
const UNIT_MS: Readonly<Record<string, number>> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
const UNIT_ORDER = ['h', 'm', 's', 'ms'];

/** Parses a GEP-2257 duration to milliseconds, or undefined when it is not one. */
export function parseDuration(value: string): number | undefined {
  if (!DURATION.test(value)) return undefined;
  let total = 0;
  let lastUnit = -1;
  for (const [, digits, unit] of value.matchAll(DURATION_PART)) {
    const order = UNIT_ORDER.indexOf(unit!);
    if (order <= lastUnit) return undefined; // each unit once, largest first
    lastUnit = order;
    total += Number(digits) * UNIT_MS[unit!]!;
  }
  return total;
}

/** Why `value` is not a Gateway API duration like '10s' or '1m30s', or undefined when it is. */
export function checkDuration(value: unknown): string | undefined {
  if (typeof value === 'string' && parseDuration(value) !== undefined) return undefined;
  return "must be a Gateway API duration: up to four parts of 1-5 digits and a unit h, m, s or ms, largest first (e.g. '10s', '500ms', '1m30s')";
}

/** Renders milliseconds as a GEP-2257 duration ('90s' -> '1m30s'). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const unit of UNIT_ORDER) {
    const size = UNIT_MS[unit]!;
    const count = Math.floor(rest / size);
    if (count > 0) {
      out += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return out;
}

const SIZE = /^([0-9]{1,12})([kmg]?)$/;
const SIZE_FACTOR: Readonly<Record<string, number>> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Parses a size ('8m', '512k', '1024') to bytes, or undefined. */
export function parseSize(value: string): number | undefined {
  const match = SIZE.exec(value);
  return match ? Number(match[1]) * SIZE_FACTOR[match[2]!]! : undefined;
}

/** Why `value` is not a positive size like '8m' or '512k', or undefined when it is. */
export function checkSize(value: unknown): string | undefined {
  if (typeof value === 'string') {
    const bytes = parseSize(value);
    if (bytes !== undefined && bytes > 0) return undefined;
  }
  return "must be a positive size: digits with an optional k, m or g suffix (e.g. '8m', '512k')";
}

// ---- hostnames ----------------------------------------------------------------------------------

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A lowercase RFC 1123 hostname; `*.` allowed as the whole leftmost label when `wildcard` is true. */
export function checkHostname(value: unknown, wildcard: boolean): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return 'must be a non-empty hostname';
  if (value !== value.toLowerCase()) return `must be lowercase: use ${JSON.stringify(value.toLowerCase())}`;
  if (value.length > 253) return `is ${value.length} characters; a hostname has at most 253`;
  if (value === '*')
    return "must not be a bare '*': name the hosts, or use '*.example.com' for one level of subdomains";
  if (/^[0-9.]+$/.test(value) || value.includes(':')) return 'must be a DNS name, not an IP address';
  const labels = value.split('.');
  const rest = labels[0] === '*' ? labels.slice(1) : labels;
  if (labels[0] === '*' && !wildcard) return 'must be a precise hostname without a wildcard';
  if (labels[0] === '*' && rest.length < 2)
    return "a wildcard needs at least two labels after '*.' (e.g. '*.example.com')";
  for (const label of rest) {
    if (label.includes('*')) return "may use '*' only as the whole leftmost label ('*.example.com')";
    if (label.length > 63) return `has a label of ${label.length} characters; at most 63`;
    if (!LABEL.test(label)) return "must be an RFC 1123 hostname: labels of lowercase letters, digits and '-'";
  }
  return undefined;
}

// ---- headers, cookies, query parameters ---------------------------------------------------------

const TOKEN = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;

/** An RFC 7230 token of at most 256 characters (header names, cookie names). */
export function checkHeaderName(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return 'must be a non-empty header name';
  if (value.length > 256) return `is ${value.length} characters; at most 256`;
  if (!TOKEN.test(value)) return "must be an RFC 7230 token: letters, digits and !#$%&'*+-.^_`|~ (no spaces or ':')";
  return undefined;
}

/** A header value: at most 4096 characters, no control characters (CR or LF would split the header). */
export function checkHeaderValue(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length > 4096) return `is ${value.length} characters; at most 4096`;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
  if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(value)) return 'must not contain control characters such as CR or LF';
  return undefined;
}

// ---- paths --------------------------------------------------------------------------------------

const PATH_CHARS = /^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})+$/;

/** An Exact or PathPrefix path as Gateway API accepts it. */
export function checkPlainPath(value: unknown): string | undefined {
  if (typeof value !== 'string' || !value.startsWith('/')) return "must start with '/'";
  if (value.length > 1024) return `is ${value.length} characters; at most 1024`;
  if (value.includes('//')) return "must not contain '//'";
  if (/\/\.\.?(\/|$)/.test(value)) return "must not contain '/./' or '/../' segments or end in '/.' or '/..'";
  if (/%2f/i.test(value)) return "must not contain an encoded '/' (%2F)";
  if (value.includes('#')) return "must not contain '#'";
  if (!PATH_CHARS.test(value))
    return "may contain only URL path characters [-A-Za-z0-9/._~!$&'()*+,;=:@] and %XX escapes";
  return undefined;
}

// ---- regular expressions ------------------------------------------------------------------------

/**
 * RE2 only, anchored: lookarounds, backreferences, atomic groups and possessive quantifiers are
 * rejected (RE2 lacks them), the pattern must compile, and it must start with '^' and end with '$'.
 */
export function checkRegex(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return 'must be a non-empty regular expression';
  if (value.length > 1024) return `is ${value.length} characters; at most 1024`;
  // A raw newline ends an annotation line or a config directive in several controllers.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(value))
    return "must not contain raw control characters (newline, tab, ...): write them as escapes ('\\n', '\\t')";
  const unsupported: [RegExp, string][] = [
    [/\(\?<?[=!]/, 'lookarounds ((?=, (?!, (?<=, (?<!)'],
    [/\\[1-9]|\\k</, 'backreferences'],
    [/\(\?>/, 'atomic groups'],
    [/[*+?}]\+/, 'possessive quantifiers'],
  ];
  const stripped = value.replace(/\\\\/g, ''); // escaped backslashes cannot start an escape
  for (const [pattern, what] of unsupported) {
    if (pattern.test(stripped)) return `uses ${what}, which RE2 does not support: rewrite it without them`;
  }
  // RE2 spells named groups (?P<name>...) and allows leading inline flags; JavaScript needs (?<name>...).
  const portable = value.replace(/\(\?P</g, '(?<').replace(/^\(\?[imsU]+\)/, '');
  try {
    new RegExp(portable, 'u');
  } catch (error) {
    return `does not compile: ${(error as Error).message.replace(/^Invalid regular expression: /, '')}`;
  }
  const body = value.replace(/^\(\?[imsU]+\)/, ''); // an RE2 inline-flag group may precede the anchor
  if (!body.startsWith('^') || !body.endsWith('$') || body.endsWith('\\$')) {
    return `must be anchored explicitly with '^' and '$' (controllers differ on implicit anchoring): use ${JSON.stringify(
      `^${body.replace(/^\^/, '').replace(/\$$/, '')}$`,
    )}`;
  }
  return undefined;
}

/** Escapes text for use inside a regular expression. */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ---- CIDRs --------------------------------------------------------------------------------------

function parseIpv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes = parts.map((p) => (/^(0|[1-9][0-9]{0,2})$/.test(p) ? Number(p) : Number.NaN));
  return bytes.every((b) => b >= 0 && b <= 255) ? bytes : undefined;
}

function parseIpv6(text: string): number[] | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || text.split('::').length > 2) return undefined;
  const [head = '', tail] = text.split('::');
  const toGroups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const groups: number[] = [];
    const pieces = s.split(':');
    for (const [i, piece] of pieces.entries()) {
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIpv4(piece);
        if (!v4) return undefined;
        groups.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(piece)) {
        groups.push(Number.parseInt(piece, 16));
      } else {
        return undefined;
      }
    }
    return groups;
  };
  const first = toGroups(head);
  const last = tail === undefined ? [] : toGroups(tail);
  if (!first || !last) return undefined;
  const missing = 8 - first.length - last.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
  const groups = [...first, ...new Array<number>(tail === undefined ? 0 : missing).fill(0), ...last];
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

function formatAddress(bytes: number[]): string {
  if (bytes.length === 4) return bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

/** A parsed CIDR: address bytes (4 or 16) and prefix length. */
export interface Cidr {
  readonly bytes: readonly number[];
  readonly prefix: number;
  readonly family: 4 | 6;
}

/** Parses 'a.b.c.d/n' or an IPv6 CIDR; host bits must be zero. */
export function parseCidr(value: string): Cidr | undefined {
  const [address = '', prefixText, extra] = value.split('/');
  if (extra !== undefined || prefixText === undefined || !/^[0-9]{1,3}$/.test(prefixText)) return undefined;
  const bytes = address.includes(':') ? parseIpv6(address) : parseIpv4(address);
  if (!bytes) return undefined;
  const prefix = Number(prefixText);
  if (prefix > bytes.length * 8) return undefined;
  return { bytes, prefix, family: bytes.length === 4 ? 4 : 6 };
}

function maskHostBits(bytes: readonly number[], prefix: number): number[] {
  return bytes.map((b, i) => {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    return keep === 0 ? 0 : b & (0xff << (8 - keep)) & 0xff;
  });
}

/** Why `value` is not an IPv4 or IPv6 CIDR, or undefined when it is. */
export function checkCidr(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a CIDR string such as "10.0.0.0/8" or "2001:db8::/32"';
  if (!value.includes('/')) {
    const v4 = parseIpv4(value);
    if (v4) return `must be a CIDR: did you mean "${value}/32"?`;
    if (parseIpv6(value)) return `must be a CIDR: did you mean "${value}/128"?`;
  }
  const cidr = parseCidr(value);
  if (!cidr) return 'must be a CIDR such as "10.0.0.0/8" or "2001:db8::/32" (IPv4 prefix 0-32, IPv6 0-128)';
  const network = maskHostBits(cidr.bytes, cidr.prefix);
  if (network.some((b, i) => b !== cidr.bytes[i])) {
    return `has host bits set: did you mean "${formatAddress(network)}/${cidr.prefix}"?`;
  }
  return undefined;
}

/** Whether the address `ip` (IPv4 or IPv6 text) lies inside `cidr`; false for unparsable input or mixed families. */
export function ipInCidr(ip: string, cidr: string): boolean {
  const range = parseCidr(cidr);
  const bytes = ip.includes(':') ? parseIpv6(ip) : parseIpv4(ip);
  if (!range || !bytes || bytes.length !== range.bytes.length) return false;
  const masked = maskHostBits(bytes, range.prefix);
  return masked.every((b, i) => b === range.bytes[i]);
}
