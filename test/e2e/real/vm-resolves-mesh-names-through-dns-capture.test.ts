// Issue 13 against an unmodified istiod and kube-apiserver: with ISTIO_META_DNS_CAPTURE (as
// istioctl writes it) and dns.mode capture, the VM's ordinary resolver (/etc/resolv.conf naming an
// upstream in the control-plane namespace) reaches vmlet through the capture rules, and vmlet answers
// from istiod's NDS name table: a Kubernetes Service (its ClusterIP), a headless Service (its ready
// endpoints), ServiceEntries with addresses and without (istiod's auto-allocated address, which a
// DNS-capturing proxy consumes). Names outside the mesh reach the upstream, a FAKE DNS server
// (test/fakes/fake-dns-upstream.mjs) in the control-plane namespace. Asked with `dig` (UDP and
// TCP) and Node's resolver. A Service created while vmlet runs becomes resolvable; with istiod
// frozen and its connection cut, the last table keeps answering.
// vmlet runs with the FAKE Envoy (no Envoy build exists here) and captures DNS only (no TCP
// capture: the fake Envoy forwards nothing).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ControlPlane, CP_IP, inNs } from './control-plane.js';
import { pollUntil } from './poll.js';
import { createWorkload, startVmlet, waitReady, type Vmlet, type Workload } from './vm.js';

const state = inject('controlPlane');
const NS = 'dns-e2e';
const ROOT = join(import.meta.dirname, '..', '..', '..');
const OUTSIDE = 'outside.example.org';
const OUTSIDE_IP = '192.0.2.44';
const SE_ADDR = '240.1.0.7';
/** The VM's applications run as a user of their own (nobody here). */
const APP_USER = ['--reuid=65534', '--regid=65534', '--clear-groups'];

describe.skipIf(!state)('a VM resolves mesh names through DNS capture, from a real istiod\'s name table', { timeout: 120_000 }, () => {
  let cp: ControlPlane;
  let w: Workload;
  let vmlet: Vmlet;
  let upstream: ChildProcess;
  const upstreamSeen: { name: string; proto: string }[] = [];
  let clusterIp = '';
  let autoAddr = '';
  const kubectlApply = (yaml: string) => cp.kubectl(['apply', '-f', '-'], yaml);

  /**
   * `dig +short` from the VM's namespace through /etc/resolv.conf (captured to vmlet), as an
   * application user: root is exempt from capture here, since the FAKE Envoy runs as root.
   */
  const dig = (name: string, ...opts: string[]): string[] => {
    try {
      return inNs(cp.vmNs, 'setpriv', [...APP_USER, 'dig', '+short', '+time=2', '+tries=1', ...opts, name], undefined, 15_000).split('\n').filter(Boolean).sort();
    } catch (err) {
      return [`error: ${String((err as { stdout?: string }).stdout ?? err)}`];
    }
  };
  const digStatus = (name: string, type = 'A') => /status: (\w+)/.exec(inNs(cp.vmNs, 'setpriv', [...APP_USER, 'dig', '+time=2', '+tries=1', name, type], undefined, 15_000))?.[1];
  /** Node's resolvers in the VM: getaddrinfo (dns.lookup) and c-ares (Resolver.resolve4). */
  const nodeResolve = (name: string) => JSON.parse(inNs(cp.vmNs, 'setpriv', [...APP_USER, process.execPath, '-e', `
    const dns = require('node:dns');
    Promise.allSettled([dns.promises.lookup(process.argv[1], { all: true, family: 4 }), new dns.promises.Resolver({ timeout: 3000, tries: 1 }).resolve4(process.argv[1])])
      .then(([a, b]) => console.log(JSON.stringify({ lookup: a.value ? a.value.map((x) => x.address).sort() : a.reason.code, resolve4: b.value ? b.value.sort() : b.reason.code })));
  `, name], undefined, 15_000)) as { lookup: string[] | string; resolve4: string[] | string };

  beforeAll(async () => {
    cp = ControlPlane.attach(state!);
    upstream = spawn('ip', ['netns', 'exec', cp.cpNs, process.execPath, join(ROOT, 'test', 'fakes', 'fake-dns-upstream.mjs'), CP_IP, '53', `${OUTSIDE}=${OUTSIDE_IP}`], { stdio: ['ignore', 'pipe', 'inherit'] });
    let ready = false;
    createInterface({ input: upstream.stdout! }).on('line', (l) => {
      if (l.startsWith('ready')) ready = true;
      else try { upstreamSeen.push(JSON.parse(l) as { name: string; proto: string }); } catch { /* not a query */ }
    });
    await pollUntil(() => ready || upstream.exitCode !== null, 20_000, 'the FAKE upstream DNS server');
    w = await createWorkload(cp, { ns: NS, sa: 'dns-sa', group: 'dns-app' });
    // The VM's resolver: the upstream across the veth (ip netns exec shows this file as /etc/resolv.conf).
    writeFileSync(`/etc/netns/${cp.vmNs}/resolv.conf`, `nameserver ${CP_IP}\n`);
    kubectlApply(`apiVersion: v1
kind: Service
metadata: {name: web, namespace: ${NS}}
spec: {ports: [{name: http, port: 80}], selector: {app: web}}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: ${NS}}
spec: {clusterIP: None, ports: [{name: tcp-db, port: 5432}], selector: {app: db}}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: db-1, namespace: ${NS}, labels: {kubernetes.io/service-name: db}}
addressType: IPv4
ports: [{name: tcp-db, port: 5432, protocol: TCP}]
endpoints:
- {addresses: [10.244.0.11], conditions: {ready: true}}
- {addresses: [10.244.0.12], conditions: {ready: true}}
- {addresses: [10.244.0.13], conditions: {ready: false}}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: partner-api, namespace: ${NS}}
spec:
  hosts: [api.partner.example]
  addresses: [${SE_ADDR}]
  location: MESH_EXTERNAL
  resolution: NONE
  ports: [{number: 443, name: tls, protocol: TLS}]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: partner-auto, namespace: ${NS}}
spec:
  hosts: [auto.partner.example]
  location: MESH_EXTERNAL
  resolution: DNS
  ports: [{number: 80, name: http, protocol: HTTP}]
`);
    clusterIp = cp.kubectl(['-n', NS, 'get', 'service', 'web', '-o', 'jsonpath={.spec.clusterIP}']).trim();
    // istiod's IP auto-allocation (PILOT_ENABLE_IP_AUTOALLOCATE, on by default) writes the address
    // to the ServiceEntry's status; a proxy with DNS capture gets it in its name table.
    autoAddr = await pollUntil(() => cp.kubectl(['-n', NS, 'get', 'serviceentry', 'partner-auto', '-o', 'jsonpath={.status.addresses[0].value}']).trim(), 30_000, 'an auto-allocated address');
    const home = mkdtempSync(join(cp.work, 'vmlet-dns-'));
    vmlet = startVmlet(cp, w, {
      state: home,
      // DNS capture only: no inbound ports and no outbound ranges, so the FAKE Envoy (which
      // forwards nothing) is not in any path; port 53 to the resolv.conf server goes to vmlet.
      extra: ['--set', 'dns.mode=capture', '--set', 'capture.inboundPorts=', '--set', 'capture.serviceCidr='],
      env: { VMLET_CAPTURE_ENABLED: 'true' },
    });
    await waitReady(cp, vmlet, 60_000);
  });

  afterAll(async () => {
    await vmlet?.stop('SIGTERM', 10_000);
    if (upstream?.exitCode === null) upstream.kill('SIGKILL');
    rmSync(`/etc/netns/${cp?.vmNs}/resolv.conf`, { force: true });
    try { cp.kubectl(['delete', 'namespace', NS, '--wait=false']); } catch { /* namespaces never finish deleting without a controller manager */ }
  });

  it('1: DNS is captured to vmlet: the nat table redirects port 53 of the resolv.conf server to 15053', () => {
    const rules = inNs(cp.vmNs, 'iptables-save', []);
    for (const proto of ['udp', 'tcp']) {
      expect(rules).toContain(`-A ISTIO_OUTPUT_DNS -d ${CP_IP}/32 -p ${proto} -m ${proto} --dport 53 -j REDIRECT --to-ports 15053`);
    }
  });

  it('2: a Kubernetes Service resolves to its ClusterIP (dig over UDP and TCP, short form for the VM\'s namespace), answered by vmlet', async () => {
    const fqdn = `web.${NS}.svc.cluster.local`;
    await pollUntil(() => dig(fqdn).includes(clusterIp), 30_000, `${fqdn} in the name table`);
    expect(dig(fqdn)).toEqual([clusterIp]);
    expect(dig(fqdn, '+tcp')).toEqual([clusterIp]);
    expect(dig(`web.${NS}`)).toEqual([clusterIp]);
  });

  it('3: Node\'s resolvers (getaddrinfo and c-ares) get the same answers', () => {
    expect(nodeResolve(`web.${NS}.svc.cluster.local`)).toEqual({ lookup: [clusterIp], resolve4: [clusterIp] });
    expect(nodeResolve('api.partner.example')).toEqual({ lookup: [SE_ADDR], resolve4: [SE_ADDR] });
  });

  it('4: a headless Service resolves to its ready endpoints', async () => {
    await pollUntil(() => dig(`db.${NS}.svc.cluster.local`).length === 2, 30_000, 'the headless service\'s endpoints');
    expect(dig(`db.${NS}.svc.cluster.local`)).toEqual(['10.244.0.11', '10.244.0.12']);
    expect(dig(`db.${NS}.svc.cluster.local`, '+tcp')).toEqual(['10.244.0.11', '10.244.0.12']);
  });

  it('5: ServiceEntries resolve: with an address to it, without one to istiod\'s auto-allocated address', async () => {
    expect(dig('api.partner.example')).toEqual([SE_ADDR]);
    expect(dig('api.partner.example', '+tcp')).toEqual([SE_ADDR]);
    await pollUntil(() => dig('auto.partner.example').includes(autoAddr), 30_000, 'the auto-allocated address');
    expect(dig('auto.partner.example')).toEqual([autoAddr]);
    // A mesh name has no AAAA here: NODATA, not NXDOMAIN (as Istio's agent answers).
    expect(digStatus('api.partner.example', 'AAAA')).toBe('NOERROR');
    expect(dig('api.partner.example', '-t', 'AAAA')).toEqual([]);
  });

  it('6: names outside the mesh reach the upstream in the control-plane namespace (UDP and TCP); unknown ones get its NXDOMAIN; mesh names never do', async () => {
    const before = upstreamSeen.length;
    expect(dig(OUTSIDE)).toEqual([OUTSIDE_IP]);
    expect(dig(OUTSIDE, '+tcp')).toEqual([OUTSIDE_IP]);
    expect(nodeResolve(OUTSIDE)).toEqual({ lookup: [OUTSIDE_IP], resolve4: [OUTSIDE_IP] });
    expect(digStatus('nowhere.example.org')).toBe('NXDOMAIN');
    const seen = await pollUntil(() => {
      const s = upstreamSeen.slice(before);
      const protos = new Set(s.filter((q) => q.name === OUTSIDE).map((q) => q.proto));
      return protos.has('udp') && protos.has('tcp') && s.some((q) => q.name === 'nowhere.example.org') ? s : undefined;
    }, 10_000, 'the upstream to report the forwarded queries');
    expect(seen.length).toBeGreaterThan(0);
    for (const mesh of [`web.${NS}.svc.cluster.local`, `db.${NS}.svc.cluster.local`, 'api.partner.example', 'auto.partner.example']) {
      expect(upstreamSeen.map((q) => q.name), 'answered by vmlet from the table').not.toContain(mesh);
    }
  });

  it('7: a Service created while vmlet runs becomes resolvable', async () => {
    const fqdn = `late.${NS}.svc.cluster.local`;
    expect(digStatus(fqdn)).toBe('NXDOMAIN');
    kubectlApply(`apiVersion: v1\nkind: Service\nmetadata: {name: late, namespace: ${NS}}\nspec: {ports: [{name: http, port: 8080}], selector: {app: late}}\n`);
    const ip = cp.kubectl(['-n', NS, 'get', 'service', 'late', '-o', 'jsonpath={.spec.clusterIP}']).trim();
    await pollUntil(() => dig(fqdn).includes(ip), 30_000, `${fqdn} after it was created`);
    expect(nodeResolve(fqdn).resolve4).toEqual([ip]);
  });

  it('8: with istiod frozen and the VM\'s connection to it cut, the last name table keeps answering', async () => {
    const istiod = state!.pids['istiod']!;
    const xdsState = () => vmlet.status().components?.find((c) => c.name === 'xds');
    const connected = xdsState();
    const cut = ['OUTPUT', '-d', CP_IP, '-p', 'tcp', '--dport', '15012', '-j', 'REJECT', '--reject-with', 'tcp-reset'];
    process.kill(istiod, 'SIGSTOP');
    try {
      inNs(cp.vmNs, 'iptables', ['-I', ...cut]);
      try {
        // vmlet notices on its next keepalive ping (answered with a reset now).
        await pollUntil(() => { const s = xdsState(); return s && (s.state !== connected?.state || s.detail !== connected?.detail) ? s : undefined; }, 60_000, 'vmlet to lose istiod');
        expect(dig(`web.${NS}.svc.cluster.local`)).toEqual([clusterIp]);
        expect(dig(`db.${NS}.svc.cluster.local`, '+tcp')).toEqual(['10.244.0.11', '10.244.0.12']);
        expect(dig('auto.partner.example')).toEqual([autoAddr]);
        expect(dig(OUTSIDE)).toEqual([OUTSIDE_IP]);
      } finally {
        inNs(cp.vmNs, 'iptables', ['-D', ...cut]);
      }
    } finally {
      process.kill(istiod, 'SIGCONT');
    }
    await pollUntil(() => execFileSync('ip', ['netns', 'exec', cp.cpNs, 'python3', '-c', 'import urllib.request as u;print(u.urlopen("http://127.0.0.1:8080/ready",timeout=3).status)'], { encoding: 'utf8' }).trim() === '200', 60_000, 'istiod ready again');
  });
});
