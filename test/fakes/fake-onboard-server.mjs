#!/usr/bin/env node
/**
 * FAKE onboarding exchange service for vmlet's agent tests: speaks the wire protocol of
 * src/onboard/protocol.ts over HTTPS, but verifies nothing and asks no Kubernetes; it answers
 * what the test told it to. Not `vmlet onboard-server` (onb-e2e tests that one).
 *
 *   node test/fakes/fake-onboard-server.mjs --listen 127.0.0.1:0 --cert tls.crt --key tls.key
 * prints `LISTENING <port>`; SIGTERM/SIGINT stop it.
 *
 * POST /v1/challenge -> {nonce (32 alphanumerics, remembered), expiresAt}
 * POST /v1/onboard   -> ONBOARD_NONCE_INVALID (401) for a nonce it did not issue or saw before,
 *                       else the next configured answer: {"bundle": {...}} -> 200 bundle, or
 *                       {"status": N, "body": ...} -> that status and JSON body (a refusal).
 * Control (same port): POST /__fake/set {"answers": [a1, a2, ...]} — each onboard takes the next,
 *   the last one stays; POST /__fake/reset; GET /__fake/state -> {"requests": [{path, body, clientPort}]}.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { parseArgs } from 'node:util';

const { values: opts } = parseArgs({ options: { listen: { type: 'string', default: '127.0.0.1:0' }, cert: { type: 'string' }, key: { type: 'string' } } });
if (!opts.cert || !opts.key) {
  process.stderr.write('usage: fake-onboard-server.mjs --listen HOST:PORT --cert FILE --key FILE\n');
  process.exit(2);
}

let answers = [];
let requests = [];
const issued = new Set();
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function nonce() {
  return [...randomBytes(32)].map((b) => ALNUM[b % ALNUM.length]).join('');
}

function reply(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const server = createServer({ cert: readFileSync(opts.cert), key: readFileSync(opts.key) }, (req, res) => {
  let raw = '';
  req.setEncoding('utf8');
  req.on('data', (c) => { raw += c; });
  req.on('end', () => {
    let body;
    try {
      body = raw === '' ? undefined : JSON.parse(raw);
    } catch {
      body = raw;
    }
    const path = req.url ?? '';
    if (path === '/__fake/set' && req.method === 'POST') {
      answers = [...(body?.answers ?? [])];
      return reply(res, 200, { ok: true });
    }
    if (path === '/__fake/reset' && req.method === 'POST') {
      answers = [];
      requests = [];
      return reply(res, 200, { ok: true });
    }
    if (path === '/__fake/state') return reply(res, 200, { requests });
    // The client's port tells connections apart: the agent sends challenge and onboard on one.
    requests.push({ path, body, clientPort: req.socket.remotePort });
    if (path === '/v1/challenge' && req.method === 'POST') {
      const n = nonce();
      issued.add(n);
      return reply(res, 200, { nonce: n, expiresAt: new Date(Date.now() + 300_000).toISOString() });
    }
    if (path === '/v1/onboard' && req.method === 'POST') {
      if (!issued.delete(body?.nonce)) return reply(res, 401, { code: 'ONBOARD_NONCE_INVALID', reason: 'the nonce is unknown or was used (FAKE server)', fix: 'ask /v1/challenge for a new one' });
      const answer = answers.length > 1 ? answers.shift() : answers[0];
      if (answer === undefined) return reply(res, 500, { code: 'ONBOARD_INTERNAL', reason: 'the FAKE server was given no answer', fix: 'POST /__fake/set' });
      if (answer.bundle !== undefined) return reply(res, 200, answer.bundle);
      return reply(res, answer.status, answer.body);
    }
    return reply(res, 404, { error: 'not found' });
  });
});

const [host, port] = opts.listen.split(/:(?=\d+$)/);
server.listen(Number(port), host, () => {
  process.stdout.write(`LISTENING ${server.address().port}\n`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
