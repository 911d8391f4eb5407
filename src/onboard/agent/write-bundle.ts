/**
 * Puts the bundle where istioctl's files go: the stock Istio VM paths vmlet reads
 * (src/config/istio-files.ts), or the --istio-dir directory with istioctl's file names. Every file
 * is written whole: all temp files first (written, fsynced, with their final mode), then renamed
 * over the old ones, the token last, then the directories fsynced. A crash part way leaves either
 * the old token or the new one, never half a file; and since the token is renamed last, a crash
 * before it leaves no valid token, so the next start onboards again.
 *
 * The bundle's hosts lines also go into the system hosts file (onboarding.hostsFile, /etc/hosts)
 * as a block between two marker lines that vmlet owns: the block is replaced, the rest of the
 * file is kept byte for byte, and the new file is renamed over the old one.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fsyncDir, writeSynced } from '../../durable-file.js';
import { VmletError } from '../../errors.js';
import { ISTIOCTL_FILE_NAMES, STOCK_ISTIO_PATHS } from '../../config/istio-files.js';
import type { OnboardBundle } from '../protocol.js';
import '../errors.js';

export interface BundleTargets {
  readonly clusterEnv: string;
  readonly mesh: string;
  readonly rootCert: string;
  readonly token: string;
  /** istioctl's `hosts` file: only with --istio-dir (the loader requires all five there). */
  readonly hostsCopy?: string;
  /** The system hosts file that gets the marked block. */
  readonly hostsFile: string;
}

export function bundleTargets(istioDir: string | undefined, hostsFile: string): BundleTargets {
  if (istioDir === undefined) {
    return { clusterEnv: STOCK_ISTIO_PATHS.clusterEnv, mesh: STOCK_ISTIO_PATHS.mesh, rootCert: STOCK_ISTIO_PATHS.rootCert, token: STOCK_ISTIO_PATHS.token, hostsFile };
  }
  return {
    clusterEnv: join(istioDir, ISTIOCTL_FILE_NAMES.clusterEnv),
    mesh: join(istioDir, ISTIOCTL_FILE_NAMES.mesh),
    rootCert: join(istioDir, ISTIOCTL_FILE_NAMES.rootCert),
    token: join(istioDir, ISTIOCTL_FILE_NAMES.token),
    hostsCopy: join(istioDir, ISTIOCTL_FILE_NAMES.hosts),
    hostsFile,
  };
}

export const HOSTS_BEGIN = '# BEGIN vmlet onboarding (this block is replaced by vmlet on every onboarding; edit outside it)';
export const HOSTS_END = '# END vmlet onboarding';

/** `existing` with vmlet's block replaced by `hosts` (appended when there was none). Pure. */
export function replaceHostsBlock(existing: string, hosts: string): string {
  const lines = existing === '' ? [] : existing.replace(/\n$/, '').split('\n');
  const begin = lines.indexOf(HOSTS_BEGIN);
  const end = begin === -1 ? -1 : lines.indexOf(HOSTS_END, begin);
  const body = hosts.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const block = [HOSTS_BEGIN, ...body, HOSTS_END];
  const kept = begin === -1 ? lines : [...lines.slice(0, begin), ...lines.slice(end === -1 ? lines.length : end + 1)];
  const at = begin === -1 ? kept.length : begin;
  return `${[...kept.slice(0, at), ...block, ...kept.slice(at)].join('\n')}\n`;
}

interface Pending {
  readonly path: string;
  readonly tmp: string;
}

/**
 * Creates `dir` when it is missing: its parents 0755, `dir` itself `mode`. Only the leaf gets the
 * narrower mode: /var/run/secrets, the token directory's parent, must stay traversable for Envoy
 * (istio-proxy) to reach the SDS socket below it.
 */
function ensureDir(dir: string, mode: number): void {
  mkdirSync(dirname(dir), { recursive: true, mode: 0o755 });
  try {
    mkdirSync(dir, { mode });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

function writeTemp(path: string, text: string, mode: number, dirMode = 0o755): Pending {
  ensureDir(dirname(path), dirMode);
  const tmp = join(dirname(path), `.${path.split('/').pop()}.vmlet-${process.pid}.tmp`);
  writeSynced(tmp, text, mode);
  return { path, tmp };
}

function modeOf(path: string, fallback: number): number {
  try {
    return statSync(path).mode & 0o7777;
  } catch {
    return fallback;
  }
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    throw err;
  }
}

/** The files written, in order; the token's path is the last one. */
export function writeBundle(bundle: OnboardBundle, targets: BundleTargets): string[] {
  const pending: Pending[] = [];
  let step = '';
  try {
    step = 'preparing';
    pending.push(writeTemp(targets.clusterEnv, bundle.clusterEnv, 0o644));
    pending.push(writeTemp(targets.mesh, bundle.meshYaml, 0o644));
    pending.push(writeTemp(targets.rootCert, bundle.rootCertPem, 0o644));
    if (targets.hostsCopy !== undefined) pending.push(writeTemp(targets.hostsCopy, bundle.hosts, 0o644));
    const hostsText = replaceHostsBlock(readOr(targets.hostsFile, ''), bundle.hosts);
    pending.push(writeTemp(targets.hostsFile, hostsText, modeOf(targets.hostsFile, 0o644)));
    // A token directory vmlet creates is root-only (docs/onboarding.md, threat model); one that
    // exists (istioctl's, or shared with the other files under --istio-dir) keeps its mode.
    pending.push(writeTemp(targets.token, bundle.token, 0o600, 0o700));
    step = 'renaming';
    for (const p of pending) renameSync(p.tmp, p.path);
    for (const dir of new Set(pending.map((p) => dirname(p.path)))) fsyncDir(dir);
    return pending.map((p) => p.path);
  } catch (err) {
    for (const p of pending) {
      try {
        unlinkSync(p.tmp);
      } catch {
        // renamed already, or never written
      }
    }
    const e = err as NodeJS.ErrnoException;
    const busy = e.code === 'EBUSY' && e.path !== undefined && (e.path === targets.hostsFile || (e as { dest?: string }).dest === targets.hostsFile);
    throw new VmletError('VMLET_ONBOARD_WRITE_FAILED',
      `writing the onboarding bundle failed while ${step}: ${e.code ?? ''} ${e.path ?? ''}: ${e.message}; ${busy
        ? `${targets.hostsFile} is a mount point (a container's /etc/hosts) and cannot be replaced: set onboarding.hostsFile to a file vmlet may replace`
        : 'vmlet runs as root under systemd; check that the directories are writable and the disk is not full or read-only'}`,
      { cause: err, details: { files: Object.values(targets).filter((v) => v !== undefined) } });
  }
}

/**
 * The AWS reauth secret the first onboarding of this instance returned, kept 0600 in
 * <general.stateDir>/onboarding/ (0700): without it a later onboarding of the same instance is a
 * replay to the service (docs/onboarding.md, threat model).
 */
export class ReauthSecretStore {
  readonly path: string;
  constructor(stateDir: string) {
    this.path = join(stateDir, 'onboarding', 'aws-reauth-secret');
  }

  load(): string | undefined {
    try {
      const text = readFileSync(this.path, 'utf8').trim();
      return text === '' ? undefined : text;
    } catch {
      return undefined;
    }
  }

  save(secret: string): void {
    try {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      chmodSync(dirname(this.path), 0o700);
      const p = writeTemp(this.path, `${secret}\n`, 0o600);
      renameSync(p.tmp, p.path);
      fsyncDir(dirname(this.path));
    } catch (err) {
      throw new VmletError('VMLET_ONBOARD_WRITE_FAILED',
        `keeping the AWS reauth secret in ${this.path} failed: ${(err as Error).message}; general.stateDir must be writable by vmlet (without the secret the next onboarding of this instance is refused as a replay)`,
        { cause: err, details: { file: this.path } });
    }
  }
}

/** Removes a used join token (single use: the bundle's token replaced it). Missing is fine. */
export function removeUsedJoinToken(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone or read-only: it is spent either way
  }
}
