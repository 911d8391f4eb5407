import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectBackend } from '../../../src/capture/backend.js';
import { ExecRunner } from '../../../src/capture/runner.js';
import { hasBinary, isRoot, requireOrSkip } from '../../helpers/env.js';
import { NetnsPair } from '../../helpers/netns.js';

const ok = requireOrSkip(isRoot() && hasBinary('ip') && hasBinary('iptables-legacy') && hasBinary('iptables-nft'), 'backend detection tests need root, iproute2 and iptables (nft and legacy)');

describe.skipIf(!ok)('iptables backend detection (in a netns)', () => {
  const ns = new NetnsPair('capb');
  beforeAll(() => ns.create(), 20_000);
  afterAll(() => ns.destroy());

  it('picks nft on a host without legacy rules, legacy once legacy holds rules, and obeys a forced choice', async () => {
    const runner = new ExecRunner({ netns: ns.vm });
    expect((await detectBackend(runner, 'auto')).name).toBe('nft');
    ns.exec(ns.vm, 'iptables-legacy', ['-w', '-t', 'filter', '-A', 'INPUT', '-p', 'tcp', '--dport', '7', '-j', 'ACCEPT']);
    expect((await detectBackend(runner, 'auto')).name).toBe('legacy');
    expect((await detectBackend(runner, 'nft')).name).toBe('nft');
  });
});
