/**
 * Doctor's checks of this host: which IP istiod will register (and why), the Envoy user, the Envoy
 * binary and its version, the systemd unit, and the iptables backends. Every program run here is
 * bounded by ctx.timeouts.local.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { isVmletError } from '../errors.js';
import { lookupUser } from '../envoy/user.js';
import { EXPLANATIONS, explain } from './explain.js';
import { fail, pass, skip, warn, type DoctorContext, type Verdict } from './types.js';

export interface Run { code: number | null; stdout: string; stderr: string; error?: string }

/** Runs a program without a shell, bounded; never throws. */
export function runBounded(cmd: string, args: readonly string[], timeoutMs: number): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, [...args], { timeout: timeoutMs, encoding: 'utf8', maxBuffer: 4 << 20 }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: number | string; killed?: boolean }) | null;
      if (e === null) return resolve({ code: 0, stdout, stderr });
      const why = e.code === 'ENOENT' ? 'not found' : e.killed ? `timed out after ${timeoutMs} ms` : undefined;
      resolve({ code: typeof e.code === 'number' ? e.code : null, stdout, stderr, ...(why ? { error: why } : {}) });
    });
  });
}

export interface AddressChoice { ip?: string; iface?: string; why: string; candidates: { ip: string; iface: string }[] }

/** The address buildNode registers (node.instanceIps first, then the host's in kernel order), with its interface. */
export function chooseAddress(instanceIps: readonly string[], interfaces = networkInterfaces()): AddressChoice {
  const candidates: { ip: string; iface: string }[] = [];
  for (const [iface, list] of Object.entries(interfaces)) {
    for (const a of list ?? []) {
      if (!a.internal && !(a.family === 'IPv6' && a.address.toLowerCase().startsWith('fe80:'))) candidates.push({ ip: a.address, iface });
    }
  }
  const configured = instanceIps[0];
  if (configured !== undefined) {
    const iface = candidates.find((c) => c.ip === configured)?.iface;
    return { ip: configured, ...(iface ? { iface } : {}), why: 'set by ISTIO_SVC_IP / node.instanceIps', candidates };
  }
  const first = candidates[0];
  if (first === undefined) return { why: 'no non-loopback address and node.instanceIps not set', candidates };
  return { ip: first.ip, iface: first.iface, why: 'the first non-loopback address (node.instanceIps / ISTIO_SVC_IP not set)', candidates };
}

export function checkAddress(ctx: DoctorContext, interfaces?: ReturnType<typeof networkInterfaces>): Verdict {
  const c = chooseAddress(ctx.load.config.node.instanceIps ?? [], interfaces);
  const data = { ...c };
  if (c.ip === undefined) return fail(c.why, EXPLANATIONS.DOCTOR_NO_INSTANCE_IP, data);
  const saw = `${c.ip}${c.iface ? ` on ${c.iface}` : ' (on no local interface)'}: ${c.why}`;
  if (c.iface === undefined) return warn(saw, { cause: 'the configured instance IP is not an address of this host: istiod will send traffic to an address this VM does not have', fix: 'set ISTIO_SVC_IP in cluster.env to one of this VM\'s addresses' }, data);
  if (!c.why.startsWith('set') && c.candidates.length > 1) {
    return warn(`${saw}; other candidates: ${c.candidates.slice(1).map((x) => `${x.ip} (${x.iface})`).join(', ')}`, { cause: 'several addresses: the first one in kernel order is registered, which may not be the one the mesh can reach', fix: 'set ISTIO_SVC_IP in cluster.env to the address the mesh should use' }, data);
  }
  return pass(saw, data);
}

export function checkUser(ctx: DoctorContext): Verdict {
  const name = ctx.load.config.envoy.runAsUser;
  if (name === '') return pass("envoy.runAsUser is '': Envoy runs as vmlet's own user");
  try {
    const u = lookupUser(name);
    const data = { user: name, uid: u.uid, gid: u.gid };
    if (ctx.uid !== 0 && ctx.uid !== u.uid) return warn(`${name} is uid ${u.uid}, but doctor runs as uid ${ctx.uid}: vmlet must run as root to start Envoy as ${name}`, explain('VMLET_ENVOY_USER_SWITCH')!, data);
    return pass(`${name} exists (uid ${u.uid}, gid ${u.gid})`, data);
  } catch (err) {
    if (isVmletError(err)) return fail(`user ${JSON.stringify(name)} does not exist`, explain(err.code)!, { user: name });
    throw err;
  }
}

export async function checkEnvoy(ctx: DoctorContext): Promise<Verdict> {
  const c = ctx.load.config.envoy;
  if (!c.enabled) return skip('envoy.enabled=false');
  try {
    accessSync(c.binaryPath, constants.X_OK);
  } catch {
    return fail(`no executable at envoy.binaryPath ${c.binaryPath}`, EXPLANATIONS.DOCTOR_ENVOY_MISSING, { path: c.binaryPath });
  }
  const r = await runBounded(c.binaryPath, ['--version'], ctx.timeouts.local);
  const version = /version:\s*\S+\/(\d+\.\d+\.\d+[^/\s]*)/.exec(r.stdout)?.[1] ?? r.stdout.trim().split('\n')[0]?.slice(0, 120);
  const data = { path: c.binaryPath, version, timeoutMs: ctx.timeouts.local };
  if (r.code !== 0 || !version) return warn(`${c.binaryPath} --version ${r.error ?? `exited ${r.code}`}`, { cause: 'the Envoy binary does not run', fix: 'check it is an Envoy build for this CPU and its libraries are installed (ldd)' }, data);
  return pass(`${c.binaryPath}: ${version}`, data);
}

export async function checkSystemd(ctx: DoctorContext): Promise<Verdict> {
  const r = await runBounded('systemctl', ['show', ctx.unit, '--property=LoadState,ActiveState,SubState,UnitFileState,ExecMainStatus,NRestarts'], ctx.timeouts.local);
  if (r.error === 'not found') return skip('not under systemd (no systemctl)');
  const props = Object.fromEntries(r.stdout.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  if (r.code !== 0 || props['LoadState'] === undefined) return skip(`systemctl show ${ctx.unit}: ${r.error ?? (r.stderr.trim() || `exit ${r.code}`)} (not under systemd?)`);
  const data = props;
  const saw = `${ctx.unit}: ${props['LoadState']}, ${props['ActiveState']} (${props['SubState']}), ${props['UnitFileState'] || 'no unit file state'}, restarts ${props['NRestarts'] ?? '?'}, last exit ${props['ExecMainStatus'] ?? '?'}`;
  if (props['LoadState'] === 'not-found') return warn(saw, { cause: `${ctx.unit} is not installed`, fix: 'install the vmlet package (it ships the unit), or run vmlet run by hand' }, data);
  if (props['ActiveState'] === 'failed' || props['SubState'] === 'auto-restart') return fail(saw, { cause: `${ctx.unit} failed or keeps restarting`, fix: `journalctl -u ${ctx.unit} -n 50 shows why` }, data);
  if (props['ActiveState'] !== 'active') return warn(saw, EXPLANATIONS.DOCTOR_NOT_SYSTEMD, data);
  return pass(saw, data);
}

export async function checkIptables(ctx: DoctorContext): Promise<Verdict> {
  const cap = ctx.load.config.capture;
  const t = ctx.timeouts.local;
  const [nft, legacy] = await Promise.all([runBounded('iptables-nft-save', ['-t', 'nat'], t), runBounded('iptables-legacy-save', ['-t', 'nat'], t)]);
  const present = { nft: nft.error !== 'not found', legacy: legacy.error !== 'not found' };
  const rules = (r: Run) => (r.code === 0 ? r.stdout.split('\n').filter((l) => l.startsWith('-A ')) : undefined);
  const held = { nft: rules(nft), legacy: rules(legacy) };
  const ours = (l?: string[]) => (l ?? []).filter((x) => x.includes('ISTIO_')).length;
  const data = { present, rules: { nft: held.nft?.length, legacy: held.legacy?.length }, vmletRules: { nft: ours(held.nft), legacy: ours(held.legacy) }, timeoutMs: t };
  if (!present.nft && !present.legacy) {
    return cap.enabled ? fail('neither iptables-nft nor iptables-legacy is installed', explain('VMLET_CAPTURE_NO_BACKEND')!, data) : pass('no iptables installed (capture.enabled=false)', data);
  }
  const names = `present: ${[present.nft ? 'nft' : '', present.legacy ? 'legacy' : ''].filter(Boolean).join(', ')}`;
  if (held.nft === undefined && held.legacy === undefined) {
    return ctx.uid === 0
      ? warn(`${names}; neither -save runs (${nft.error ?? nft.stderr.trim().slice(0, 80)})`, { cause: 'iptables cannot read the nat table (kernel module missing?)', fix: 'modprobe iptable_nat (legacy) or nf_tables (nft)' }, data)
      : warn(`${names}; reading the rules needs root (doctor runs as uid ${ctx.uid})`, { cause: 'the nat table is readable by root only', fix: 'run sudo vmlet doctor to see which backend holds rules' }, data);
  }
  const holder = ours(held.legacy) > 0 ? 'legacy' : ours(held.nft) > 0 ? 'nft' : undefined;
  const both = (held.nft?.length ?? 0) > 0 && (held.legacy?.length ?? 0) > 0;
  const saw = `${names}; vmlet's rules: ${holder ? `in iptables-${holder}` : 'none'}; nat rules: nft ${held.nft?.length ?? '-'}, legacy ${held.legacy?.length ?? '-'}`;
  if (both) return warn(saw, { cause: 'both backends hold nat rules: the kernel applies both, and tools see only one', fix: 'keep one (update-alternatives --set iptables); flush the other' }, data);
  return pass(saw, data);
}
