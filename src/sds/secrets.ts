/**
 * What each SDS resource name means and where its content comes from (Istio's names,
 * pkg/security/security.go): `default` and `ROOTCA` from the workload identity, `file-cert:<cert>~<key>`
 * and `file-root:<path>` from local files, watched while some stream asks for them. Listeners
 * hear the name of every secret whose content changed.
 */
import { existsSync, readFileSync, unwatchFile, watchFile } from 'node:fs';
import { VmletError } from '../errors.js';
import type { IdentitySource, WorkloadIdentity } from '../identity/types.js';
import type { Logger } from '../log.js';
import type { SecretContent } from './codec.js';
import './errors.js';

export const WORKLOAD_CERT = 'default';
/** Where `file-root:system` looks for the OS trust bundle (Debian/Ubuntu, RHEL/Fedora, SUSE, Alpine), first found wins. */
export const SYSTEM_CA_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/ca-bundle.pem', '/etc/ssl/cert.pem'];
export const ROOT_CA = 'ROOTCA';

export type ParsedName =
  | { readonly kind: 'default' }
  | { readonly kind: 'rootca' }
  | { readonly kind: 'file-cert'; readonly certPath: string; readonly keyPath: string }
  | { readonly kind: 'file-root'; readonly path: string };

/** Parses a resource name; throws VMLET_SDS_BAD_REQUEST for a name vmlet does not serve. */
export function parseResourceName(name: string): ParsedName {
  if (name === WORKLOAD_CERT) return { kind: 'default' };
  if (name === ROOT_CA) return { kind: 'rootca' };
  if (name.startsWith('file-cert:')) {
    const parts = name.slice('file-cert:'.length).split('~');
    if (parts.length === 2 && parts[0] && parts[1]) return { kind: 'file-cert', certPath: parts[0], keyPath: parts[1] };
    throw new VmletError('VMLET_SDS_BAD_REQUEST', `SDS resource ${JSON.stringify(name)}: file-cert: needs <cert path>~<key path>`);
  }
  if (name === 'file-root:system') {
    const path = SYSTEM_CA_BUNDLES.find((p) => existsSync(p));
    if (path) return { kind: 'file-root', path };
    throw new VmletError('VMLET_SDS_SECRET_UNAVAILABLE', `SDS resource file-root:system: no OS CA bundle found (looked at ${SYSTEM_CA_BUNDLES.join(', ')})`);
  }
  if (name.startsWith('file-root:')) {
    const path = name.slice('file-root:'.length);
    if (path && !path.includes('~')) return { kind: 'file-root', path };
    throw new VmletError('VMLET_SDS_BAD_REQUEST', `SDS resource ${JSON.stringify(name)}: file-root: needs one file path`);
  }
  throw new VmletError('VMLET_SDS_BAD_REQUEST', `SDS resource ${JSON.stringify(name)} is not served by vmlet (only default, ROOTCA, file-cert:<cert>~<key>, file-root:<path>)`);
}

export interface SecretSourceOptions {
  readonly identity: IdentitySource;
  readonly logger: Logger;
  /** Poll interval for file-cert:/file-root: files (ms). */
  readonly fileWatchInterval: number;
}

export class SecretSource {
  private readonly listeners = new Set<(name: string) => void>();
  private readonly fileWatches = new Map<string, { refs: number; paths: string[]; last: string; onChange(): void }>();
  private lastIdentity: WorkloadIdentity | undefined;
  private readonly unsubscribe: () => void;

  constructor(private readonly opts: SecretSourceOptions) {
    this.lastIdentity = opts.identity.current();
    this.unsubscribe = opts.identity.subscribe((next) => {
      const prev = this.lastIdentity;
      this.lastIdentity = next;
      if (prev?.certChainPem !== next.certChainPem || prev?.keyPem !== next.keyPem) this.emit(WORKLOAD_CERT);
      if (prev?.rootPem !== next.rootPem) this.emit(ROOT_CA);
    });
  }

  /** The secret's content now; undefined when the workload certificate is not there yet. Throws for bad names and unreadable files. */
  get(name: string): SecretContent | undefined {
    const parsed = parseResourceName(name);
    if (parsed.kind === 'default' || parsed.kind === 'rootca') {
      const id = this.opts.identity.current();
      if (id === undefined) return undefined;
      return parsed.kind === 'default' ? { kind: 'certificate', certChainPem: id.certChainPem, keyPem: id.keyPem } : { kind: 'root', rootPem: id.rootPem };
    }
    if (parsed.kind === 'file-cert') return { kind: 'certificate', certChainPem: readPem(name, parsed.certPath), keyPem: readPem(name, parsed.keyPath) };
    return { kind: 'root', rootPem: readPem(name, parsed.path) };
  }

  /** Hears the name of every secret whose content changed; returns an unsubscribe function. */
  subscribe(fn: (name: string) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** A stream started watching `name`: file-backed names get a file watch (reference counted). */
  retain(name: string): void {
    let parsed: ParsedName;
    try {
      parsed = parseResourceName(name);
    } catch {
      return;
    }
    if (parsed.kind !== 'file-cert' && parsed.kind !== 'file-root') return;
    const existing = this.fileWatches.get(name);
    if (existing) {
      existing.refs += 1;
      return;
    }
    const paths = parsed.kind === 'file-cert' ? [parsed.certPath, parsed.keyPath] : [parsed.path];
    const watch = { refs: 1, paths, last: this.snapshot(paths), onChange: () => this.checkFiles(name) };
    this.fileWatches.set(name, watch);
    for (const p of paths) watchFile(p, { interval: this.opts.fileWatchInterval, persistent: false }, watch.onChange);
  }

  release(name: string): void {
    const w = this.fileWatches.get(name);
    if (!w || --w.refs > 0) return;
    this.fileWatches.delete(name);
    for (const p of w.paths) unwatchFile(p, w.onChange);
  }

  close(): void {
    this.unsubscribe();
    for (const name of [...this.fileWatches.keys()]) {
      const w = this.fileWatches.get(name);
      if (w) w.refs = 1;
      this.release(name);
    }
    this.listeners.clear();
  }

  private checkFiles(name: string): void {
    const w = this.fileWatches.get(name);
    if (!w) return;
    const now = this.snapshot(w.paths);
    if (now === w.last) return;
    w.last = now;
    this.opts.logger.info({ secret: name }, `SDS: ${name} changed on disk; pushing it`);
    this.emit(name);
  }

  private snapshot(paths: string[]): string {
    return paths.map((p) => {
      try {
        return readFileSync(p, 'utf8');
      } catch {
        return '\0missing';
      }
    }).join('\0');
  }

  private emit(name: string): void {
    for (const fn of this.listeners) fn(name);
  }
}

function readPem(name: string, path: string): string {
  try {
    const text = readFileSync(path, 'utf8');
    if (!text.includes('-----BEGIN ')) throw new Error('not PEM');
    return text;
  } catch (err) {
    throw new VmletError('VMLET_SDS_SECRET_UNAVAILABLE', `SDS resource ${name}: cannot read ${path}: ${(err as Error).message}`, { cause: err, details: { path } });
  }
}
