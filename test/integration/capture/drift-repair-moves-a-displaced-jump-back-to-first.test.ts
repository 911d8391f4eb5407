/**
 * A rule inserted ahead of vmlet's jump (`iptables -t nat -I PREROUTING 1 ... -j ACCEPT`) leaves
 * every vmlet rule in place but bypasses capture. Drift repair must notice that the jump is no
 * longer first, move it back in one transaction, count and log it, and keep the foreign rule.
 * Real iptables (nft and legacy) and real traffic, in network namespaces this test creates.
 */
import { Writable } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCapture } from '../../../src/capture/index.js';
import { ExecRunner } from '../../../src/capture/runner.js';
import type { Deps } from '../../../src/deps.js';
import { systemClock } from '../../../src/lifecycle/index.js';
import { createLogger } from '../../../src/log.js';
import { MetricsRegistry, StatusCenter } from '../../../src/status/index.js';
import { hasBinary, isRoot, requireOrSkip } from '../../helpers/env.js';
import { NetnsPair, PEER_V4, VM_V4 } from '../../helpers/netns.js';
import { testConfig } from '../../helpers/test-config.js';
import { waitFor } from '../../helpers/wait-for.js';

const ok = requireOrSkip(isRoot() && hasBinary('ip') && hasBinary('iptables-nft-restore') && hasBinary('iptables-legacy-restore') && hasBinary('python3'),
  'drift repair tests need root, iproute2, iptables (nft and legacy) and python3');
const FACTS = { proxyUserUid: 1337, dnsServers: [], hasGlobalIpv6: false, istiod: [] };

describe.skipIf(!ok).each(['nft', 'legacy'] as const)('drift repair with iptables-%s', (backend) => {
  const ns = new NetnsPair('capj');
  const dir = mkdtempSync(join(tmpdir(), 'vmlet-capj-'));
  const ipt = (args: string[]) => ns.exec(ns.vm, `iptables-${backend}`, ['-w', ...args]);
  const chain = (name: string) => ns.exec(ns.vm, `iptables-${backend}-save`, ['-t', 'nat']).split('\n').filter((l) => l.startsWith(`-A ${name} `));

  beforeAll(async () => {
    ns.create();
    await ns.serve(ns.vm, [15001, 15006, 8080]);
    await ns.serve(ns.peer, [80]);
  }, 30_000);
  afterAll(() => { ns.destroy(); rmSync(dir, { recursive: true, force: true }); });

  it('moves PREROUTING and OUTPUT jumps back to the top, counts and logs each repair, keeps the foreign rules', async () => {
    const logLines: string[] = [];
    const sink = new Writable({ write(chunk: Buffer, _enc, done) { logLines.push(chunk.toString()); done(); } });
    const center = new StatusCenter();
    const metrics = new MetricsRegistry();
    const config = testConfig({ general: { stateDir: dir }, capture: { repairInterval: '150ms', backend, inboundPorts: '*', serviceCidr: '*' } });
    const deps: Deps = { config, logger: createLogger({ level: 'info', destination: sink }), clock: systemClock, gates: center.gates, status: center, events: center.events, metrics };
    const cap = createCapture(deps, { runner: new ExecRunner({ netns: ns.vm }), facts: FACTS, isRoot: true });
    const ac = new AbortController();
    const running = cap.components![0]!.run(ac.signal);
    try {
      await waitFor(() => center.gates.allPassed(), { timeoutMs: 10_000, what: 'capture gate' });
      expect(chain('PREROUTING')).toEqual(['-A PREROUTING -p tcp -j ISTIO_INBOUND']);
      expect(ns.connect(ns.peer, VM_V4, 8080)).toBe(`15006 ${VM_V4}:8080`);

      ipt(['-t', 'nat', '-I', 'PREROUTING', '1', '-p', 'tcp', '-j', 'ACCEPT']);
      await waitFor(() => /vmlet_capture_repairs_total 1/.test(metrics.render()), { timeoutMs: 10_000, what: 'the displaced PREROUTING jump repaired' });
      expect(chain('PREROUTING')).toEqual(['-A PREROUTING -p tcp -j ISTIO_INBOUND', '-A PREROUTING -p tcp -j ACCEPT']);
      expect(ns.connect(ns.peer, VM_V4, 8080)).toBe(`15006 ${VM_V4}:8080`);
      expect(logLines.join('')).toMatch(/no longer first in PREROUTING: -A PREROUTING -p tcp -j ACCEPT was put ahead of it/);

      ipt(['-t', 'nat', '-I', 'OUTPUT', '1', '-p', 'tcp', '-j', 'RETURN']);
      await waitFor(() => /vmlet_capture_repairs_total 2/.test(metrics.render()), { timeoutMs: 10_000, what: 'the displaced OUTPUT jump repaired' });
      expect(chain('OUTPUT')).toEqual(['-A OUTPUT -j ISTIO_OUTPUT', '-A OUTPUT -p tcp -j RETURN']);
      expect(ns.connect(ns.vm, PEER_V4, 80)).toBe(`15001 ${PEER_V4}:80`);
    } finally {
      ac.abort();
      await running;
      await cap.stopHooks![0]!.run(new AbortController().signal);
    }
    expect(chain('PREROUTING')).toEqual(['-A PREROUTING -p tcp -j ACCEPT']);
    expect(chain('OUTPUT')).toEqual(['-A OUTPUT -p tcp -j RETURN']);
  }, 40_000);
});
