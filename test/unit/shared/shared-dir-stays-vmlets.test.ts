// /etc/istio/proxy stays vmlet's (group istio-proxy, 0750) even when istio.io's VM guide left it
// owned by istio-proxy: the hardened unit's root has no CAP_DAC_OVERRIDE, so a directory or file
// owned by someone else could not be written (the package tier saw vmlet crash-loop on EACCES).
import { chownSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureSharedDir, writeSharedFile } from '../../../src/shared-dir.js';
import { requireOrSkip, isRoot } from '../../helpers/env.js';

const ok = requireOrSkip(isRoot(), 'needs root to chown');
const NOBODY = 65534;
const GROUP = 4242;

describe.skipIf(!ok)('directories shared with Envoy', () => {
  const base = mkdtempSync(join(tmpdir(), 'shared-dir-'));
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('a directory and bootstrap owned by istio-proxy are taken back: vmlet owns them, Envoy reads through its group', () => {
    const dir = join(base, 'etc', 'istio', 'proxy');
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    writeFileSync(join(dir, 'envoy-rev.json'), 'old', { mode: 0o644 });
    chownSync(dir, NOBODY, NOBODY);
    chownSync(join(dir, 'envoy-rev.json'), NOBODY, NOBODY);

    ensureSharedDir(dir, GROUP);
    writeSharedFile(join(dir, 'envoy-rev.json'), '{"new":true}', 0o640, GROUP);

    const d = statSync(dir);
    expect([d.uid, d.gid, d.mode & 0o777]).toEqual([0, GROUP, 0o750]);
    const f = statSync(join(dir, 'envoy-rev.json'));
    expect([f.uid, f.gid, f.mode & 0o777]).toEqual([0, GROUP, 0o640]);
    expect(readFileSync(join(dir, 'envoy-rev.json'), 'utf8')).toBe('{"new":true}');
  });

  it('the xDS socket directory is vmlet\'s with the Envoy group, and the socket is group-connectable', async () => {
    const { XdsProxy } = await import('../../../src/xds/proxy.js');
    const { silentLogger } = await import('../../../src/log.js');
    const dir = join(base, 'proxy2');
    mkdirSync(dir);
    chownSync(dir, NOBODY, NOBODY);
    const proxy = new XdsProxy({ socketPath: join(dir, 'XDS'), socketOwner: { uid: NOBODY, gid: GROUP }, logger: silentLogger() } as never);
    try {
      await proxy.listen();
      const d = statSync(dir);
      expect([d.uid, d.gid, d.mode & 0o777]).toEqual([0, GROUP, 0o750]);
      const s = statSync(join(dir, 'XDS'));
      expect([s.uid, s.gid, s.mode & 0o777]).toEqual([0, GROUP, 0o660]);
    } finally {
      await proxy.close();
    }
  });

  it('the SDS socket directory follows the same rule: one left owned by istio-proxy is taken back', async () => {
    const { prepareSocketPath } = await import('../../../src/sds/socket.js');
    const dir = join(base, 'workload-spiffe-uds');
    mkdirSync(dir, { mode: 0o755 });
    chownSync(dir, NOBODY, NOBODY);
    await prepareSocketPath(join(dir, 'socket'), GROUP);
    const d = statSync(dir);
    expect([d.uid, d.gid, d.mode & 0o777]).toEqual([0, GROUP, 0o750]);
  });
});
