/**
 * The host side of the package tests' control plane: links the machine to a fresh network
 * namespace (./control-plane-link.ts), runs the istiod simulator there (./control-plane-sim.ts,
 * a TEST DOUBLE), and reads what it saw over a unix socket. Also probes the machine's TCP ports
 * from that namespace, as a client on the network would. stop() ends the simulator by its PID
 * (SIGKILL after a bound) and deletes the namespace; it never throws.
 */
import { spawn, spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { WorkloadEntry } from '../../sim/workload-entries.js';
import { waitFor } from '../../helpers/wait-for.js';
import { linkControlPlane, type ControlPlaneLink } from './control-plane-link.js';
import { REPO } from './env.js';
import type { Machine } from './machine.js';

export interface CaCallSeen {
  readonly auth: 'cert' | 'jwt' | 'none';
  readonly bearer: boolean;
  readonly code: number;
  readonly identity?: string;
}

export interface ControlPlane {
  readonly link: ControlPlaneLink;
  /** CA calls in arrival order. */
  calls(): Promise<CaCallSeen[]>;
  entries(): Promise<WorkloadEntry[]>;
  rejections(): Promise<unknown[]>;
  /** Connects from the control-plane namespace to the machine: the first bytes, or 'refused' / 'timeout'. */
  probe(port: number): string;
  stop(): Promise<void>;
}

function getJson<T>(socketPath: string, path: string): Promise<T> {
  return new Promise((resolve, reject) => {
    // agent: false: a fresh connection each time. A kept-alive one may have been closed by the
    // server while this process sat in a spawnSync, and writing to it fails with EPIPE.
    const req = request({ socketPath, path, timeout: 5_000, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => { body += d; }).on('end', () => {
        try {
          resolve(JSON.parse(body) as T);
        } catch (err) {
          reject(err);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`control plane ${path}: no answer in 5 s`))).on('error', reject).end();
  });
}

const PROBE = `const s = require('node:net').connect(+process.argv[2], process.argv[1]);
s.setTimeout(3000, () => { console.log('timeout'); process.exit(0); });
s.once('data', (d) => { console.log('data:' + String(d).trim()); process.exit(0); });
s.once('error', (e) => { console.log(e.code === 'ECONNREFUSED' ? 'refused' : e.code); process.exit(0); });`;

/** Writes the VM files to `vmDir` (on the host, e.g. inside the machine's root) and serves istiod. */
export async function startControlPlane(m: Machine, tag: string, vmDir: string, o: { nameTable?: Record<string, unknown> } = {}): Promise<ControlPlane> {
  const link = linkControlPlane(m, tag);
  const control = join('/tmp', `${link.ns}.sock`);
  const sim = spawn('ip', ['netns', 'exec', link.ns, process.execPath, '--import', 'tsx', join(import.meta.dirname, 'control-plane-sim.ts'),
    '--vm-dir', vmDir, '--listen', link.nsAddr, '--svc-ip', link.machineAddr, '--control', control,
    ...(o.nameTable ? ['--name-table', JSON.stringify(o.nameTable)] : [])], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let exited = false;
  let stderr = '';
  sim.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr = (stderr + d).slice(-4000); });
  sim.once('exit', (code, signal) => { exited = true; stderr += `\n[simulator exited: ${code ?? signal}]`; });
  /** A failed read says what the simulator printed last (it may have died). */
  const read = <T>(path: string): Promise<T> => getJson<T>(control, path).catch((err: Error) => {
    throw new Error(`control plane ${path}: ${err.message}; simulator stderr: ${stderr || '(none)'}`);
  });
  const stop = async (): Promise<void> => {
    if (!exited && sim.pid) {
      sim.kill('SIGTERM');
      await waitFor(() => exited, { timeoutMs: 10_000, what: 'the simulator to stop' }).catch(() => sim.kill('SIGKILL'));
    }
    link.close();
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the simulator did not start within 60 s')), 60_000);
      sim.once('exit', (code) => { clearTimeout(timer); reject(new Error(`the simulator exited ${code} before listening: ${stderr}`)); });
      createInterface({ input: sim.stdout! }).once('line', () => { clearTimeout(timer); resolve(); });
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    link,
    calls: () => read('/calls'),
    entries: () => read('/workloadentries'),
    rejections: () => read('/rejections'),
    probe(port) {
      const r = spawnSync('ip', ['netns', 'exec', link.ns, process.execPath, '-e', PROBE, link.machineAddr, String(port)], { encoding: 'utf8', timeout: 10_000 });
      return r.stdout.trim() || `probe failed: ${r.stderr}${r.error ?? ''}`;
    },
    stop,
  };
}
