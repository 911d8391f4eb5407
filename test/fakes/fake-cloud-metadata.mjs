#!/usr/bin/env node
/**
 * FAKE cloud metadata service for tests: stands in for AWS IMDSv2, the GCE metadata server and
 * Azure IMDS, signing with the FAKE test keys of test/fakes/cloud-keys.mjs (made in --keys DIR if
 * absent), which a test's onboard server is configured to trust. Not any cloud's real service.
 *
 *   node test/fakes/fake-cloud-metadata.mjs --provider aws|gcp|azure --listen 127.0.0.1:0 --keys DIR
 * prints `LISTENING <port>` on stdout once it accepts connections; SIGTERM/SIGINT stop it.
 *
 * aws:   PUT /latest/api/token (header X-aws-ec2-metadata-token-ttl-seconds: 1..21600) -> token;
 *        GET /latest/dynamic/instance-identity/{document,signature,rsa2048} (header
 *        X-aws-ec2-metadata-token) -> the pretty-printed document, base64 RSA-SHA256 signature over
 *        its exact bytes, base64 PKCS#7 (openssl cms, no certificates, like AWS's) embedding it.
 * gcp:   GET /computeMetadata/v1/instance/service-accounts/default/identity?audience=A&format=full
 *        (header Metadata-Flavor: Google) -> RS256 JWT with a kid and Google's claim shape;
 *        GET /oauth2/v3/certs -> the JWKS (the server's key source in tests; no header needed).
 * azure: GET /metadata/attested/document?api-version=...&nonce=N (header Metadata: true; refused with
 *        X-Forwarded-For) -> {"encoding":"pkcs7","signature":"<base64 DER>"}, signed by the test leaf
 *        (SAN metadata.azure.com) with the intermediate embedded.
 *
 * The documents themselves come from cloud-documents.mjs (pure, shared with unit tests).
 *
 * Control: POST /__fake/set with a JSON object merged into the behaviour below; POST /__fake/reset;
 * GET /__fake/state -> {"settings":{...},"requests":{"<path>":count}}.
 *   status: N             answer every metadata request with HTTP N (e.g. 500, 503)
 *   delayMs: N            wait N ms before answering metadata requests
 *   signWith: "trusted" | "other" (a key/chain the server does not trust; gcp: same kid, other key)
 *             | "wrong-san" (azure: trusted chain, leaf SAN evil.example.com)
 *   tamper: true          change the signed content after signing (forged)
 *   timeOffsetSeconds: N  shift the fake's clock for the times it signs (gcp iat/exp, azure timeStamp)
 *   aws:   document: {...} fields merged into the document; substitute: true (rsa2048 embeds another
 *          account's document than /document returns); missing: ["rsa2048"|"signature"] -> 404
 *   gcp:   claims: {...} merged into the claims; computeEngine: {...} merged into google.compute_engine;
 *          lifetimeSeconds: N (default 3600); rotate: true (sign with the next key, JWKS lists both)
 *   azure: payload: {...} merged into the document; nonce: "..." echoed instead of the request's;
 *          lifetimeSeconds: N (default 21600)
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { makeCloudKeys } from './cloud-keys.mjs';
import { awsItem, azureAnswer, defaultSettings, gcpToken } from './cloud-documents.mjs';

const { values: opts } = parseArgs({
  options: { provider: { type: 'string' }, listen: { type: 'string', default: '127.0.0.1:0' }, keys: { type: 'string' } },
});
if (!['aws', 'gcp', 'azure'].includes(opts.provider ?? '') || !opts.keys) {
  process.stderr.write('usage: fake-cloud-metadata.mjs --provider aws|gcp|azure --listen 127.0.0.1:0 --keys DIR\n');
  process.exit(2);
}
const provider = opts.provider;
const keys = makeCloudKeys(opts.keys);

const defaults = defaultSettings;
let settings = defaults();
const requests = {};
const imdsTokens = new Set();
const now = () => new Date(Date.now() + settings.timeOffsetSeconds * 1000);


// ── HTTP ─────────────────────────────────────────────────────────────────────────
function send(res, status, type, body) {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > 65536) reject(new Error('body over 64 KiB'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function control(req, res, path) {
  if (req.method === 'GET' && path === '/__fake/state') return send(res, 200, 'application/json', JSON.stringify({ settings, requests }));
  if (req.method === 'POST' && path === '/__fake/reset') {
    settings = defaults();
    return send(res, 200, 'application/json', JSON.stringify({ settings }));
  }
  if (req.method === 'POST' && path === '/__fake/set') {
    let patch;
    try {
      patch = JSON.parse(await readBody(req));
    } catch (err) {
      return send(res, 400, 'text/plain', `body is not JSON: ${err.message}`);
    }
    if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return send(res, 400, 'text/plain', 'body must be a JSON object');
    const unknown = Object.keys(patch).filter((k) => !(k in defaults()));
    if (unknown.length > 0) return send(res, 400, 'text/plain', `unknown settings: ${unknown.join(', ')}`);
    settings = { ...settings, ...patch };
    return send(res, 200, 'application/json', JSON.stringify({ settings }));
  }
  return send(res, 404, 'text/plain', 'unknown control request');
}

async function metadata(req, res, url) {
  const path = url.pathname;
  if (provider === 'aws') {
    if (req.method === 'PUT' && path === '/latest/api/token') {
      const ttl = Number(req.headers['x-aws-ec2-metadata-token-ttl-seconds']);
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > 21600) return send(res, 400, 'text/plain', 'Bad Request');
      const token = randomBytes(32).toString('base64');
      imdsTokens.add(token);
      return send(res, 200, 'text/plain', token);
    }
    if (req.method === 'GET' && path.startsWith('/latest/dynamic/instance-identity/')) {
      if (!imdsTokens.has(String(req.headers['x-aws-ec2-metadata-token'] ?? ''))) return send(res, 401, 'text/plain', 'Unauthorized');
      return send(res, ...awsItem(keys, settings, path.slice('/latest/dynamic/instance-identity/'.length)));
    }
  }
  if (provider === 'gcp') {
    if (req.method === 'GET' && path === '/oauth2/v3/certs') {
      const file = settings.rotate ? keys.gcp.jwksRotatedFile : keys.gcp.jwksFile;
      return send(res, 200, 'application/json', readFileSync(file, 'utf8'));
    }
    if (req.method === 'GET' && path === '/computeMetadata/v1/instance/service-accounts/default/identity') {
      if (req.headers['metadata-flavor'] !== 'Google') return send(res, 403, 'text/html', 'Missing Metadata-Flavor:Google header.');
      const audience = url.searchParams.get('audience');
      if (!audience) return send(res, 400, 'text/plain', 'non-empty audience parameter required');
      if (url.searchParams.get('format') !== 'full') return send(res, 400, 'text/plain', 'this FAKE only serves format=full');
      return send(res, 200, 'text/html', gcpToken(keys, settings, audience, now()));
    }
  }
  if (provider === 'azure') {
    if (req.method === 'GET' && path === '/metadata/attested/document') {
      if (req.headers['x-forwarded-for'] !== undefined) return send(res, 403, 'application/json', '{"error":"forwarded requests are refused"}');
      if (req.headers.metadata !== 'true') return send(res, 400, 'application/json', '{"error":"Bad request. Required metadata header not specified"}');
      if (!url.searchParams.get('api-version')) return send(res, 400, 'application/json', '{"error":"Bad request. api-version was not specified"}');
      return send(res, 200, 'application/json', azureAnswer(keys, settings, url.searchParams.get('nonce') ?? '', now()));
    }
  }
  return send(res, 404, 'text/plain', 'Not Found');
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://fake');
  if (url.pathname.startsWith('/__fake/')) {
    control(req, res, url.pathname).catch((err) => send(res, 500, 'text/plain', String(err)));
    return;
  }
  requests[url.pathname] = (requests[url.pathname] ?? 0) + 1;
  const answer = async () => {
    if (settings.delayMs > 0) await new Promise((r) => setTimeout(r, settings.delayMs));
    if (settings.status) return send(res, settings.status, 'text/plain', `FAKE failure ${settings.status}`);
    return metadata(req, res, url);
  };
  answer().catch((err) => send(res, 500, 'text/plain', `FAKE error: ${err.message}`));
});

const [host, port] = (() => {
  const i = opts.listen.lastIndexOf(':');
  return [opts.listen.slice(0, i).replace(/^\[|\]$/g, ''), Number(opts.listen.slice(i + 1))];
})();
server.listen(port, host, () => {
  process.stdout.write(`LISTENING ${server.address().port}\n`);
});
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
