/**
 * The DNS proxy's sockets: UDP and TCP on one loopback address and port (127.0.0.1:15053).
 * Each query is handed to `handle` (./resolver.ts) and its answer sent back to the sender; over
 * TCP every message is length-prefixed (RFC 1035 §4.2.2), a connection may carry many queries,
 * answered as each is ready (RFC 7766 §6.2.1.1), and is closed after `idleMs` without one.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { VmletError } from '../errors.js';
import type { Protocol, Resolution } from './resolver.js';
import './errors.js';

export interface DnsServerOptions {
  readonly address: string;
  /** 0 picks a free port (the same for UDP and TCP). */
  readonly port: number;
  readonly handle: (raw: Buffer, proto: Protocol) => Promise<Resolution>;
  /** An answer known at once (a cached table answer), or undefined to go through `handle`. */
  readonly handleSync?: (raw: Buffer, proto: Protocol) => Resolution | undefined;
  /** After each answer (metrics): how long it took (s). */
  readonly onAnswered?: (r: Resolution, proto: Protocol, seconds: number) => void;
  /** A TCP connection without a query for this long is closed (ms). */
  readonly idleMs?: number;
}

/** Idle TCP connections are closed after this long (ms); clients reconnect as they do with any resolver. */
const DEFAULT_IDLE_MS = 10_000;

export class DnsServer {
  private udp: UdpSocket | undefined;
  private tcp: Server | undefined;
  private readonly conns = new Set<Socket>();
  private boundPort = 0;

  constructor(private readonly opts: DnsServerOptions) {}

  /** The port both sockets listen on (after listen). */
  get port(): number {
    return this.boundPort;
  }

  /** Binds TCP then UDP on the same port; rejects with VMLET_DNS_LISTEN_FAILED, leaving nothing bound. */
  async listen(): Promise<void> {
    const { address } = this.opts;
    const tcp = createServer({ noDelay: true }, (s) => this.onConnection(s));
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen({ host: address, port: this.opts.port, exclusive: true }, () => resolve());
      });
      this.boundPort = (tcp.address() as { port: number }).port;
      const udp = createSocket(address.includes(':') ? 'udp6' : 'udp4');
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind({ address, port: this.boundPort, exclusive: true }, () => resolve());
      });
      udp.removeAllListeners('error');
      udp.on('error', () => undefined);
      udp.on('message', (msg, rinfo) => void this.answer(msg, 'udp', (out) => udp.send(out, rinfo.port, rinfo.address)));
      this.udp = udp;
      this.tcp = tcp;
    } catch (err) {
      tcp.close();
      throw new VmletError('VMLET_DNS_LISTEN_FAILED', `the DNS proxy cannot listen on ${address}:${this.boundPort || this.opts.port}: ${(err as Error).message}; stop what holds that port (another DNS proxy, pilot-agent?) or set dns.port`, { cause: err });
    }
  }

  /** Stops listening and closes every connection (idempotent). */
  close(): void {
    this.udp?.close();
    this.udp = undefined;
    this.tcp?.close();
    this.tcp = undefined;
    for (const c of this.conns) c.destroy();
    this.conns.clear();
  }

  private async answer(raw: Buffer, proto: Protocol, send: (out: Buffer) => void): Promise<void> {
    const start = process.hrtime.bigint();
    // A cached answer is sent in the same turn: no promise and no microtask per query.
    const r = this.opts.handleSync?.(raw, proto) ?? await this.opts.handle(raw, proto);
    if (r.response) send(r.response);
    this.opts.onAnswered?.(r, proto, Number(process.hrtime.bigint() - start) / 1e9);
  }

  private onConnection(s: Socket): void {
    this.conns.add(s);
    s.setTimeout(this.opts.idleMs ?? DEFAULT_IDLE_MS, () => s.destroy());
    s.on('error', () => undefined);
    s.on('close', () => this.conns.delete(s));
    let buf: Buffer = Buffer.alloc(0);
    s.on('data', (chunk: Buffer) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = Buffer.from(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        buf = buf.subarray(2 + msg.length);
        void this.answer(msg, 'tcp', (out) => {
          if (s.destroyed) return;
          const len = Buffer.alloc(2);
          len.writeUInt16BE(out.length, 0);
          s.write(Buffer.concat([len, out]));
        });
      }
    });
  }
}
