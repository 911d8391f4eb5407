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

/** Encodes a NameTable (the simulator and tests serve tables with it). */
export function encodeNameTable(table: Readonly<Record<string, Partial<NameInfo>>>): Uint8Array {
  return NameTableType.encode(NameTableType.fromObject({ table })).finish();
}
