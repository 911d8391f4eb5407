/**
 * The few fields of Envoy's discovery messages vmlet reads or writes, by field number
 * (envoy/service/discovery/v3/discovery.proto). Everything else passes through as bytes: the
 * proxy never re-encodes what it forwards.
 */
import protobuf from 'protobufjs/minimal.js';
import { VmletError } from '../errors.js';
import './errors.js';

export type XdsFlavor = 'sotw' | 'delta';

export const TYPE = {
  listener: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  nameTable: 'type.googleapis.com/istio.networking.nds.v1.NameTable',
  health: 'type.googleapis.com/istio.v1.HealthInformation',
  proxyConfig: 'type.googleapis.com/istio.mesh.v1alpha1.ProxyConfig',
  workload: 'type.googleapis.com/istio.workload.Workload',
} as const;

/** Field numbers that differ between the SotW and delta messages. */
const FIELDS = {
  sotw: { reqTypeUrl: 4, reqNonce: 5, reqError: 6, reqVersion: 1, respVersion: 1, respTypeUrl: 4, respNonce: 5, respResources: 2 },
  delta: { reqTypeUrl: 2, reqNonce: 6, reqError: 7, reqVersion: 0, respVersion: 1, respTypeUrl: 4, respNonce: 5, respResources: 2 },
} as const;

export interface ResponseHead {
  readonly typeUrl: string;
  readonly nonce: string;
  readonly version: string;
  readonly resources: number;
  /** The first resource's bytes (an Any, or a delta Resource), for the types vmlet consumes. */
  readonly firstResource?: Uint8Array;
}

/**
 * Reads only the strings and counts vmlet acts on; skips every other field unread. Bytes that are
 * not protobuf (a truncated frame, a wire type 6, a length past the end) are VMLET_XDS_MALFORMED,
 * never the reader's own RangeError: the callers run inside socket handlers.
 */
function scan(buf: Uint8Array, what: string, onField: (field: number, reader: protobuf.Reader, wireType: number) => boolean): void {
  const reader = protobuf.Reader.create(buf);
  try {
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      const field = tag >>> 3;
      const wireType = tag & 7;
      if (!onField(field, reader, wireType)) reader.skipType(wireType);
    }
  } catch (err) {
    throw new VmletError('VMLET_XDS_MALFORMED', `${what} does not decode (${(err as Error).message} at byte ${reader.pos} of ${buf.length})`, { cause: err });
  }
}

export interface RequestHead {
  readonly typeUrl: string;
  /** The response this request answers; '' on a subscription's first request. */
  readonly nonce: string;
  /** SotW only: the last version Envoy accepted ('' in delta). */
  readonly version: string;
  /** error_detail.message when this request is a NACK. */
  readonly error?: string;
}

/** One pass over a request: type_url, response_nonce, version_info and error_detail's message. */
export function requestHead(flavor: XdsFlavor, buf: Uint8Array): RequestHead {
  const f = FIELDS[flavor];
  let typeUrl = '';
  let nonce = '';
  let version = '';
  let error: string | undefined;
  scan(buf, `an xDS ${flavor === 'sotw' ? 'DiscoveryRequest' : 'DeltaDiscoveryRequest'}`, (field, reader, wt) => {
    if (wt !== 2) return false;
    if (field === f.reqTypeUrl) typeUrl = reader.string();
    else if (field === f.reqNonce) nonce = reader.string();
    else if (field === f.reqVersion && flavor === 'sotw') version = reader.string();
    else if (field === f.reqError) error = statusMessage(reader.bytes());
    else return false;
    return true;
  });
  return { typeUrl, nonce, version, ...(error === undefined ? {} : { error }) };
}

/** google.rpc.Status: message (2); a status without one still counts as an error. */
function statusMessage(buf: Uint8Array): string {
  let message = '';
  scan(buf, 'an xDS error_detail', (field, reader, wt) => {
    if (field === 2 && wt === 2) {
      message = reader.string();
      return true;
    }
    return false;
  });
  return message;
}

export function responseHead(flavor: XdsFlavor, buf: Uint8Array): ResponseHead {
  const f = FIELDS[flavor];
  let typeUrl = '';
  let nonce = '';
  let version = '';
  let resources = 0;
  let firstResource: Uint8Array | undefined;
  scan(buf, `an xDS ${flavor === 'sotw' ? 'DiscoveryResponse' : 'DeltaDiscoveryResponse'}`, (field, reader, wt) => {
    if (wt !== 2) return false;
    if (field === f.respTypeUrl) typeUrl = reader.string();
    else if (field === f.respNonce) nonce = reader.string();
    else if (field === f.respVersion) version = reader.string();
    else if (field === f.respResources) {
      resources += 1;
      // Only the first is kept (NameTable); the rest are skipped, not sliced: a push of thousands
      // of clusters would otherwise make a Buffer view per resource for nothing.
      if (firstResource !== undefined) return false;
      firstResource = reader.bytes();
    } else return false;
    return true;
  });
  return { typeUrl, nonce, version, resources, ...(firstResource ? { firstResource } : {}) };
}

/** An ACK (no error) or NACK for a response vmlet consumed itself. */
export function encodeAck(flavor: XdsFlavor, head: ResponseHead, error?: string): Buffer {
  const f = FIELDS[flavor];
  const w = protobuf.Writer.create();
  if (flavor === 'sotw' && head.version) w.uint32((f.reqVersion << 3) | 2).string(head.version);
  w.uint32((f.reqTypeUrl << 3) | 2).string(head.typeUrl);
  w.uint32((f.reqNonce << 3) | 2).string(head.nonce);
  if (error !== undefined) writeStatus(w, f.reqError, 13, error);
  return Buffer.from(w.finish());
}

/**
 * A health report (protocol facts §3.3): healthy is the ABSENCE of error_detail; unhealthy is
 * error_detail{code: 13, message}. Never a status with code 0.
 */
export function encodeHealth(flavor: XdsFlavor, healthy: boolean, message?: string): Buffer {
  const f = FIELDS[flavor];
  const w = protobuf.Writer.create();
  w.uint32((f.reqTypeUrl << 3) | 2).string(TYPE.health);
  if (!healthy) writeStatus(w, f.reqError, 13, message || 'unhealthy');
  return Buffer.from(w.finish());
}

function writeStatus(w: protobuf.Writer, field: number, code: number, message: string): void {
  w.uint32((field << 3) | 2).fork().uint32((1 << 3) | 0).int32(code).uint32((2 << 3) | 2).string(message).ldelim();
}

/** The agent's own request for a type (NDS): only type_url; istiod has the node from Envoy's first request. */
export function encodeSubscribe(flavor: XdsFlavor, typeUrl: string): Buffer {
  const w = protobuf.Writer.create();
  w.uint32((FIELDS[flavor].reqTypeUrl << 3) | 2).string(typeUrl);
  return Buffer.from(w.finish());
}

/**
 * The message inside a response's first resource: SotW resources are `Any` (value = field 2);
 * delta resources are `Resource` whose field 2 is that `Any`. undefined when absent.
 */
export function resourceValue(flavor: XdsFlavor, resource: Uint8Array): Uint8Array | undefined {
  const any = flavor === 'delta' ? field2(resource) : resource;
  return any === undefined ? undefined : field2(any) ?? new Uint8Array(0);
}

function field2(buf: Uint8Array): Uint8Array | undefined {
  let out: Uint8Array | undefined;
  scan(buf, 'an xDS resource', (field, reader, wt) => {
    if (field === 2 && wt === 2 && out === undefined) {
      out = reader.bytes();
      return true;
    }
    return false;
  });
  return out;
}

/** Forwarding rule (§3.3): only Envoy's own types and Workload reach Envoy. */
export function forwardsToEnvoy(typeUrl: string): boolean {
  return typeUrl.startsWith('type.googleapis.com/envoy.') || typeUrl === TYPE.workload;
}

/** Types vmlet answers itself and never forwards. */
export function consumedByAgent(typeUrl: string): boolean {
  return typeUrl === TYPE.nameTable || typeUrl === TYPE.proxyConfig;
}
