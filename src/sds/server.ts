/**
 * The SDS server Envoy fetches `default`, `ROOTCA`, `file-cert:` and `file-root:` secrets from,
 * on a Unix socket: gRPC `envoy.service.secret.v3.SecretDiscoveryService`, StreamSecrets only
 * (DeltaSecrets and FetchSecrets answer UNIMPLEMENTED, as Istio's agent does). A Component:
 * run() listens, serves until aborted, then closes every stream and removes the socket.
 */
import { rm } from 'node:fs/promises';
import { VmletError } from '../errors.js';
import { GrpcServer, type ServerCall } from '../grpc/server.js';
import { Status } from '../grpc/status.js';
import type { Logger } from '../log.js';
import type { Clock, Component } from '../lifecycle/types.js';
import type { IdentitySource } from '../identity/types.js';
import type { StatusBoard } from '../status/types.js';
import { SDS_SERVICE } from '../proto/sds-service.js';
import { decodeRequest } from './codec.js';
import { SecretSource } from './secrets.js';
import { openSocketToEnvoy, prepareSocketPath } from './socket.js';
import { SdsStream } from './stream.js';
import './errors.js';

export interface SdsServerOptions {
  readonly socketPath: string;
  readonly identity: IdentitySource;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly status?: StatusBoard;
  /** Envoy's group: the socket directory and socket get it (root only). */
  readonly envoyGid?: number;
  readonly fileWatchInterval: number;
}

const SERVICE = `/${SDS_SERVICE}`;

export class SdsServer implements Component {
  readonly name = 'sds';
  private readonly streams = new Set<SdsStream>();
  private nextId = 0;
  private source: SecretSource | undefined;
  /** Resolves once the socket accepts connections (tests, benchmarks). */
  readonly listening: Promise<void>;
  private markListening!: () => void;

  constructor(private readonly opts: SdsServerOptions) {
    this.listening = new Promise((r) => { this.markListening = r; });
  }

  get streamCount(): number {
    return this.streams.size;
  }

  async run(signal: AbortSignal): Promise<void> {
    const { logger, socketPath } = this.opts;
    const source = new SecretSource({ identity: this.opts.identity, logger, fileWatchInterval: this.opts.fileWatchInterval });
    this.source = source;
    source.subscribe((name) => { for (const s of this.streams) s.push(name); });
    // Envoy opens a stream per secret it uses (tens in a busy sidecar): no cap of our own. No
    // keepalive pings on a Unix socket: a gone Envoy closes it, and an idle agent stays asleep.
    const server = new GrpcServer({ peer: 'Envoy', maxConcurrentStreams: 100_000 }, {
      [`${SERVICE}/StreamSecrets`]: (call) => this.serve(call, source),
      [`${SERVICE}/DeltaSecrets`]: (call) => call.finish(Status.UNIMPLEMENTED, 'DeltaSecrets is not implemented; use StreamSecrets'),
      [`${SERVICE}/FetchSecrets`]: (call) => call.finish(Status.UNIMPLEMENTED, 'FetchSecrets is not implemented; use StreamSecrets'),
    });
    try {
      await prepareSocketPath(socketPath, this.opts.envoyGid);
      await server.listen(socketPath);
      await openSocketToEnvoy(socketPath, this.opts.envoyGid);
    } catch (err) {
      server.destroy();
      source.close();
      throw err instanceof VmletError ? err : new VmletError('VMLET_SDS_LISTEN_FAILED', `SDS: cannot listen on ${socketPath}: ${(err as Error).message}`, { cause: err });
    }
    logger.info({ socket: socketPath }, `SDS serving on ${socketPath}`);
    this.opts.status?.set('sds', 'ok', `serving on ${socketPath}`);
    this.markListening();
    try {
      await new Promise<void>((resolve) => {
        if (signal.aborted) resolve();
        else signal.addEventListener('abort', () => resolve(), { once: true });
      });
    } finally {
      for (const s of this.streams) s.close();
      this.streams.clear();
      server.destroy();
      source.close();
      await rm(socketPath, { force: true });
      this.opts.status?.set('sds', 'stopped', 'socket removed');
    }
  }

  private serve(call: ServerCall, source: SecretSource): void {
    const id = ++this.nextId;
    const logger = this.opts.logger;
    const stream = new SdsStream(id, {
      send: (bytes) => call.write(bytes),
      fail: (f) => call.finish(Status[f.code], f.message),
    }, source, logger, () => this.opts.clock.now());
    this.streams.add(stream);
    const end = () => {
      stream.close();
      this.streams.delete(stream);
    };
    call.receive((bytes) => {
      if (call.done) return;
      let req;
      try {
        req = decodeRequest(bytes);
      } catch (err) {
        logger.warn({ stream: id, err }, 'SDS: undecodable request');
        call.finish(Status.INVALID_ARGUMENT, 'undecodable DiscoveryRequest');
        return end();
      }
      const first = stream.node === undefined;
      stream.onRequest(req);
      if (first && stream.node !== undefined) logger.debug({ stream: id, node: stream.node, resources: req.resourceNames }, 'SDS stream opened');
    });
    // Envoy half-closed: it wants no more; end with OK.
    call.on('end', () => { end(); call.finish(Status.OK); });
    call.on('gone', end);
  }
}
