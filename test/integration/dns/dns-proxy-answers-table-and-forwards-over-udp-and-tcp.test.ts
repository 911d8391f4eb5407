// The DNS proxy on loopback, with a FAKE upstream: mesh names from the table over UDP and TCP,
// IDs kept, EDNS answered with EDNS, oversized answers truncated with TC (full over TCP), other
// names and other types forwarded, a truncated upstream answer fetched again over TCP, dead and
// silent upstreams ending in SERVFAIL within the timeout, malformed queries in FORMERR.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeNameTable } from '../../../src/proto/nds.js';
import { MeshTable } from '../../../src/dns/table.js';
import { DnsServer } from '../../../src/dns/server.js';
import { Forwarder } from '../../../src/dns/upstream.js';
import { resolveQuery } from '../../../src/dns/resolver.js';
import { startUpstream } from '../../fakes/fake-dns-upstream.mjs';
import { encodeNds, external, k8s } from '../../helpers/nds.js';
import { hasOpt, ips, rcodeOf, tcpAsk, udpAsk } from '../../helpers/dns-client.js';
import { freePort } from '../../helpers/free-port.js';

const many = Array.from({ length: 80 }, (_, i) => `10.50.0.${i + 1}`);
const table = new MeshTable(decodeNameTable(encodeNds([
  k8s('reviews', 'bookinfo', ['10.96.0.10', 'fd00::10']),
  k8s('headless', 'bookinfo', many),
  external('db.example.com', ['240.240.0.1']),
])), { namespace: 'bookinfo', domain: 'bookinfo.svc.cluster.local', search: [] });

type Up = Awaited<ReturnType<typeof startUpstream>>;
let up: Up;
let server: DnsServer;
let noTable: DnsServer;
let deadFirst: DnsServer;

async function serve(opts: { table?: MeshTable; upstreams: { address: string; port: number }[]; timeoutMs?: number }): Promise<DnsServer> {
  const forwarder = new Forwarder({ upstreams: opts.upstreams, timeoutMs: opts.timeoutMs ?? 3000 });
  await forwarder.start();
  const s = new DnsServer({ address: '127.0.0.1', port: 0, handle: (raw, proto) => resolveQuery({ table: () => opts.table, forwarder }, raw, proto) });
  await s.listen();
  const close = s.close.bind(s);
  s.close = () => { close(); forwarder.close(); };
  return s;
}

beforeAll(async () => {
  up = await startUpstream({ records: { 'example.com': '93.184.216.34', 'reviews.bookinfo.svc.cluster.local': '1.1.1.1' } });
  server = await serve({ table, upstreams: [{ address: '127.0.0.1', port: up.port }] });
  noTable = await serve({ upstreams: [{ address: '127.0.0.1', port: up.port }] });
  // A closed port first: its failure must not hide the working upstream behind it.
  deadFirst = await serve({ table, upstreams: [{ address: '127.0.0.1', port: await freePort() }, { address: '127.0.0.1', port: up.port }], timeoutMs: 1000 });
});
afterAll(() => { server?.close(); noTable?.close(); deadFirst?.close(); up?.close(); });

describe('DNS proxy', () => {
  it('answers a mesh name from the table over UDP: AA, the asked name, TTL 30, the ID kept, no EDNS unless asked', async () => {
    const { msg } = await udpAsk(server.port, { name: 'Reviews.bookinfo', id: 777 });
    expect(msg.id).toBe(777);
    expect(rcodeOf(msg)).toBe('NOERROR');
    expect(msg.flag_aa).toBe(true);
    expect(msg.answers).toEqual([expect.objectContaining({ type: 'A', name: 'Reviews.bookinfo', ttl: 30, data: '10.96.0.10' })]);
    expect(hasOpt(msg)).toBe(false);
    expect(up.seen.some((s) => s.name?.toLowerCase().startsWith('reviews'))).toBe(false);
  });

  it('answers EDNS with EDNS', async () => {
    const { msg } = await udpAsk(server.port, { name: 'reviews', type: 'AAAA', edns: 1232 });
    expect(ips(msg)).toEqual(['fd00::10']);
    expect(hasOpt(msg)).toBe(true);
  });

  it('NODATA (NOERROR, no answer) for a mesh host without that family, never NXDOMAIN', async () => {
    const { msg } = await udpAsk(server.port, { name: 'db.example.com', type: 'AAAA' });
    expect(rcodeOf(msg)).toBe('NOERROR');
    expect(msg.answers).toEqual([]);
  });

  it('truncates an oversized UDP answer with TC, and gives all of it over TCP (several queries on one connection)', async () => {
    const { bytes, msg } = await udpAsk(server.port, { name: 'headless' });
    expect(bytes.length).toBeLessThanOrEqual(512);
    expect(msg.flag_tc).toBe(true);
    expect(ips(msg).length).toBeLessThan(80);
    const [full, other] = await tcpAsk(server.port, [{ name: 'headless', id: 1 }, { name: 'reviews', id: 2 }]);
    expect(full?.flag_tc).toBe(false);
    expect(ips(full!)).toEqual([...many].sort());
    expect(other?.id).toBe(2);
    expect(ips(other!)).toEqual(['10.96.0.10']);
    const { msg: big } = await udpAsk(server.port, { name: 'headless', edns: 4096 });
    expect(big.flag_tc).toBe(false);
    expect(ips(big)).toHaveLength(80);
  });

  it('forwards other names with the client ID restored (upstream saw another ID), and NXDOMAIN from upstream passes through', async () => {
    const { msg } = await udpAsk(server.port, { name: 'example.com', id: 31337 });
    expect(msg.id).toBe(31337);
    expect(ips(msg)).toEqual(['93.184.216.34']);
    const { msg: nx } = await udpAsk(server.port, { name: 'nosuch.example', id: 9 });
    expect(rcodeOf(nx)).toBe('NXDOMAIN');
    expect(nx.id).toBe(9);
    expect(up.seen.filter((s) => s.name === 'example.com').every((s) => s.id !== 31337 || s.proto === 'tcp')).toBe(true);
  });

  it('forwards other record types even for mesh names (as Istio)', async () => {
    const { msg } = await udpAsk(server.port, { name: 'reviews.bookinfo.svc.cluster.local', type: 'TXT' });
    expect(msg.flag_aa).toBe(false);
    expect(up.seen.some((s) => s.name === 'reviews.bookinfo.svc.cluster.local' && s.type === 'TXT')).toBe(true);
  });

  it('fetches a truncated upstream answer again over TCP', async () => {
    const { msg } = await udpAsk(server.port, { name: 'big.example', edns: 4096 });
    expect(msg.flag_tc).toBe(false);
    expect(ips(msg)).toHaveLength(60);
    expect(up.seen.filter((s) => s.name === 'big.example').map((s) => s.proto)).toEqual(['udp', 'tcp']);
    const { bytes, msg: small } = await udpAsk(server.port, { name: 'big.example' });
    expect(small.flag_tc).toBe(true);
    expect(bytes.length).toBeLessThanOrEqual(512);
  });

  it('TCP clients are forwarded over TCP', async () => {
    const [m] = await tcpAsk(server.port, [{ name: 'example.com', id: 5 }]);
    expect(m?.id).toBe(5);
    expect(ips(m!)).toEqual(['93.184.216.34']);
  });

  it('skips a dead upstream, and answers SERVFAIL when every upstream stays silent past the timeout', async () => {
    const { msg } = await udpAsk(deadFirst.port, { name: 'example.com' });
    expect(ips(msg)).toEqual(['93.184.216.34']);
    const t0 = Date.now();
    const { msg: fail } = await udpAsk(deadFirst.port, { name: 'slow.example', id: 4 });
    expect(rcodeOf(fail)).toBe('SERVFAIL');
    expect(fail.id).toBe(4);
    expect(Date.now() - t0).toBeLessThan(6000);
  });

  it('before the first table every name is forwarded (the host keeps resolving)', async () => {
    const { msg } = await udpAsk(noTable.port, { name: 'reviews.bookinfo.svc.cluster.local' });
    expect(ips(msg)).toEqual(['1.1.1.1']);
  });

  it('answers FORMERR to a malformed query, keeping its ID', async () => {
    const raw = Buffer.from([0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0x05, 0x61]);
    const { msg } = await udpAsk(server.port, { name: '', raw });
    expect(msg.id).toBe(0x1234);
    expect(rcodeOf(msg)).toBe('FORMERR');
  });
});
