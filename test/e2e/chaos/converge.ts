/**
 * The ONE convergence check every chaos scenario ends in. "Converged" means, all at the same time:
 *   1. vmlet is READY: /healthz/ready answers 200 and /status says ready, phase "ready";
 *   2. capture: every capture rule is installed exactly once, and the rule set (iptables-save and
 *      ip6tables-save in the VM's namespace, ISTIO_* chains and the jumps into them) is the very
 *      set of the first clean start (the baseline): nothing missing, nothing doubled;
 *   3. the certificate files are whole and match each other: key.pem is the leaf's key,
 *      cert-chain.pem verifies link by link up to root-cert.pem, root-cert.pem is the cluster's root
 *      (istio-ca-root-cert), the leaf is in its validity window and names the workload's SPIFFE ID;
 *      no temp file is left beside them; Envoy's bootstrap is whole JSON;
 *   4. the WorkloadEntry <group>-<ip> is present, connected (no istio.io/disconnectedAt), Healthy=True,
 *      and the only entry of its group;
 *   5. no leftover process: in the VM's namespace run exactly the current vmlet (PID), the Envoy
 *      named in envoy.pid (its child, started by it), the app and the test's HTTP client; every
 *      other vmlet and FAKE Envoy this VM ever started (by PID) is gone.
 * converged() waits (bounded) until all hold and returns how long that took; on timeout it throws
 * with every condition still failing.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { healthy, type WorkloadEntry } from '../real/vm.js';
import { inVm, type ChaosVm } from './harness.js';

export interface ConvergeOptions {
  /** The app's PID in the VM namespace (the only other process expected there). */
  appPids: number[];
  /** The VM's address (the WorkloadEntry is <group>-<ip>). */
  vmIp: string;
  /** The cluster's root certificate (PEM), read once from istio-ca-root-cert. */
  rootPem: string;
  timeoutMs?: number;
}

/** Capture rules as a sorted multiset of lines (ISTIO chains and jumps into them), IPv4 and IPv6. */
export function captureRules(vmNs: string): string[] {
  const rules: string[] = [];
  for (const save of ['iptables-save', 'ip6tables-save']) {
    let table = '';
    let out = '';
    try { out = inVm(vmNs, save, []); } catch { continue; }
    for (const line of out.split('\n')) {
      if (line.startsWith('*')) table = line.slice(1);
      if (line.startsWith('-A ') && line.includes('ISTIO')) rules.push(`${save === 'iptables-save' ? 4 : 6} ${table} ${line}`);
    }
  }
  return rules.sort();
}

/** Lines that occur more than once. */
export function duplicates(lines: readonly string[]): string[] {
  const seen = new Map<string, number>();
  for (const l of lines) seen.set(l, (seen.get(l) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([l, n]) => `${n}x ${l}`);
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

const cmdline = (pid: number) => { try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' '); } catch { return ''; } };
const ppid = (pid: number) => { try { const s = readFileSync(`/proc/${pid}/stat`, 'utf8'); return Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]); } catch { return -1; } };

/** Problems with the certificate files, [] when they are whole and match each other. */
export function certProblems(dir: string, rootPem: string, spiffe: string): string[] {
  const p: string[] = [];
  const read = (f: string) => { try { return readFileSync(join(dir, f), 'utf8'); } catch { p.push(`${f} missing`); return ''; } };
  const key = read('key.pem');
  const chain = read('cert-chain.pem');
  const root = read('root-cert.pem');
  if (p.length > 0) return p;
  const stray = readdirSync(dir).filter((f) => !['key.pem', 'cert-chain.pem', 'root-cert.pem'].includes(f));
  if (stray.length > 0) p.push(`files left beside the certificates: ${stray.join(', ')}`);
  try {
    const certs = chain.split(/(?<=-----END CERTIFICATE-----)\s*/).filter((s) => s.includes('BEGIN')).map((s) => new X509Certificate(s));
    const leaf = certs[0]!;
    if (!leaf.checkPrivateKey(createPrivateKey(key))) p.push('key.pem is not the key of the leaf in cert-chain.pem');
    for (let i = 0; i + 1 < certs.length; i++) if (!certs[i]!.verify(certs[i + 1]!.publicKey)) p.push(`cert-chain.pem link ${i} is not signed by link ${i + 1}`);
    const rootCert = new X509Certificate(root);
    if (!certs[certs.length - 1]!.verify(rootCert.publicKey)) p.push('cert-chain.pem does not chain to root-cert.pem');
    if (root.trim() !== rootPem.trim()) p.push('root-cert.pem is not the cluster\'s root (istio-ca-root-cert)');
    const now = Date.now();
    if (Date.parse(leaf.validTo) <= now || Date.parse(leaf.validFrom) > now) p.push(`the leaf is outside its validity (${leaf.validFrom} .. ${leaf.validTo})`);
    if (leaf.subjectAltName !== `URI:${spiffe}`) p.push(`the leaf names ${leaf.subjectAltName}, not ${spiffe}`);
  } catch (err) {
    p.push(`the certificate files do not parse: ${(err as Error).message}`);
  }
  return p;
}

export class Convergence {
  /** The capture rule set of the first clean start. */
  baseline?: string[];
  constructor(readonly vm: ChaosVm, readonly o: ConvergeOptions) {}

  get entryName(): string { return `${this.vm.w.group}-${this.o.vmIp}`; }

  /** Every condition that does not hold now ([] = converged). */
  async problems(): Promise<string[]> {
    const vm = this.vm;
    const run = vm.run;
    const p: string[] = [];
    // 1. READY
    if (!run || run.child.exitCode !== null || run.child.signalCode !== null) return [`vmlet is not running (${run?.child.exitCode ?? run?.child.signalCode ?? 'never started'})`];
    const ready = await vm.statusGet('/healthz/ready');
    if (ready.status !== 200) return [`not READY: ${ready.status} ${ready.body.trim()}`];
    const st = await vm.statusJson();
    if (st?.ready !== true || st.phase !== 'ready') p.push(`status: ${st?.line ?? JSON.stringify(st)}`);
    // 3. certificate files, bootstrap
    p.push(...certProblems(vm.identityDir, this.o.rootPem, `spiffe://cluster.local/ns/${vm.w.ns}/sa/${vm.w.sa}`));
    const envoyDir = join(vm.o.home, 'tmp', 'envoy');
    const boots = existsSync(envoyDir) ? readdirSync(envoyDir) : [];
    const bootJson = boots.filter((f) => f.endsWith('.json'));
    if (bootJson.length !== 1 || boots.length !== 1) p.push(`Envoy's config dir holds ${boots.join(', ') || 'nothing'} (want exactly one bootstrap)`);
    for (const f of bootJson) { try { JSON.parse(readFileSync(join(envoyDir, f), 'utf8')); } catch (err) { p.push(`bootstrap ${f} is not whole JSON: ${(err as Error).message}`); } }
    // 5. processes
    let envoyPid = NaN;
    try { envoyPid = Number(readFileSync(join(vm.runDir, 'envoy.pid'), 'utf8').trim()); } catch { p.push('no envoy.pid'); }
    const expected = new Set([run.pid, envoyPid, vm.http.pid, ...this.o.appPids]);
    let inNs: number[] = [];
    try { inNs = execPids(vm.vmNs); } catch (err) { p.push(`cannot list the namespace's processes: ${(err as Error).message}`); }
    const unexpected = inNs.filter((pid) => !expected.has(pid) && alive(pid));
    if (unexpected.length > 0) p.push(`unexpected processes in the VM namespace: ${unexpected.map((x) => `${x} ${cmdline(x).slice(0, 120)}`).join('; ')}`);
    if (Number.isFinite(envoyPid) && (!alive(envoyPid) || ppid(envoyPid) !== run.pid)) p.push(`envoy.pid ${envoyPid} is not a live child of vmlet ${run.pid}`);
    // PIDs wrap around over a long run: an old PID counts only while it still runs this VM's
    // vmlet (its --istio-dir) or Envoy (its bootstrap directory).
    const oldVmlets = vm.vmletPids.filter((x) => x !== run.pid && alive(x) && cmdline(x).includes(vm.w.dir));
    if (oldVmlets.length > 0) p.push(`earlier vmlets still running: ${oldVmlets.join(', ')}`);
    const oldEnvoys = vm.envoyPids().filter((x) => x !== envoyPid && alive(x) && cmdline(x).includes(envoyDir));
    if (oldEnvoys.length > 0) p.push(`earlier Envoys still running: ${oldEnvoys.join(', ')}`);
    // The cheap checks first: no process is spawned for iptables or kubectl while they fail.
    if (p.length > 0) return p;
    // 2. capture, exactly once
    const rules = captureRules(vm.vmNs);
    const dup = duplicates(rules);
    if (dup.length > 0) p.push(`capture rules doubled: ${dup.join('; ')}`);
    if (this.baseline) {
      const missing = this.baseline.filter((r) => !rules.includes(r));
      const extra = rules.filter((r) => !this.baseline!.includes(r));
      if (missing.length > 0) p.push(`capture rules missing: ${missing.join('; ')}`);
      if (extra.length > 0) p.push(`capture rules not in the baseline: ${extra.join('; ')}`);
    } else if (rules.length === 0) p.push('no capture rules');
    if (p.length > 0) return p;
    // 4. WorkloadEntry
    const all = JSON.parse(vm.cp.kubectl(['-n', vm.w.ns, 'get', 'workloadentries', '-o', 'json'], undefined, 15_000)) as { items: WorkloadEntry[] };
    const mine = all.items.filter((x) => x.metadata.annotations?.['istio.io/autoRegistrationGroup'] === vm.w.group);
    if (mine.length !== 1) p.push(`${mine.length} WorkloadEntries of group ${vm.w.group}: ${mine.map((x) => x.metadata.name).join(', ')}`);
    const e = all.items.find((x) => x.metadata.name === this.entryName);
    if (!e) p.push(`WorkloadEntry ${this.entryName} absent`);
    else {
      if (e.metadata.annotations?.['istio.io/disconnectedAt']) p.push(`WorkloadEntry disconnected since ${e.metadata.annotations['istio.io/disconnectedAt']}`);
      if (healthy(e)?.status !== 'True') p.push(`WorkloadEntry not Healthy: ${JSON.stringify(healthy(e))}`);
    }
    return p;
  }

  /** Waits until converged (bounded); returns the ms it took. */
  async converged(what: string): Promise<number> {
    const t0 = Date.now();
    const deadline = t0 + (this.o.timeoutMs ?? 60_000);
    let last: string[] = [];
    for (let i = 0; i < 100_000; i++) {
      try { last = await this.problems(); } catch (err) { last = [`check failed: ${(err as Error).message}`]; }
      if (last.length === 0) {
        if (!this.baseline) this.baseline = captureRules(this.vm.vmNs);
        return Date.now() - t0;
      }
      if (last[0]!.startsWith('vmlet is not running')) break;
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 150));
    }
    throw new Error(`${what}: not converged after ${Date.now() - t0} ms:\n  - ${last.join('\n  - ')}\nlast log lines:\n${this.vm.tail()}\nstderr: ${this.vm.run?.stderr().slice(-2000)}`);
  }
}

/** Every process whose network namespace is `ns` (`ip netns pids`). */
function execPids(ns: string): number[] {
  return execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8', timeout: 10_000 }).split('\n').filter(Boolean).map(Number);
}
