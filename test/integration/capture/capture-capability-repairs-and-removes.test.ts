/**
 * createCapture as main.ts mounts it, against real iptables in a netns: the gate passes once the
 * rules are in, `iptables -F` of a vmlet chain is repaired and counted, the stop hook removes
 * the rules (or keeps them with keepOnRestart), and capture is off (loudly) when not root.
 */
import { mkdtempSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCapture } from '../../../src/capture/index.js';
import { ExecRunner } from '../../../src/capture/runner.js';
import type { Deps } from '../../../src/deps.js';
import { systemClock } from '../../../src/lifecycle/index.js';
import { createLogger, silentLogger } from '../../../src/log.js';
import { MetricsRegistry, StatusCenter } from '../../../src/status/index.js';
import { hasBinary, isRoot, requireOrSkip } from '../../helpers/env.js';
import { NetnsPair } from '../../helpers/netns.js';
import { testConfig } from '../../helpers/test-config.js';
import { waitFor } from '../../helpers/wait-for.js';

const ok = requireOrSkip(isRoot() && hasBinary('ip') && hasBinary('iptables-nft-restore'), 'capture capability tests need root, iproute2 and iptables');
const FACTS = { proxyUserUid: 1337, dnsServers: [], hasGlobalIpv6: false, istiod: [{ ip: '10.77.0.2', port: 15012 }] };

function makeDeps(overrides: Record<string, unknown>, stateDir: string) {
  const center = new StatusCenter();
  const metrics = new MetricsRegistry();
  const config = testConfig({ general: { stateDir }, capture: { repairInterval: '150ms', backend: 'nft', ...overrides } });
  const deps: Deps = { config, logger: process.env.DEBUG_TEST ? createLogger({ level: 'debug' }) : silentLogger(), clock: systemClock, gates: center.gates, status: center, events: center.events, metrics };
  return { deps, center, metrics };
}

describe.skipIf(!ok)('createCapture in a netns', () => {
  const ns = new NetnsPair('capc');
  const dirs: string[] = [];
  const save = () => ns.exec(ns.vm, 'iptables-nft-save', []);
  const stateDir = () => { const d = mkdtempSync(join(tmpdir(), 'vmlet-cap-')); dirs.push(d); return d; };

  beforeAll(() => ns.create(), 20_000);
  afterAll(() => { ns.destroy(); for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

  it('applies at start (gate passes, state written), repairs a flushed chain, removes at stop', async () => {
    const dir = stateDir();
    const { deps, center, metrics } = makeDeps({}, dir);
    const cap = createCapture(deps, { runner: new ExecRunner({ netns: ns.vm }), facts: FACTS, isRoot: true });
    const ac = new AbortController();
    const running = cap.components![0]!.run(ac.signal);
    try {
      await waitFor(() => center.gates.allPassed(), { timeoutMs: 10_000, what: 'capture gate' });
      expect(save()).toContain('-A ISTIO_OUTPUT -d 10.77.0.2/32 -p tcp -m tcp --dport 15012 -m owner --uid-owner 0 -j RETURN');
      expect(existsSync(join(dir, 'capture.json'))).toBe(true);
      ns.exec(ns.vm, 'iptables-nft', ['-w', '-t', 'nat', '-F', 'ISTIO_OUTPUT']);
      await waitFor(() => /vmlet_capture_repairs_total 1/.test(metrics.render()), { timeoutMs: 10_000, what: 'one repair counted' });
      expect(save()).toContain('-A ISTIO_OUTPUT -j ISTIO_REDIRECT');
    } finally {
      ac.abort();
      await running;
    }
    await cap.stopHooks![0]!.run(new AbortController().signal);
    expect(save()).not.toContain('ISTIO_');
    expect(existsSync(join(dir, 'capture.json'))).toBe(false);
  }, 30_000);

  it('keepOnRestart leaves the rules at stop; the next start replaces them without a gap', async () => {
    const { deps, center } = makeDeps({ keepOnRestart: true }, stateDir());
    const cap = createCapture(deps, { runner: new ExecRunner({ netns: ns.vm }), facts: FACTS, isRoot: true });
    const ac = new AbortController();
    const running = cap.components![0]!.run(ac.signal);
    await waitFor(() => center.gates.allPassed(), { timeoutMs: 10_000, what: 'capture gate' });
    ac.abort();
    await running;
    await cap.stopHooks![0]!.run(new AbortController().signal);
    expect(save()).toContain(':ISTIO_OUTPUT');
    const again = makeDeps({}, stateDir());
    const cap2 = createCapture(again.deps, { runner: new ExecRunner({ netns: ns.vm }), facts: { ...FACTS, proxyUserUid: 4242 }, isRoot: true });
    const ac2 = new AbortController();
    const running2 = cap2.components![0]!.run(ac2.signal);
    await waitFor(() => again.center.gates.allPassed(), { timeoutMs: 10_000, what: 'capture gate after restart' });
    ac2.abort();
    await running2;
    expect(save()).toContain('--uid-owner 4242');
    expect(save()).not.toContain('--uid-owner 1337');
    await cap2.stopHooks![0]!.run(new AbortController().signal);
    expect(save()).not.toContain('ISTIO_');
  }, 30_000);

  it('fail-open lifts outbound capture after the grace while Envoy is unready, and restores it when ready', async () => {
    const { deps, center } = makeDeps({ failurePolicy: 'fail-open', failOpenGrace: '300ms', repairInterval: '10s' }, stateDir());
    const cap = createCapture(deps, { runner: new ExecRunner({ netns: ns.vm }), facts: FACTS, isRoot: true });
    let ready = false;
    const listeners = new Set<(r: boolean) => void>();
    cap.watchEnvoy({ ready: () => ready, subscribe: (fn) => { listeners.add(fn); return () => listeners.delete(fn); } });
    const ac = new AbortController();
    const running = cap.components![0]!.run(ac.signal);
    try {
      await waitFor(() => center.gates.allPassed(), { timeoutMs: 10_000, what: 'capture gate' });
      expect(save()).toContain('-A ISTIO_OUTPUT -j ISTIO_REDIRECT');
      await waitFor(() => !save().includes('-A ISTIO_OUTPUT -j ISTIO_REDIRECT'), { timeoutMs: 5_000, what: 'outbound capture lifted' });
      expect(save()).toContain('-A ISTIO_INBOUND');
      ready = true;
      for (const fn of listeners) fn(true);
      await waitFor(() => save().includes('-A ISTIO_OUTPUT -j ISTIO_REDIRECT'), { timeoutMs: 5_000, what: 'outbound capture restored' });
    } finally {
      ac.abort();
      await running;
      await cap.stopHooks![0]!.run(new AbortController().signal);
    }
  }, 30_000);

  it('DNS rules (capture mode): installed with the exemption of vmlet\'s own upstream ports, repaired after a flush, lifted by fail-open, removed at stop; none in resolved mode', async () => {
    const DNS_FACTS = { ...FACTS, dnsServers: ['10.77.0.2'], vmletUid: 0 };
    const redirect = '-A ISTIO_OUTPUT_DNS -d 10.77.0.2/32 -p udp -m udp --dport 53 -j REDIRECT --to-ports 15053';
    const exempt = '-A ISTIO_OUTPUT -p udp -m udp --sport 15060:15075 -m owner --uid-owner 0 -j RETURN';
    const { deps, center, metrics } = makeDeps({ dnsCapture: true, failurePolicy: 'fail-open', failOpenGrace: '300ms' }, stateDir());
    const cap = createCapture(deps, { runner: new ExecRunner({ netns: ns.vm }), facts: DNS_FACTS, isRoot: true, dnsMode: 'capture' });
    let ready = true;
    const listeners = new Set<(r: boolean) => void>();
    cap.watchEnvoy({ ready: () => ready, subscribe: (fn) => { listeners.add(fn); return () => listeners.delete(fn); } });
    const ac = new AbortController();
    const running = cap.components![0]!.run(ac.signal);
    try {
      await waitFor(() => center.gates.allPassed(), { timeoutMs: 10_000, what: 'capture gate' });
      expect(save()).toContain(redirect);
      expect(save()).toContain(exempt);
      expect(save()).toContain('-A ISTIO_OUTPUT_DNS -p udp -m udp --sport 15053 -m owner --uid-owner 0 -j CT --zone 2');
      ns.exec(ns.vm, 'iptables-nft', ['-w', '-t', 'nat', '-F', 'ISTIO_OUTPUT_DNS']);
      await waitFor(() => /vmlet_capture_repairs_total 1/.test(metrics.render()), { timeoutMs: 10_000, what: 'the DNS chain repaired' });
      expect(save()).toContain(redirect);
      ready = false;
      for (const fn of listeners) fn(false);
      await waitFor(() => !save().includes(redirect), { timeoutMs: 5_000, what: 'fail-open lifts DNS capture' });
      ready = true;
      for (const fn of listeners) fn(true);
      await waitFor(() => save().includes(redirect), { timeoutMs: 5_000, what: 'DNS capture restored' });
    } finally {
      ac.abort();
      await running;
      await cap.stopHooks![0]!.run(new AbortController().signal);
    }
    expect(save()).not.toContain('ISTIO_');

    const resolved = makeDeps({ dnsCapture: true }, stateDir());
    const cap2 = createCapture(resolved.deps, { runner: new ExecRunner({ netns: ns.vm }), facts: DNS_FACTS, isRoot: true, dnsMode: 'resolved' });
    const ac2 = new AbortController();
    const running2 = cap2.components![0]!.run(ac2.signal);
    try {
      await waitFor(() => resolved.center.gates.allPassed(), { timeoutMs: 10_000, what: 'capture gate (resolved mode)' });
      expect(save()).toContain('-A ISTIO_OUTPUT');
      expect(save()).not.toContain('ISTIO_OUTPUT_DNS');
    } finally {
      ac2.abort();
      await running2;
      await cap2.stopHooks![0]!.run(new AbortController().signal);
    }
  }, 40_000);

  it('is off, with a status line saying why, when not root or when disabled', () => {
    const notRoot = makeDeps({}, stateDir());
    const cap = createCapture(notRoot.deps, { isRoot: false });
    expect(cap.active).toBe(false);
    expect(notRoot.center.snapshot().components).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'capture', detail: expect.stringMatching(/not root/) })]));
    expect(createCapture(makeDeps({ enabled: false }, stateDir()).deps, { isRoot: true }).active).toBe(false);
    expect(createCapture(makeDeps({ customIptables: true }, stateDir()).deps, { isRoot: true }).active).toBe(false);
  });
});
