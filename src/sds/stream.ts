/**
 * One SDS stream's state (Istio's pkg/xds ShouldRespond, as §2.4 of the protocol facts): the
 * first request must carry a node; an initial request (or a reconnect) gets every name it asks
 * for; a NACK is logged and gets no reply; an ACK gets no reply; a stale nonce is ignored; added
 * names get a reply with just those; an empty list unsubscribes. A rotation is pushed by the
 * server to every stream watching the name. A name whose content is not ready (no certificate
 * yet) is left out and sent by the push that comes when it is; nothing is ever sent empty.
 */
import { randomUUID } from 'node:crypto';
import { isVmletError } from '../errors.js';
import type { Logger } from '../log.js';
import { encodeResponse, encodeSecret, type DiscoveryRequest } from './codec.js';
import type { SecretSource } from './secrets.js';

export type StreamFailure = { readonly code: 'INVALID_ARGUMENT' | 'UNAVAILABLE'; readonly message: string };

export interface StreamIo {
  send(bytes: Uint8Array): void;
  /** Ends the stream with an error status (Envoy retries with backoff). */
  fail(failure: StreamFailure): void;
}

let versionCounter = 0;
/** Istio's version_info: RFC 3339 time, "/", a counter. */
export function nextVersion(now: number): string {
  versionCounter += 1;
  return `${new Date(now).toISOString()}/${versionCounter}`;
}

export class SdsStream {
  private nodeId: string | undefined;
  private watched = new Set<string>();
  private lastNonce = '';
  private closed = false;
  /** Pushes and replies sent, for status and tests. */
  responses = 0;

  constructor(
    readonly id: number,
    private readonly io: StreamIo,
    private readonly source: SecretSource,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {}

  get node(): string | undefined {
    return this.nodeId;
  }

  watches(name: string): boolean {
    return this.watched.has(name);
  }

  onRequest(req: DiscoveryRequest): void {
    if (this.closed) return;
    if (this.nodeId === undefined) {
      if (req.nodeId === undefined) return this.failWith({ code: 'INVALID_ARGUMENT', message: 'missing node information' });
      this.nodeId = req.nodeId;
    }
    if (req.errorDetail !== undefined) {
      this.logger.warn({ code: 'VMLET_SDS_NACK', stream: this.id, resources: req.resourceNames, nonce: req.responseNonce, error: req.errorDetail.message },
        `SDS: Envoy rejected ${req.resourceNames.join(', ') || 'a secret'}: ${req.errorDetail.message} [VMLET_SDS_NACK]`);
      return;
    }
    const initial = req.responseNonce === '' || this.watched.size === 0;
    if (!initial && req.responseNonce !== this.lastNonce) {
      this.logger.debug({ stream: this.id, nonce: req.responseNonce }, 'SDS: stale nonce ignored');
      return;
    }
    const names = new Set(req.resourceNames);
    const added = initial ? [...names] : [...names].filter((n) => !this.watched.has(n));
    this.setWatched(names);
    if (added.length > 0) this.respond(added);
  }

  /** A secret changed: send it if this stream watches it. */
  push(name: string): void {
    if (!this.closed && this.watched.has(name)) this.respond([name]);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.setWatched(new Set());
  }

  private setWatched(next: Set<string>): void {
    for (const n of next) if (!this.watched.has(n)) this.source.retain(n);
    for (const n of this.watched) if (!next.has(n)) this.source.release(n);
    this.watched = next;
  }

  private respond(names: readonly string[]): void {
    const secrets: Uint8Array[] = [];
    for (const name of names) {
      let content;
      try {
        content = this.source.get(name);
      } catch (err) {
        const code = isVmletError(err, 'VMLET_SDS_BAD_REQUEST') ? 'INVALID_ARGUMENT' : 'UNAVAILABLE';
        const message = err instanceof Error ? err.message : String(err);
        this.logger.warn({ stream: this.id, secret: name, code: isVmletError(err) ? err.code : undefined }, `SDS: ${message}`);
        return this.failWith({ code, message });
      }
      if (content === undefined) {
        this.logger.info({ stream: this.id, secret: name }, `SDS: ${name} is not available yet; it is sent when the certificate arrives`);
        continue;
      }
      secrets.push(encodeSecret(name, content));
    }
    if (secrets.length === 0) return;
    this.lastNonce = randomUUID();
    this.responses += 1;
    this.io.send(encodeResponse(nextVersion(this.now()), this.lastNonce, secrets));
  }

  private failWith(f: StreamFailure): void {
    this.close();
    this.io.fail(f);
  }
}
