/**
 * `npm run demo`: a throwaway "VM" (a network namespace when run as root, otherwise this
 * machine's loopback), vmlet onboarding it while the terminal shows each step and vmlet's live
 * events, then a clean teardown that always runs.
 *
 * TO EXTEND: add a step to STEPS (in the order a VM lives it: istiod simulator before vmlet
 * starts, checks of identity/capture/Envoy after it is ready). A step is { title, run(ctx) };
 * anything it starts it hands to ctx.defer() so the teardown undoes it, in reverse order.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';

const ROOT = join(import.meta.dirname, '..');
const BUNDLE = join(ROOT, 'dist', 'vmlet.cjs');
const ISTIO_DIR = join(ROOT, 'test', 'fixtures', 'istio-vm');
const tty = process.stdout.isTTY === true;
const paint = (code: string) => (s: string) => (tty ? `\x1b[${code}m${s}\x1b[0m` : s);
const bold = paint('1');
const dim = paint('2');
const green = paint('32');
const cyan = paint('36');

interface DemoContext {
  /** The throwaway VM: `ip netns exec <name>` prefix (root) or nothing (loopback). */
  vmPrefix: string[];
  vmName: string;
  tmp: string;
  /** The Istio VM files vmlet reads (the fixture until the istiod simulator writes its own). */
  istioDir: string;
  statusPort: number;
  /** vmlet's DNS proxy port (15053 in the VM's own namespace). */
  dnsPort: number;
  vmlet?: ChildProcess;
  /** The simulator's WorkloadEntry listing (reachable from inside the VM). */
  entriesUrl?: string;
  app?: ChildProcess;
  /** Registers an undo for the teardown (run in reverse order, always). */
  defer(what: string, fn: () => Promise<void> | void): void;
  /** Runs `vmlet <args>` inside the VM and waits; returns its exit code and output. */
  vmletOnce(args: string[]): { status: number | null; stdout: string; stderr: string };
  /** Starts `vmlet <args>` inside the VM, printing each output line with `label`. */
  vmletSpawn(args: string[], label: string, show?: (line: string) => string | undefined): ChildProcess;
}

interface Step {
  readonly title: string;
  run(ctx: DemoContext): Promise<void>;
}

/** The demo app's port inside the VM (the WorkloadGroup probe's target). */
const APP_PORT = 8080;
/** A Kubernetes Service in the simulator's name table, and its ClusterIP. */
const MESH_NAME = 'reviews.bar.svc.cluster.local';
const MESH_IP = '10.96.0.12';

// The throwaway VM has only loopback and no istio-proxy user: the address to register and Envoy's
// user (the FAKE Envoy runs as the caller) are given, as an operator of such a host would.
const common = (ctx: DemoContext) => ['--istio-dir', ctx.istioDir, '--config', join(ctx.tmp, 'config.yaml'), '--set', `general.statusPort=${ctx.statusPort}`,
  '--set', 'node.instanceIps=127.0.0.1', '--set', 'envoy.runAsUser='];

const STEPS: Step[] = [
  {
    title: 'Prepare the throwaway VM',
    async run(ctx) {
      if (process.getuid?.() === 0 && spawnSync('ip', ['netns', 'add', ctx.vmName]).status === 0) {
        ctx.defer(`delete network namespace ${ctx.vmName}`, () => { spawnSync('ip', ['netns', 'delete', ctx.vmName]); });
        spawnSync('ip', ['netns', 'exec', ctx.vmName, 'ip', 'link', 'set', 'lo', 'up']);
        ctx.vmPrefix = ['ip', 'netns', 'exec', ctx.vmName];
        say(`network namespace ${bold(ctx.vmName)} (its own loopback, no route out)`);
      } else {
        // The loopback "VM" shares ports with this machine: take one the OS says is free.
        ctx.statusPort = await freePort();
        say('not root: the "VM" is this machine\'s loopback');
      }
      spawnSync('sh', ['-c', `printf '# demo: every value from the Istio files, flags or defaults\\n' > ${JSON.stringify(join(ctx.tmp, 'config.yaml'))}`]);
    },
  },
  {
    title: 'Validate the Istio VM files (as istioctl x workload entry configure writes them)',
    async run(ctx) {
      const r = ctx.vmletOnce(['validate', ...common(ctx)]);
      for (const line of `${r.stderr}${r.stdout}`.trim().split('\n')) say(line);
      if (r.status !== 0) throw new Error(`vmlet validate exited ${r.status}`);
    },
  },
  // INTEGRATORS: the istiod simulator (test/sim/) starts here, before vmlet.
  {
    title: 'Start the istiod simulator (test double: CA on 127.0.0.1, istioctl-shaped files with a 1h token)',
    async run(ctx) {
      const vmDir = join(ctx.tmp, 'istio');
      const [cmd, ...rest] = [...ctx.vmPrefix, process.execPath, '--import', 'tsx', join(ROOT, 'test', 'sim', 'cli.ts'), '--vm-dir', vmDir,
        '--group', 'vm-app', '--instance-ip', '127.0.0.1', '--app-port', String(APP_PORT), '--grace', '3s',
        '--name-table', JSON.stringify({ [MESH_NAME]: { ips: [MESH_IP], registry: 'Kubernetes', shortname: 'reviews', namespace: 'bar' } })];
      const sim = spawn(cmd!, rest, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
      ctx.defer('stop the istiod simulator', async () => { await stop(sim); });
      const first = await new Promise<string>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('the simulator did not start within 15 s')), 15_000);
        createInterface({ input: sim.stdout! }).once('line', (line) => { clearTimeout(t); resolve(line); });
      });
      const { port, entriesUrl } = JSON.parse(first) as { port: number; entriesUrl: string };
      ctx.istioDir = vmDir;
      ctx.entriesUrl = entriesUrl;
      say(`istiod simulator on ${bold(`127.0.0.1:${port}`)} (TLS, server name istiod.istio-system.svc)`);
      say(`VM files in ${vmDir}: cluster.env, mesh.yaml (discoveryAddress localhost:${port}, readinessProbe httpGet :${APP_PORT}), root-cert.pem, istio-token, hosts`);
      say('WorkloadGroup bar/vm-app exists in the simulator (auto-registration on, grace period 3 s)');
      say(`name table (NDS) for DNS capture: ${MESH_NAME} → ${MESH_IP}`);
      const r = ctx.vmletOnce(['validate', ...common(ctx)]);
      if (r.status !== 0) throw new Error(`vmlet validate exited ${r.status}: ${r.stderr}`);
      say('vmlet validate: the simulator\'s files are valid');
    },
  },
  {
    title: `Start the demo app in the VM (HTTP on 127.0.0.1:${APP_PORT}, the WorkloadGroup's probe target)`,
    async run(ctx) {
      startApp(ctx);
      ctx.defer('stop the demo app', () => (ctx.app ? stop(ctx.app).then(() => undefined) : undefined));
      say(`app answering 200 on :${APP_PORT}`);
    },
  },
  {
    title: 'Start vmlet and follow its live status (/events)',
    async run(ctx) {
      // No Envoy build exists here: the demo runs the FAKE Envoy (test/fakes), which takes Envoy's
      // command line, answers its admin API, fetches certificates over SDS and speaks ADS.
      const sidecar = [
        '--set', `envoy.binaryPath=${join(ROOT, 'test', 'fakes', 'fake-envoy.mjs')}`, '--set', 'envoy.runAsUser=',
        '--set', `envoy.configDir=${join(ctx.tmp, 'envoy')}`, '--set', `sds.socketPath=${join(ctx.tmp, 'sds', 'socket')}`,
        '--set', `xds.socketPath=${join(ctx.tmp, 'proxy', 'XDS')}`, '--set', 'health.propagationDelay=1s', '--set', 'general.drainGrace=2s',
      ];
      if (ctx.vmPrefix.length === 0) sidecar.push('--set', `envoy.adminPort=${await freePort()}`);
      // DNS as istioctl asks for it (ISTIO_META_DNS_CAPTURE); the loopback "VM" shares ports with this machine.
      sidecar.push('--set', 'capture.dnsCapture=true');
      if (ctx.vmPrefix.length === 0) ctx.dnsPort = await freePort();
      sidecar.push('--set', `dns.port=${ctx.dnsPort}`);
      const vmlet = ctx.vmletSpawn(['run', ...common(ctx), ...sidecar, '--log-format', 'json'], 'log', (line) => {
        try {
          const l = JSON.parse(line) as { msg?: string; component?: string; level?: number };
          return l.level !== undefined && l.level >= 30 ? `${l.component ? `${l.component}: ` : ''}${l.msg}` : undefined;
        } catch {
          return line;
        }
      });
      ctx.vmlet = vmlet;
      ctx.defer('stop vmlet', async () => { await stop(vmlet); });
      await until(() => ctx.vmletOnce(['status', ...common(ctx)]).status === 0, 15_000, 'vmlet to be ready');
      const watch = ctx.vmletSpawn(['status', '--watch', ...common(ctx)], 'event');
      ctx.defer('stop the event stream', async () => { await stop(watch); });
      await sleep(300);
    },
  },
  // INTEGRATORS: steps that show identity, capture, Envoy and registration go here.
  {
    title: 'Workload identity: the token was traded for a SPIFFE certificate (renewed with itself from now on)',
    async run(ctx) {
      const r = ctx.vmletOnce(['status', '--json', ...common(ctx)]);
      const status = JSON.parse(r.stdout || '{}') as { components?: { name: string; detail: string }[] };
      const line = status.components?.find((c) => c.name === 'identity');
      if (line) say(`status: identity ${line.detail}`);
      const dir = join(ctx.tmp, 'state', 'identity');
      const leaf = new X509Certificate(readFileSync(join(dir, 'cert-chain.pem')));
      say(`SPIFFE ID  ${bold(leaf.subjectAltName?.replace(/^URI:/, '') ?? '?')}`);
      say(`valid      ${leaf.validFrom} → ${leaf.validTo} (renewal at about half of the lifetime)`);
      say(`stored in  ${dir} (key.pem mode ${(statSync(join(dir, 'key.pem')).mode & 0o777).toString(8)})`);
    },
  },
  {
    title: 'Into the mesh: the simulator auto-registered a WorkloadEntry from the WorkloadGroup',
    async run(ctx) {
      const e = (await untilEntry(ctx, (x) => x !== undefined, 15_000, 'the WorkloadEntry'))!;
      say(`WorkloadEntry ${bold(`${e.namespace}/${e.name}`)} address ${e.spec.address}, labels ${JSON.stringify(e.labels)}`);
      say(`annotations: connectedAt ${e.annotations['istio.io/connectedAt']}, health-checks-enabled ${e.annotations['proxy.istio.io/health-checks-enabled']}`);
      const h = await untilEntry(ctx, (x) => healthy(x) === 'True', 15_000, 'Healthy=True');
      say(`condition Healthy=${green(healthy(h) ?? '?')} (app probe AND Envoy ready, reported on the xDS stream)`);
    },
  },
  {
    title: 'DNS: a mesh name resolves on the VM, from istiod\'s name table',
    async run(ctx) {
      // What an application gets: a plain DNS query to vmlet's DNS proxy (capture sends port 53 there).
      const query = (q: string) => {
        const [cmd, ...rest] = [...ctx.vmPrefix, process.execPath, '-e', `const r = new (require('node:dns').promises.Resolver)({ timeout: 2000, tries: 1 }); r.setServers(['127.0.0.1:${ctx.dnsPort}']); r.resolve4(process.argv[1]).then((a) => console.log(a.join(' ')), (e) => console.log(e.code))`, q];
        return spawnSync(cmd!, rest, { encoding: 'utf8', timeout: 10_000 }).stdout.trim();
      };
      await until(() => query(MESH_NAME) === MESH_IP, 15_000, `${MESH_NAME} from vmlet's DNS proxy`);
      for (const q of [MESH_NAME, 'reviews.bar', 'reviews']) {
        say(`DNS query ${bold(q)} → ${green(query(q))}${q === MESH_NAME ? '' : ' (short name for the VM\'s namespace, as Istio\'s agent answers)'}`);
      }
      const r = ctx.vmletOnce(['dns', 'lookup', MESH_NAME, ...common(ctx)]);
      if (r.status === 0) for (const line of r.stdout.trim().split('\n')) say(`vmlet dns lookup: ${line}`);
    },
  },
  {
    title: 'Health follows the app: stop it, then start it again',
    async run(ctx) {
      await stop(ctx.app!);
      say('app stopped');
      const down = (await untilEntry(ctx, (x) => healthy(x) === 'False', 15_000, 'Healthy=False'))!;
      say(`condition Healthy=${bold('False')}: ${down.status.conditions.find((c) => c.type === 'Healthy')?.message ?? ''}`);
      startApp(ctx);
      say('app started');
      await untilEntry(ctx, (x) => healthy(x) === 'True', 15_000, 'Healthy=True');
      say(`condition Healthy=${green('True')} again`);
    },
  },
  {
    title: 'Ask vmlet how it is (vmlet status)',
    async run(ctx) {
      const r = ctx.vmletOnce(['status', ...common(ctx)]);
      for (const line of r.stdout.trim().split('\n')) say(line);
    },
  },
  {
    title: 'Stop vmlet (SIGTERM) and watch it stop in order',
    async run(ctx) {
      const t0 = performance.now();
      // vmlet's own bound is general.shutdownTimeout (25 s); the demo's drain is 2 s.
      const code = await stop(ctx.vmlet!, 30_000);
      say(`vmlet exited ${code} after ${Math.round(performance.now() - t0)} ms (unhealthy reported first, then Envoy drained, then the stream closed)`);
      if (code !== 0) throw new Error(`vmlet exited ${code}`);
      const e = await untilEntry(ctx, (x) => x === undefined || x.annotations['istio.io/disconnectedAt'] !== undefined, 10_000, 'disconnectedAt');
      if (e) say(`WorkloadEntry disconnectedAt ${e.annotations['istio.io/disconnectedAt']}, Healthy=${healthy(e)}`);
      await untilEntry(ctx, (x) => x === undefined, 10_000, 'deletion after the grace period');
      say('WorkloadEntry deleted by the simulator after the 3 s grace period');
    },
  },
];

interface Entry { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string>; spec: { address: string }; status: { conditions: { type: string; status: string; message?: string }[] } }

const healthy = (e: Entry | undefined) => e?.status.conditions.find((c) => c.type === 'Healthy')?.status;

/** Reads the simulator's WorkloadEntries from inside the VM (the simulator listens there). */
function entries(ctx: DemoContext): Entry[] {
  const [cmd, ...rest] = [...ctx.vmPrefix, process.execPath, '-e', `fetch(${JSON.stringify(ctx.entriesUrl)}).then((r) => r.text()).then((t) => process.stdout.write(t))`];
  const r = spawnSync(cmd!, rest, { encoding: 'utf8', timeout: 5000 });
  return r.status === 0 ? (JSON.parse(r.stdout) as Entry[]) : [];
}

async function untilEntry(ctx: DemoContext, cond: (e: Entry | undefined) => boolean, timeoutMs: number, what: string): Promise<Entry | undefined> {
  let e: Entry | undefined;
  await until(() => { e = entries(ctx).find((x) => x.name.startsWith('vm-app-')); return cond(e); }, timeoutMs, what);
  return e;
}

/** The demo application: a tiny HTTP server inside the VM that answers 200. */
function startApp(ctx: DemoContext): void {
  const code = `require('node:http').createServer((q, s) => s.end('ok')).listen(${APP_PORT}, '127.0.0.1')`;
  const [cmd, ...rest] = [...ctx.vmPrefix, process.execPath, '-e', code];
  ctx.app = spawn(cmd!, rest, { stdio: 'ignore' });
}

function say(line: string): void {
  process.stdout.write(`   ${line}\n`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}

/** SIGTERM, SIGKILL after `graceMs`; resolves with the exit code. */
function stop(child: ChildProcess, graceMs = 5000): Promise<number | string> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode ?? child.signalCode ?? -1);
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', (code, signal) => {
      clearTimeout(kill);
      resolve(code ?? signal ?? -1);
    });
    child.kill('SIGTERM');
  });
}

async function main(): Promise<number> {
  const tmp = mkdtempSync(join(tmpdir(), 'vmlet-demo-'));
  const undo: { what: string; fn: () => Promise<void> | void }[] = [];
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', VMLET_STATE_DIR: join(tmp, 'state'), VMLET_RUN_DIR: join(tmp, 'run'), FAKE_ENVOY_XDS: '1', FAKE_ENVOY_SDS: '1' };
  const ctx: DemoContext = {
    vmPrefix: [],
    vmName: `vmlet-demo-${process.pid}`,
    tmp,
    istioDir: ISTIO_DIR,
    // Inside its own network namespace the "VM" has vmlet's default port to itself.
    statusPort: 15020,
    dnsPort: 15053,
    defer: (what, fn) => { undo.push({ what, fn }); },
    vmletOnce(args) {
      const [cmd, ...rest] = [...ctx.vmPrefix, process.execPath, BUNDLE, ...args];
      const r = spawnSync(cmd!, rest, { encoding: 'utf8', env, timeout: 15_000 });
      return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
    },
    vmletSpawn(args, label, show = (l) => l) {
      const [cmd, ...rest] = [...ctx.vmPrefix, process.execPath, BUNDLE, ...args];
      // Own process: a process (not a group) we stop by PID.
      const child = spawn(cmd!, rest, { env, stdio: ['ignore', 'pipe', 'pipe'] });
      const print = (line: string) => {
        const text = show(line);
        if (text !== undefined && text.trim() !== '') say(`${label === 'event' ? cyan(`[${label}]`) : dim(`[${label}]`)} ${label === 'event' ? text : dim(text)}`);
      };
      createInterface({ input: child.stdout! }).on('line', print);
      createInterface({ input: child.stderr! }).on('line', print);
      return child;
    },
  };
  let failed = false;
  try {
    for (const [i, step] of STEPS.entries()) {
      process.stdout.write(`\n${bold(`${i + 1}. ${step.title}`)}\n`);
      await step.run(ctx);
    }
  } catch (err) {
    failed = true;
    process.stdout.write(`\n${bold('demo failed:')} ${(err as Error).message}\n`);
  } finally {
    process.stdout.write(`\n${bold('Teardown')}\n`);
    for (const { what, fn } of undo.reverse()) {
      try {
        await fn();
        say(`${green('✓')} ${what}`);
      } catch (err) {
        say(`✗ ${what}: ${(err as Error).message}`);
      }
    }
    rmSync(tmp, { recursive: true, force: true });
    say(`${green('✓')} removed ${tmp}`);
  }
  return failed ? 1 : 0;
}

process.exitCode = await main();
