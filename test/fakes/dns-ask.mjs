#!/usr/bin/env node
// A one-shot DNS client for tests (a FAKE application): `dns-ask.mjs SERVER PORT NAME udp|tcp [TYPE]`
// sends one query, prints one JSON line {rcode, tc, answers} and exits 0, or prints
// {"error": ...} and exits 1 after 5 s without an answer.
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import dnsPacket from 'dns-packet';

const [server, port, name, proto = 'udp', type = 'A'] = process.argv.slice(2);
const query = dnsPacket.encode({ type: 'query', id: 4321, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] });
const done = (buf) => {
  const m = dnsPacket.decode(buf);
  process.stdout.write(`${JSON.stringify({ rcode: m.rcode, tc: m.flag_tc, aa: m.flag_aa, id: m.id, answers: (m.answers ?? []).map((a) => a.data) })}\n`);
  process.exit(0);
};
setTimeout(() => { process.stdout.write(`${JSON.stringify({ error: 'no answer in 5 s' })}\n`); process.exit(1); }, 5000);
if (proto === 'tcp') {
  const s = connect({ host: server, port: Number(port) }, () => s.write(dnsPacket.streamEncode(dnsPacket.decode(query))));
  let buf = Buffer.alloc(0);
  s.on('data', (c) => {
    buf = Buffer.concat([buf, c]);
    if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) done(buf.subarray(2, 2 + buf.readUInt16BE(0)));
  });
  s.on('error', (e) => { process.stdout.write(`${JSON.stringify({ error: e.message })}\n`); process.exit(1); });
} else {
  const s = createSocket(server.includes(':') ? 'udp6' : 'udp4');
  s.on('message', done);
  s.send(query, Number(port), server);
}
