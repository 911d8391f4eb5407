// Benchmark (not a test): the resident memory any Node.js agent shaped like vmlet pays before its
// own code, on a given Node binary, step by step, each step a fresh idle process sampled after
// --seconds (VmRSS):
//   empty      `setInterval` and nothing else
//   modules    + require of node:http, node:crypto, node:tls and node:http2 (what gRPC over TLS, the
//              status server and the CSR need)
//   istiod     + one HTTP/2 session over TLS to a local server (this process), one stream open
//              and idle, as vmlet's ADS stream to istiod
//   envoy      + an HTTP/2 server on a Unix socket with one client session and stream open (this
//              process), as vmlet's xDS proxy and SDS server serving Envoy
// so `vmlet`'s idle RSS (bench/run-idle.mjs, bench/compare) can be read as this floor plus vmlet.
// Each step's RSS is also split into RssAnon (V8's heap, malloc, stacks) and RssFile (pages of the
// node binary and shared libraries: the builtins' JavaScript and code cache, the machine code run).
//
//   node bench/rss-floor.mjs [--node PATH] [--seconds 20] [--node-arg FLAG ...]
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: {
  node: { type: 'string', default: process.execPath }, seconds: { type: 'string', default: '20' },
  'node-arg': { type: 'string', multiple: true, default: [] },
} });
const seconds = Math.max(5, Math.min(300, Number(values.seconds)));
const tmp = mkdtempSync(join(tmpdir(), 'vmlet-bench-floor-'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** VmRSS, RssAnon and RssFile of `pid`, in MB. */
function memMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)[1]);
  return { rss: kb('VmRSS') / 1024, anon: kb('RssAnon') / 1024, file: kb('RssFile') / 1024 };
}

// A throwaway self-signed P-256 certificate for 127.0.0.1 (nothing here is a secret).
execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=floor',
  '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(tmp, 'key.pem'), '-out', join(tmp, 'cert.pem')], { stdio: 'ignore' });
const cert = readFileSync(join(tmp, 'cert.pem'));
const server = http2.createSecureServer({ key: readFileSync(join(tmp, 'key.pem')), cert }, () => {});
server.on('stream', (stream) => { stream.respond({ ':status': 200 }); });
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const port = server.address().port;

const CHILD = `
const step = Number(process.argv[2]);
if (step >= 1) { require('node:http'); require('node:crypto'); require('node:tls'); require('node:http2'); }
if (step >= 2) {
  const s = require('node:http2').connect('https://127.0.0.1:${port}', { ca: ${JSON.stringify(cert.toString())} });
  const st = s.request({ ':method': 'POST', ':path': '/envoy.service.discovery.v3.AggregatedDiscoveryService/DeltaAggregatedResources', 'content-type': 'application/grpc' }, { endStream: false });
  st.on('data', () => {});
}
if (step >= 3) {
  const srv = require('node:http2').createServer();
  srv.on('stream', (stream) => { stream.respond({ ':status': 200 }); });
  srv.listen(process.argv[3], () => require('node:fs').writeFileSync(process.argv[4], ''));
} else require('node:fs').writeFileSync(process.argv[4], '');
setInterval(() => {}, 1000);
`;

// A file, not \`-e\`: Node 24 checks -e code for TypeScript and loads its type stripper to do so.
const childFile = join(tmp, 'child.cjs');
writeFileSync(childFile, CHILD);
const STEPS = ['empty', 'modules', 'istiod', 'envoy'];
const results = [];
for (const [i, name] of STEPS.entries()) {
  const sock = join(tmp, `envoy-${i}.sock`);
  const ready = join(tmp, `ready-${i}`);
  const child = spawn(values.node, [...values['node-arg'], childFile, String(i), sock, ready], { stdio: ['ignore', 'ignore', 'inherit'] });
  for (let t = 0; t < 200 && !existsSync(ready); t++) await sleep(50);
  if (!existsSync(ready)) throw new Error(`step ${name}: the child did not get ready in 10 s`);
  let client;
  if (i >= 3) {
    client = http2.connect('http://localhost', { createConnection: () => net.connect(sock) });
    const st = client.request({ ':method': 'POST', ':path': '/envoy.service.secret.v3.SecretDiscoveryService/StreamSecrets' }, { endStream: false });
    st.on('data', () => {});
  }
  await sleep(seconds * 1000);
  results.push({ name, ...memMb(child.pid) });
  client?.destroy();
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
}
server.close();
rmSync(tmp, { recursive: true, force: true });

const version = execFileSync(values.node, ['-p', 'process.version'], { encoding: 'utf8' }).trim();
console.log(`node ${version} ${values['node-arg'].join(' ') || '(no flags)'}, RSS after ${seconds} s idle`);
console.log('| step | RSS | added | RssAnon | RssFile |\n|---|---:|---:|---:|---:|');
for (const [i, r] of results.entries()) {
  console.log(`| ${r.name} | ${r.rss.toFixed(1)} MB | ${i === 0 ? '' : `+${(r.rss - results[i - 1].rss).toFixed(1)}`} | ${r.anon.toFixed(1)} | ${r.file.toFixed(1)} |`);
}
