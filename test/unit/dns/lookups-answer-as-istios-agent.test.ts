// Which names the mesh table answers, against NameTables encoded with the NDS schema: Kubernetes
// short names only in the VM's namespace, name.ns and name.ns.svc everywhere, the first resolv.conf
// search domain, wildcards, AAAA, auto-allocated ServiceEntry addresses, case and trailing dots,
// and never a CNAME (the answer is the address under the asked name).
import { describe, expect, it } from 'vitest';
import { decodeNameTable } from '../../../src/proto/nds.js';
import { MeshTable } from '../../../src/dns/table.js';
import { encodeNds, external, k8s } from '../../helpers/nds.js';

const bytes = encodeNds([
  k8s('reviews', 'bookinfo', ['10.96.0.10']),
  k8s('ratings', 'other', ['10.96.0.11', 'fd00::11']),
  k8s('headless', 'bookinfo', ['10.1.0.5', '10.1.0.6', '10.1.0.7']),
  k8s('v6only', 'bookinfo', ['fd00::12']),
  k8s('noaddr', 'bookinfo', ['not-an-ip']),
  ['dotted.bookinfo.svc.cluster.local.', { ips: ['10.9.9.9'], registry: 'Kubernetes', shortname: 'dotted', namespace: 'bookinfo' }],
  ['remote.bookinfo.svc.other.domain', { ips: ['10.8.8.8'], registry: 'Kubernetes', shortname: 'remote', namespace: 'bookinfo' }],
  external('db.example.com', ['240.240.0.1', '2001:2::1']), // auto-allocated (DNS_AUTO_ALLOCATE) addresses
  external('*.wild.example.org', ['10.7.7.7']),
  external('exact.wild.example.org', ['10.7.7.8']),
]);
const ctx = { namespace: 'bookinfo', domain: 'bookinfo.svc.cluster.local', search: ['bookinfo.svc.cluster.local', 'svc.cluster.local', 'cluster.local'] };
const table = new MeshTable(decodeNameTable(bytes), ctx);
const a = (name: string) => table.lookup(name, 'A');
const aaaa = (name: string) => table.lookup(name, 'AAAA');

describe('mesh table lookups', () => {
  it.each([
    'reviews.bookinfo.svc.cluster.local',
    'reviews.bookinfo.svc.cluster.local.',
    'reviews',
    'reviews.bookinfo',
    'reviews.bookinfo.svc',
    'REVIEWS.BookInfo.Svc.Cluster.Local.',
    'reviews.bookinfo.bookinfo.svc.cluster.local', // reviews.bookinfo + first search domain
  ])('%s -> the reviews service', (name) => {
    expect(a(name)).toEqual({ found: true, host: 'reviews.bookinfo.svc.cluster.local', addresses: ['10.96.0.10'] });
  });

  it('short names of another namespace need the namespace', () => {
    expect(a('ratings').found).toBe(false);
    expect(a('ratings.other')).toMatchObject({ found: true, addresses: ['10.96.0.11'] });
    expect(a('ratings.other.svc')).toMatchObject({ found: true, addresses: ['10.96.0.11'] });
    expect(aaaa('ratings.other')).toMatchObject({ found: true, addresses: ['fd00::11'] });
  });

  it('only the FIRST search domain expands names (as Istio)', () => {
    expect(a('reviews.bookinfo.svc.cluster.local.svc.cluster.local').found).toBe(false);
    expect(a('db.example.com.bookinfo.svc.cluster.local')).toMatchObject({ found: true, host: 'db.example.com' });
    expect(a('db.example.com.cluster.local').found).toBe(false);
    // A name already inside the search domain is not expanded again (Istio's rule).
    expect(a('reviews.bookinfo.svc.cluster.local.bookinfo.svc.cluster.local.').found).toBe(false);
  });

  it('a host without an address of the asked family is found with no addresses (NODATA, not NXDOMAIN)', () => {
    expect(aaaa('reviews')).toEqual({ found: true, host: 'reviews.bookinfo.svc.cluster.local', addresses: [] });
    expect(a('v6only')).toEqual({ found: true, host: 'v6only.bookinfo.svc.cluster.local', addresses: [] });
    expect(aaaa('v6only')).toMatchObject({ addresses: ['fd00::12'] });
  });

  it('headless services give every endpoint address', () => {
    expect(a('headless')).toMatchObject({ addresses: ['10.1.0.5', '10.1.0.6', '10.1.0.7'] });
  });

  it('ServiceEntry hosts answer under their own name only, with auto-allocated v4 and v6', () => {
    expect(a('db.example.com')).toMatchObject({ found: true, addresses: ['240.240.0.1'] });
    expect(aaaa('DB.example.com.')).toMatchObject({ found: true, addresses: ['2001:2::1'] });
    expect(a('db').found).toBe(false);
  });

  it('wildcards cover names below them; an exact host wins', () => {
    expect(a('x.wild.example.org')).toMatchObject({ found: true, host: '*.wild.example.org', addresses: ['10.7.7.7'] });
    expect(a('a.b.wild.example.org')).toMatchObject({ addresses: ['10.7.7.7'] });
    expect(a('exact.wild.example.org')).toMatchObject({ addresses: ['10.7.7.8'] });
    expect(a('wild.example.org').found).toBe(false);
  });

  it('drops Kubernetes hosts written with a trailing dot and hosts without a valid address', () => {
    expect(a('dotted.bookinfo.svc.cluster.local').found).toBe(false);
    expect(a('noaddr').found).toBe(false);
  });

  it('a Kubernetes host of another cluster domain has no short forms', () => {
    expect(a('remote.bookinfo.svc.other.domain')).toMatchObject({ found: true });
    expect(a('remote.bookinfo').found).toBe(false);
    expect(a('remote').found).toBe(false);
  });

  it('non-mesh names are not found (they are forwarded)', () => {
    expect(a('example.com').found).toBe(false);
    expect(a('nosuch.bookinfo.svc.cluster.local').found).toBe(false);
    expect(a('nosuch').found).toBe(false);
  });

  it('counts the table hosts and lists the usable ones for resolved mode', () => {
    expect(table.size).toBe(10);
    expect([...table.hostNames()].sort()).toEqual(['*.wild.example.org', 'db.example.com', 'exact.wild.example.org', 'headless.bookinfo.svc.cluster.local',
      'ratings.other.svc.cluster.local', 'remote.bookinfo.svc.other.domain', 'reviews.bookinfo.svc.cluster.local', 'v6only.bookinfo.svc.cluster.local']);
  });
});
