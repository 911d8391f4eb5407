/**
 * Starts the real control plane and keeps it up for manual work, until Ctrl-C:
 *   npx tsx test/e2e/real/up.ts "$(bash test/e2e/build.sh | tail -1)"
 * Prints the namespaces and kubeconfig; `ip netns exec <cp> <bin>/kubectl --kubeconfig ...` reaches it.
 */
import { ControlPlane } from './control-plane.js';

const bin = process.argv[2];
if (!bin) {
  console.error('usage: npx tsx test/e2e/real/up.ts <bin dir printed by test/e2e/build.sh>');
  process.exit(2);
}
const cp = new ControlPlane(bin, 'up');
const stop = async () => { await cp.stop(false); process.exit(0); };
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
try {
  await cp.start();
} catch (err) {
  await cp.stop(true);
  throw err;
}
console.log(JSON.stringify(cp.state(), null, 2));
setInterval(() => undefined, 60_000);
