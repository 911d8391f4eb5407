// FAKE of `vmlet run`, for testing the shipped unit's sandbox and the packaging, not vmlet: run
// by the bundled Node.js under vmlet.service (a drop-in swaps ExecStart), it does what the real
// agent needs the sandbox to allow and reports over sd_notify the way vmlet does (systemd-notify
// without --pid, NotifyAccess=all). /etc/vmlet-test/mode, read at SIGTERM: "normal", or "leave-capture" (exit 1
// on SIGTERM without removing its rule, as a crashed agent would). SIGUSR1 hangs the event loop.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const CHAIN = 'ISTIO_FAKE';
const log = (msg, extra = {}) => process.stdout.write(`${JSON.stringify({ level: 30, time: Date.now(), component: 'fake-run', msg, ...extra })}\n`);
const notify = (...args) => spawnSync('systemd-notify', args, { stdio: 'ignore' });
const mode = () => (existsSync('/etc/vmlet-test/mode') ? readFileSync('/etc/vmlet-test/mode', 'utf8').trim() : 'normal');

log('starting', { pid: process.pid });
notify('--status=starting');

// Every directory vmlet writes must be writable under ProtectSystem=strict.
for (const dir of ['/var/lib/vmlet', '/run/vmlet', '/etc/istio/proxy', '/run/secrets/workload-spiffe-uds']) {
  writeFileSync(`${dir}/fake-probe`, `${process.pid}\n`);
}
// Envoy is started as istio-proxy: needs CAP_SETUID/CAP_SETGID.
const uid = Number(spawnSync('id', ['-u', 'istio-proxy'], { encoding: 'utf8' }).stdout.trim());
const gid = Number(spawnSync('id', ['-g', 'istio-proxy'], { encoding: 'utf8' }).stdout.trim());
const child = spawnSync('id', ['-u'], { uid, gid, encoding: 'utf8' });
if (child.status !== 0 || Number(child.stdout.trim()) !== uid) {
  log('cannot start a child as istio-proxy', { error: String(child.error ?? child.stderr) });
  process.exit(1);
}
// Capture: needs CAP_NET_ADMIN, AF_NETLINK and the syscalls iptables uses.
spawnSync('iptables', ['-w', '-t', 'nat', '-N', CHAIN], { stdio: 'ignore' });
const listed = spawnSync('iptables', ['-w', '-t', 'nat', '-S', CHAIN], { encoding: 'utf8' });
if (listed.status !== 0) {
  log('cannot install a rule', { stderr: listed.stderr });
  process.exit(1);
}

notify('--ready', `--status=fake ready: child uid ${uid}, chain ${CHAIN}`);
log('ready');
const usec = Number(process.env.WATCHDOG_USEC ?? 0);
if (usec > 0) setInterval(() => notify('WATCHDOG=1'), usec / 2000);

process.on('SIGUSR1', () => {
  log('hanging the event loop');
  for (;;);
});
process.on('SIGTERM', () => {
  notify('STOPPING=1', '--status=stopping');
  if (mode() === 'leave-capture') {
    log('exiting without removing capture');
    process.exit(1);
  }
  spawnSync('iptables', ['-w', '-t', 'nat', '-X', CHAIN], { stdio: 'ignore' });
  log('stopped');
  process.exit(0);
});
