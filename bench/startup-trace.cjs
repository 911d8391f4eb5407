// Preloaded by bench/startup.mjs (`node --require ./bench/startup-trace.cjs dist/vmlet.cjs run ...`):
// a timeline of where `vmlet run` spends its start-up, written as JSON lines to the file named by
// VMLET_STARTUP_TRACE, without changing vmlet's code. Measurement only, never shipped.
//
// It records, in ms since the process started (performance.timeOrigin):
//   node      Node's own boot (performance.nodeTiming: V8 start, environment, bootstrap done)
//   module    every file of the bundle compiled and run (dist/vmlet.cjs, dist/chunks/*): start, ms,
//             RSS and heap before and after (what that module costs in memory, its top-level included)
//   keygen    each crypto.generateKeyPair (the key pair for the CSR): start and end
//   tls       each tls.connect: start and secureConnect
//   h2        each HTTP/2 request on a client session (gRPC calls: the CSR, ADS): start and response headers
//   fsync     each fsyncSync (the identity store's durable writes before that rename): start and ms
//   cert      the workload certificate reaching disk (a rename onto cert-chain.pem), with the
//             process's CPU time (user + system) until then
// and, with VMLET_STARTUP_TRACE_IDLE=ms, what wakes the process once it is idle: every callback
// Node runs in that window, counted by async resource type and the place it was created.
// CommonJS, as vmlet is: an --import preload would start Node's ESM loader and count it against vmlet.
const { appendFileSync } = require('node:fs');
const fs = require('node:fs');
const Module = require('node:module');
const { performance } = require('node:perf_hooks');

const out = process.env.VMLET_STARTUP_TRACE;
if (out) {
  const now = () => performance.now();
  const emit = (rec) => appendFileSync(out, `${JSON.stringify(rec)}\n`);
  const mem = () => { const m = process.memoryUsage(); return { rss: m.rss, heap: m.heapUsed }; };
  const t = performance.nodeTiming;
  emit({ kind: 'node', v8Start: t.v8Start, environment: t.environment, bootstrapComplete: t.bootstrapComplete, preload: now(), version: process.version });

  const compile = Module.prototype._compile;
  const bundleFile = /(?:^|\/)(?:dist|lib\/vmlet)\/(?:vmlet\.cjs|chunks\/[^/]+\.cjs)$/;
  Module.prototype._compile = function traced(content, filename) {
    if (!bundleFile.test(filename)) return compile.apply(this, arguments);
    const start = now();
    const before = mem();
    try {
      return compile.apply(this, arguments);
    } finally {
      const after = mem();
      emit({ kind: 'module', file: filename, bytes: content.length, start, ms: now() - start, rssBefore: before.rss, rssAfter: after.rss, heapBefore: before.heap, heapAfter: after.heap });
    }
  };

  // vmlet calls generateKeyPair through the module object (src/identity/key-prewarm.ts), so the
  // wrapper placed here is the one it calls.
  const crypto = require('node:crypto');
  const gen = crypto.generateKeyPair;
  crypto.generateKeyPair = function tracedGenerateKeyPair(type, options, callback) {
    const start = now();
    return gen.call(this, type, options, (...res) => {
      emit({ kind: 'keygen', alg: type, size: options.modulusLength ?? options.namedCurve, start, end: now() });
      callback(...res);
    });
  };

  const fsyncSync = fs.fsyncSync;
  fs.fsyncSync = function tracedFsync(fd) { const start = now(); try { return fsyncSync.call(this, fd); } finally { emit({ kind: 'fsync', start, ms: now() - start }); } };

  const tls = require('node:tls');
  const connect = tls.connect;
  tls.connect = function tracedConnect(...args) {
    const start = now();
    const socket = connect.apply(this, args);
    socket.once('secureConnect', () => emit({ kind: 'tls', start, secure: now(), alpn: socket.alpnProtocol }));
    return socket;
  };

  const http2 = require('node:http2');
  const h2connect = http2.connect;
  http2.connect = function tracedH2(...args) {
    const session = h2connect.apply(this, args);
    const request = session.request;
    session.request = function tracedRequest(headers, ...rest) {
      const start = now();
      const stream = request.call(this, headers, ...rest);
      stream.once('response', () => emit({ kind: 'h2', path: headers?.[':path'], start, response: now() }));
      return stream;
    };
    return session;
  };

  const onCert = (to) => { if (typeof to === 'string' && to.endsWith('cert-chain.pem')) { const c = process.cpuUsage(); emit({ kind: 'cert', at: now(), cpuMs: (c.user + c.system) / 1000, file: to }); } };
  const renameSync = fs.renameSync;
  fs.renameSync = function tracedRename(from, to) { const r = renameSync.apply(this, arguments); onCert(String(to)); return r; };
  const rename = fs.promises.rename;
  fs.promises.rename = async function tracedRenameP(from, to) { const r = await rename.apply(this, arguments); onCert(String(to)); return r; };

  const idleMs = Number(process.env.VMLET_STARTUP_TRACE_IDLE ?? 0);
  if (idleMs > 0) {
    // Counting starts once the certificate is on disk plus 5 s (the start-up's own work done).
    const { createHook, executionAsyncId } = require('node:async_hooks');
    const origin = new Map();
    const wakes = new Map();
    let counting = false;
    const hook = createHook({
      init(id, type) {
        const stack = new Error().stack.split('\n').slice(3).find((l) => !/\(node:|at node:/.test(l) && !l.includes('startup-trace')) ?? '(node internal)';
        origin.set(id, `${type} ${stack.trim().replace(/^at /, '')}`);
      },
      before(id) {
        if (!counting) return;
        const key = origin.get(id) ?? `? ${id}`;
        wakes.set(key, (wakes.get(key) ?? 0) + 1);
      },
      destroy(id) { origin.delete(id); },
    });
    hook.enable();
    void executionAsyncId;
    const startIdle = () => {
      setTimeout(() => {
        counting = true;
        const t0 = now();
        setTimeout(() => {
          counting = false;
          hook.disable();
          const list = [...wakes.entries()].sort((a, b) => b[1] - a[1]);
          emit({ kind: 'idle', ms: now() - t0, total: list.reduce((s, [, n]) => s + n, 0), wakes: list.slice(0, 25) });
        }, idleMs).unref();
      }, 5_000).unref();
    };
    const certWatch = setInterval(() => {
      if (fs.existsSync(process.env.VMLET_STARTUP_TRACE_CERT ?? '/nonexistent')) { clearInterval(certWatch); startIdle(); }
    }, 100);
    certWatch.unref();
  }
}
