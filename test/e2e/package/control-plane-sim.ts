/**
 * The control plane for the package tests, run INSIDE the link's network namespace
 * (`ip netns exec <ns> node --import tsx control-plane-sim.ts ...`, see ./control-plane.ts): the
 * istiod simulator (a TEST DOUBLE, test/sim) with ADS and a WorkloadGroup, reachable from the
 * machine at <listen>:15012 through a TCP forwarder (the simulator binds 127.0.0.1 only).
 * Writes istioctl-shaped VM files to --vm-dir, pointed at istiod.istio-system.svc:15012 with a
 * hosts line naming <listen>, as `istioctl x workload entry configure` does for a VM outside the
 * cluster. The test reads what the simulator saw over a unix socket (not network-namespaced):
 * GET /calls (CA calls: auth, bearer, code), GET /workloadentries, GET /rejections. With
 * --name-table it answers NDS requests with that NameTable, as istiod does for DNS capture.
 * Prints one JSON line once everything listens; stops on SIGTERM.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createSimAds } from '../../sim/ads.js';
import { startSimulator } from '../../sim/index.js';
import { encodeNds, type HostInfo } from '../../helpers/nds.js';

const NDS_TYPE = 'type.googleapis.com/istio.networking.nds.v1.NameTable';

const { values } = parseArgs({
  options: {
    'vm-dir': { type: 'string' }, listen: { type: 'string' }, 'svc-ip': { type: 'string' }, control: { type: 'string' },
    group: { type: 'string', default: 'vm-app' }, ns: { type: 'string', default: 'bar' }, sa: { type: 'string', default: 'vm-sa' },
    // JSON {host: {ips, registry?, shortname?, namespace?}}: the NDS NameTable the simulator serves.
    'name-table': { type: 'string' },
  },
});
const vmDir = values['vm-dir'];
const listen = values.listen;
const control = values.control;
const svcIp = values['svc-ip'];
if (!vmDir || !listen || !control || !svcIp) {
  process.stderr.write('usage: control-plane-sim.ts --vm-dir DIR --listen ADDR --svc-ip ADDR --control SOCKET\n');
  process.exit(2);
}
const ISTIOD_PORT = 15012;
const { group, ns, sa } = values as { group: string; ns: string; sa: string };

const nameTable = values['name-table'] === undefined ? undefined : encodeNds(Object.entries(JSON.parse(values['name-table']) as Record<string, HostInfo>));
const ads = createSimAds({ graceMs: 5_000, ...(nameTable ? { config: { [NDS_TYPE]: [{ name: 'name-table', value: Buffer.from(nameTable) }] } } : {}) });
const sim = await startSimulator({ services: [ads.service] });
ads.bind(sim);
ads.registry.addGroup({ name: group, namespace: ns, uid: 'pkg-uid-1', template: { labels: { app: group }, serviceAccount: sa } });

// What istioctl writes for a VM: auto-registration, capture of every port and destination
// (ISTIO_INBOUND_PORTS/ISTIO_SERVICE_CIDR '*'), Envoy's own ports excluded.
await sim.writeVmDir(vmDir, {
  ns, sa,
  clusterEnv: {
    ISTIO_META_AUTO_REGISTER_GROUP: group, ISTIO_SVC_IP: svcIp, ISTIO_SERVICE: `${group}.${ns}`, ISTIO_METAJSON_LABELS: `'{"app":"${group}"}'`,
    ISTIO_INBOUND_PORTS: "'*'", ISTIO_SERVICE_CIDR: "'*'", ISTIO_LOCAL_EXCLUDE_PORTS: '15090,15021,15020',
  },
});
const meshPath = join(vmDir, 'mesh.yaml');
writeFileSync(meshPath, readFileSync(meshPath, 'utf8').replace(`localhost:${sim.port}`, `istiod.istio-system.svc:${ISTIOD_PORT}`));
writeFileSync(join(vmDir, 'hosts'), `${listen} istiod.istio-system.svc\n`);

const debug = (msg: string) => { if (process.env.VMLET_PKG_SIM_DEBUG) process.stderr.write(`${new Date().toISOString()} ${msg}\n`); };
const forwarder = createServer((inbound) => {
  debug(`forward open ${inbound.remoteAddress}:${inbound.remotePort}`);
  inbound.on('close', () => debug(`forward close ${inbound.remotePort}`));
  const upstream = connect(sim.port, '127.0.0.1');
  inbound.pipe(upstream).pipe(inbound);
  inbound.on('error', () => upstream.destroy());
  upstream.on('error', () => inbound.destroy());
});
await new Promise<void>((resolve, reject) => forwarder.once('error', reject).listen(ISTIOD_PORT, listen, () => resolve()));

rmSync(control, { force: true });
const api = createHttpServer((req, res) => {
  debug(`control ${req.url}`);
  res.setHeader('content-type', 'application/json');
  if (req.url === '/calls') res.end(JSON.stringify(sim.calls.map((c) => ({ auth: c.auth, bearer: c.bearer, code: c.code, identity: c.identity }))));
  else if (req.url === '/workloadentries') res.end(JSON.stringify(ads.registry.list()));
  else if (req.url === '/rejections') res.end(JSON.stringify(ads.rejections));
  else { res.statusCode = 404; res.end('{}'); }
});
await new Promise<void>((resolve) => api.listen(control, () => resolve()));
process.stdout.write(`${JSON.stringify({ istiod: `${listen}:${ISTIOD_PORT}`, vmDir })}\n`);

const stop = () => {
  forwarder.close();
  api.close();
  rmSync(control, { force: true });
  void Promise.all([sim.stop(), ads.stop()]).finally(() => process.exit(0));
};
process.once('SIGTERM', () => { debug('SIGTERM'); stop(); });
process.once('SIGINT', () => { debug('SIGINT'); stop(); });
setInterval(() => debug(`alive, ${sim.calls.length} CA calls`), 2000).unref();
