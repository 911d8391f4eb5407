/**
 * Istio's name table (NDS), encoded by the static code generated from proto/istio/nds.proto
 * (Istio's pkg/dns/proto/nds.proto, package istio.networking.nds.v1):
 *   NameTable          { map<string, NameInfo> table = 1 }
 *   NameTable.NameInfo { repeated string ips = 1; string registry = 2; string shortname = 3;
 *                        string namespace = 4; repeated string alt_hosts = 5 (deprecated) }
 * istiod sends one NameTable as the first resource of an NDS response (an Any in SotW, a
 * Resource wrapping an Any in delta); unwrapping is src/xds/wire.ts's job.
 */
import protobuf from 'protobufjs/minimal.js';
import { istio } from '../../proto/generated/messages.js';

const NameTableType = istio.networking.nds.v1.NameTable;

export interface NameInfo {
  readonly ips: readonly string[];
  readonly registry: string;
  readonly shortname: string;
  readonly namespace: string;
  readonly altHosts: readonly string[];
}

/** hostname -> what istiod knows of it. */
export type NameTable = ReadonlyMap<string, NameInfo>;

/** Decodes a NameTable message; throws on bytes that are not one. */
export function decodeNameTable(bytes: Uint8Array): NameTable {
  const msg = NameTableType.decode(bytes);
  const out = new Map<string, NameInfo>();
  for (const [host, i] of Object.entries(msg.table ?? {})) {
    out.set(host, { ips: i.ips ?? [], registry: i.registry ?? '', shortname: i.shortname ?? '', namespace: i.namespace ?? '', altHosts: i.alt_hosts ?? [] });
  }
  return out;
}

/**
 * Field numbers of proto/istio/nds.proto, for the streaming reader below (the generated code keeps
 * them inside its decoders; a unit test decodes the generated encoder's output with this reader).
 */
const F = { table: 1, ips: 1, registry: 2, shortname: 3, namespace: 4, altHosts: 5 };

/**
 * Reads a NameTable entry by entry with protobufjs's Reader, calling `onHost` for each: the same
 * result as decodeNameTable without building the whole message first (a 10,000-host table would
 * otherwise leave megabytes of garbage behind). Throws on bytes that are not a NameTable.
 */
export function forEachHost(bytes: Uint8Array, onHost: (host: string, info: NameInfo) => void): number {
  const r = protobuf.Reader.create(bytes);
  let n = 0;
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 !== F.table || (tag & 7) !== 2) { r.skipType(tag & 7); continue; }
    const end = r.uint32() + r.pos;
    let host = '';
    let info: NameInfo = EMPTY;
    while (r.pos < end) {
      const t = r.uint32();
      if (t >>> 3 === 1 && (t & 7) === 2) host = r.string();
      else if (t >>> 3 === 2 && (t & 7) === 2) info = readInfo(r, r.uint32() + r.pos);
      else r.skipType(t & 7);
    }
    if (r.pos !== end) throw new Error('a NameTable entry runs past its length');
    onHost(host, info);
    n++;
  }
  return n;
}

const EMPTY: NameInfo = Object.freeze({ ips: [], registry: '', shortname: '', namespace: '', altHosts: [] });

function readInfo(r: protobuf.Reader, end: number): NameInfo {
  const ips: string[] = [];
  const altHosts: string[] = [];
  let registry = '';
  let shortname = '';
  let namespace = '';
  while (r.pos < end) {
    const t = r.uint32();
    const field = t >>> 3;
    if ((t & 7) !== 2) { r.skipType(t & 7); continue; }
    if (field === F.ips) ips.push(r.string());
    else if (field === F.registry) registry = r.string();
    else if (field === F.shortname) shortname = r.string();
    else if (field === F.namespace) namespace = r.string();
    else if (field === F.altHosts) altHosts.push(r.string());
    else r.skipType(2);
  }
  if (r.pos !== end) throw new Error('a NameInfo runs past its length');
  return { ips, registry, shortname, namespace, altHosts };
}

/** Encodes a NameTable (the simulator and tests serve tables with it). */
export function encodeNameTable(table: Readonly<Record<string, Partial<NameInfo>>>): Uint8Array {
  const wire: Record<string, istio.networking.nds.v1.NameTable.NameInfo.$Properties> = {};
  for (const [host, i] of Object.entries(table)) {
    wire[host] = { ips: [...(i.ips ?? [])], registry: i.registry ?? '', shortname: i.shortname ?? '', namespace: i.namespace ?? '', alt_hosts: [...(i.altHosts ?? [])] };
  }
  return NameTableType.encode({ table: wire }).finish();
}
