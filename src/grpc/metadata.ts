/**
 * Call metadata: the custom headers of a gRPC call (PROTOCOL-HTTP2.md "Custom-Metadata"). Keys
 * are sent lowercase, as HTTP/2 requires (gRPC libraries lowercase `ClusterID` too; istiod reads
 * `clusterid`); the headers gRPC itself owns cannot be set through metadata. Pure.
 */

/** Key -> value; a key may be given in any case. */
export type Metadata = Readonly<Record<string, string>>;

/** Headers gRPC and HTTP/2 own: set by the call, never by metadata. */
const RESERVED = new Set(['content-type', 'te', 'user-agent', 'host', 'connection', 'transfer-encoding', 'upgrade']);

/**
 * The HTTP/2 headers for `md`: keys lowercased; a reserved key, a pseudo-header or a `grpc-` key
 * throws (a caller's mistake, not input). Binary (`-bin`) values are not used by vmlet and refused.
 */
export function metadataHeaders(md: Metadata): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(md)) {
    const k = key.toLowerCase();
    if (!/^[0-9a-z_.-]+$/.test(k) || k.startsWith('grpc-') || k.endsWith('-bin') || RESERVED.has(k)) {
      throw new Error(`gRPC metadata key ${JSON.stringify(key)} cannot be sent (reserved or not a valid header name)`);
    }
    if (/[^\x20-\x7e]/.test(value)) throw new Error(`gRPC metadata ${k}: the value must be printable ASCII`);
    out[k] = value;
  }
  return out;
}
