/**
 * `vmlet run` with DNS on (capture itself off: no iptables on the host), the istiod simulator
 * serving a name table over NDS (it answers vmlet's own NDS request after the FAKE Envoy's LDS),
 * and a FAKE upstream for other names:
 *   1. the DNS proxy answers a mesh name once the table has arrived, and other names from the upstream;
 *   2. `vmlet dns lookup` says where each answer came from; `vmlet status` shows mode, size, age;
 *   3. the table is kept in the state dir, and a vmlet restarted without istiod answers from it.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TYPE } from '../../../src/xds/wire.js';
import { startUpstream } from '../../fakes/fake-dns-upstream.mjs';
import { udpAsk, ips } from '../../helpers/dns-client.js';
import { freePort } from '../../helpers/free-port.js';
import { encodeNds, external, k8s } from '../../helpers/nds.js';
import { startFakeVm, type FakeVm } from '../../helpers/vm-with-fake-envoy.js';
import { spawnVmlet, type VmletProcess } from '../../helpers/vmlet-process.js';
import { waitFor } from '../../helpers/wait-for.js';

const TABLE = Buffer.from(encodeNds([k8s('reviews', 'bar', ['10.96.0.10']), external('db.example.com', ['240.240.0.1'])]));

describe('vmlet run answers mesh names from the table istiod sends', () => {
  let up: Awaited<ReturnType<typeof startUpstream>>;
  let vm: FakeVm;
  let again: VmletProcess | undefined;
  let dnsPort = 0;
  let env: Record<string, string>;

  beforeAll(async () => {
    up = await startUpstream({ records: { 'example.com': '93.184.216.34' } });
    dnsPort = await freePort();
    env = { ISTIO_META_DNS_CAPTURE: 'true', VMLET_DNS_MODE: 'capture', VMLET_DNS_PORT: String(dnsPort), VMLET_DNS_UPSTREAMS: `127.0.0.1:${up.port}` };
    vm = await startFakeVm({ name: 'dns-run', config: { [TYPE.nameTable]: [{ name: 'nametable', value: TABLE }] }, env });
  }, 30_000);
  afterAll(async () => {
    await again?.stop();
    await vm?.stop();
    up?.close();
  });

  it('1. answers the mesh name once istiod sent the table, and other names from the upstream', async () => {
    const answer = await waitFor(async () => {
      const { msg } = await udpAsk(dnsPort, { name: 'reviews.bar.svc.cluster.local' });
      return ips(msg).includes('10.96.0.10') ? msg : undefined;
    }, { timeoutMs: 20_000, what: 'the mesh name from the table' });
    expect(answer.flag_aa).toBe(true);
    expect(ips((await udpAsk(dnsPort, { name: 'reviews' })).msg)).toEqual(['10.96.0.10']);
    expect(ips((await udpAsk(dnsPort, { name: 'example.com' })).msg)).toEqual(['93.184.216.34']);
  }, 30_000);

  it('2. vmlet dns lookup names the source; vmlet status shows the DNS mode, table size and age', async () => {
    const mesh = await vm.cli('dns lookup', 'reviews.bar');
    expect(mesh.code).toBe(0);
    expect(mesh.stdout).toContain('reviews.bar A: 10.96.0.10');
    expect(mesh.stdout).toContain('from: mesh name table (host reviews.bar.svc.cluster.local)');
    const other = await vm.cli('dns lookup', 'example.com', '--json');
    expect(JSON.parse(other.stdout)).toMatchObject({ source: 'upstream', upstream: `127.0.0.1:${up.port}`, addresses: ['93.184.216.34'], rcode: 'NOERROR' });
    const missing = await vm.cli('dns lookup', 'nosuch.example');
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('NXDOMAIN');
    const status = await vm.cli('status');
    expect(status.stdout).toMatch(new RegExp(`dns: mode capture on 127\\.0\\.0\\.1:${dnsPort}; 2 hosts, received \\d+ s ago \\(from istiod\\)`));
  }, 30_000);

  it('3. keeps the table in the state dir; restarted without istiod, vmlet answers from it', async () => {
    await waitFor(() => { try { return readFileSync(vm.tmp.join('state', 'dns', 'name-table.pb')).equals(TABLE); } catch { return false; } }, { what: 'the kept table' });
    await vm.vmlet.stop();
    // Identity and xDS off: nothing can reach istiod; only the kept table knows mesh names.
    again = spawnVmlet({ tmp: vm.tmp, env: { ...env, VMLET_STATUS_PORT: String(await freePort()) } });
    const answer = await waitFor(async () => {
      const r = await udpAsk(dnsPort, { name: 'db.example.com' }, '127.0.0.1', 1000).catch(() => undefined);
      return r && ips(r.msg).length > 0 ? r.msg : undefined;
    }, { timeoutMs: 15_000, what: 'the restarted proxy' });
    expect(ips(answer)).toEqual(['240.240.0.1']);
    expect(again.logs.some((l) => String(l.msg).includes('kept by an earlier run'))).toBe(true);
  }, 30_000);
});
