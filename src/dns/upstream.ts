/**
 * Forwarding to the real resolvers: the query's bytes go out unchanged except for the ID (a
 * random one per UDP query, restored on the answer, so answers from one shared socket are matched
 * to their query and a forged answer must guess ID and port), each upstream in resolv.conf order
 * with its own timeout, a truncated UDP answer is fetched again over TCP from the same upstream,
 * and when every upstream fails the caller answers SERVFAIL.
 *
 * Source ports: in capture mode the queries leave from a small dedicated port range that the
 * capture rules exempt for vmlet's uid (src/capture/rules.ts), so vmlet's own upstream queries
 * are never redirected back to vmlet. Istio's agent gets that from running as the proxy user,
 * which capture exempts; vmlet runs as root, whose other traffic must stay captured. Elsewhere
 * (resolved mode, tests) the kernel's ephemeral ports are used.
 */
import { createSocket, type Socket } from 'node:dgram';
import { connect, isIP } from 'node:net';
import { randomInt } from 'node:crypto';
import type { DnsServerAddress } from './types.js';

/** The source ports of vmlet's upstream queries in capture mode (exempt from DNS capture for vmlet's uid). */
export const UPSTREAM_PORTS = Object.freeze({ first: 15060, last: 15075 });

export interface ForwarderOptions {
  readonly upstreams: readonly DnsServerAddress[];
  /** Per upstream, per attempt (ms). */
  readonly timeoutMs: number;
  /** Bind to UPSTREAM_PORTS (capture mode) or to ephemeral ports. */
  readonly portRange?: { readonly first: number; readonly last: number };
  /** Called once per failed attempt (timeout, refused, malformed), for metrics and logs. */
  readonly onFailure?: (upstream: string, why: string) => void;
}

export interface Forwarded {
  readonly response: Buffer;
  /** `ip:port` of the upstream that answered. */
  readonly upstream: string;
  /** The UDP answer was truncated and the query was repeated over TCP. */
  readonly viaTcp: boolean;
}

/** UDP sockets per address family. */
const UDP_SOCKETS = 4;

interface Pending {
  readonly address: string;
  readonly port: number;
  readonly originalId: number;
  readonly question: Buffer;
  readonly resolve: (r: Buffer | Error) => void;
}

const label = (u: DnsServerAddress) => (isIP(u.address) === 6 ? `[${u.address}]:${u.port}` : `${u.address}:${u.port}`);

/** The bytes of the question section (qdcount 1): the name's labels, then type and class. */
export function questionBytes(msg: Buffer): Buffer | undefined {
  let i = 12;
  while (i < msg.length) {
    const len = msg[i] as number;
    if (len === 0) return i + 5 <= msg.length ? msg.subarray(12, i + 5) : undefined;
    if (len >= 0xc0) return undefined;
    i += len + 1;
  }
  return undefined;
}

class UdpPool {
  private readonly sockets: Socket[] = [];
  private readonly pending = new Map<Socket, Map<number, Pending>>();

  constructor(private readonly family: 4 | 6) {}

  async open(range: ForwarderOptions['portRange']): Promise<void> {
    const ports = range ? shuffled(range.first, range.last) : [0, 0, 0, 0];
    for (const port of ports) {
      // A few sockets (random ports of the range) are enough to spread queries; the rest of the
      // range stays free for TCP source ports.
      if (this.sockets.length >= UDP_SOCKETS) break;
      const s = createSocket(this.family === 4 ? 'udp4' : 'udp6');
      const ok = await new Promise<boolean>((resolve) => {
        s.once('error', () => resolve(false));
        s.bind({ port, exclusive: true }, () => resolve(true));
      });
      if (!ok) { s.close(); continue; }
      s.removeAllListeners('error');
      s.on('error', () => undefined);
      const pend = new Map<number, Pending>();
      s.on('message', (msg, rinfo) => this.onMessage(pend, msg, rinfo.address, rinfo.port));
      this.sockets.push(s);
      this.pending.set(s, pend);
    }
    if (this.sockets.length === 0) throw new Error(`no UDP${this.family} source port free in ${range ? `${range.first}-${range.last}` : 'the ephemeral range'}`);
  }

  query(msg: Buffer, question: Buffer, u: DnsServerAddress, timeoutMs: number): Promise<Buffer> {
    const s = this.sockets[randomInt(this.sockets.length)] as Socket;
    const pend = this.pending.get(s) as Map<number, Pending>;
    let id = randomInt(0x10000);
    for (let i = 0; pend.has(id) && i < 64; i++) id = randomInt(0x10000);
    if (pend.has(id)) return Promise.reject(new Error('too many queries in flight'));
    const out = Buffer.from(msg);
    out.writeUInt16BE(id, 0);
    return new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => { pend.delete(id); reject(new Error(`no answer in ${timeoutMs} ms`)); }, timeoutMs);
      pend.set(id, {
        address: u.address, port: u.port, originalId: msg.readUInt16BE(0), question,
        resolve: (r) => { clearTimeout(timer); pend.delete(id); if (r instanceof Error) reject(r); else resolve(r); },
      });
      s.send(out, u.port, u.address, (err) => { if (err) pend.get(id)?.resolve(err); });
    });
  }

  private onMessage(pend: Map<number, Pending>, msg: Buffer, address: string, port: number): void {
    if (msg.length < 12) return;
    const p = pend.get(msg.readUInt16BE(0));
    // Only the upstream asked may answer, and only for the question asked.
    if (!p || p.address !== address || p.port !== port) return;
    const q = questionBytes(msg);
    if (!q || !q.equals(p.question)) return;
    msg.writeUInt16BE(p.originalId, 0);
    p.resolve(msg);
  }

  close(): void {
    for (const s of this.sockets) s.close();
    for (const pend of this.pending.values()) for (const p of pend.values()) p.resolve(new Error('closed'));
    this.sockets.length = 0;
  }
}

function shuffled(first: number, last: number): number[] {
  const out: number[] = [];
  for (let p = first; p <= last; p++) out.push(p);
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [out[i], out[j]] = [out[j] as number, out[i] as number];
  }
  return out;
}

export class Forwarder {
  private readonly udp = new Map<4 | 6, UdpPool>();
  /** TCP source ports in use (capture mode): one connection per port at a time. */
  private readonly tcpBusy = new Set<number>();
  private readonly tcpWaiters: (() => void)[] = [];

  constructor(private readonly opts: ForwarderOptions) {}

  get upstreams(): readonly DnsServerAddress[] {
    return this.opts.upstreams;
  }

  /** Binds the UDP sockets for the upstreams' families. Rejects when no source port can be bound. */
  async start(): Promise<void> {
    for (const fam of [4, 6] as const) {
      if (!this.opts.upstreams.some((u) => isIP(u.address) === fam)) continue;
      const pool = new UdpPool(fam);
      await pool.open(this.opts.portRange);
      this.udp.set(fam, pool);
    }
  }

  /**
   * The upstream answer to `query` (its ID restored), or undefined when every upstream failed.
   * `proto` is how the client asked: a TCP client's query goes upstream over TCP.
   */
  async forward(query: Buffer, proto: 'udp' | 'tcp'): Promise<Forwarded | undefined> {
    const question = questionBytes(query);
    if (!question) return undefined;
    for (const u of this.opts.upstreams) {
      try {
        if (proto === 'udp') {
          const pool = this.udp.get(isIP(u.address) === 6 ? 6 : 4);
          if (!pool) continue;
          const r = await pool.query(query, question, u, this.opts.timeoutMs);
          // TC: the answer did not fit; the whole answer over TCP (the caller truncates it to the client's size).
          if (((r[2] as number) & 0x02) === 0) return { response: r, upstream: label(u), viaTcp: false };
        }
        return { response: await this.tcpQuery(query, u), upstream: label(u), viaTcp: proto === 'udp' };
      } catch (err) {
        this.opts.onFailure?.(label(u), (err as Error).message);
      }
    }
    return undefined;
  }

  close(): void {
    for (const pool of this.udp.values()) pool.close();
    this.udp.clear();
  }

  private async tcpQuery(query: Buffer, u: DnsServerAddress): Promise<Buffer> {
    const localPort = await this.takeTcpPort();
    try {
      return await new Promise<Buffer>((resolve, reject) => {
        const sock = connect({ host: u.address, port: u.port, ...(localPort === undefined ? {} : { localPort }) });
        let buf = Buffer.alloc(0);
        // RST instead of FIN: no TIME_WAIT holds the 4-tuple, so the same source port can reach
        // the same upstream again at once.
        let finished = false;
        const done = (r: Buffer | Error) => {
          if (finished) return;
          finished = true;
          clearTimeout(timer);
          sock.resetAndDestroy();
          if (r instanceof Error) reject(r);
          else resolve(r);
        };
        const timer = setTimeout(() => done(new Error(`no TCP answer in ${this.opts.timeoutMs} ms`)), this.opts.timeoutMs);
        sock.on('error', (err) => done(err));
        sock.on('connect', () => {
          const len = Buffer.alloc(2);
          len.writeUInt16BE(query.length, 0);
          sock.write(Buffer.concat([len, query]));
        });
        sock.on('data', (chunk: Buffer) => {
          buf = Buffer.concat([buf, chunk]);
          if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
            const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
            if (msg.length < 12 || msg.readUInt16BE(0) !== query.readUInt16BE(0)) done(new Error('TCP answer does not match the query'));
            else done(Buffer.from(msg));
          }
        });
        sock.on('end', () => done(new Error('upstream closed the TCP connection without an answer')));
      });
    } finally {
      this.releaseTcpPort(localPort);
    }
  }

  private async takeTcpPort(): Promise<number | undefined> {
    const range = this.opts.portRange;
    if (!range) return undefined;
    for (;;) {
      const free = shuffled(range.first, range.last).find((p) => !this.tcpBusy.has(p));
      if (free !== undefined) {
        this.tcpBusy.add(free);
        return free;
      }
      await new Promise<void>((resolve) => this.tcpWaiters.push(resolve));
    }
  }

  private releaseTcpPort(port: number | undefined): void {
    if (port === undefined) return;
    this.tcpBusy.delete(port);
    this.tcpWaiters.shift()?.();
  }
}
