/**
 * The istiod simulator as a process (demo, manual runs, other network namespaces):
 *
 *   node --import tsx test/sim/cli.ts --vm-dir DIR [--ns bar] [--sa vm-sa] [--port 0]
 *
 * Starts the simulator on 127.0.0.1, writes an istioctl-shaped directory to DIR, prints one JSON
 * line { port, vmDir } and serves until SIGTERM/SIGINT.
 */
import { parseArgs } from 'node:util';
import { startSimulator } from './simulator.js';

const { values } = parseArgs({
  options: { 'vm-dir': { type: 'string' }, ns: { type: 'string', default: 'bar' }, sa: { type: 'string', default: 'vm-sa' }, port: { type: 'string', default: '0' } },
});
if (!values['vm-dir']) {
  process.stderr.write('usage: test/sim/cli.ts --vm-dir DIR [--ns NS] [--sa SA] [--port N]\n');
  process.exit(2);
}
const sim = await startSimulator({ port: Number(values.port) });
await sim.writeVmDir(values['vm-dir'], { ns: values.ns!, sa: values.sa! });
process.stdout.write(`${JSON.stringify({ port: sim.port, vmDir: values['vm-dir'] })}\n`);
const stop = () => { void sim.stop().then(() => process.exit(0)); };
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
