/**
 * What the service must remember between requests and across restarts (the stateFile):
 * - nonces it issued: each usable once, for 5 minutes;
 * - the replay cache: keys of artefacts already accepted (a GCP token's SHA-256), until they expire;
 * - AWS trust on first use per accountId/region/instanceId: the document's pendingTime and the
 *   SHA-256 of the reauthSecret handed out (never the secret itself);
 * - per policy, the distinct instances it onboarded (maxVMs), so a VM onboarding again is not
 *   counted twice.
 *
 * Memory is the authority within the process (one replica: the Deployment is Recreate); every
 * change is written to the file atomically (temporary file, fsync, rename), coalesced: callers
 * that must not answer before their change is on disk await `flush()`.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { NONCE_LIFETIME_MS, OnboardRefusal } from '../onboard/protocol.js';
import { VmletError } from '../errors.js';
import './errors.js';

const VERSION = 1;
/**
 * Unused nonces kept at most: challenges are unauthenticated, so without a bound anyone could grow
 * the ledger (and every write of it) without limit. 20,000 covers a fleet of that many VMs booting
 * within the 5 minutes a nonce lives.
 */
export const MAX_OUTSTANDING_NONCES = 20_000;
const NONCE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

interface TofuRecord {
  /** ms since the epoch. */
  pendingTime: number;
  secretSha256: string;
}

interface State {
  version: number;
  /** nonce -> expiry (ms). */
  nonces: Record<string, number>;
  /** key -> expiry (ms), or 0 for good. */
  replay: Record<string, number>;
  tofu: Record<string, TofuRecord>;
  /** policy -> instance key -> first onboarding (ms). */
  vms: Record<string, Record<string, number>>;
}

export interface TofuDecision {
  /** The reauthSecret to return: a new one (first time, or a newer pendingTime) or the one presented. */
  readonly secret: string;
  /** Writes the decision (call after the bundle is ready, so a failed onboarding changes nothing). */
  commit(): void;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

export function newNonce(): string {
  const bytes = randomBytes(32);
  let out = '';
  // 256 % 62 != 0: reject the top of the range so every character is equally likely.
  for (const b of bytes) out += b < 248 ? NONCE_ALPHABET[b % 62] : '';
  return out.length === 32 ? out : (out + newNonce()).slice(0, 32);
}

export class Ledger {
  private state: State;
  private writing: Promise<void> | undefined;
  private dirty = false;
  private lastPrune = 0;
  /** Keys with an onboarding in progress (TOFU decided, not yet committed). */
  private readonly inFlight = new Set<string>();

  /** Entries of state.nonces (kept, not counted per call: challenges are frequent). */
  private nonceCount: number;

  constructor(private readonly file: string, private readonly now: () => number = Date.now) {
    this.state = Ledger.read(file);
    this.nonceCount = Object.keys(this.state.nonces).length;
  }

  private static read(file: string): State {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: VERSION, nonces: {}, replay: {}, tofu: {}, vms: {} };
      throw new VmletError('VMLET_ONBOARD_SERVER_STATE_INVALID', `stateFile ${file}: cannot read it: ${(err as Error).message}`, { cause: err });
    }
    try {
      const s = JSON.parse(text) as State;
      if (s.version !== VERSION || typeof s.nonces !== 'object' || typeof s.replay !== 'object' || typeof s.tofu !== 'object' || typeof s.vms !== 'object') throw new Error(`not a version ${VERSION} ledger`);
      return s;
    } catch (err) {
      throw new VmletError('VMLET_ONBOARD_SERVER_STATE_INVALID', `stateFile ${file}: ${(err as Error).message}; move it away to start with an empty ledger (TOFU records and VM counts are then forgotten)`, { cause: err });
    }
  }

  /** A fresh nonce and its expiry. */
  issueNonce(): { nonce: string; expiresAt: Date } {
    this.prune();
    if (this.nonceCount >= MAX_OUTSTANDING_NONCES) {
      this.prune(true);
      if (this.nonceCount >= MAX_OUTSTANDING_NONCES) {
        throw new OnboardRefusal('ONBOARD_INTERNAL', `too many challenges are outstanding (${MAX_OUTSTANDING_NONCES} unused nonces of the last 5 minutes)`, 'retry in a minute (vmlet backs off by itself); if no fleet is booting, someone is flooding POST /v1/challenge');
      }
    }
    const nonce = newNonce();
    const expires = this.now() + NONCE_LIFETIME_MS;
    this.state.nonces[nonce] = expires;
    this.nonceCount++;
    this.changed();
    return { nonce, expiresAt: new Date(expires) };
  }

  /** Uses a nonce up (whatever the outcome); throws ONBOARD_NONCE_INVALID when unknown, used or expired. */
  consumeNonce(nonce: string): void {
    const expires = Object.hasOwn(this.state.nonces, nonce) ? this.state.nonces[nonce] : undefined;
    if (expires !== undefined) {
      delete this.state.nonces[nonce];
      this.nonceCount--;
      this.changed();
    }
    const fix = 'ask for a new one (POST /v1/challenge) and send the onboard request within 5 minutes; vmlet does this by itself on its next attempt';
    if (expires === undefined) throw new OnboardRefusal('ONBOARD_NONCE_INVALID', 'the nonce is unknown or was used already (each nonce is good for one onboard request)', fix);
    if (expires <= this.now()) throw new OnboardRefusal('ONBOARD_NONCE_INVALID', `the nonce expired at ${new Date(expires).toISOString()} (server time now ${new Date(this.now()).toISOString()})`, fix);
  }

  /** Refuses a key seen before (still within its life); otherwise remembers it until notAfter (or for good). */
  rememberOnce(key: string, notAfter: Date | undefined, what: string): void {
    this.prune();
    const until = Object.hasOwn(this.state.replay, key) ? this.state.replay[key] : undefined;
    if (until !== undefined && (until === 0 || until > this.now())) {
      throw new OnboardRefusal('ONBOARD_REPLAY', `this ${what} was presented before; each is accepted once`, 'fetch a fresh attestation from the metadata service and onboard again (vmlet does on its next attempt); if this VM did not send it twice, someone else has a copy of it');
    }
    this.state.replay[key] = notAfter === undefined ? 0 : notAfter.getTime();
    this.changed();
  }

  /**
   * AWS trust on first use for `key` (accountId/region/instanceId): the first onboarding gets a new
   * secret; later ones must present it, unless their document's pendingTime is newer than the one
   * recorded (a stop/start made a new document); the pendingTime never goes backwards. Only one
   * onboarding per key at a time. Call commit() once the onboarding succeeded, release() otherwise.
   */
  decideTofu(key: string, pendingTime: Date | undefined, presented: string | undefined): TofuDecision & { release(): void } {
    if (this.inFlight.has(key)) {
      throw new OnboardRefusal('ONBOARD_REPLAY', `another onboarding of instance ${key} is in progress`, 'wait for it to finish; if this VM did not start two, someone else is presenting its identity document');
    }
    const rec = Object.hasOwn(this.state.tofu, key) ? this.state.tofu[key] : undefined;
    const pt = pendingTime?.getTime() ?? 0;
    let secret: string;
    if (rec === undefined) {
      secret = randomBytes(32).toString('base64url');
    } else if (presented !== undefined && sameHex(sha256(presented), rec.secretSha256)) {
      if (pt < rec.pendingTime) {
        throw new OnboardRefusal('ONBOARD_REPLAY', `the document's pendingTime ${new Date(pt).toISOString()} is older than the one recorded for ${key} (${new Date(rec.pendingTime).toISOString()}): an old document`, 'fetch the current instance identity document from IMDS and onboard again');
      }
      secret = presented;
    } else if (pt > rec.pendingTime) {
      secret = randomBytes(32).toString('base64url'); // a newer boot: the instance starts a new secret
    } else {
      throw new OnboardRefusal(
        'ONBOARD_REPLAY',
        `instance ${key} onboarded before and this request ${presented === undefined ? 'has no reauthSecret' : 'has the wrong reauthSecret'} for the same document (pendingTime ${new Date(pt).toISOString()})`,
        "a VM keeps the reauthSecret of its first onboarding in its state dir: restore it there, or stop and start the instance (a new pendingTime); if this VM never onboarded, someone else used its identity document first — investigate",
      );
    }
    this.inFlight.add(key);
    let done = false;
    return {
      secret,
      commit: () => {
        if (done) return;
        done = true;
        this.inFlight.delete(key);
        this.state.tofu[key] = { pendingTime: Math.max(pt, rec?.pendingTime ?? 0), secretSha256: sha256(secret) };
        this.changed();
      },
      release: () => {
        if (done) return;
        done = true;
        this.inFlight.delete(key);
      },
    };
  }

  /**
   * Counts `instance` against `policy` unless it is counted already; throws ONBOARD_POLICY_LIMIT
   * when the policy has maxVMs distinct instances. Returns an undo for a failed onboarding (only
   * undoes what this call added).
   */
  admit(policy: string, instance: string, maxVMs: number | undefined): () => void {
    const vms = (this.state.vms[policy] ??= {});
    if (Object.hasOwn(vms, instance)) return () => {};
    const count = Object.keys(vms).length;
    if (maxVMs !== undefined && count >= maxVMs) {
      throw new OnboardRefusal('ONBOARD_POLICY_LIMIT', `policy ${policy} has onboarded its maximum of ${maxVMs} VMs (${count} distinct instances)`, `raise maxVMs of policy ${policy} in the onboarding service's config, or remove a retired instance from its stateFile`);
    }
    vms[instance] = this.now();
    this.changed();
    return () => {
      if (this.state.vms[policy]?.[instance] !== undefined) {
        delete this.state.vms[policy]![instance];
        this.changed();
      }
    };
  }

  /** Distinct instances counted per policy (for metrics and tests). */
  counts(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.state.vms).map(([k, v]) => [k, Object.keys(v).length]));
  }

  /** Resolves once every change made before the call is on disk. */
  async flush(): Promise<void> {
    // A write in progress may have taken its snapshot before our change: wait for it, then for
    // the next one (whoever starts it, it snapshots after our change). At most two writes, so a
    // steady stream of other requests' changes cannot keep a caller waiting.
    if (this.writing !== undefined) await this.writing;
    if (this.writing === undefined) {
      if (!this.dirty) return;
      this.writing = this.write().finally(() => { this.writing = undefined; });
    }
    await this.writing;
  }

  private changed(): void {
    this.dirty = true;
  }

  private async write(): Promise<void> {
    this.dirty = false;
    const text = JSON.stringify(this.state);
    const tmp = `${this.file}.tmp-${process.pid}`;
    mkdirSync(dirname(this.file), { recursive: true });
    try {
      const fh = await open(tmp, 'w', 0o600);
      try {
        // A temp file a crash left behind keeps its old mode through open(): set it before writing.
        await fh.chmod(0o600);
        await fh.writeFile(text);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, this.file);
    } catch (err) {
      this.dirty = true; // not on disk: the next flush tries again
      throw err;
    }
  }

  /** Drops expired nonces and replay keys, at most once a second. */
  private prune(force = false): void {
    const now = this.now();
    if (!force && now - this.lastPrune < 1000) return;
    this.lastPrune = now;
    for (const [n, exp] of Object.entries(this.state.nonces)) {
      if (exp <= now) {
        delete this.state.nonces[n];
        this.nonceCount--;
      }
    }
    for (const [k, exp] of Object.entries(this.state.replay)) if (exp !== 0 && exp <= now) delete this.state.replay[k];
    this.changed();
  }
}
