/**
 * DNS capture end to end, in network namespaces this test creates: `vmlet run` (the built
 * bundle, as root) inside `vm` with capture on and ISTIO_META_DNS_CAPTURE, whose resolv.conf
 * (/etc/netns/<vm>/resolv.conf, bind-mounted by `ip netns exec`) names a FAKE upstream DNS server
 * in `peer`. Applications' queries to the nameserver are redirected to vmlet; mesh names answer
 * from the name table (the one kept in the state dir: istiod is not reachable here); other names
 * reach the upstream from vmlet's exempt source ports, so vmlet's own queries are never
 * redirected back to it, over UDP and TCP; glibc (getent) resolves both. After a stop the rules
 * are gone and the host's DNS goes to the upstream directly.
 *
 *   1. namespaces, resolv.conf, the upstream in peer, the stored table
 *   2. vmlet run in vm, wait for the rules and the proxy
 *   3. queries (UDP, TCP, getent) and what the upstream saw
 *   4. stop: rules removed, DNS direct again
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UPSTREAM_PORTS } from '../../../src/dns/upstream.js';
import { hasBinary, isRoot, requireOrSkip } from '../../helpers/env.js';
import { encodeNds, external, k8s } from '../../helpers/nds.js';
import { NetnsPair, PEER_V4 } from '../../helpers/netns.js';
import { ISTIO_FIXTURE } from '../../helpers/test-config.js';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp-dir.js';
import { EMPTY_CONFIG } from '../../helpers/vmlet-process.js';
import { waitFor } from '../../helpers/wait-for.js';

const ok = requireOrSkip(isRoot() && hasBinary('ip') && hasBinary('iptables-nft-restore') && hasBinary('getent'), 'DNS capture tests need root, iproute2, iptables and getent');
const ROOT = join(import.meta.dirname, '..', '..', '..');
const BUNDLE = join(ROOT, 'dist', 'vmlet.cjs');
const UPSTREAM = join(ROOT, 'test', 'fakes', 'fake-dns-upstream.mjs');
const ASK = join(ROOT, 'test', 'fakes', 'dns-ask.mjs');

interface Seen { name: string; type: string; proto: string; sport: number }

describe.skipIf(!ok)('DNS capture in a netns', () => {
  const ns = new NetnsPair('dns');
  let tmp: TmpDir;
  let upstream: ChildProcess | undefined;
  let vmlet: ChildProcess | undefined;
  const seen: Seen[] = [];
  const logs: string[] = [];
  const netnsEtc = `/etc/netns/${ns.vm}`;

  const ask = (name: string, proto: 'udp' | 'tcp', type = 'A') =>
    JSON.parse(ns.exec(ns.vm, process.execPath, [ASK, PEER_V4, '53', name, proto, type])) as { rcode: string; answers: string[]; aa: boolean; id: number };
  const getent = (name: string) => {
    try { return ns.exec(ns.vm, 'getent', ['ahostsv4', name]).split('\n')[0]?.split(/\s+/)[0] ?? ''; } catch { return 'not found'; }
  };
  const nat = () => ns.exec(ns.vm, 'iptables-nft-save', ['-t', 'nat']);

  beforeAll(async () => {
    // 1.
    ns.create();
    tmp = makeTmpDir('dns-netns');
    mkdirSync(netnsEtc, { recursive: true });
    writeFileSync(join(netnsEtc, 'resolv.conf'), `nameserver ${PEER_V4}\nsearch bar.svc.cluster.local svc.cluster.local cluster.local\noptions timeout:2 attempts:1\n`);
    upstream = spawn('ip', ['netns', 'exec', ns.peer, process.execPath, UPSTREAM, PEER_V4, '53', 'example.com=93.184.216.34'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let ready = false;
    upstream.stdout!.setEncoding('utf8').on('data', (d: string) => {
      for (const line of d.split('\n')) {
        if (line.startsWith('ready')) ready = true;
        else if (line.startsWith('{')) seen.push(JSON.parse(line) as Seen);
      }
    });
    await waitFor(() => ready, { timeoutMs: 10_000, what: 'the fake upstream in peer' });
    mkdirSync(tmp.join('state/dns'), { recursive: true });
    writeFileSync(tmp.join('state/dns/name-table.pb'), encodeNds([k8s('reviews', 'bar', ['10.96.0.10']), external('db.example.com', ['240.240.0.1'])]));

    // 2.
    vmlet = spawn('ip', ['netns', 'exec', ns.vm, process.execPath, BUNDLE, 'run', '--istio-dir', ISTIO_FIXTURE, '--config', EMPTY_CONFIG, '--log-format', 'json',
      '--set', 'capture.backend=nft', '--set', 'capture.istiodExempt=false'], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        VMLET_STATE_DIR: tmp.join('state'),
        VMLET_RUN_DIR: tmp.join('run'),
        VMLET_IDENTITY_ENABLED: 'false',
        VMLET_ENVOY_ENABLED: 'false',
        VMLET_XDS_ENABLED: 'false',
        ISTIO_META_DNS_CAPTURE: 'true',
        VMLET_DNS_MODE: 'capture',
        VMLET_DNS_QUERY_TIMEOUT: '2s',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    vmlet.stdout!.setEncoding('utf8').on('data', (d: string) => logs.push(...d.split('\n').filter(Boolean)));
    vmlet.stderr!.setEncoding('utf8').on('data', (d: string) => logs.push(d));
    await waitFor(() => logs.some((l) => l.includes('capture rules applied')) || vmlet!.exitCode !== null, { timeoutMs: 20_000, what: 'vmlet applies capture' });
    if (vmlet.exitCode !== null) throw new Error(`vmlet exited: ${logs.join('\n')}`);
  }, 60_000);

  afterAll(() => {
    if (vmlet?.pid !== undefined && vmlet.exitCode === null) vmlet.kill('SIGKILL');
    if (upstream?.pid !== undefined && upstream.exitCode === null) upstream.kill('SIGKILL');
    ns.destroy();
    rmSync(netnsEtc, { recursive: true, force: true });
    tmp?.cleanup();
  });

  // 3.
  it('installs the redirect and the exemption for its own upstream ports', () => {
    const rules = nat();
    expect(rules).toContain(`-A ISTIO_OUTPUT_DNS -d ${PEER_V4}/32 -p udp -m udp --dport 53 -j REDIRECT --to-ports 15053`);
    expect(rules).toContain(`-A ISTIO_OUTPUT -p udp -m udp --sport ${UPSTREAM_PORTS.first}:${UPSTREAM_PORTS.last} -m owner --uid-owner 0 -j RETURN`);
  });

  it('answers a mesh name from the table over UDP and TCP (the query never reaches the upstream)', async () => {
    expect(ask('reviews.bar.svc.cluster.local', 'udp')).toMatchObject({ rcode: 'NOERROR', aa: true, id: 4321, answers: ['10.96.0.10'] });
    expect(ask('reviews', 'tcp')).toMatchObject({ rcode: 'NOERROR', answers: ['10.96.0.10'] });
    // The upstream's log lines arrive once the event loop runs again (ask() is synchronous).
    ask('example.com', 'udp');
    await waitFor(() => seen.some((s) => s.name === 'example.com'), { what: 'the upstream log' });
    expect(seen.some((s) => s.name.includes('reviews'))).toBe(false);
  });

  it('forwards other names to the upstream from its exempt ports, UDP and TCP, without looping', async () => {
    const before = seen.length;
    expect(ask('example.com', 'udp')).toMatchObject({ rcode: 'NOERROR', answers: ['93.184.216.34'], aa: false });
    expect(ask('example.com', 'tcp')).toMatchObject({ rcode: 'NOERROR', answers: ['93.184.216.34'] });
    const mine = await waitFor(() => { const m = seen.slice(before).filter((s) => s.name === 'example.com'); return m.length >= 2 ? m : undefined; }, { what: 'both queries at the upstream' });
    expect(mine.map((s) => s.proto).sort()).toEqual(['tcp', 'udp']);
    for (const s of mine) expect(s.sport).toBeGreaterThanOrEqual(UPSTREAM_PORTS.first), expect(s.sport).toBeLessThanOrEqual(UPSTREAM_PORTS.last);
    expect(ask('nosuch.example', 'udp')).toMatchObject({ rcode: 'NXDOMAIN' });
  });

  it("the system resolver (glibc, resolv.conf's search list) gets mesh and other names through capture", () => {
    expect(getent('reviews')).toBe('10.96.0.10');
    expect(getent('reviews.bar')).toBe('10.96.0.10');
    expect(getent('db.example.com')).toBe('240.240.0.1');
    expect(getent('example.com')).toBe('93.184.216.34');
  });

  // 4.
  it('on stop removes the DNS rules: the host asks the upstream directly again', async () => {
    vmlet!.kill('SIGTERM');
    await waitFor(() => vmlet!.exitCode !== null, { timeoutMs: 15_000, what: 'vmlet stops' });
    expect(vmlet!.exitCode).toBe(0);
    expect(nat()).not.toContain('ISTIO_OUTPUT_DNS');
    const before = seen.length;
    expect(getent('example.com')).toBe('93.184.216.34');
    expect(getent('reviews')).toBe('not found');
    const direct = await waitFor(() => { const d = seen.slice(before).filter((s) => s.name === 'example.com'); return d.length > 0 ? d : undefined; }, { what: 'the direct query at the upstream' });
    expect(direct.every((s) => s.sport < UPSTREAM_PORTS.first || s.sport > UPSTREAM_PORTS.last)).toBe(true);
  }, 30_000);
});
