#!/usr/bin/env node
// A FAKE upstream DNS server for tests (UDP and TCP on one port), not a resolver: it answers A
// records from a fixed map, NXDOMAIN for anything else, records every query it saw (id, name,
// type, protocol, source port) and has a few misbehaviours on purpose:
//   big.example     -> 60 A records; over UDP only the TC bit (no records), as real servers do
//   slow.example    -> never answered
// Run as a program: `fake-dns-upstream.mjs HOST PORT name=ip ...` prints "ready PORT" and a JSON
// line per query on stdout. Imported: `startUpstream({ host, port, records })`.
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import dnsPacket from 'dns-packet';

const BIG = Array.from({ length: 60 }, (_, i) => `10.200.${Math.floor(i / 250)}.${(i % 250) + 1}`);

function answer(query, records, proto) {
  const q = query.questions?.[0];
  const base = { type: 'response', id: query.id, flags: dnsPacket.RECURSION_AVAILABLE | (query.flags & dnsPacket.RECURSION_DESIRED), questions: query.questions };
  const opt = query.additionals?.find((a) => a.type === 'OPT') ? [{ type: 'OPT', name: '.', udpPayloadSize: 4096, flags: 0, options: [] }] : [];
  if (!q) return { ...base, flags: base.flags | 2 };
  const name = q.name.toLowerCase();
  if (name === 'slow.example') return undefined;
  if (name === 'big.example') {
    if (proto === 'udp') return { ...base, flags: base.flags | dnsPacket.TRUNCATED_RESPONSE, additionals: opt };
    return { ...base, answers: BIG.map((ip) => ({ type: 'A', name: q.name, ttl: 60, data: ip })), additionals: opt };
  }
  const ip = records[name];
  if (ip === undefined) return { ...base, flags: base.flags | 3, additionals: opt };
  if (q.type !== 'A') return { ...base, additionals: opt };
  return { ...base, answers: [{ type: 'A', name: q.name, ttl: 60, data: ip }], additionals: opt };
}

export async function startUpstream({ host = '127.0.0.1', port = 0, records = {} } = {}) {
  const seen = [];
  const note = (msg, proto, sport) => {
    const q = msg.questions?.[0];
    seen.push({ id: msg.id, name: q?.name, type: q?.type, proto, sport });
  };
  const tcp = createServer((s) => {
    let buf = Buffer.alloc(0);
    s.on('error', () => {});
    s.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = dnsPacket.decode(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        buf = buf.subarray(2 + buf.readUInt16BE(0));
        note(msg, 'tcp', s.remotePort);
        const r = answer(msg, records, 'tcp');
        if (r) s.write(dnsPacket.streamEncode(r));
      }
    });
  });
  await new Promise((resolve) => tcp.listen({ host, port }, resolve));
  const bound = tcp.address().port;
  const udp = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  await new Promise((resolve) => udp.bind({ address: host, port: bound }, resolve));
  udp.on('message', (raw, rinfo) => {
    const msg = dnsPacket.decode(raw);
    note(msg, 'udp', rinfo.port);
    const r = answer(msg, records, 'udp');
    if (r) udp.send(dnsPacket.encode(r), rinfo.port, rinfo.address);
  });
  return {
    port: bound,
    seen,
    close: () => { udp.close(); tcp.close(); },
  };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const [host, port, ...pairs] = process.argv.slice(2);
  const records = Object.fromEntries(pairs.map((p) => p.split('=')));
  const up = await startUpstream({ host, port: Number(port), records });
  const push = up.seen.push.bind(up.seen);
  up.seen.push = (x) => { process.stdout.write(`${JSON.stringify(x)}\n`); return push(x); };
  process.stdout.write(`ready ${up.port}\n`);
  process.on('SIGTERM', () => { up.close(); process.exit(0); });
}
