/**
 * The identity Component: adopts a valid stored certificate at start (no istiod round trip),
 * otherwise trades the token for the first one; renews at the configured ratio with the current
 * certificate as client credential (the token only when no valid certificate is left); on
 * failure keeps the valid certificate, retries with capped backoff, and shows it; bad input
 * before any certificate (token missing, malformed, expired) ends the run instead. Also the
 * IdentitySource the SDS server and the istiod connector read.
 */
import { Backoff, ClockJumpWatch, type BackoffPolicy, type Clock, type ClockJump, type Component } from '../lifecycle/index.js';
import { LogSampler, type Logger } from '../log.js';
import { isBadInput, VmletError } from '../errors.js';
import { Status } from '../grpc/status.js';
import type { IstiodConnector } from '../istiod/types.js';
import type { Events, Gate, Metrics, StatusBoard } from '../status/types.js';
import { createCertificate } from './ca-client.js';
import { identityFromResponse } from './chain.js';
import { generateKeyAndCsr, spiffeId, type KeySpec } from './keys.js';
import { planRenewal, RENEWAL_STEP_MS, renewalLeft, type RenewalPlan } from './renewal-timing.js';
import { CertStore } from './store.js';
import { humanDuration, preflightToken, readToken } from './token.js';
import type { IdentitySource, WorkloadIdentity } from './types.js';

export interface IdentityManagerOptions {
  readonly store: CertStore;
  readonly outputStore?: CertStore;
  readonly connector: IstiodConnector;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly status: StatusBoard;
  readonly events: Events;
  readonly metrics: Metrics;
  readonly gate: Gate;
  readonly keySpec: KeySpec;
  readonly trustDomain: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly ttlMs: number;
  readonly renewRatio: number;
  readonly renewJitter: number;
  readonly certSigner: string;
  readonly requestTimeoutMs: number;
  readonly address: string;
  readonly tokenPath: string | undefined;
  readonly tokenAudience: string;
  readonly clockSkewMs: number;
  readonly backoff?: BackoffPolicy;
  /** Waited for (at most 10 s) before the first call to istiod: capture's first apply. */
  readonly beforeFirstCall?: Promise<void>;
  readonly random?: () => number;
}

export const CA_BACKOFF: BackoffPolicy = { name: 'istiod-ca', base: 500, factor: 1.5, cap: 60_000, jitter: 0.5, resetAfter: 0 };

/**
 * A request that ran out of time is asked again with twice the deadline, up to this many times
 * istiod.requestTimeout; an answer (or any other failure) resets it. istiod keeps working on a
 * request the client gave up on, so under a fleet's start or a reconnect storm a fixed deadline
 * turns one slow CSR into several: bench/fleet.mjs saw 90 CSRs signed for 50 VMs.
 */
export const CA_DEADLINE_GROWTH_CAP = 8;

const BEFORE_FIRST_CALL_MAX_MS = 10_000;

export class IdentityManager implements Component, IdentitySource {
  readonly name = 'identity';
  private identity: WorkloadIdentity | undefined;
  private failingSince: number | undefined;
  /** The next request's deadline (ms): istiod.requestTimeout, doubled after each one that ran out of time. */
  private deadlineMs: number;
  /**
   * The key and CSR of a request that ran out of time, sent again as they are (pilot-agent's retry
   * resends the same request): no new key pair on a machine short of CPU, which is when deadlines
   * run out. Any answer or other failure drops them.
   */
  private unanswered: { keyPem: string; csrPem: string } | undefined;
  private readonly listeners = new Set<(id: WorkloadIdentity) => void>();
  /** The start begin() made (run() makes it when main.ts did not), and what stops it before run(). */
  private opening: Promise<{ readonly error: unknown } | undefined> | undefined;
  private readonly halt = new AbortController();
  private readonly sampler = new LogSampler();
  private readonly expiry;
  private readonly renewals;
  private readonly duration;
  private readonly clockJumps;
  /** When the current certificate is renewed (fixed at adoption, so the jitter is drawn once per certificate). */
  private plan: RenewalPlan | undefined;
  /** The last wall-clock jump, for the status line: "system clock moved forward 40m at …". */
  private clockNote = '';
  /** The last renewal could not be stored: the status line says "in memory only" until the next. */
  private unstored = false;

  constructor(private readonly o: IdentityManagerOptions) {
    this.deadlineMs = o.requestTimeoutMs;
    this.expiry = o.metrics.gauge('vmlet_identity_expiry_timestamp_seconds', 'NotAfter of the current workload certificate (unix seconds).');
    this.renewals = o.metrics.counter('vmlet_identity_renewals_total', 'Certificate requests to istiod by result.', ['result']);
    this.duration = o.metrics.histogram('vmlet_ca_request_duration_seconds', 'Duration of CreateCertificate calls to istiod.', [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);
    this.clockJumps = o.metrics.counter('vmlet_clock_jumps_total', 'System clock jumps against the monotonic clock (NTP step, resume, manual change), by direction.', ['direction']);
  }

  current(): WorkloadIdentity | undefined {
    const id = this.identity;
    return id !== undefined && id.notAfter > this.o.clock.now() ? id : undefined;
  }

  subscribe(listener: (identity: WorkloadIdentity) => void): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  /**
   * Starts what run() starts with now, before the runtime runs this component: the stored
   * certificate adopted or, after beforeFirstCall, the first request to istiod. main.ts calls it
   * once identity is wired, so the TLS handshake and istiod's signing overlap the loading and
   * wiring of the later phases instead of following them. run() takes the outcome over: a failed
   * first request is reported, and ends the run or is retried, there. Resolves to that failure.
   */
  begin(): Promise<{ readonly error: unknown } | undefined> {
    this.opening ??= this.open();
    return this.opening;
  }

  /** The stored certificate adopted, or the first request made (after beforeFirstCall); its failure. */
  private async open(): Promise<{ readonly error: unknown } | undefined> {
    const { clock } = this.o;
    const stored = this.o.store.load();
    const ours = stored !== undefined && stored.spiffeId.endsWith(`/ns/${this.o.namespace}/sa/${this.o.serviceAccount}`);
    if (stored !== undefined && !ours) this.o.logger.warn({ spiffeId: stored.spiffeId }, `the stored certificate is for ${stored.spiffeId}, not ${this.o.namespace}/${this.o.serviceAccount}: requesting a new one`);
    if (stored !== undefined && ours && stored.notAfter > clock.now()) {
      // Issued when it was stored (clamped to its validity), not at its backdated NotBefore.
      const issued = Math.min(clock.now(), Math.max(stored.notBefore, this.o.store.storedAt() ?? stored.notBefore));
      this.adopt(stored, issued, 'loaded');
      return undefined;
    }
    this.o.status.set('identity', 'starting', 'requesting the first certificate from istiod');
    if (this.o.beforeFirstCall !== undefined) {
      // Capture's rules must not land in the middle of the first CSR (capture.settled); bounded.
      const timer = new AbortController();
      const cancel = () => timer.abort();
      this.halt.signal.addEventListener('abort', cancel, { once: true });
      await Promise.race([this.o.beforeFirstCall, this.sleep(BEFORE_FIRST_CALL_MAX_MS, timer.signal)]);
      timer.abort();
      this.halt.signal.removeEventListener('abort', cancel);
    }
    if (this.halt.signal.aborted) return undefined;
    try {
      await this.renewOnce();
      return undefined;
    } catch (error) {
      return { error };
    }
  }

  async run(signal: AbortSignal): Promise<void> {
    const { clock } = this.o;
    const halt = () => this.halt.abort();
    if (signal.aborted) halt();
    else signal.addEventListener('abort', halt, { once: true });
    const opened = await this.begin();
    if (signal.aborted) return;
    const backoff = new Backoff(this.o.backoff ?? CA_BACKOFF, this.o.random);
    const watch = new ClockJumpWatch(clock);
    if (opened !== undefined && !(await this.recover(opened.error, backoff, signal))) return;
    while (!signal.aborted) {
      const jump = watch.check();
      if (jump !== undefined) this.reportClockJump(jump);
      const cur = this.current();
      if (cur !== undefined && this.plan !== undefined) {
        // In steps of at most RENEWAL_STEP_MS, measured again after each: timers run on the
        // monotonic clock, the renewal time is a wall-clock time (renewal-timing.ts).
        const left = renewalLeft(this.plan, clock.now(), clock.monotonic());
        if (left > 0) {
          if (!(await this.sleep(Math.min(left, RENEWAL_STEP_MS), signal))) return;
          continue;
        }
      }
      try {
        await this.renewOnce();
        backoff.reset();
      } catch (err) {
        if (!(await this.recover(err, backoff, signal))) return;
      }
    }
  }

  /**
   * After a failed request: reported; then a wait of the backoff (false when aborted). Before any
   * certificate, bad input (no token, a malformed or expired one, one for another account) does
   * not mend by retrying: it is thrown, the run ends, and vmlet exits 2 saying why instead of
   * staying up "starting" until systemd's start timeout. With a certificate, it retries.
   */
  private async recover(err: unknown, backoff: Backoff, signal: AbortSignal): Promise<boolean> {
    this.reportFailure(err);
    if (this.identity === undefined && isBadInput(err)) throw err;
    return this.sleep(backoff.next(), signal);
  }

  /** One CSR round trip; adopts and stores the result. Throws VmletError on any failure. */
  async renewOnce(): Promise<WorkloadIdentity> {
    const o = this.o;
    const prev = this.current();
    if (prev === undefined) {
      const token = readToken(o.tokenPath);
      if (token === undefined) {
        throw new VmletError(
          'VMLET_TOKEN_MISSING',
          `no valid certificate and no istio-token${o.tokenPath ? ` at ${o.tokenPath}` : ''}: mint one with \`kubectl create token ${o.serviceAccount} -n ${o.namespace} --audience ${o.tokenAudience}\` and put it there`,
        );
      }
      preflightToken(token, { audience: o.tokenAudience, namespace: o.namespace, serviceAccount: o.serviceAccount, skewMs: o.clockSkewMs, now: o.clock.now(), path: o.tokenPath ?? 'istio-token' });
    }
    const pair = this.unanswered ?? await generateKeyAndCsr(o.keySpec, spiffeId(o.trustDomain, o.namespace, o.serviceAccount));
    const { keyPem, csrPem } = pair;
    this.unanswered = undefined;
    const t0 = o.clock.monotonic();
    let res;
    try {
      res = await createCertificate(o.connector, {
        csrPem,
        ttlSeconds: Math.round(o.ttlMs / 1000),
        certSigner: o.certSigner,
        timeoutMs: this.deadlineMs,
        address: o.address,
        auth: prev ? 'certificate' : 'token',
      });
      this.deadlineMs = o.requestTimeoutMs;
    } catch (err) {
      const timedOut = err instanceof VmletError && err.details['grpcCode'] === Status.DEADLINE_EXCEEDED;
      this.deadlineMs = timedOut ? Math.min(this.deadlineMs * 2, o.requestTimeoutMs * CA_DEADLINE_GROWTH_CAP) : o.requestTimeoutMs;
      if (timedOut) this.unanswered = pair;
      throw err;
    } finally {
      this.duration.observe((o.clock.monotonic() - t0) / 1000);
    }
    const id = identityFromResponse(res.certChain, keyPem);
    this.renewals.inc({ result: 'success' });
    this.adopt(id, o.clock.now(), prev ? 'renewed' : 'issued');
    if (prev !== undefined && prev.rootPem !== id.rootPem) o.events.emit('identity.root-rotated', { spiffeId: id.spiffeId });
    this.persist(id);
    return id;
  }

  private adopt(id: WorkloadIdentity, createdAt: number, how: 'loaded' | 'issued' | 'renewed'): void {
    this.identity = id;
    this.plan = planRenewal(createdAt, id.notAfter, this.o.renewRatio, this.o.renewJitter, this.o.clock.now(), this.o.clock.monotonic(), this.o.random);
    this.failingSince = undefined;
    this.sampler.reset();
    this.expiry.set(id.notAfter / 1000);
    this.o.gate.pass();
    const left = humanDuration(id.notAfter - this.o.clock.now());
    this.o.status.set('identity', 'ok', `${id.spiffeId}, expires in ${left}${this.clockNote}`);
    this.o.events.emit('identity', { state: how, spiffeId: id.spiffeId, notAfter: new Date(id.notAfter).toISOString() });
    this.o.logger.info({ spiffeId: id.spiffeId, notAfter: new Date(id.notAfter).toISOString(), how }, `identity ${how}: ${id.spiffeId}, expires in ${left}`);
    for (const l of this.listeners) l(id);
  }

  /**
   * A wall-clock jump: logged once with what it means for the certificate, counted, and noted in
   * the status line. Forward past the renewal time renews now; backward keeps the renewal within
   * the wait planned by the monotonic clock (the certificate's NotAfter did not move).
   */
  private reportClockJump(jump: ClockJump): void {
    const { clock } = this.o;
    const now = clock.now();
    this.clockJumps.inc({ direction: jump.direction });
    const by = humanDuration(jump.ms);
    this.clockNote = `; system clock moved ${jump.direction} ${by} at ${new Date(now).toISOString()}`;
    const cur = this.current();
    let action: string;
    if (cur === undefined) {
      action = this.identity !== undefined && this.identity.notAfter <= now
        ? `by the new time the certificate expired at ${new Date(this.identity.notAfter).toISOString()}: requesting a new one (with the istio-token)`
        : 'no certificate yet: the request goes on';
    } else {
      const left = this.plan === undefined ? 0 : renewalLeft(this.plan, now, clock.monotonic());
      const expires = `expires in ${humanDuration(cur.notAfter - now)}`;
      action = left <= 0
        ? `the certificate's renewal time has passed by the new time: renewing now (it ${expires})`
        : `renewal stays due in ${humanDuration(left)}${jump.direction === 'backward' ? ' (kept by the monotonic clock: the NotAfter of the certificate did not move)' : ''}; the certificate ${expires}`;
      // Only over an ok line: a failing renewal or an unwritable store keeps its own until it mends.
      if (this.failingSince === undefined && !this.unstored) this.o.status.set('identity', 'ok', `${cur.spiffeId}, ${expires}${this.clockNote}`);
    }
    this.o.events.emit('clock.jump', { direction: jump.direction, seconds: Math.round(jump.ms / 1000) });
    this.o.logger.warn({ direction: jump.direction, seconds: Math.round(jump.ms / 1000) },
      `the system clock moved ${jump.direction} by ${Math.round(jump.ms / 1000)} s against the monotonic clock (an NTP step, a resume from suspend or a snapshot, or a manual change): ${action}`);
  }

  private persist(id: WorkloadIdentity): void {
    this.unstored = false;
    for (const store of [this.o.store, this.o.outputStore]) {
      if (store === undefined) continue;
      try {
        store.save(id);
      } catch (err) {
        const e = err as VmletError;
        this.o.logger.error({ code: e.code, dir: store.dir }, `${e.message} [${e.code}]`);
        this.unstored = true;
        this.o.status.set('identity', 'degraded', `${id.spiffeId} in memory only: ${e.message} [${e.code}]`);
        this.o.events.emit('identity.failure', { code: e.code, message: e.message });
      }
    }
  }

  private reportFailure(err: unknown): void {
    const e = err instanceof VmletError ? err : new VmletError('VMLET_CA_UNAVAILABLE', `certificate request failed: ${(err as Error).message}`);
    const now = this.o.clock.now();
    this.failingSince ??= now;
    this.renewals.inc({ result: 'failure' });
    const since = new Date(this.failingSince).toISOString();
    const cur = this.current();
    if (cur !== undefined) {
      const what = e.code === 'VMLET_CA_UNAVAILABLE' || e.code === 'VMLET_CA_TLS' ? 'istiod unreachable' : 'renewal failing';
      this.o.status.set('identity', 'degraded', `identity expires in ${humanDuration(cur.notAfter - now)}; ${what} since ${since}: ${e.message} [${e.code}]`);
    } else {
      const expired = this.identity !== undefined ? `certificate expired at ${new Date(this.identity.notAfter).toISOString()}; ` : '';
      this.o.status.set('identity', 'failed', `no valid certificate: ${expired}${e.message} [${e.code}]`);
      this.o.gate.fail(`no workload certificate: ${e.message} [${e.code}]`);
    }
    this.o.events.emit('identity.failure', { code: e.code, message: e.message, since });
    const { log, suppressed } = this.sampler.shouldLog();
    if (log) this.o.logger.warn({ code: e.code, suppressed }, `${e.message} [${e.code}]`);
  }

  /** false when aborted. */
  private async sleep(ms: number, signal: AbortSignal): Promise<boolean> {
    try {
      await this.o.clock.sleep(ms, signal);
      return true;
    } catch {
      return false;
    }
  }
}
