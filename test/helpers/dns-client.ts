/** A minimal DNS client for tests (dns-packet on UDP or TCP), with a bounded wait. */
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import dnsPacket from 'dns-packet';

export type Q = { name: string; type?: string; id?: number; edns?: number; raw?: Buffer };

export function query(q: Q): Buffer {
  if (q.raw) return q.raw;
  return dnsPacket.encode({
    type: 'query',
    id: q.id ?? 4242,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type: (q.type ?? 'A') as 'A', name: q.name }],
    additionals: q.edns === undefined ? [] : [{ type: 'OPT', name: '.', udpPayloadSize: q.edns, flags: 0, options: [] } as unknown as dnsPacket.Answer],
  });
}

export function udpAsk(port: number, q: Q, host = '127.0.0.1', timeoutMs = 8000): Promise<{ bytes: Buffer; msg: dnsPacket.DecodedPacket }> {
  return new Promise((resolve, reject) => {
    const s = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const timer = setTimeout(() => { s.close(); reject(new Error(`no UDP answer for ${q.name} in ${timeoutMs} ms`)); }, timeoutMs);
    s.on('message', (bytes) => { clearTimeout(timer); s.close(); resolve({ bytes, msg: dnsPacket.decode(bytes) }); });
    s.send(query(q), port, host);
  });
}

export function tcpAsk(port: number, qs: Q[], host = '127.0.0.1', timeoutMs = 8000): Promise<dnsPacket.DecodedPacket[]> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port });
    const out: dnsPacket.DecodedPacket[] = [];
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => { s.destroy(); reject(new Error(`no TCP answers in ${timeoutMs} ms`)); }, timeoutMs);
    s.on('error', (e) => { clearTimeout(timer); reject(e); });
    s.on('connect', () => s.write(Buffer.concat(qs.map((q) => { const b = query(q); const l = Buffer.alloc(2); l.writeUInt16BE(b.length); return Buffer.concat([l, b]); }))));
    s.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        out.push(dnsPacket.decode(buf.subarray(2, 2 + buf.readUInt16BE(0))));
        buf = buf.subarray(2 + buf.readUInt16BE(0));
      }
      if (out.length === qs.length) { clearTimeout(timer); s.destroy(); resolve(out); }
    });
  });
}

export const rcodeOf = (m: dnsPacket.DecodedPacket) => (m as unknown as { rcode: string }).rcode;
export const ips = (m: dnsPacket.DecodedPacket) => (m.answers ?? []).filter((a) => a.type === 'A' || a.type === 'AAAA').map((a) => (a as { data: string }).data).sort();
export const hasOpt = (m: dnsPacket.DecodedPacket) => (m.additionals ?? []).some((a) => a.type === 'OPT');
