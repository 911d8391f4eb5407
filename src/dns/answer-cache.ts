/**
 * Encoded table answers, kept per query bytes: a repeated query for a mesh name (the common case:
 * every connection a client opens to a Service asks again within the 30 s TTL) is answered by
 * copying the bytes encoded for the first one and writing the new query's ID, without decoding the
 * query or encoding the answer again (dns-packet's decode and encode are ~11 µs of the ~28 µs a
 * table answer costs, bench/dns-table.mjs).
 *
 * The key is everything after the ID: header flags, the question (its exact case, which the answer
 * echoes), EDNS size and flags, and the transport (the size limit differs), so a hit is an answer
 * the resolver would have encoded byte for byte. Only single-address and no-address answers that
 * were not truncated are kept: several addresses are shuffled per answer, as Istio's agent does.
 * Entries belong to one table: a new table empties the cache (resolver.ts checks identity). Bounded:
 * at MAX_ENTRIES the cache is emptied and fills again.
 */
import type { Protocol } from './resolver.js';

/** At most this many answers are kept (each a few hundred bytes at most: ~1 MB when full). */
export const MAX_ENTRIES = 4096;

export interface CachedAnswer {
  readonly bytes: Buffer;
  readonly host: string;
}

export class AnswerCache<T extends object> {
  private readonly entries = new Map<string, CachedAnswer>();
  private owner: T | undefined;

  /** The key for a raw query (undefined: too short to be a query, never cached). */
  static keyOf(raw: Buffer, proto: Protocol): string | undefined {
    if (raw.length < 12) return undefined;
    return proto + raw.toString('latin1', 2);
  }

  /** The answer for `raw` with its ID, when one was kept for the same table. */
  get(table: T | undefined, key: string, raw: Buffer): CachedAnswer | undefined {
    if (table === undefined || table !== this.owner) return undefined;
    const hit = this.entries.get(key);
    if (hit === undefined) return undefined;
    const bytes = Buffer.allocUnsafe(hit.bytes.length);
    hit.bytes.copy(bytes);
    bytes[0] = raw[0] as number;
    bytes[1] = raw[1] as number;
    return { bytes, host: hit.host };
  }

  set(table: T, key: string, bytes: Buffer, host: string): void {
    if (table !== this.owner) {
      this.entries.clear();
      this.owner = table;
    }
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(key, { bytes: Buffer.from(bytes), host });
  }

  get size(): number {
    return this.entries.size;
  }
}
