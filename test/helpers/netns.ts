/**
 * A pair of network namespaces for capture tests: `vm` (where rules are applied) and `peer` (the
 * outside world), joined by a veth pair with IPv4 and IPv6 addresses. Nothing touches the host's
 * own network; `destroy()` kills the servers started here (by PID) and deletes both namespaces.
 *
 *   vm   eth: 10.77.0.1/24  fd77::1/64      peer eth: 10.77.0.2/24  fd77::2/64
 *   (the peer also holds 10.99.0.9, fd99::9, 169.254.169.254 and fd00:ec2::254, routed from vm)
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from './wait-for.js';

const TCP_HELPER = join(import.meta.dirname, 'netns-tcp.py');
const RELAY = join(import.meta.dirname, 'netns-relay.py');
let seq = 0;

export const VM_V4 = '10.77.0.1';
export const PEER_V4 = '10.77.0.2';
export const VM_V6 = 'fd77::1';
export const PEER_V6 = 'fd77::2';
/** A second address of the peer, for excluded-CIDR tests. */
export const OTHER_V4 = '10.99.0.9';
export const OTHER_V6 = 'fd99::9';

export class NetnsPair {
  readonly vm: string;
  readonly peer: string;
  private readonly servers: ChildProcess[] = [];

  constructor(tag = 'cap') {
    seq += 1;
    this.vm = `vmlet-${tag}-${process.pid}-${seq}v`;
    this.peer = `vmlet-${tag}-${process.pid}-${seq}p`;
  }

  /** Runs a command inside `ns` (every iptables call in tests goes through here). */
  exec(ns: string, cmd: string, args: readonly string[], input?: string): string {
    return execFileSync('ip', ['netns', 'exec', ns, cmd, ...args], { encoding: 'utf8', input, timeout: 20_000, stdio: ['pipe', 'pipe', 'pipe'] });
  }

  create(): void {
    const ip = (...a: string[]) => execFileSync('ip', a, { stdio: 'pipe', timeout: 10_000 });
    ip('netns', 'add', this.vm);
    ip('netns', 'add', this.peer);
    const veth = `vc${process.pid % 100000}x${seq}`;
    ip('-n', this.vm, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', veth);
    ip('-n', this.vm, 'link', 'set', veth, 'netns', this.peer);
    ip('-n', this.peer, 'link', 'set', veth, 'name', 'eth0');
    for (const [ns, v4, v6] of [[this.vm, VM_V4, VM_V6], [this.peer, PEER_V4, PEER_V6]] as const) {
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      ip('-n', ns, 'addr', 'add', `${v4}/24`, 'dev', 'eth0');
      ip('-n', ns, '-6', 'addr', 'add', `${v6}/64`, 'dev', 'eth0', 'nodad');
      ip('-n', ns, 'link', 'set', 'eth0', 'up');
    }
    ip('-n', this.peer, 'addr', 'add', '169.254.169.254/32', 'dev', 'eth0');
    ip('-n', this.peer, '-6', 'addr', 'add', 'fd00:ec2::254/128', 'dev', 'eth0', 'nodad');
    ip('-n', this.peer, 'addr', 'add', `${OTHER_V4}/32`, 'dev', 'eth0');
    ip('-n', this.peer, '-6', 'addr', 'add', `${OTHER_V6}/128`, 'dev', 'eth0', 'nodad');
    ip('-n', this.vm, 'route', 'add', `${OTHER_V4}/32`, 'dev', 'eth0');
    ip('-n', this.vm, '-6', 'route', 'add', `${OTHER_V6}/128`, 'dev', 'eth0');
    ip('-n', this.vm, 'route', 'add', '169.254.169.254/32', 'dev', 'eth0');
    ip('-n', this.vm, '-6', 'route', 'add', 'fd00:ec2::254/128', 'dev', 'eth0');
  }

  /** Starts the TCP helper listening on `ports` in `ns`; resolves once it is listening. */
  async serve(ns: string, ports: readonly number[]): Promise<void> {
    const child = spawn('ip', ['netns', 'exec', ns, 'python3', TCP_HELPER, 'serve', ...ports.map(String)], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.servers.push(child);
    let out = '';
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { out += b.toString(); });
    await waitFor(() => out.includes('ready') || child.exitCode !== null, { timeoutMs: 10_000, what: `listeners on ${ports.join(',')} in ${ns}` });
    if (!out.includes('ready')) throw new Error(`listener failed: ${out}`);
  }

  /**
   * Listens on listenIp:listenPort inside `ns` and relays each connection to targetHost:targetPort
   * in the host's namespace (a server of this process on loopback appears "in" `ns`); resolves
   * once listening. Killed by PID in destroy().
   */
  async relay(ns: string, listenIp: string, listenPort: number, targetHost: string, targetPort: number): Promise<void> {
    const child = spawn('python3', [RELAY, `/run/netns/${ns}`, listenIp, String(listenPort), targetHost, String(targetPort)], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.servers.push(child);
    let out = '';
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { out += b.toString(); });
    await waitFor(() => out.includes('ready') || child.exitCode !== null, { timeoutMs: 10_000, what: `relay on ${listenIp}:${listenPort} in ${ns}` });
    if (!out.includes('ready')) throw new Error(`relay failed: ${out}`);
  }

  /** Connects from `ns` to host:port (as `uid` when given); the line the server sent, or `error ...`. */
  connect(ns: string, host: string, port: number, uid?: number): string {
    try {
      return this.exec(ns, 'python3', [TCP_HELPER, 'connect', host, String(port), ...(uid === undefined ? [] : [String(uid)])]).trim();
    } catch (err) {
      return String((err as { stdout?: string }).stdout ?? err).trim();
    }
  }

  destroy(): void {
    for (const s of this.servers) {
      if (s.pid !== undefined && s.exitCode === null) {
        try { process.kill(s.pid, 'SIGKILL'); } catch { /* already gone */ }
      }
    }
    for (const ns of [this.vm, this.peer]) {
      try { execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).split('\n').filter(Boolean).forEach((pid) => { try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone */ } }); } catch { /* no ns */ }
      try { execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' }); } catch { /* already gone */ }
    }
  }
}
