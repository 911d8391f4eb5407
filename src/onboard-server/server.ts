/**
 * The HTTPS service (node:https, no framework): POST /v1/challenge, POST /v1/onboard, GET /healthz;
 * and a plain-HTTP metrics listener (GET /metrics, /healthz) on its own address. Bodies are JSON,
 * at most 64 KiB; anything else is an ONBOARD_BAD_REQUEST refusal (audited like every onboard).
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { VmletError } from '../errors.js';
import { CHALLENGE_PATH, ONBOARD_PATH, OnboardRefusal } from '../onboard/protocol.js';
import type { ServerConfig } from './config.js';
import type { Exchange } from './exchange.js';
import type { OnboardMetrics } from './metrics.js';
import './errors.js';

const MAX_BODY = 64 * 1024;

export interface RunningServer {
  readonly port: number;
  readonly metricsPort: number;
  /** Stops accepting, ends idle connections, resolves when both listeners closed. */
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        resolve(undefined);
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_BODY ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function listen(server: Server, host: string, port: number, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => reject(new VmletError('VMLET_ONBOARD_SERVER_LISTEN_FAILED', `${what} ${host}:${port}: ${err.code ?? err.message}; choose a free port or stop what holds it`, { cause: err }));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startServer(config: ServerConfig, exchange: Exchange, metrics: OnboardMetrics): Promise<RunningServer> {
  let cert: Buffer;
  let key: Buffer;
  try {
    cert = readFileSync(config.tls.certFile);
    key = readFileSync(config.tls.keyFile);
  } catch (err) {
    throw new VmletError('VMLET_ONBOARD_SERVER_CONFIG_INVALID', `tls: cannot read ${(err as NodeJS.ErrnoException).path ?? 'the certificate or key'}: ${(err as Error).message}; tls.certFile and tls.keyFile must be PEM files the service can read`, { cause: err });
  }
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') return send(res, 200, { ok: true });
    if (path !== CHALLENGE_PATH && path !== ONBOARD_PATH) return send(res, 404, new OnboardRefusal('ONBOARD_BAD_REQUEST', `no such path ${path}`, `POST ${CHALLENGE_PATH} then ${ONBOARD_PATH}`).toBody());
    if (req.method !== 'POST') return send(res, 405, new OnboardRefusal('ONBOARD_BAD_REQUEST', `${req.method} is not allowed on ${path}`, 'use POST').toBody());
    const text = await readBody(req);
    if (path === CHALLENGE_PATH) {
      try {
        return send(res, 200, exchange.challenge());
      } catch (err) {
        if (err instanceof OnboardRefusal) return send(res, err.status, err.toBody());
        throw err;
      }
    }
    let body: unknown;
    try {
      body = text === undefined ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    const result = await exchange.onboard(body ?? (text === undefined ? '(over 64 KiB)' : '(not JSON)'), req.socket.remoteAddress);
    send(res, result.status, result.body);
  };
  const https = createHttpsServer({ cert, key, minVersion: 'TLSv1.2' }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, new OnboardRefusal('ONBOARD_INTERNAL', `the onboarding service failed: ${(err as Error).message}`, 'retry later').toBody());
    });
  });
  https.headersTimeout = 10_000;
  https.requestTimeout = 30_000;
  https.keepAliveTimeout = 5_000;
  const metricsServer = createHttpServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/metrics') {
      const text = metrics.registry.render();
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    } else if (req.method === 'GET' && path === '/healthz') {
      res.writeHead(200).end('ok\n');
    } else {
      res.writeHead(404).end();
    }
  });
  const port = await listen(https, config.listen.host, config.listen.port, 'listen');
  let metricsPort: number;
  try {
    metricsPort = await listen(metricsServer, config.metricsListen.host, config.metricsListen.port, 'metricsListen');
  } catch (err) {
    https.close();
    throw err;
  }
  const closeOne = (s: Server) => new Promise<void>((resolve) => {
    s.close(() => resolve());
    s.closeIdleConnections();
  });
  return { port, metricsPort, close: () => Promise.all([closeOne(https), closeOne(metricsServer)]).then(() => undefined) };
}
