import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/wait-for.js';
import { sidecarHarness, type Harness } from './sidecar-harness.js';

describe('SDS socket taken by another live server', { timeout: 20_000 }, () => {
  let h: Harness | undefined;
  let other: Server | undefined;
  afterEach(async () => { await h?.cleanup(); h = undefined; other?.close(); });

  it('is not stolen: sds shows degraded with the reason and retries; it starts once the socket is free', async () => {
    const x = await sidecarHarness();
    h = x;
    mkdirSync(x.tmp.join('sds'), { recursive: true });
    other = createServer((c) => c.destroy()).listen(x.tmp.join('sds', 'socket'));
    await new Promise((r) => other!.once('listening', r));
    x.start();
    const sds = () => x.center.snapshot().components.find((c) => c.name === 'sds');
    await waitFor(() => sds()?.detail.includes('another server is answering'), { what: 'sds degraded with the reason' });
    expect(sds()!.state).toBe('degraded');
    expect(x.sidecar.readiness.ready()).toBe(false);
    await new Promise((r) => other!.close(r));
    await waitFor(() => sds()?.state === 'ok', { what: 'sds serving after the retry', timeoutMs: 8000 });
    await waitFor(() => x.sidecar.readiness.ready(), { what: 'Envoy ready once SDS serves', timeoutMs: 8000 });
  });
});
