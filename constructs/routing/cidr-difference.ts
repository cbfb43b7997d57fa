/**
 * Set difference of CIDR lists: the clients an allow list admits less those a deny list refuses, as a
 * list of CIDRs. For controllers that take one IP filter per route (Contour refuses ipAllowPolicy with
 * ipDenyPolicy: internal/dag/httpproxy_processor.go toIPFilterRules). Pure.
 */
import { parseCidr } from './values';

interface Block {
  readonly bytes: readonly number[];
  readonly prefix: number;
}

const bitOf = (bytes: readonly number[], i: number) => (bytes[i >> 3]! >> (7 - (i & 7))) & 1;

function withBit(bytes: readonly number[], i: number, v: number): number[] {
  const out = [...bytes];
  const m = 1 << (7 - (i & 7));
  out[i >> 3] = v ? out[i >> 3]! | m : out[i >> 3]! & ~m & 0xff;
  return out;
}

function block(cidr: string): Block {
  const c = parseCidr(cidr);
  if (!c) throw new Error(`not a CIDR: ${cidr}`);
  let bytes = [...c.bytes];
  for (let i = c.prefix; i < bytes.length * 8; i++) bytes = withBit(bytes, i, 0);
  return { bytes, prefix: c.prefix };
}

/** Whether `outer` holds every address of `inner` (same family). */
function covers(outer: Block, inner: Block): boolean {
  if (outer.bytes.length !== inner.bytes.length || outer.prefix > inner.prefix) return false;
  for (let i = 0; i < outer.prefix; i++) if (bitOf(outer.bytes, i) !== bitOf(inner.bytes, i)) return false;
  return true;
}

function subtract(a: Block, b: Block): Block[] {
  if (covers(b, a)) return [];
  if (!covers(a, b)) return [a];
  // b lies strictly inside a: split a in halves and keep what b leaves of each.
  const halves = [0, 1].map((v) => ({ bytes: withBit(a.bytes, a.prefix, v), prefix: a.prefix + 1 }));
  return halves.flatMap((h) => subtract(h, b));
}

function format(b: Block): string {
  const address =
    b.bytes.length === 4
      ? b.bytes.join('.')
      : Array.from({ length: 8 }, (_, i) => ((b.bytes[2 * i]! << 8) | b.bytes[2 * i + 1]!).toString(16)).join(':');
  return `${address}/${b.prefix}`;
}

/** The CIDRs of `allow` less those of `deny`; empty when the deny list covers everything allowed. */
export function cidrDifference(allow: readonly string[], deny: readonly string[]): string[] {
  const denied = deny.map(block);
  return allow
    .map(block)
    .flatMap((a) => denied.reduce<Block[]>((rest, d) => rest.flatMap((r) => subtract(r, d)), [a]))
    .map(format);
}
