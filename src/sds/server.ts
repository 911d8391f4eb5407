/**
 * The SDS server Envoy fetches `default`, `ROOTCA`, `file-cert:` and `file-root:` secrets from,
 * on a Unix socket: gRPC `envoy.service.secret.v3.SecretDiscoveryService`, StreamSecrets only
 * (DeltaSecrets and FetchSecrets answer UNIMPLEMENTED, as Istio's agent does). A Component:
 * run() listens, serves until aborted, then closes every stream and removes the socket.
 */
import * as grpc from '@grpc/grpc-js';
import { rm } from 'node:fs/promises';
import { VmletError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Clock, Component } from '../lifecycle/types.js';
import type { IdentitySource } from '../identity/types.js';
import type { StatusBoard } from '../status/types.js';
import { SDS_SERVICE } from '../proto/sds-descriptor.js';
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

const pass = (b: Buffer) => b;
const method = (name: string, requestStream: boolean, responseStream: boolean) => ({
  path: `/${SDS_SERVICE}/${name}`,
  requestStream,
  responseStream,
  requestSerialize: (b: Uint8Array) => Buffer.from(b),
  requestDeserialize: pass,
  responseSerialize: (b: Uint8Array) => Buffer.from(b),
  responseDeserialize: pass,
});
const SERVICE = {
  StreamSecrets: method('StreamSecrets', true, true),
  DeltaSecrets: method('DeltaSecrets', true, true),
  FetchSecrets: method('FetchSecrets', false, false),
} as unknown as grpc.ServiceDefinition;

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
    const server = new grpc.Server({ 'grpc.max_concurrent_streams': 100000 });
    server.addService(SERVICE, {
      StreamSecrets: (call: grpc.ServerDuplexStream<Buffer, Uint8Array>) => this.serve(call, source),
      DeltaSecrets: (call: grpc.ServerDuplexStream<Buffer, Uint8Array>) => {
        call.emit('error', { code: grpc.status.UNIMPLEMENTED, details: 'DeltaSecrets is not implemented; use StreamSecrets' });
      },
      FetchSecrets: (_call: unknown, cb: grpc.sendUnaryData<Uint8Array>) => {
        cb({ code: grpc.status.UNIMPLEMENTED, details: 'FetchSecrets is not implemented; use StreamSecrets' });
      },
    });
    try {
      await prepareSocketPath(socketPath, this.opts.envoyGid);
      await new Promise<void>((resolve, reject) => {
        server.bindAsync(`unix:${socketPath}`, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve()));
      });
      await openSocketToEnvoy(socketPath, this.opts.envoyGid);
    } catch (err) {
      server.forceShutdown();
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
      server.forceShutdown();
      source.close();
      await rm(socketPath, { force: true });
      this.opts.status?.set('sds', 'stopped', 'socket removed');
    }
  }

  private serve(call: grpc.ServerDuplexStream<Buffer, Uint8Array>, source: SecretSource): void {
    const id = ++this.nextId;
    const logger = this.opts.logger;
    const stream = new SdsStream(id, {
      send: (bytes) => { call.write(bytes); },
      fail: (f) => { call.emit('error', { code: grpc.status[f.code], details: f.message }); },
    }, source, logger, () => this.opts.clock.now());
    this.streams.add(stream);
    const end = () => {
      stream.close();
      this.streams.delete(stream);
    };
    call.on('data', (bytes: Buffer) => {
      let req;
      try {
        req = decodeRequest(bytes);
      } catch (err) {
        logger.warn({ stream: id, err }, 'SDS: undecodable request');
        call.emit('error', { code: grpc.status.INVALID_ARGUMENT, details: 'undecodable DiscoveryRequest' });
        return end();
      }
      const first = stream.node === undefined;
      stream.onRequest(req);
      if (first && stream.node !== undefined) logger.debug({ stream: id, node: stream.node, resources: req.resourceNames }, 'SDS stream opened');
    });
    call.on('end', () => { end(); call.end(); });
    call.on('error', end);
    call.on('cancelled', end);
    call.on('close', end);
  }
}
