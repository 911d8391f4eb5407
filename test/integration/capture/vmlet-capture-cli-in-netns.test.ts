/**
 * The shipped bundle's `vmlet capture plan|apply|status|remove`, run inside a network namespace
 * this test creates (so the host's iptables are never touched).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasBinary, isRoot, requireOrSkip } from '../../helpers/env.js';
import { NetnsPair } from '../../helpers/netns.js';
import { ISTIO_FIXTURE } from '../../helpers/test-config.js';
import { EMPTY_CONFIG } from '../../helpers/vmlet-process.js';

const ok = requireOrSkip(isRoot() && hasBinary('ip') && hasBinary('iptables-nft-restore'), 'vmlet capture CLI tests need root, iproute2 and iptables');
const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'vmlet.cjs');

describe.skipIf(!ok)('vmlet capture (CLI) in a netns', () => {
  const ns = new NetnsPair('capcli');
  const state = mkdtempSync(join(tmpdir(), 'vmlet-capcli-'));
  const vmlet = (...args: string[]): { code: number; out: string } => {
    try {
      const out = ns.exec(ns.vm, process.execPath, [BIN, 'capture', ...args, '--istio-dir', ISTIO_FIXTURE, '--config', EMPTY_CONFIG, '--set', `general.stateDir=${state}`, '--set', 'capture.backend=nft']);
      return { code: 0, out };
    } catch (err) {
      const e = err as { status: number; stdout: string; stderr: string };
      return { code: e.status, out: `${e.stdout}${e.stderr}` };
    }
  };
  beforeAll(() => ns.create(), 20_000);
  afterAll(() => { ns.destroy(); rmSync(state, { recursive: true, force: true }); });

  it('plan prints the payload and changes nothing', () => {
    const r = vmlet('plan');
    expect(r.code).toBe(0);
    expect(r.out).toContain('-A ISTIO_INBOUND -p tcp -m tcp --dport 8080 -j ISTIO_IN_REDIRECT');
    expect(ns.exec(ns.vm, 'iptables-nft-save', [])).not.toContain('ISTIO_');
  }, 20_000);

  it('apply installs, status reports it as configured, remove takes it away', () => {
    expect(vmlet('apply').out).toMatch(/capture rules applied \(iptables-nft/);
    expect(ns.exec(ns.vm, 'iptables-nft-save', [])).toContain('-A OUTPUT -j ISTIO_OUTPUT');
    const st = vmlet('status');
    expect(st.code).toBe(0);
    expect(st.out).toMatch(/IPv4: installed, as configured/);
    ns.exec(ns.vm, 'iptables-nft', ['-w', '-t', 'nat', '-F', 'ISTIO_OUTPUT']);
    const drifted = vmlet('status');
    expect(drifted.code).toBe(1);
    expect(drifted.out).toMatch(/DIFFERS[\s\S]*ISTIO_OUTPUT has 0 rules/);
    expect(vmlet('remove').out).toMatch(/capture rules removed/);
    expect(ns.exec(ns.vm, 'iptables-nft-save', [])).not.toContain('ISTIO_');
  }, 30_000);
});
