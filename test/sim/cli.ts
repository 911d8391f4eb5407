/**
 * The istiod simulator as a process (demo, manual runs, other network namespaces):
 *
 *   node --import tsx test/sim/cli.ts --vm-dir DIR [--ns bar] [--sa vm-sa] [--port 0]
 *        [--group vm-app --instance-ip 127.0.0.1 --app-port 8080 --grace 3s] [--name-table JSON]
 *
 * Starts the simulator on 127.0.0.1, writes an istioctl-shaped directory to DIR, prints one JSON
 * line { port, vmDir, entriesUrl? } and serves until SIGTERM/SIGINT. With --group it also serves
 * ADS, holds that WorkloadGroup (with an httpGet probe on --app-port in mesh.yaml, as istioctl
 * copies it) and lists its WorkloadEntries as JSON at entriesUrl. --name-table
 * (`{"host": {"ips": [...], "registry"?, "shortname"?, "namespace"?}}`) is the NDS NameTable it
 * answers, as istiod does for a proxy with DNS capture.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseDuration } from '../../src/config/field.js';
import { encodeNds, type HostInfo } from '../helpers/nds.js';
import { createSimAds } from './ads.js';
import { startSimulator } from './simulator.js';

const { values } = parseArgs({
  options: {
    'vm-dir': { type: 'string' }, ns: { type: 'string', default: 'bar' }, sa: { type: 'string', default: 'vm-sa' }, port: { type: 'string', default: '0' },
    group: { type: 'string' }, 'instance-ip': { type: 'string', default: '127.0.0.1' }, 'app-port': { type: 'string', default: '8080' }, grace: { type: 'string', default: '3s' },
    'name-table': { type: 'string' },
  },
});
if (!values['vm-dir']) {
  process.stderr.write('usage: test/sim/cli.ts --vm-dir DIR [--ns NS] [--sa SA] [--port N] [--group NAME --instance-ip IP --app-port N --grace 3s]\n');
  process.exit(2);
}
const NDS_TYPE = 'type.googleapis.com/istio.networking.nds.v1.NameTable';
const grace = parseDuration(values.grace, 'text');
const nameTable = values['name-table'] === undefined ? undefined : Buffer.from(encodeNds(Object.entries(JSON.parse(values['name-table']) as Record<string, HostInfo>)));
const ads = values.group ? createSimAds({ graceMs: grace.ok ? grace.value : 3000, ...(nameTable ? { config: { [NDS_TYPE]: [{ name: 'name-table', value: nameTable }] } } : {}) }) : undefined;
const sim = await startSimulator({ port: Number(values.port), ...(ads ? { services: [ads.service] } : {}) });
let entriesUrl: string | undefined;
if (ads && values.group) {
  ads.bind(sim);
  ads.registry.addGroup({ name: values.group, namespace: values.ns!, uid: 'sim-uid-1', template: { labels: { app: values.group }, serviceAccount: values.sa!, ports: { http: Number(values['app-port']) } } });
  entriesUrl = await ads.listen();
}
await sim.writeVmDir(values['vm-dir'], {
  ns: values.ns!, sa: values.sa!,
  ...(values.group ? { clusterEnv: { ISTIO_META_AUTO_REGISTER_GROUP: values.group, ISTIO_SVC_IP: values['instance-ip']!, ISTIO_SERVICE: `${values.group}.${values.ns}`, ISTIO_METAJSON_LABELS: `'{"app":"${values.group}"}'` } } : {}),
});
if (values.group) {
  appendFileSync(join(values['vm-dir'], 'mesh.yaml'), `  readinessProbe:\n    httpGet:\n      path: /\n      port: ${Number(values['app-port'])}\n    periodSeconds: 1\n`);
}
process.stdout.write(`${JSON.stringify({ port: sim.port, vmDir: values['vm-dir'], ...(entriesUrl ? { entriesUrl } : {}) })}\n`);
const stop = () => { void Promise.all([sim.stop(), ads?.stop()]).then(() => process.exit(0)); };
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
