import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Ledger, MAX_OUTSTANDING_NONCES, newNonce } from '../../../src/onboard-server/ledger.js';
import { NONCE_PATTERN, OnboardRefusal } from '../../../src/onboard/protocol.js';
import { makeTmpDir } from '../../helpers/tmp-dir.js';

const tmp = makeTmpDir('ledger');
afterAll(() => tmp.cleanup());
let n = 0;
const fresh = (clock: { t: number }) => new Ledger(tmp.join(`l${++n}`, 'ledger.json'), () => clock.t);
const code = (f: () => unknown): string | undefined => { try { f(); return undefined; } catch (e) { return (e as OnboardRefusal).code; } };

describe('ledger', () => {
  it('nonces are 32 alphanumerics, usable once, for 5 minutes', () => {
    const clock = { t: 1_000_000 };
    const l = fresh(clock);
    for (let i = 0; i < 50; i++) expect(newNonce()).toMatch(NONCE_PATTERN);
    const a = l.issueNonce();
    expect(a.expiresAt.getTime()).toBe(clock.t + 300_000);
    expect(code(() => l.consumeNonce(a.nonce))).toBeUndefined();
    expect(code(() => l.consumeNonce(a.nonce))).toBe('ONBOARD_NONCE_INVALID');
    const b = l.issueNonce();
    clock.t += 300_001;
    expect(code(() => l.consumeNonce(b.nonce))).toBe('ONBOARD_NONCE_INVALID');
    expect(code(() => l.consumeNonce('x'.repeat(32)))).toBe('ONBOARD_NONCE_INVALID');
  });

  it('outstanding nonces are bounded: past the bound a challenge is refused until old ones expire or are used', () => {
    const clock = { t: 1_000_000 };
    const l = fresh(clock);
    const first = l.issueNonce().nonce;
    for (let i = 1; i < MAX_OUTSTANDING_NONCES; i++) l.issueNonce();
    expect(code(() => l.issueNonce())).toBe('ONBOARD_INTERNAL');
    l.consumeNonce(first);
    expect(code(() => l.issueNonce())).toBeUndefined();
    expect(code(() => l.issueNonce())).toBe('ONBOARD_INTERNAL');
    clock.t += 300_001;
    expect(code(() => l.issueNonce())).toBeUndefined();
  });

  it('a replay key is refused while it lives, accepted again after its notAfter', () => {
    const clock = { t: 1_000_000 };
    const l = fresh(clock);
    l.rememberOnce('gcp:abc', new Date(clock.t + 60_000), 'token');
    expect(code(() => l.rememberOnce('gcp:abc', new Date(clock.t + 60_000), 'token'))).toBe('ONBOARD_REPLAY');
    clock.t += 61_000;
    expect(code(() => l.rememberOnce('gcp:abc', new Date(clock.t + 60_000), 'token'))).toBeUndefined();
    l.rememberOnce('forever', undefined, 'x');
    clock.t += 10 ** 9;
    expect(code(() => l.rememberOnce('forever', undefined, 'x'))).toBe('ONBOARD_REPLAY');
  });

  it('AWS TOFU: first use gets a secret, later ones need it unless pendingTime is newer; never backwards', () => {
    const l = fresh({ t: 0 });
    const p1 = new Date('2026-01-01T00:00:00Z');
    const first = l.decideTofu('acct/eu/i-1', p1, undefined);
    first.commit();
    // the same document again without the secret: a replay
    expect(code(() => l.decideTofu('acct/eu/i-1', p1, undefined))).toBe('ONBOARD_REPLAY');
    expect(code(() => l.decideTofu('acct/eu/i-1', p1, 'wrong'))).toBe('ONBOARD_REPLAY');
    // with the secret: accepted, same secret
    const again = l.decideTofu('acct/eu/i-1', p1, first.secret);
    expect(again.secret).toBe(first.secret);
    again.commit();
    // stop/start: a newer pendingTime without the secret starts a new secret
    const p2 = new Date('2026-02-01T00:00:00Z');
    const reboot = l.decideTofu('acct/eu/i-1', p2, undefined);
    expect(reboot.secret).not.toBe(first.secret);
    reboot.commit();
    // the old secret and the old document are both refused now
    expect(code(() => l.decideTofu('acct/eu/i-1', p2, first.secret))).toBe('ONBOARD_REPLAY');
    expect(code(() => l.decideTofu('acct/eu/i-1', p1, reboot.secret))).toBe('ONBOARD_REPLAY');
  });

  it('AWS TOFU: a released (failed) first onboarding records nothing; two at once are refused', () => {
    const l = fresh({ t: 0 });
    const p = new Date('2026-01-01T00:00:00Z');
    const a = l.decideTofu('k', p, undefined);
    expect(code(() => l.decideTofu('k', p, undefined))).toBe('ONBOARD_REPLAY');
    a.release();
    const b = l.decideTofu('k', p, undefined);
    expect(b.secret).not.toBe(a.secret);
    b.commit();
  });

  it('maxVMs counts distinct instances; the same VM again is not counted twice; undo frees the slot', () => {
    const l = fresh({ t: 0 });
    l.admit('p', 'i-1', 2);
    l.admit('p', 'i-1', 2);
    const undo = l.admit('p', 'i-2', 2);
    expect(l.counts()).toEqual({ p: 2 });
    expect(code(() => l.admit('p', 'i-3', 2))).toBe('ONBOARD_POLICY_LIMIT');
    l.admit('p', 'i-1', 2); // still fine: already counted
    undo();
    expect(code(() => l.admit('p', 'i-3', 2))).toBeUndefined();
    expect(code(() => l.admit('q', 'i-1', 0))).toBe('ONBOARD_POLICY_LIMIT');
  });

  it('survives a restart: written atomically (0600), read back with nonces, TOFU and counts', async () => {
    const clock = { t: 5_000 };
    const file = tmp.join('restart', 'ledger.json');
    const l = new Ledger(file, () => clock.t);
    const nonce = l.issueNonce().nonce;
    const tofu = l.decideTofu('k', new Date(1), undefined);
    tofu.commit();
    l.admit('p', 'i-1', 1);
    await l.flush();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // Only its hash: the reauthSecret handed out is nowhere in the file.
    expect(tofu.secret.length).toBeGreaterThan(20);
    expect(readFileSync(file, 'utf8')).not.toContain(tofu.secret);
    const back = new Ledger(file, () => clock.t);
    expect(code(() => back.consumeNonce(nonce))).toBeUndefined();
    expect(code(() => back.decideTofu('k', new Date(1), undefined))).toBe('ONBOARD_REPLAY');
    expect(code(() => back.admit('p', 'i-2', 1))).toBe('ONBOARD_POLICY_LIMIT');
    expect(existsSync(`${file}.tmp-${process.pid}`)).toBe(false);
  });

  it('a temp file a crash left world-readable does not make the ledger world-readable', async () => {
    const file = tmp.join('stale-tmp', 'ledger.json');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(`${file}.tmp-${process.pid}`, 'left by a crash', { mode: 0o644 });
    const l = new Ledger(file);
    l.admit('p', 'i-1', undefined);
    await l.flush();
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('flush returns once its change is on disk even while other changes keep coming', async () => {
    const file = tmp.join('busy', 'ledger.json');
    const l = new Ledger(file);
    l.admit('p', 'first', undefined);
    const earlier = l.flush();
    l.admit('p', 'mine', undefined);
    const mine = l.flush();
    let stop = false;
    let i = 0;
    const churn = (async () => {
      while (!stop && i < 100_000) {
        l.admit('p', `other-${i++}`, undefined);
        await new Promise((r) => setImmediate(r));
      }
    })();
    await Promise.all([earlier, mine]);
    const changesMeanwhile = i;
    stop = true;
    await churn;
    expect(JSON.parse(readFileSync(file, 'utf8')).vms.p.mine).toBeTypeOf('number');
    // It did not wait for the stream of changes to end (a flush that waits until nothing is dirty would).
    expect(changesMeanwhile).toBeLessThan(100_000);
  }, 30_000);

  it('refuses a stateFile it did not write, with what to do', async () => {
    const file = tmp.join('bad.json');
    (await import('node:fs')).writeFileSync(file, '{"hello":1}');
    expect(() => new Ledger(file)).toThrow(/VMLET_ONBOARD_SERVER_STATE_INVALID|not a version 1 ledger.*move it away/);
  });
});
