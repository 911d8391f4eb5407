/**
 * Doctor's port check: who listens on the ports vmlet and Envoy need, from /proc/net/tcp{,6} (the
 * socket inode) and /proc/<pid>/fd (which process holds that inode). Without root only this
 * user's processes can be matched; others show as "held (owner unknown)".
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULTS as CAPTURE_PORTS } from '../capture/options.js';
import { EXPLANATIONS } from './explain.js';
import { fail, pass, warn, type DoctorContext, type Verdict } from './types.js';

export interface Listener { readonly port: number; readonly address: string; readonly inode: string }
export interface Holder { readonly pid: number; readonly comm: string }

/** LISTEN sockets (state 0A) in /proc/net/tcp or tcp6 text. */
export function parseProcNetTcp(text: string, v6: boolean): Listener[] {
  const out: Listener[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || f[3] !== '0A') continue;
    const [hexAddr, hexPort] = (f[1] ?? '').split(':');
    out.push({ port: parseInt(hexPort ?? '0', 16), address: v6 ? `[${hexAddr}]` : hexIpv4(hexAddr ?? ''), inode: f[9] ?? '' });
  }
  return out;
}

function hexIpv4(h: string): string {
  // Little-endian on the machines vmlet runs on (x86-64, arm64).
  const b = [6, 4, 2, 0].map((i) => parseInt(h.slice(i, i + 2), 16));
  return b.join('.');
}

/** inode -> holder, over every /proc/<pid>/fd this user may read. */
export function socketHolders(procRoot: string, inodes: ReadonlySet<string>): Map<string, Holder> {
  const out = new Map<string, Holder>();
  if (inodes.size === 0) return out;
  for (const pid of readdirSync(procRoot).filter((d) => /^\d+$/.test(d))) {
    let fds: string[];
    try {
      fds = readdirSync(join(procRoot, pid, 'fd'));
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(join(procRoot, pid, 'fd', fd));
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(target);
      if (m && inodes.has(m[1]!) && !out.has(m[1]!)) {
        let comm = '?';
        try { comm = readFileSync(join(procRoot, pid, 'comm'), 'utf8').trim(); } catch { /* exited */ }
        out.set(m[1]!, { pid: Number(pid), comm });
      }
    }
    if (out.size === inodes.size) break;
  }
  return out;
}

/** The ports to look at, named by what needs them. */
export function wantedPorts(ctx: DoctorContext): { port: number; what: string; owner: 'vmlet' | 'envoy' }[] {
  const c = ctx.load.config;
  const ports: { port: number; what: string; owner: 'vmlet' | 'envoy' }[] = [
    { port: CAPTURE_PORTS.envoyPort, what: 'Envoy outbound (capture)', owner: 'envoy' },
    { port: CAPTURE_PORTS.inboundCapturePort, what: 'Envoy inbound (capture)', owner: 'envoy' },
    { port: c.general.statusPort, what: "vmlet's status server", owner: 'vmlet' },
    { port: c.dns.port, what: 'DNS proxy', owner: 'vmlet' },
    { port: c.envoy.adminPort, what: "Envoy's admin API", owner: 'envoy' },
  ];
  // 0 is a free port picked at start: nothing to look for.
  return ports.filter((p) => p.port !== 0);
}

export function checkPorts(ctx: DoctorContext): Verdict {
  const listeners: Listener[] = [];
  for (const [file, v6] of [['tcp', false], ['tcp6', true]] as const) {
    try {
      listeners.push(...parseProcNetTcp(readFileSync(join(ctx.procRoot, 'net', file), 'utf8'), v6));
    } catch { /* no IPv6 */ }
  }
  const wanted = wantedPorts(ctx);
  const relevant = listeners.filter((l) => wanted.some((w) => w.port === l.port));
  const holders = socketHolders(ctx.procRoot, new Set(relevant.map((l) => l.inode)));
  const rows = wanted.map((w) => {
    const on = relevant.filter((l) => l.port === w.port);
    const who = on.map((l) => holders.get(l.inode));
    const expected = who.every((h) => h !== undefined && (w.owner === 'envoy' ? /envoy/.test(h.comm) : /vmlet|node/.test(h.comm)));
    const state = on.length === 0 ? 'free' : who.some((h) => h === undefined) ? 'held (owner unknown)' : expected ? 'held as expected' : 'taken';
    return { port: w.port, what: w.what, state, holders: who.filter((h): h is Holder => h !== undefined), addresses: on.map((l) => l.address) };
  });
  const text = (r: (typeof rows)[number]) => `${r.port} ${r.state}${r.holders.length ? ` by ${r.holders.map((h) => `${h.comm} (pid ${h.pid})`).join(', ')}` : ''}`;
  const saw = rows.map(text).join('; ');
  const data = { ports: rows };
  if (rows.some((r) => r.state === 'taken')) return fail(saw, EXPLANATIONS.DOCTOR_PORT_TAKEN, data);
  if (rows.some((r) => r.state === 'held (owner unknown)')) return warn(saw, { cause: 'a port is held by a process this user cannot see', fix: 'run sudo vmlet doctor to name it' }, data);
  return pass(saw, data);
}
