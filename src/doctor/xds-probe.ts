/**
 * The short ADS stream doctor opens when no agent runs, to hear istiod's answer about the
 * WorkloadGroup: one DiscoveryRequest for clusters with this VM's node (what Envoy would send),
 * then the first response (accepted: registration worked) or the stream's status (e.g.
 * FAILED_PRECONDITION "cannot find WorkloadGroup"), then cancel. istiod treats the VM as connected
 * meanwhile and, for an auto-registered group, cleans the WorkloadEntry up after its grace period.
 */
import { ClientCall } from '../grpc/client.js';
import type { IstiodConnector } from '../istiod/types.js';
import type { NodeInfo } from '../xds/node-metadata.js';
import { envoy, google } from '../../proto/generated/messages.js';

export const ADS_PATH = '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources';
const CDS = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';

type ValueProps = google.protobuf.Value.$Properties;

/** A JSON value as google.protobuf.Value (null, number, string, bool, struct, list). */
function toValue(v: unknown): ValueProps {
  if (v === null || v === undefined) return { nullValue: google.protobuf.NullValue.NULL_VALUE };
  if (typeof v === 'number') return { numberValue: v };
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (Array.isArray(v)) return { listValue: { values: v.map(toValue) } };
  return { structValue: toStruct(v as Record<string, unknown>) };
}

function toStruct(o: Record<string, unknown>): google.protobuf.Struct.$Properties {
  const fields: Record<string, ValueProps> = {};
  for (const [k, v] of Object.entries(o)) fields[k] = toValue(v);
  return { fields };
}

/** DiscoveryRequest{node (id, cluster, metadata), type_url}, by the generated static code. */
export function encodeDiscoveryRequest(node: NodeInfo, typeUrl = CDS): Uint8Array {
  return envoy.service.discovery.v3.DiscoveryRequest.encode({
    node: { id: node.id, cluster: node.cluster, metadata: toStruct(node.metadata as Record<string, unknown>) },
    type_url: typeUrl,
  }).finish();
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
