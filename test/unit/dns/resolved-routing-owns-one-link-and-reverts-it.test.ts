// resolved mode against a FAKE `ip`/`resolvectl` (a recorded command table): the order of the
// calls, the veth fallback, stale-link clean-up, updates and revert. The real systemd-resolved is
// exercised in the package tier (test/e2e/package/dns-resolved-mode-leaves-host-dns-as-it-was.test.ts).
import { describe, expect, it } from 'vitest';
import { isVmletError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/log.js';
import { createResolvedRoutingWith, LINK_NAME, type CommandResult } from '../../../src/dns/resolved.js';

const ok: CommandResult = { code: 0, stdout: '', stderr: '' };

/** A fake host: a set of links, resolved's per-link settings, and every command seen. */
function fakeHost(o: { dummy?: boolean; linkExists?: boolean; resolvedLagCalls?: number; failOn?: RegExp } = {}) {
  const links = new Set<string>(o.linkExists ? [LINK_NAME] : []);
  const calls: string[] = [];
  let lag = o.resolvedLagCalls ?? 0;
  const run = async (bin: string, args: readonly string[]): Promise<CommandResult> => {
    const line = `${bin} ${args.join(' ')}`;
    calls.push(line);
    if (o.failOn?.test(line)) return { code: 1, stdout: '', stderr: 'Access denied' };
    if (bin === 'ip' && args[0] === 'link' && args[1] === 'show') return links.has(args[3]!) ? ok : { code: 1, stdout: '', stderr: 'Device "vmlet-dns" does not exist.' };
    if (bin === 'ip' && args[0] === 'link' && args[1] === 'add') {
      if (args[4] === 'dummy' && o.dummy === false) return { code: 2, stdout: '', stderr: 'Error: Unknown device type.' };
      links.add(args[2]!);
      return ok;
    }
    if (bin === 'ip' && args[0] === 'link' && args[1] === 'delete') { links.delete(args[3]!); return ok; }
    if (bin === 'resolvectl' && args[0] !== 'revert' && lag > 0) { lag--; return { code: 1, stdout: '', stderr: 'Failed to set default route configuration: Link 7 not known' }; }
    return ok;
  };
  return { run, calls, links };
}

const deps = (h: ReturnType<typeof fakeHost>) => ({ logger: silentLogger(), runDir: '/run/vmlet', stateDir: '/var/lib/vmlet', run: h.run, sleep: async () => {} });
const server = { address: '127.0.0.1', port: 15053 };

describe('resolved mode: one link vmlet owns, configured in the order that keeps non-mesh names off it', () => {
  it('creates a dummy link with a scope-global /32, then default-route off, LLMNR/mDNS/DNSSEC/DoT off, domains, server last', async () => {
    const h = fakeHost();
    await createResolvedRoutingWith(deps(h)).apply({ server, domains: ['cluster.local', 'db.chk.internal', 'x.ns.svc.cluster.local'] });
    expect(h.calls).toEqual([
      'ip link show dev vmlet-dns',
      'ip link add vmlet-dns type dummy',
      `ip link set dev vmlet-dns alias vmlet: routes mesh DNS names to its DNS proxy; deleted when vmlet stops`,
      'ip addr add 169.254.53.53/32 dev vmlet-dns',
      'ip link set dev vmlet-dns up',
      'resolvectl default-route vmlet-dns false',
      'resolvectl llmnr vmlet-dns no',
      'resolvectl mdns vmlet-dns no',
      'resolvectl dnssec vmlet-dns no',
      'resolvectl dnsovertls vmlet-dns no',
      'resolvectl domain vmlet-dns ~cluster.local ~db.chk.internal',
      'resolvectl dns vmlet-dns 127.0.0.1:15053',
    ]);
  });

  it('falls back to a veth pair (peer up first, for carrier) where the kernel has no dummy driver', async () => {
    const h = fakeHost({ dummy: false });
    await createResolvedRoutingWith(deps(h)).apply({ server, domains: ['cluster.local'] });
    expect(h.calls).toContain('ip link add vmlet-dns type veth peer name vmlet-dns-peer');
    expect(h.calls.indexOf('ip link set dev vmlet-dns-peer up')).toBeLessThan(h.calls.indexOf('ip link set dev vmlet-dns up'));
  });

  it('waits (bounded) for resolved to notice the new link before the first call', async () => {
    const h = fakeHost({ resolvedLagCalls: 3 });
    await createResolvedRoutingWith(deps(h)).apply({ server, domains: ['cluster.local'] });
    expect(h.calls.filter((c) => c === 'resolvectl default-route vmlet-dns false')).toHaveLength(4);
    const slow = fakeHost({ resolvedLagCalls: 1_000 });
    await expect(createResolvedRoutingWith({ ...deps(slow), linkWaitMs: 0 }).apply({ server, domains: ['cluster.local'] })).rejects.toThrow(/not known/);
  });

  it('a link left by a crashed vmlet is reverted and deleted before a new one is made', async () => {
    const h = fakeHost({ linkExists: true });
    await createResolvedRoutingWith(deps(h)).apply({ server, domains: ['cluster.local'] });
    expect(h.calls.slice(0, 4)).toEqual(['ip link show dev vmlet-dns', 'resolvectl revert vmlet-dns', 'ip link delete dev vmlet-dns', 'ip link add vmlet-dns type dummy']);
  });

  it('a refused resolved call leaves nothing behind and says what to do (VMLET_DNS_RESOLVED_UNAVAILABLE)', async () => {
    const h = fakeHost({ failOn: /resolvectl domain/ });
    const err = await createResolvedRoutingWith(deps(h)).apply({ server, domains: ['cluster.local'] }).catch((e: unknown) => e);
    expect(isVmletError(err, 'VMLET_DNS_RESOLVED_UNAVAILABLE')).toBe(true);
    expect((err as Error).message).toMatch(/resolvectl domain vmlet-dns failed: Access denied; .*root.*dns\.mode to capture/);
    expect(h.links.size).toBe(0);
    expect(h.calls.slice(-2)).toEqual(['resolvectl revert vmlet-dns', 'ip link delete dev vmlet-dns']);
  });

  it('update sends the new domains only when they changed; revert deletes the link and is idempotent', async () => {
    const h = fakeHost();
    const r = createResolvedRoutingWith(deps(h));
    await r.apply({ server, domains: ['cluster.local'] });
    const n = h.calls.length;
    await r.update(['cluster.local', 'a.ns.svc.cluster.local']);
    expect(h.calls.length).toBe(n);
    await r.update(['cluster.local', 'db.chk.internal']);
    expect(h.calls.slice(n)).toEqual(['resolvectl domain vmlet-dns ~cluster.local ~db.chk.internal']);
    await Promise.all([r.revert(), r.revert()]);
    expect(h.links.size).toBe(0);
    expect(h.calls.filter((c) => c.startsWith('ip link delete'))).toHaveLength(1);
    await r.update(['cluster.local', 'late.example']);
    expect(h.calls.at(-1)).toBe('ip link show dev vmlet-dns');
  });
});
