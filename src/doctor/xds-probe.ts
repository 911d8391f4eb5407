/**
 * The short ADS stream doctor opens when no agent runs, to hear istiod's answer about the
 * WorkloadGroup: one DiscoveryRequest for clusters with this VM's node (what Envoy would send),
 * then the first response (accepted: registration worked) or the stream's status (e.g.
 * FAILED_PRECONDITION "cannot find WorkloadGroup"), then cancel. istiod treats the VM as connected
 * meanwhile and, for an auto-registered group, cleans the WorkloadEntry up after its grace period.
 */
import protobuf from 'protobufjs';
import { ClientCall } from '../grpc/client.js';
import type { IstiodConnector } from '../istiod/types.js';
import type { NodeInfo } from '../xds/node-metadata.js';

export const ADS_PATH = '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources';
const CDS = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';

/** google.protobuf.Value (struct_value=5, list_value=6, ...). */
function writeValue(w: protobuf.Writer, v: unknown): void {
  if (v === null || v === undefined) w.uint32((1 << 3) | 0).int32(0);
  else if (typeof v === 'number') w.uint32((2 << 3) | 1).double(v);
  else if (typeof v === 'string') w.uint32((3 << 3) | 2).string(v);
  else if (typeof v === 'boolean') w.uint32((4 << 3) | 0).bool(v);
  else if (Array.isArray(v)) {
    w.uint32((6 << 3) | 2).fork();
    for (const item of v) { w.uint32((1 << 3) | 2).fork(); writeValue(w, item); w.ldelim(); }
    w.ldelim();
  } else {
    w.uint32((5 << 3) | 2).fork();
    writeStruct(w, v as Record<string, unknown>);
    w.ldelim();
  }
}

/** google.protobuf.Struct: map<string, Value> fields = 1. */
function writeStruct(w: protobuf.Writer, o: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(o)) {
    w.uint32((1 << 3) | 2).fork();
    w.uint32((1 << 3) | 2).string(k);
    w.uint32((2 << 3) | 2).fork(); writeValue(w, v); w.ldelim();
    w.ldelim();
  }
}

/** DiscoveryRequest{node=2 (Node{id=1, cluster=2, metadata=3}), type_url=4}. */
export function encodeDiscoveryRequest(node: NodeInfo, typeUrl = CDS): Uint8Array {
  const w = protobuf.Writer.create();
  w.uint32((2 << 3) | 2).fork();
  w.uint32((1 << 3) | 2).string(node.id);
  w.uint32((2 << 3) | 2).string(node.cluster);
  w.uint32((3 << 3) | 2).fork(); writeStruct(w, node.metadata as Record<string, unknown>); w.ldelim();
  w.ldelim();
  w.uint32((4 << 3) | 2).string(typeUrl);
  return w.finish();
}

export type XdsAnswer = { readonly kind: 'response' } | { readonly kind: 'status'; readonly code: number; readonly details: string };

/** Opens the stream, waits for the first answer (bounded by timeoutMs), cancels, closes the session. */
export async function probeXds(connector: IstiodConnector, node: NodeInfo, timeoutMs: number): Promise<XdsAnswer> {
  const session = connector.session('xds');
  try {
    const metadata = await connector.metadata('xds');
    return await new Promise<XdsAnswer>((resolve) => {
      let call: ClientCall | undefined;
      const done = (a: XdsAnswer) => { resolve(a); call?.cancel(); };
      call = new ClientCall(session, ADS_PATH, { metadata, timeoutMs, peer: 'istiod' }, {
        message: () => done({ kind: 'response' }),
        status: (s) => done({ kind: 'status', code: s.code, details: s.details }),
      });
      call.write(encodeDiscoveryRequest(node));
    });
  } finally {
    session.close();
    session.destroy();
  }
}
