// Idle memory is a target (bench/run-idle.mjs: <= 45 MB), and most of what an idle agent holds
// is Node's own code for the built-in modules it loaded. This pins the ones the minimal agent
// (identity, Envoy, xDS and capture off) must not load, each found to cost resident memory:
// Node's ES module loader (the bundle is CommonJS: scripts/build.mjs), perf_hooks (the global
// `performance` loads all of it: clocks use process.hrtime), WebCrypto (read lazily by the key
// prewarm), the TLS, HTTP/2 and compression stacks (identity and xDS chunks only), and the
// modules of features that are off (below). Likewise the bundle's own files: none of the code of
// the capabilities that are off, their pre-flight checks and error codes included (loading every
// capability's check once made the minimal agent require 23 files instead of 13, enough to start
// TurboFan during start-up: +4 MB RSS, docs/performance.md).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../helpers/free-port.js';
import { makeTmpDir } from '../../helpers/tmp-dir.js';
import { httpGet, spawnVmlet, type VmletProcess } from '../../helpers/vmlet-process.js';
import { waitFor } from '../../helpers/wait-for.js';

const PRELOAD = new URL('../../fixtures/preload/module-list-at-exit.cjs', import.meta.url).pathname;
// Node 24 loads its ESM loader for a CommonJS main as well (seen on 24.21.0); 20 and 22 do not.
const ESM_LOADER_FOR_CJS = Number(process.versions.node.split('.')[0]) >= 24;
const NOT_LOADED = [
  ...(ESM_LOADER_FOR_CJS ? [] : ['NativeModule internal/modules/esm/translators', 'NativeModule internal/modules/esm/module_job']),
  'NativeModule perf_hooks',
  'NativeModule internal/crypto/webcrypto',
  'NativeModule tls',
  'NativeModule http2',
  'NativeModule zlib',
  // node:module (the compile-cache flush, only under NODE_COMPILE_CACHE) brings the ESM loader and
  // source maps; fs/promises brings readline and the fs watchers (DNS's resolv.conf reader, only
  // in DNS mode auto); os is the xDS node check's (only with Envoy or xDS on).
  ...(ESM_LOADER_FOR_CJS ? [] : ['NativeModule module', 'NativeModule internal/source_map/source_map']),
  'NativeModule fs/promises',
  'NativeModule internal/readline/interface',
  'NativeModule internal/fs/watchers',
  'NativeModule os',
];

describe('the minimal idle agent', () => {
  const tmp = makeTmpDir('modules');
  const started: VmletProcess[] = [];
  afterAll(async () => {
    await Promise.all(started.map((p) => p.stop(500)));
    tmp.cleanup();
  });

  it('runs, serves /metrics and stops without loading the modules it does not use', async () => {
    const port = await freePort();
    const list = tmp.join('modules.txt');
    const vmlet = spawnVmlet({ tmp, nodeArgs: ['--require', PRELOAD], args: ['--set', `general.statusPort=${port}`], env: { VMLET_TEST_MODULE_LIST: list } });
    started.push(vmlet);
    await waitFor(async () => (await httpGet(port, '/healthz/ready')).status === 200, { timeoutMs: 10_000, what: '/healthz/ready' });
    const metrics = await httpGet(port, '/metrics');
    expect(metrics.body).toMatch(/^nodejs_eventloop_delay_max_seconds \d/m);
    expect(metrics.body).toMatch(/^process_start_time_seconds \d{10}$/m);
    vmlet.child.kill('SIGTERM');
    expect(await vmlet.exited).toBe(0);
    const loaded = readFileSync(list, 'utf8').split('\n');
    // The preload worked: the modules every agent needs are listed.
    expect(loaded).toEqual(expect.arrayContaining(['NativeModule http', 'NativeModule crypto']));
    expect(NOT_LOADED.filter((m) => loaded.includes(m))).toEqual([]);
    // Logging is pino to stdout, synchronous, no transport: its lines arrived, and no worker
    // thread was started for them.
    expect(vmlet.logs.some((l) => l['msg'] === 'vmlet stopped' && l['level'] === 30)).toBe(true);
    expect(loaded.filter((m) => m === 'Worker thread started')).toEqual([]);
    // The TypeScript sources of every bundle file it required (each file's source map).
    const files = loaded.filter((m) => m.startsWith('Bundle file ')).map((m) => m.slice('Bundle file '.length));
    const sources = files.flatMap((f) => (JSON.parse(readFileSync(`${f}.map`, 'utf8')) as { sources: string[] }).sources);
    expect(sources.some((s) => s.endsWith('src/main.ts'))).toBe(true);
    // main.ts's own static imports from these folders: the key prewarm and capture's switched-off check.
    const OFF = /src\/(identity|istiod|envoy|sds|xds|health|capture|grpc|proto)\/(?!key-prewarm\.ts$|switched-off\.ts$)/;
    expect(sources.filter((s) => OFF.test(s))).toEqual([]);
  }, 20_000);

  it("the bundle has pino without its transports' worker code (thread-stream)", () => {
    const manifest = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', '..', 'dist', 'manifest.json'), 'utf8')) as { packages: string[] };
    expect(manifest.packages).toContain('node_modules/pino');
    expect(manifest.packages.filter((p) => p.includes('thread-stream'))).toEqual([]);
  });

  it('(control) the preload sees a worker thread when one is started', () => {
    const list = tmp.join('control.txt');
    const out = spawnSync(process.execPath, ['--require', PRELOAD, '-e', "new (require('node:worker_threads').Worker)('0', { eval: true })"], { env: { ...process.env, VMLET_TEST_MODULE_LIST: list }, encoding: 'utf8', timeout: 10_000 });
    expect(out.status, out.stderr).toBe(0);
    expect(readFileSync(list, 'utf8').split('\n')).toContain('Worker thread started');
  });
});
