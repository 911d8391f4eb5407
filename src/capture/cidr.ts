/**
 * Addresses in the exact spelling iptables-save prints (network address, prefix length, IPv6
 * compressed as inet_ntop does), so the builder's rules compare equal to what the kernel reports.
 */
import { isIP } from 'node:net';

export type Family = 4 | 6;

export function familyOf(cidr: string): Family | 0 {
  const fam = isIP(cidr.split('/')[0] ?? '');
  return fam === 4 || fam === 6 ? fam : 0;
}

function v4ToInt(a: string): number {
  return a.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

function intToV4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

function v6ToWords(a: string): number[] {
  let text = a;
  const v4tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4tail) {
    const n = v4ToInt(v4tail[1] as string);
    text = text.slice(0, -v4tail[1]!.length) + `${Math.floor(n / 65536).toString(16)}:${(n % 65536).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') as [string, string] : [text, undefined];
  const h = head === '' ? [] : head.split(':').map((x) => parseInt(x, 16));
  if (tail === undefined) return h;
  const t = tail === '' ? [] : tail.split(':').map((x) => parseInt(x, 16));
  return [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
}

/** RFC 5952 text: lowercase, longest run (≥2) of zero words compressed, leftmost on ties. */
function wordsToV6(w: readonly number[]): string {
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = w.map((x) => x.toString(16));
  if (bestStart < 0) return hex.join(':');
  // glibc's inet_ntop (used by iptables-save) keeps the dotted tail of ::a.b.c.d and ::ffff:a.b.c.d.
  if (bestStart === 0 && (bestLen === 6 || (bestLen === 5 && w[5] === 0xffff))) {
    const tail = `${(w[6] as number) >> 8}.${(w[6] as number) & 255}.${(w[7] as number) >> 8}.${(w[7] as number) & 255}`;
    return bestLen === 6 ? `::${tail}` : `::ffff:${tail}`;
  }
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** `10.1.2.3/8` → `10.0.0.0/8`, `10.1.2.3` → `10.1.2.3/32`, `2001:DB8::1` → `2001:db8::1/128`. */
export function canonicalCidr(cidr: string): string {
  const [addr = '', lenText] = cidr.split('/');
  const fam = familyOf(addr);
  if (fam === 4) {
    const len = lenText === undefined ? 32 : Number(lenText);
    const mask = len === 0 ? 0 : (2 ** 32 - 2 ** (32 - len));
    const net = Number((BigInt(v4ToInt(addr)) & BigInt(mask)));
    return `${intToV4(net)}/${len}`;
  }
  if (fam === 6) {
    const len = lenText === undefined ? 128 : Number(lenText);
    const words = v6ToWords(addr).map((word, i) => {
      const bitsLeft = Math.max(0, Math.min(16, len - i * 16));
      return bitsLeft === 16 ? word : bitsLeft === 0 ? 0 : word & (0xffff << (16 - bitsLeft)) & 0xffff;
    });
    return `${wordsToV6(words)}/${len}`;
  }
  throw new Error(`not an address: ${cidr}`);
}

const BITS: Record<Family, number> = { 4: 32, 6: 128 };

/** The first and last address of a CIDR as integers (`10.0.0.0/8` → 10.0.0.0 … 10.255.255.255). */
export function cidrBounds(cidr: string): { family: Family; first: bigint; last: bigint; canonical: string } {
  const canon = canonicalCidr(cidr);
  const [addr = '', lenText = ''] = canon.split('/');
  const family = familyOf(addr) as Family;
  const first = family === 4 ? BigInt(v4ToInt(addr)) : v6ToWords(addr).reduce((acc, w) => (acc << 16n) | BigInt(w), 0n);
  const hostBits = BigInt(BITS[family] - Number(lenText));
  return { family, first, last: first + (1n << hostBits) - 1n, canonical: canon };
}

/** The canonical CIDR text for a network address given as an integer and a prefix length. */
export function formatCidr(family: Family, addr: bigint, len: number): string {
  if (family === 4) return `${intToV4(Number(addr))}/${len}`;
  const words = Array.from({ length: 8 }, (_, i) => Number((addr >> BigInt(16 * (7 - i))) & 0xffffn));
  return `${wordsToV6(words)}/${len}`;
}

export const addressBits = (family: Family): number => BITS[family];

/** true when the CIDR's address is a loopback address (127.0.0.0/8, ::1), as istio-iptables checks. */
export function coversLoopback(cidr: string): boolean {
  const addr = cidr.split('/')[0] ?? '';
  const fam = familyOf(addr);
  if (fam === 4) return addr.startsWith('127.');
  return fam === 6 && canonicalCidr(addr) === '::1/128';
}
