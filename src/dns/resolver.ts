/**
 * One DNS query in, one answer out: the function both the server (UDP and TCP) and `vmlet dns
 * lookup` (through the status server) run, so the debug command answers exactly as the VM is
 * answered. Pure over its table and forwarder; decoding and encoding use dns-packet.
 *
 * As Istio's agent: A/AAAA of a mesh name answer from the table (authoritative, TTL 30 s, the
 * addresses in random order; NOERROR with no answer when the host has no address of that family);
 * every other name, and every other type even for a mesh name, is forwarded as is; no question or
 * every upstream failing gives SERVFAIL. Beyond it: a query that carries EDNS gets an answer with
 * EDNS (systemd-resolved degrades a server that drops it); before the first table arrives queries
 * are forwarded rather than refused; a UDP answer larger than the client can take is cut to fit
 * with the TC bit set, so the client asks again over TCP.
 */
import dnsPacket from 'dns-packet';
import { AnswerCache } from './answer-cache.js';
import type { Forwarder } from './upstream.js';
import type { MeshTable } from './table.js';

/** TTL of table answers (s): short, so clients that honour it pick up istiod's changes (Istio's value). */
export const TABLE_TTL = 30;
/** The UDP payload size vmlet advertises in its EDNS answers (DNS flag day 2020). */
export const EDNS_UDP_SIZE = 1232;
const MIN_UDP = 512;
const MAX_TCP = 65535;

const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4 } as const;
const RCODE_NAMES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];

export type Protocol = 'udp' | 'tcp';
export type AnswerSource = 'table' | 'upstream' | 'local';

export interface Resolution {
  /** The bytes to send back (undefined: drop the message, it was not a query). */
  readonly response: Buffer | undefined;
  readonly source: AnswerSource;
  readonly rcode: string;
  /** The table host that answered (source table). */
  readonly host?: string;
  /** `ip:port` of the upstream that answered (source upstream). */
  readonly upstream?: string;
  /** All upstreams failed. */
  readonly upstreamFailed?: boolean;
  readonly truncated: boolean;
}

export interface ResolverState {
  /** The current table, undefined before the first one. */
  table(): MeshTable | undefined;
  readonly forwarder: Forwarder;
  /** Encoded table answers by query bytes (./answer-cache.ts); none: every answer is encoded. */
  readonly cache?: AnswerCache<MeshTable>;
}

type Opt = { type: 'OPT'; name: string; udpPayloadSize: number; extendedRcode: number; ednsVersion: number; flags: number; flag_do: boolean; options: unknown[] };

function ednsOf(q: dnsPacket.DecodedPacket): Opt | undefined {
  return q.additionals?.find((a) => a.type === 'OPT') as Opt | undefined;
}

/** How many bytes the client takes back: 64 KiB over TCP, its EDNS size (at least 512) over UDP. */
export function sizeLimit(proto: Protocol, edns: { udpPayloadSize: number } | undefined): number {
  if (proto === 'tcp') return MAX_TCP;
  return Math.max(MIN_UDP, edns?.udpPayloadSize ?? MIN_UDP);
}

function replyOpt(): dnsPacket.Answer {
  return { type: 'OPT', name: '.', udpPayloadSize: EDNS_UDP_SIZE, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] } as unknown as dnsPacket.Answer;
}

function flagsOf(q: dnsPacket.DecodedPacket, rcode: number, aa: boolean): number {
  return (aa ? dnsPacket.AUTHORITATIVE_ANSWER : 0) | (q.flag_rd ? dnsPacket.RECURSION_DESIRED : 0) | dnsPacket.RECURSION_AVAILABLE
    | (q.flag_cd ? dnsPacket.CHECKING_DISABLED : 0) | rcode;
}

function reply(q: dnsPacket.DecodedPacket, rcode: number, answers: dnsPacket.Answer[], aa: boolean): dnsPacket.Packet {
  return {
    type: 'response',
    id: q.id ?? 0,
    flags: flagsOf(q, rcode, aa),
    questions: q.questions ?? [],
    answers,
    authorities: [],
    additionals: ednsOf(q) ? [replyOpt()] : [],
  };
}

/** A header-only error answer for a message that did not decode (its ID kept). */
function formErr(raw: Buffer): Buffer | undefined {
  if (raw.length < 12 || ((raw[2] as number) & 0x80) !== 0) return undefined;
  const out = Buffer.alloc(12);
  raw.copy(out, 0, 0, 2);
  out[2] = 0x80 | ((raw[2] as number) & 0x79);
  out[3] = 0x80 | RCODE.FORMERR;
  return out;
}

function shuffle<T>(xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [xs[i], xs[j]] = [xs[j] as T, xs[i] as T];
  }
  return xs;
}

/**
 * Encodes `p`, cutting records until it fits `limit`: additional records first (the OPT stays),
 * then authority and answer records, which sets TC (RFC 2181 §9: TC when data the client asked
 * for is missing).
 */
export function encodeToFit(p: dnsPacket.Packet, limit: number): { bytes: Buffer; truncated: boolean } {
  let bytes = dnsPacket.encode(p);
  if (bytes.length <= limit) return { bytes, truncated: false };
  const answers = [...(p.answers ?? [])];
  const authorities = [...(p.authorities ?? [])];
  const additionals = (p.additionals ?? []).filter((a) => a.type === 'OPT');
  let truncated = false;
  let cut: dnsPacket.Packet = { ...p, additionals };
  bytes = dnsPacket.encode(cut);
  while (bytes.length > limit && (authorities.length > 0 || answers.length > 0)) {
    if (authorities.length > 0) authorities.pop();
    else answers.pop();
    truncated = true;
    cut = { ...p, answers, authorities, additionals, flags: (p.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE };
    bytes = dnsPacket.encode(cut);
  }
  if (bytes.length > limit) {
    truncated = true;
    cut = { ...p, answers: [], authorities: [], additionals, flags: (p.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE };
    bytes = dnsPacket.encode(cut);
  }
  return { bytes, truncated };
}

/** The answer kept for this exact query (./answer-cache.ts), synchronously; undefined: resolve it. */
export function cachedAnswer(state: ResolverState, raw: Buffer, proto: Protocol): Resolution | undefined {
  const table = state.table();
  if (!state.cache || !table) return undefined;
  const key = AnswerCache.keyOf(raw, proto);
  const hit = key === undefined ? undefined : state.cache.get(table, key, raw);
  return hit ? { response: hit.bytes, source: 'table', rcode: 'NOERROR', host: hit.host, truncated: false } : undefined;
}

/** Resolves one raw query. Never throws: a bad message gets FORMERR (or is dropped). */
export async function resolveQuery(state: ResolverState, raw: Buffer, proto: Protocol): Promise<Resolution> {
  const table = state.table();
  const key = state.cache && table ? AnswerCache.keyOf(raw, proto) : undefined;
  if (key !== undefined) {
    const hit = state.cache!.get(table, key, raw);
    if (hit) return { response: hit.bytes, source: 'table', rcode: 'NOERROR', host: hit.host, truncated: false };
  }
  let q: dnsPacket.DecodedPacket;
  try {
    q = dnsPacket.decode(raw);
  } catch {
    const response = formErr(raw);
    return { response, source: 'local', rcode: 'FORMERR', truncated: false };
  }
  if (q.flag_qr) return { response: undefined, source: 'local', rcode: 'NOERROR', truncated: false };
  const limit = sizeLimit(proto, ednsOf(q));
  const local = (rcode: number, extra: Partial<Resolution> = {}): Resolution => {
    const { bytes, truncated } = encodeToFit(reply(q, rcode, [], false), limit);
    return { response: bytes, source: 'local', rcode: RCODE_NAMES[rcode] as string, truncated, ...extra };
  };
  if ((q as { opcode?: string }).opcode !== 'QUERY') return local(RCODE.NOTIMP);
  const question = q.questions?.[0];
  if (question === undefined) return local(RCODE.SERVFAIL);

  if (table && (question.type === 'A' || question.type === 'AAAA') && (question.class ?? 'IN') === 'IN') {
    const found = table.lookup(question.name, question.type);
    if (found.found) {
      const answers = shuffle(found.addresses.map((data) => ({ type: question.type, name: question.name, ttl: TABLE_TTL, class: 'IN', data }) as dnsPacket.Answer));
      const { bytes, truncated } = encodeToFit(reply(q, RCODE.NOERROR, answers, true), limit);
      // One question only: the key names the whole query, and an answer to it is the same bytes.
      if (key !== undefined && !truncated && answers.length <= 1 && q.questions?.length === 1) state.cache!.set(table, key, bytes, found.host);
      return { response: bytes, source: 'table', rcode: 'NOERROR', host: found.host, truncated };
    }
  }

  const fwd = await state.forwarder.forward(raw, proto);
  if (!fwd) return local(RCODE.SERVFAIL, { upstreamFailed: true });
  const rcode = RCODE_NAMES[(fwd.response[3] as number) & 0x0f] ?? String((fwd.response[3] as number) & 0x0f);
  if (fwd.response.length <= limit) return { response: fwd.response, source: 'upstream', rcode, upstream: fwd.upstream, truncated: false };
  // Larger than the client takes (an answer fetched over TCP for a UDP client): cut to fit, TC set.
  let decoded: dnsPacket.DecodedPacket;
  try {
    decoded = dnsPacket.decode(fwd.response);
  } catch {
    return local(RCODE.SERVFAIL, { upstreamFailed: true });
  }
  const { bytes } = encodeToFit({ ...decoded, flags: decoded.flags ?? 0 }, limit);
  return { response: bytes, source: 'upstream', rcode, upstream: fwd.upstream, truncated: true };
}
