/**
 * Istio's name table (NDS), embedded: the bundle cannot read .proto files at run time. Field
 * numbers from Istio's pkg/dns/proto/nds.proto (package istio.networking.nds.v1):
 *   NameTable          { map<string, NameInfo> table = 1 }
 *   NameTable.NameInfo { repeated string ips = 1; string registry = 2; string shortname = 3;
 *                        string namespace = 4; repeated string alt_hosts = 5 (deprecated) }
 * istiod sends one NameTable as the first resource of an NDS response (an Any in SotW, a
 * Resource wrapping an Any in delta); unwrapping is src/xds/wire.ts's job.
 */
import protobuf from 'protobufjs';

const root = protobuf.Root.fromJSON(({
  nested: {
    istio: {
      nested: {
        networking: {
          nested: {
            nds: {
              nested: {
                v1: {
                  nested: {
                    NameTable: {
                      fields: { table: { keyType: 'string', type: 'NameInfo', id: 1 } },
                      nested: {
                        NameInfo: {
                          fields: {
                            ips: { rule: 'repeated', type: 'string', id: 1 },
                            registry: { type: 'string', id: 2 },
                            shortname: { type: 'string', id: 3 },
                            namespace: { type: 'string', id: 4 },
                            altHosts: { rule: 'repeated', type: 'string', id: 5 },
                          },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
}) as unknown as protobuf.INamespace);

const NameTableType = root.lookupType('istio.networking.nds.v1.NameTable');

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
  const msg = NameTableType.toObject(NameTableType.decode(bytes), { arrays: true, objects: true, defaults: true }) as {
    table: Record<string, { ips: string[]; registry: string; shortname: string; namespace: string; altHosts: string[] }>;
  };
  const out = new Map<string, NameInfo>();
  for (const [host, info] of Object.entries(msg.table)) out.set(host, info);
  return out;
}

const NameInfoType = root.lookupType('istio.networking.nds.v1.NameTable.NameInfo');
/** Field numbers, from the schema above. */
const F = {
  table: NameTableType.fields['table']!.id,
  ips: NameInfoType.fields['ips']!.id,
  registry: NameInfoType.fields['registry']!.id,
  shortname: NameInfoType.fields['shortname']!.id,
  namespace: NameInfoType.fields['namespace']!.id,
  altHosts: NameInfoType.fields['altHosts']!.id,
};

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
  return NameTableType.encode(NameTableType.fromObject({ table })).finish();
}
