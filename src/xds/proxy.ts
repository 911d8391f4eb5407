/**
 * The xDS proxy: Envoy connects to a Unix socket; every downstream stream gets its own upstream
 * stream to istiod (protocol facts §3). Messages travel as bytes; vmlet decodes only type_url,
 * nonce and version to apply the forwarding rule, consume NDS/PCDS itself, and inject the cached
 * health report after Envoy's first LDS request. An upstream end ends the downstream stream with
 * the same status; Envoy reconnects with its own backoff, as it does with pilot-agent.
 */
import { chmodSync, chownSync, rmSync } from 'node:fs';
import { VmletError } from '../errors.js';
import { ensureSharedDir } from '../shared-dir.js';
import './errors.js';
import { dirname } from 'node:path';
import type { Logger } from '../log.js';
import type { IstiodConnector } from '../istiod/types.js';
import { DownstreamServer, type DownstreamCall } from './downstream.js';
import { ClientCall } from '../grpc/client.js';
import type { Metadata } from '../grpc/metadata.js';
import { Status, statusName } from '../grpc/status.js';
import { XdsSyncView, type Answer } from './sync-view.js';
import { consumedByAgent, encodeAck, encodeHealth, encodeSubscribe, forwardsToEnvoy, requestHead, resourceValue, responseHead, TYPE, type ResponseHead, type XdsFlavor } from './wire.js';

const passthrough = { requestSerialize: (b: Buffer) => b, requestDeserialize: (b: Buffer) => b, responseSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => b };
const BASE = '/envoy.service.discovery.v3.AggregatedDiscoveryService';
/** ADS as a grpc-js service definition with pass-through serializers, for the tests' and benchmarks' grpc-js peers (vmlet itself does not use grpc-js). */
export const ADS_SERVICE = {
  StreamAggregatedResources: { path: `${BASE}/StreamAggregatedResources`, requestStream: true, responseStream: true, ...passthrough },
  DeltaAggregatedResources: { path: `${BASE}/DeltaAggregatedResources`, requestStream: true, responseStream: true, ...passthrough },
} as const;

export interface HealthReport {
  readonly healthy: boolean;
  readonly message?: string;
}

export interface ProxyEvents {
  connected(flavor: XdsFlavor): void;
  rejected(code: number, details: string): void;
  healthSent(report: HealthReport): void;
  /** Envoy rejected a response (once per NACK); `typeUrl` names the type. */
  nacked(typeUrl: string, nack: Answer): void;
  /** Envoy accepted a type it had NACKed on this stream. */
  recovered(typeUrl: string): void;
}

export interface XdsProxyOptions {
  readonly socketPath: string;
  readonly connector: IstiodConnector;
  readonly logger: Logger;
  readonly events?: Partial<ProxyEvents>;
  /** Unix user and group that may connect (Envoy's); undefined leaves the default owner. */
  readonly socketOwner?: { uid: number; gid: number };
  /**
   * When DNS is on: receives each NameTable istiod sends (the message bytes); the proxy then asks
   * istiod for NDS on every stream, after Envoy's first LDS request. A throw NACKs the response.
   */
  readonly onNameTable?: (table: Uint8Array) => void;
}

interface Link {
  readonly flavor: XdsFlavor;
  readonly down: DownstreamCall;
  readonly up: ClientCall;
  sawListener: boolean;
  closed: boolean;
}

export class XdsProxy {
  // Envoy may send up to 16 MiB before the proxy reads: its requests are small, but a SotW
  // request naming every cluster of a large mesh is not, and should not wait for WINDOW_UPDATEs.
  private readonly server = new DownstreamServer({ windowBytes: 16 << 20, keepaliveMs: 30_000, keepaliveTimeoutMs: 10_000 }, (call) => void this.open(call));
  private current: Link | undefined;
  private health: HealthReport | undefined;
  /** The last NameTable istiod sent (the resource bytes), kept for a DNS proxy. */
  nameTable: Uint8Array | undefined;
  /** Per type: what istiod sent last and how Envoy answered (`vmlet proxy-status`). */
  readonly view = new XdsSyncView();

  private listening = false;

  constructor(private readonly opts: XdsProxyOptions) {}

  /**
   * Binds the socket (a stale one is removed). The directory is vmlet's, group istio-proxy, 0750
   * (shared-dir.ts); the socket 0660 with group istio-proxy, so Envoy connects through its group.
   */
  async listen(): Promise<void> {
    const path = this.opts.socketPath;
    try {
      ensureSharedDir(dirname(path), this.opts.socketOwner?.gid);
      rmSync(path, { force: true });
      await this.server.listen(path);
    } catch (err) {
      throw new VmletError('VMLET_XDS_SOCKET', `xds.socketPath: cannot listen on ${path}: ${(err as Error).message}; make its directory writable by vmlet or set xds.socketPath`, { cause: err, details: { key: 'xds.socketPath', path } });
    }
    this.listening = true;
    chmodSync(path, 0o660);
    if (this.opts.socketOwner && process.getuid?.() === 0) chownSync(path, 0, this.opts.socketOwner.gid);
  }

  /** Caches the state and sends it now on the current stream if Envoy has asked for listeners. */
  setHealth(report: HealthReport): void {
    this.health = report;
    const link = this.current;
    if (link && link.sawListener && !link.closed) this.sendHealth(link);
  }

  /** Ends every stream and stops listening (graceful: streams end with OK). */
  async close(): Promise<void> {
    this.endLink(this.current);
    await this.server.close();
    // Only a socket this proxy bound is removed (a failed listen may have left a path that is no directory).
    if (this.listening) rmSync(this.opts.socketPath, { force: true });
  }

  /** Immediate stop. */
  destroy(): void {
    this.endLink(this.current);
    this.server.destroy();
  }

  private async open(down: DownstreamCall): Promise<void> {
    const flavor = down.flavor;
    const log = this.opts.logger;
    // Only one Envoy stream is current: a new one replaces the previous (as pilot-agent does).
    this.endLink(this.current);
    let metadata: Metadata;
    try {
      metadata = await this.opts.connector.metadata('xds');
    } catch (err) {
      down.finish(Status.UNAVAILABLE, `vmlet could not prepare the istiod call: ${(err as Error).message}`);
      return;
    }
    if (down.done) return;
    const method = flavor === 'sotw' ? 'StreamAggregatedResources' : 'DeltaAggregatedResources';
    // A session of its own per Envoy stream (protocol facts §3.1), with the certificate current now.
    const session = this.opts.connector.session('xds');
    // The handlers run only once istiod answers, after `link` below exists.
    const up = new ClientCall(session, `${BASE}/${method}`, { metadata, peer: 'istiod' }, {
      message: (msg) => {
        if (link.closed) return;
        let head: ResponseHead;
        try {
          head = responseHead(flavor, msg);
        } catch (err) {
          // Not forwarded, not consumed: Envoy gets INTERNAL and opens a new stream.
          const e = err as VmletError;
          log.error({ err }, `istiod sent an xDS response vmlet cannot decode; ending the stream: ${e.message} [${e.code}]`);
          this.endLink(link, Status.INTERNAL, `vmlet could not decode istiod's response: ${e.message}`);
          return;
        }
        if (consumedByAgent(head.typeUrl)) {
          // Ignored, as pilot-agent does: not recorded either, or the type would read STALE forever.
          if (head.resources === 0) return;
          this.view.sent(head.typeUrl, head.version, head.nonce, head.resources);
          // A copy: the view would keep the whole socket read buffer it points into alive.
          // Kept here only when nothing consumes it (DNS off): DNS keeps its own compact table.
          if (head.typeUrl === TYPE.nameTable && head.firstResource && !this.opts.onNameTable) this.nameTable = Buffer.from(head.firstResource);
          const error = this.consume(flavor, head);
          link.up.write(encodeAck(flavor, head, error));
          this.view.answered(head.typeUrl, head.nonce, head.version, error, 'vmlet');
          return;
        }
        this.view.sent(head.typeUrl, head.version, head.nonce, head.resources);
        if (!forwardsToEnvoy(head.typeUrl)) {
          log.error({ typeUrl: head.typeUrl }, 'dropping an xDS response of a type Envoy does not take');
          return;
        }
        down.write(msg);
      },
      status: ({ code, details }) => {
        if (link.closed) return;
        link.closed = true;
        if (code !== Status.OK && code !== Status.CANCELLED) {
          const name = statusName(code);
          log.warn({ code: name, details }, `istiod ended the xDS stream: ${name} ${details}`);
          this.opts.events?.rejected?.(code, details);
        }
        down.finish(code, details);
        this.view.streamClosed();
        if (this.current === link) this.current = undefined;
      },
    });
    const link: Link = { flavor, down, up, sawListener: false, closed: false };
    this.current = link;
    this.view.streamOpened(flavor);
    log.info({ flavor }, 'Envoy opened an xDS stream; upstream stream to istiod opened');
    this.opts.events?.connected?.(flavor);

    down.receive((msg) => {
      if (link.closed) return;
      link.up.write(msg);
      const req = requestHead(flavor, msg);
      this.answered(req.typeUrl, req.nonce, req.version, req.error);
      // Agent-originated requests go right after Envoy's first LDS request, never first.
      if (!link.sawListener && req.typeUrl === TYPE.listener) {
        link.sawListener = true;
        // The agent's own requests, in pilot-agent's order: NDS (DNS on), then the health report.
        if (this.opts.onNameTable) link.up.write(encodeSubscribe(flavor, TYPE.nameTable));
        if (this.health) this.sendHealth(link);
      }
    });
    down.on('end', () => { if (!link.closed) link.up.end(); });
    down.on('gone', () => this.endLink(link));
  }

  /** Applies a response vmlet consumes; the NACK detail, or undefined to ACK. */
  private consume(flavor: XdsFlavor, head: ResponseHead): string | undefined {
    if (head.typeUrl !== TYPE.nameTable || !this.opts.onNameTable || !head.firstResource) return undefined;
    try {
      const table = resourceValue(flavor, head.firstResource);
      if (table === undefined) throw new Error('the NameTable resource is empty');
      this.opts.onNameTable(table);
      return undefined;
    } catch (err) {
      this.opts.logger.error({ err }, `NACKing istiod's name table: ${(err as Error).message}`);
      return (err as Error).message;
    }
  }

  private answered(typeUrl: string, nonce: string, version: string, error: string | undefined): void {
    const wasNacked = error === undefined && nonce !== '' && this.view.isNacked(typeUrl);
    const nack = this.view.answered(typeUrl, nonce, version, error);
    if (nack) this.opts.events?.nacked?.(typeUrl, nack);
    else if (wasNacked) this.opts.events?.recovered?.(typeUrl);
  }

  private sendHealth(link: Link): void {
    const report = this.health;
    if (!report) return;
    link.up.write(encodeHealth(link.flavor, report.healthy, report.message));
    this.opts.events?.healthSent?.(report);
  }

  private endLink(link: Link | undefined, code: number = Status.OK, details?: string): void {
    if (!link || link.closed) return;
    link.closed = true;
    link.up.cancel();
    link.down.finish(code, details);
    this.view.streamClosed();
    if (this.current === link) this.current = undefined;
  }
}
