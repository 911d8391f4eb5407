import { describe, expect, it } from 'vitest';
import { MAX_LINK_DOMAINS, normalizeDomain, routingDomains } from '../../../src/dns/routing-domains.js';

describe('routing domains for systemd-resolved: as narrow as possible, within its per-link cap', () => {
  it.each([
    ['Reviews.Bookinfo.svc.Cluster.Local.', 'reviews.bookinfo.svc.cluster.local'],
    ['*.wiki.example.com', 'wiki.example.com'],
    ['~cluster.local', 'cluster.local'],
    ['db.chk.internal', 'db.chk.internal'],
    ['', undefined],
    ['a..b', undefined],
    ['bad name.example', undefined],
    ['x.*.example', undefined],
  ])('normalizes %j to %j', (input, out) => {
    expect(normalizeDomain(input)).toBe(out);
  });

  it('routes the cluster domain once and each host outside it exactly (siblings stay with the host\'s resolvers)', () => {
    const r = routingDomains(['cluster.local', 'reviews.bookinfo.svc.cluster.local', 'db.chk.internal', 'DB.chk.internal.', '*.wiki.example.com', 'api.example.com']);
    expect(r.domains).toEqual(['api.example.com', 'cluster.local', 'db.chk.internal', 'wiki.example.com']);
    expect(r.collapsed).toBe(0);
    expect(r.dropped).toEqual([]);
  });

  it('a host under another routed host is covered by it, not listed twice', () => {
    expect(routingDomains(['example.com', 'a.example.com', 'b.a.example.com']).domains).toEqual(['example.com']);
  });

  it(`past ${MAX_LINK_DOMAINS} domains, the deepest names are routed by their parent, one label at a time`, () => {
    const hosts = Array.from({ length: 300 }, (_, i) => `svc-${i}.team-${i % 10}.corp.example`);
    const r = routingDomains(['cluster.local', ...hosts]);
    expect(r.domains).toEqual(['cluster.local', ...Array.from({ length: 10 }, (_, i) => `team-${i}.corp.example`).sort()]);
    expect(r.collapsed).toBe(300);
    expect(r.dropped).toEqual([]);
  });

  it('never collapses to a bare top-level label: the two-label domains that cover most names are kept, the rest dropped', () => {
    const r = routingDomains(['cluster.local', 'a.cluster.local', 'b.cluster.local', 'x.one', 'y.two', 'z.three'], 2);
    expect(r.domains).toEqual(['cluster.local', 'x.one']);
    expect(r.dropped).toEqual(['y.two', 'z.three']);
  });

  it('a 20,000-host table (10,000 outside the cluster domain) collapses to the parents that fit', () => {
    const hosts = Array.from({ length: 10_000 }, (_, i) => `h${i}.ns${i % 500}.svc.cluster.local`).concat(Array.from({ length: 10_000 }, (_, i) => `se-${i}.bench.example`));
    const r = routingDomains(['cluster.local', ...hosts]);
    expect(r.domains).toEqual(['bench.example', 'cluster.local']);
    expect(r.collapsed).toBe(10_000);
  });
});
