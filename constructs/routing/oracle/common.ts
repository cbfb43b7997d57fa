/**
 * Building blocks every interpreter and the model share: segment-wise prefix matching, exact
 * distributions, header normalization, durations. Pure: no engine imports.
 */
import { ipInCidr, parseDuration, parseSize } from '../values';
import type { HeaderChanges, TrafficRequest, WeightedBackend } from './types';

/** Gateway API PathPrefix: whole segments, a trailing '/' in the prefix ignored ('/api' matches '/api', '/api/x'). */
export function prefixMatches(prefix: string, path: string): boolean {
  if (prefix === '/' || prefix === '') return true;
  const p = prefix.replace(/\/+$/, '');
  return path === p || path.startsWith(`${p}/`);
}

/** Full-string match of an anchored RE2 pattern, evaluated with JavaScript's engine (RE2's syntax subset). */
export function regexMatches(pattern: string, value: string): boolean {
  const flags = /^\(\?([imsU]+)\)/.exec(pattern)?.[1] ?? '';
  const body = pattern.replace(/^\(\?[imsU]+\)/, '').replace(/\(\?P</g, '(?<');
  const js = `${flags.includes('i') ? 'i' : ''}${flags.includes('s') ? 's' : ''}u`;
  return new RegExp(body, js).test(value);
}

/** Reduces weights to an exact distribution: zero weights dropped, divided by their gcd, sorted. */
export function distribution(backends: readonly WeightedBackend[]): WeightedBackend[] {
  const merged = new Map<string, WeightedBackend>();
  for (const b of backends) {
    if (!(b.weight > 0)) continue;
    const key = `${b.namespace}/${b.service}:${b.port}/${b.protocol ?? 'http'}`;
    const seen = merged.get(key);
    merged.set(key, seen ? { ...seen, weight: seen.weight + b.weight } : { ...b });
  }
  const list = [...merged.values()];
  const divisor = list.reduce((g, b) => gcd(g, b.weight), 0) || 1;
  return list
    .map((b) => {
      const { protocol, ...rest } = b;
      return { ...rest, weight: b.weight / divisor, ...(protocol && protocol !== 'http' ? { protocol } : {}) };
    })
    .sort((a, b) =>
      `${a.namespace}/${a.service}:${a.port}`.localeCompare(`${b.namespace}/${b.service}:${b.port}`, 'en'),
    );
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Normalized header changes: lowercase names, sorted removals, empty parts omitted; undefined when empty. */
export function headerChanges(changes: {
  set?: Readonly<Record<string, string>>;
  add?: Readonly<Record<string, string>>;
  remove?: readonly string[];
}): HeaderChanges | undefined {
  const lower = (r?: Readonly<Record<string, string>>) =>
    r && Object.keys(r).length > 0
      ? Object.fromEntries(
          Object.entries(r)
            .map(([k, v]) => [k.toLowerCase(), v] as const)
            .sort(([a], [b]) => (a < b ? -1 : 1)),
        )
      : undefined;
  const set = lower(changes.set);
  const add = lower(changes.add);
  const remove = changes.remove?.length ? [...new Set(changes.remove.map((h) => h.toLowerCase()))].sort() : undefined;
  if (!set && !add && !remove) return undefined;
  return { ...(set ? { set } : {}), ...(add ? { add } : {}), ...(remove ? { remove } : {}) };
}

/** Milliseconds of a Gateway API duration ('1m30s'); throws on a malformed value (interpreters read compiler output). */
export function durationMs(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined) throw new Error(`oracle: not a Gateway API duration: ${JSON.stringify(value)}`);
  return ms;
}

/** Bytes of a size ('8m', '512k'). */
export function sizeBytes(value: string): number {
  const bytes = parseSize(value);
  if (bytes === undefined) throw new Error(`oracle: not a size: ${JSON.stringify(value)}`);
  return bytes;
}

/** Whether the client address lies in any of the CIDRs. */
export function sourceIn(request: TrafficRequest, cidrs: readonly string[]): boolean {
  return cidrs.some((c) => ipInCidr(request.sourceIp, c));
}

/**
 * The most specific of `hosts` that covers `host`: the exact name, else the longest '*.' suffix
 * (which covers one or more labels, as Gateway API hostnames do), else undefined.
 */
export function mostSpecificHost(hosts: Iterable<string>, host: string): string | undefined {
  let best: string | undefined;
  for (const h of hosts) {
    if (h === host) return h;
    if (h.startsWith('*.') && host.endsWith(h.slice(1)) && host.length > h.length - 1) {
      if (best === undefined || h.length > best.length) best = h;
    }
  }
  return best;
}

/** Gateway API ReplacePrefixMatch: the matched prefix replaced, segment-wise, never leaving '//' or ''. */
export function replacePrefix(path: string, prefix: string, replacement: string): string {
  const p = prefix.replace(/\/+$/, '');
  const rest = path.slice(p.length); // '' or '/...'
  const r = replacement.replace(/\/+$/, '');
  const joined = `${r}${rest}`;
  return joined === '' ? '/' : joined;
}
