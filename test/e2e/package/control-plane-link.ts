/**
 * Links a booted machine to a network namespace created for the test, where a control plane
 * (the simulator or a stand-in) listens: a veth pair created inside that namespace with its peer
 * moved straight into the machine's, so the host's own network is never touched. Addresses come
 * from TEST-NET-2-style private /30s chosen per link; close() deletes the namespace (and the pair).
 */
import { execFileSync } from 'node:child_process';
import type { Machine } from './machine.js';

export interface ControlPlaneLink {
  /** `ip netns` name of the control-plane side. */
  readonly ns: string;
  /** Address of the control-plane side, reachable from the machine. */
  readonly nsAddr: string;
  /** Address of the machine on the link. */
  readonly machineAddr: string;
  close(): void;
}

let links = 0;

export function linkControlPlane(m: Machine, tag: string): ControlPlaneLink {
  const n = links++;
  const ns = `vmlet-pkg-${tag}-${process.pid}-${n}`;
  const nsAddr = `10.233.${n}.1`;
  const machineAddr = `10.233.${n}.2`;
  const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'inherit'], timeout: 10_000 });
  ip('netns', 'add', ns);
  try {
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    ip('-n', ns, 'link', 'add', 'cp0', 'type', 'veth', 'peer', 'name', 'cp1', 'netns', String(m.initPid));
    ip('-n', ns, 'addr', 'add', `${nsAddr}/30`, 'dev', 'cp0');
    ip('-n', ns, 'link', 'set', 'cp0', 'up');
    m.sh(`ip addr add ${machineAddr}/30 dev cp1 && ip link set cp1 up && ip link set lo up`);
  } catch (err) {
    ip('netns', 'del', ns);
    throw err;
  }
  return {
    ns,
    nsAddr,
    machineAddr,
    close() {
      try {
        ip('netns', 'del', ns);
      } catch {
        // already gone
      }
    },
  };
}
