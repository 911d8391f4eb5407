// The answer cache (src/dns/answer-cache.ts) through resolveQuery: a repeated query for a mesh name
// gets the bytes encoded for the first one with its own ID, and exactly what an uncached resolver
// answers; the question's case is echoed; a new table is never answered from the old one's bytes;
// several addresses are not cached (they are shuffled per answer); forwarded names are not cached.
import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { AnswerCache, MAX_ENTRIES } from '../../../src/dns/answer-cache.js';
import { cachedAnswer, resolveQuery, type ResolverState } from '../../../src/dns/resolver.js';
import { MeshTable } from '../../../src/dns/table.js';
import type { Forwarder } from '../../../src/dns/upstream.js';
import { decodeNameTable } from '../../../src/proto/nds.js';
import { encodeNds, k8s } from '../../helpers/nds.js';

const ctx = { namespace: 'bookinfo', domain: 'bookinfo.svc.cluster.local', search: ['bookinfo.svc.cluster.local'] };
const tableOf = (ip: string) => new MeshTable(decodeNameTable(encodeNds([k8s('reviews', 'bookinfo', [ip]), k8s('headless', 'bookinfo', ['10.1.0.5', '10.1.0.6', '10.1.0.7'])])), ctx);
const query = (id: number, name: string, edns = true) => dnsPacket.encode({
  type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name }],
  ...(edns ? { additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232 } as unknown as dnsPacket.Answer] } : {}),
});
let forwarded = 0;
const forwarder = { forward: async (raw: Buffer) => { forwarded += 1; return { response: Buffer.from(raw), upstream: '192.0.2.1:53', viaTcp: false }; } } as unknown as Forwarder;

describe('repeated table queries', () => {
  it('are answered from the bytes of the first answer, with their own ID, as the uncached resolver answers', async () => {
    let table = tableOf('10.96.0.10');
    const cache = new AnswerCache<MeshTable>();
    const cached: ResolverState = { table: () => table, forwarder, cache };
    const plain: ResolverState = { table: () => table, forwarder };
    expect(cachedAnswer(cached, query(7, 'reviews'), 'udp')).toBeUndefined(); // nothing kept yet: resolve it
    const first = await resolveQuery(cached, query(7, 'reviews'), 'udp');
    expect(cache.size).toBe(1);
    // The server's synchronous path (no promise per query) gives the same bytes as resolving.
    const sync = cachedAnswer(cached, query(12, 'reviews'), 'udp');
    expect(sync?.response).toEqual((await resolveQuery(plain, query(12, 'reviews'), 'udp')).response);
    expect(cachedAnswer(cached, query(12, 'reviews'), 'tcp')).toBeUndefined(); // the transport is part of the key
    for (const [id, proto] of [[8, 'udp'], [65535, 'udp'], [9, 'tcp']] as const) {
      const r = await resolveQuery(cached, query(id, 'reviews'), proto);
      const expected = await resolveQuery(plain, query(id, 'reviews'), proto);
      expect(r.response).toEqual(expected.response);
      expect(r.response!.readUInt16BE(0)).toBe(id);
      expect(r).toMatchObject({ source: 'table', rcode: 'NOERROR', host: 'reviews.bookinfo.svc.cluster.local', truncated: false });
    }
    expect(first.response!.readUInt16BE(0)).toBe(7); // the first answer was not changed by later hits
    // The question's case is part of the key: the answer echoes it.
    const upper = dnsPacket.decode((await resolveQuery(cached, query(10, 'REVIEWS'), 'udp')).response!);
    expect(upper.questions?.[0]?.name).toBe('REVIEWS');
    expect(upper.answers?.[0]).toMatchObject({ name: 'REVIEWS', data: '10.96.0.10' });
    // A new table: the same query gets the new address, never the old bytes.
    table = tableOf('10.96.0.99');
    const after = dnsPacket.decode((await resolveQuery(cached, query(11, 'reviews'), 'udp')).response!);
    expect(after.answers?.[0]).toMatchObject({ data: '10.96.0.99' });
  });

  it('keep no answer with several addresses, nor a forwarded one; stay bounded', async () => {
    const table = tableOf('10.96.0.10');
    const cache = new AnswerCache<MeshTable>();
    const state: ResolverState = { table: () => table, forwarder, cache };
    await resolveQuery(state, query(1, 'headless'), 'udp');
    forwarded = 0;
    await resolveQuery(state, query(2, 'example.org'), 'udp');
    await resolveQuery(state, query(3, 'example.org'), 'udp');
    expect(forwarded).toBe(2);
    expect(cache.size).toBe(0);
    for (let i = 0; i < MAX_ENTRIES + 10; i++) await resolveQuery(state, query(i, i % 2 ? 'reviews' : 'Reviews', i % 3 === 0), i % 5 ? 'udp' : 'tcp');
    expect(cache.size).toBeLessThanOrEqual(MAX_ENTRIES);
  });
});
