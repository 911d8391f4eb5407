/**
 * The local status server (127.0.0.1:15020 by default, pilot-agent's port):
 *   GET /healthz/ready  200 READY, or 503 with the unmet gates, or 503 TERMINATING while stopping
 *   GET /healthz/live   200 LIVE while the process serves requests
 *   GET /metrics        Prometheus text exposition
 *   GET /status         the status snapshot as JSON (`vmlet status --json`)
 *   GET /debug/config   the running configuration, secrets as *****
 *   GET /history        the last 100 events (transitions), oldest first (`vmlet status --history`)
 *   GET /debug/<name>   a view a capability exposed (/debug/xds: `vmlet proxy-status`)
 *   GET /events         WebSocket: the current state first, then one JSON event per change
 * It has no authentication, so it refuses a non-loopback address unless allowed. As a Component
 * it listens in run() and closes (clients too) when the signal aborts; main.ts mounts it so it
 * is aborted after the stop hooks, i.e. it answers TERMINATING during the drain.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebSocket, WebSocketServer } from 'ws';
import { VmletError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Component } from '../lifecycle/types.js';
import type { MetricsRegistry } from './metrics.js';
import type { StatusCenter } from './status-center.js';
import { isLoopbackAddress } from '../config/sections/general.js';
import './errors.js';

export interface StatusServerOptions {
  address: string;
  /** 0 picks a free port; see `port` after listening. */
  port: number;
  allowNonLoopback: boolean;
  center: StatusCenter;
  metrics: MetricsRegistry;
  /** The redacted running configuration (and anything else worth showing). */
  debugConfig(): unknown;
  logger: Logger;
  /** Called with the bound port once listening. */
  onListening?(port: number): void;
}

/** A slow /events client is dropped rather than buffering without bound. */
const MAX_BUFFERED = 1 << 20;

export class StatusServer implements Component {
  readonly name = 'status-server';
  private server: Server | undefined;
  private wss: WebSocketServer | undefined;
  private wssLoading: Promise<WebSocketServer> | undefined;
  private boundPort: number | undefined;

  constructor(private readonly opts: StatusServerOptions) {
    if (!isLoopbackAddress(opts.address) && !opts.allowNonLoopback) {
      throw new VmletError('VMLET_STATUS_NON_LOOPBACK', `general.statusAddress ${opts.address} is not a loopback address and the status server is unauthenticated; use 127.0.0.1 or set general.allowNonLoopback: true`);
    }
  }

  /** The port it listens on (after listen()). */
  get port(): number | undefined {
    return this.boundPort;
  }

  async listen(): Promise<number> {
    const { address, port, logger } = this.opts;
    const server = createServer((req, res) => this.handle(req, res));
    server.on('upgrade', (req, socket, head) => {
      if (new URL(req.url ?? '/', 'http://x').pathname !== '/events') {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
        return;
      }
      socket.on('error', () => socket.destroy());
      void this.webSockets().then(
        (wss) => wss.handleUpgrade(req, socket, head, (ws) => this.stream(ws)),
        () => socket.destroy(),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(new VmletError('VMLET_STATUS_LISTEN_FAILED', `status server cannot listen on ${address}:${port}: ${(err as Error).message}`, { cause: err })));
      server.listen(port, address, () => resolve());
    });
    this.server = server;
    this.boundPort = (server.address() as AddressInfo).port;
    logger.info({ address, port: this.boundPort }, `status server listening on http://${address.includes(':') ? `[${address}]` : address}:${this.boundPort}`);
    this.opts.onListening?.(this.boundPort);
    return this.boundPort;
  }

  async run(signal: AbortSignal): Promise<void> {
    if (this.server === undefined) await this.listen();
    if (!signal.aborted) await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    await this.close();
  }

  /** Closes the listener, every WebSocket and keep-alive connection. Idempotent. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    for (const ws of this.wss?.clients ?? []) ws.close(1001, 'vmlet is stopping');
    this.wss?.close();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'use GET\n');
    const { center } = this.opts;
    switch (path) {
      case '/healthz/ready': {
        if (center.phase === 'stopping' || center.phase === 'stopped') return send(res, 503, 'TERMINATING\n');
        if (center.ready) return send(res, 200, 'READY\n');
        const unmet = center.gates.unmet().map((g) => `${g.name}: ${g.reason ?? 'not met'}`);
        return send(res, 503, `not ready: ${unmet.length > 0 ? unmet.join('; ') : 'still starting'}\n`);
      }
      case '/healthz/live':
        return send(res, 200, 'LIVE\n');
      case '/metrics':
        return send(res, 200, this.opts.metrics.render(), 'text/plain; version=0.0.4; charset=utf-8');
      case '/status':
        return sendJson(res, center.snapshot());
      case '/debug/config':
        return sendJson(res, this.opts.debugConfig());
      case '/history':
        return sendJson(res, center.events.history());
      default: {
        const view = path.startsWith('/debug/') ? center.views.get(path.slice('/debug/'.length)) : undefined;
        if (view) {
          Promise.resolve().then(() => view(url.searchParams)).then((v) => sendJson(res, v), (err: unknown) => send(res, 500, `${(err as Error).message}\n`));
          return;
        }
        return send(res, 404, `not found: try /healthz/ready, /healthz/live, /metrics, /status, /debug/config, /history, ${[...center.views.keys()].map((k) => `/debug/${k}, `).join('')}/events\n`);
      }
    }
  }

  /**
   * ws is loaded on the first /events client, not at start-up: it pulls in tls, https and zlib,
   * about 4 MB of resident memory an idle vmlet that nobody watches does not need.
   */
  private webSockets(): Promise<WebSocketServer> {
    this.wssLoading ??= import('ws').then(({ WebSocketServer: Wss }) => {
      this.wss = new Wss({ noServer: true, maxPayload: 4096 });
      return this.wss;
    });
    return this.wssLoading;
  }

  private stream(ws: WebSocket): void {
    const { center } = this.opts;
    const sendEvent = (e: unknown) => {
      if (ws.bufferedAmount > MAX_BUFFERED) {
        ws.terminate();
        return;
      }
      ws.send(JSON.stringify(e));
    };
    // The current state first, then whatever else was last said (identity, envoy, ...), then live.
    sendEvent({ seq: 0, time: new Date().toISOString(), type: 'state', data: center.snapshot() });
    for (const e of center.events.current()) if (!['gate', 'component', 'phase'].includes(e.type)) sendEvent(e);
    const unsubscribe = center.events.subscribe(sendEvent);
    ws.on('close', unsubscribe);
    ws.on('error', unsubscribe);
  }
}

function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function sendJson(res: ServerResponse, value: unknown): void {
  send(res, 200, `${JSON.stringify(value, null, 2)}\n`, 'application/json');
}
