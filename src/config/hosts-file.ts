/**
 * Parses istioctl's `hosts` file: `IP name...` lines to append to /etc/hosts (usually one line
 * mapping the east-west gateway IP to istiod's name). istioctl writes it empty when the gateway
 * has no IP yet, so empty is valid. Pure.
 */
import { isIP } from 'node:net';
import { problem, type Problem } from './problems.js';

export interface HostsEntry {
  readonly ip: string;
  readonly names: readonly string[];
}

const NAME_RE = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/;

export function parseHosts(text: string, file: string): { entries: HostsEntry[]; problems: Problem[] } {
  const entries: HostsEntry[] = [];
  const problems: Problem[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const body = (raw.split('#')[0] ?? '').trim();
    if (body === '') return;
    const [ip, ...names] = body.split(/\s+/);
    const hint = 'write `IP hostname...`, e.g. `10.0.0.5 istiod.istio-system.svc`';
    if (ip === undefined || isIP(ip) === 0) {
      problems.push(problem('VMLET_HOSTS_SYNTAX', { file, line, message: `${JSON.stringify(ip)} is not an IP address`, hint }));
      return;
    }
    const bad = names.find((n) => !NAME_RE.test(n));
    if (names.length === 0 || bad !== undefined) {
      problems.push(problem('VMLET_HOSTS_SYNTAX', { file, line, message: names.length === 0 ? `${ip} has no host name` : `${JSON.stringify(bad)} is not a host name`, hint }));
      return;
    }
    entries.push(Object.freeze({ ip, names: Object.freeze(names) }));
  });
  return { entries, problems };
}
