/**
 * Encoding and decoding of SDS messages (pure): DiscoveryRequest in, DiscoveryResponse out, with
 * each Secret packed in an Any. Istio's shapes (security/pkg/nodeagent/sds toEnvoySecret):
 * certificates as tls_certificate{certificate_chain, private_key} and roots as
 * validation_context{trusted_ca}, all as inline_bytes.
 */
import { VmletError } from '../errors.js';
import { envoy } from '../../proto/generated/messages.js';
import { SECRET_TYPE_URL } from '../proto/sds-service.js';
import './errors.js';

const { DiscoveryRequest: Req, DiscoveryResponse: Res } = envoy.service.discovery.v3;
const { Secret } = envoy.extensions.transport_sockets.tls.v3;

export interface DiscoveryRequest {
  readonly versionInfo: string;
  readonly nodeId: string | undefined;
  readonly resourceNames: readonly string[];
  readonly typeUrl: string;
  readonly responseNonce: string;
  /** Set on a NACK: Envoy's reason for rejecting the last response. */
  readonly errorDetail: { readonly code: number; readonly message: string } | undefined;
}

/** A secret's content, before encoding. */
export type SecretContent =
  | { readonly kind: 'certificate'; readonly certChainPem: string; readonly keyPem: string }
  | { readonly kind: 'root'; readonly rootPem: string };

/** Envoy's SDS request; bytes that are not a DiscoveryRequest are VMLET_SDS_BAD_REQUEST. */
export function decodeRequest(bytes: Uint8Array): DiscoveryRequest {
  let m: ReturnType<typeof Req.decode>;
  try {
    m = Req.decode(bytes);
  } catch (err) {
    throw new VmletError('VMLET_SDS_BAD_REQUEST', `Envoy's SDS request does not decode as a DiscoveryRequest (${(err as Error).message})`, { cause: err });
  }
  return {
    versionInfo: m.version_info ?? '',
    nodeId: m.node?.id || undefined,
    resourceNames: m.resource_names ?? [],
    typeUrl: m.type_url ?? '',
    responseNonce: m.response_nonce ?? '',
    errorDetail: m.error_detail ? { code: m.error_detail.code ?? 0, message: m.error_detail.message ?? '' } : undefined,
  };
}

/** For tests and the fake Envoy: the request Envoy would send. */
export function encodeRequest(r: Partial<DiscoveryRequest>): Uint8Array {
  return Req.encode({
    version_info: r.versionInfo ?? '',
    ...(r.nodeId !== undefined ? { node: { id: r.nodeId } } : {}),
    resource_names: [...(r.resourceNames ?? [])],
    type_url: r.typeUrl ?? SECRET_TYPE_URL,
    response_nonce: r.responseNonce ?? '',
    ...(r.errorDetail ? { error_detail: r.errorDetail } : {}),
  }).finish();
}

function inline(text: string) {
  return { inline_bytes: Buffer.from(text, 'utf8') };
}

export function encodeSecret(name: string, content: SecretContent): Uint8Array {
  const body = content.kind === 'certificate'
    ? { name, tls_certificate: { certificate_chain: inline(content.certChainPem), private_key: inline(content.keyPem) } }
    : { name, validation_context: { trusted_ca: inline(content.rootPem) } };
  return Secret.encode(body).finish();
}

export function encodeResponse(versionInfo: string, nonce: string, secrets: readonly Uint8Array[]): Uint8Array {
  return Res.encode({
    version_info: versionInfo,
    type_url: SECRET_TYPE_URL,
    nonce,
    resources: secrets.map((value) => ({ type_url: SECRET_TYPE_URL, value })),
  }).finish();
}

export interface DecodedSecret {
  readonly name: string;
  readonly certChainPem?: string;
  readonly keyPem?: string;
  readonly rootPem?: string;
}

/** For tests and the fake Envoy: a response's version, nonce and secrets. */
export function decodeResponse(bytes: Uint8Array): { versionInfo: string; nonce: string; typeUrl: string; secrets: DecodedSecret[] } {
  const m = Res.decode(bytes);
  const secrets = (m.resources ?? []).map((any) => {
    const s = Secret.decode(any.value ?? new Uint8Array());
    const text = (b?: Uint8Array | null) => (b ? Buffer.from(b).toString('utf8') : undefined);
    const cert = text(s.tls_certificate?.certificate_chain?.inline_bytes);
    const key = text(s.tls_certificate?.private_key?.inline_bytes);
    const root = text(s.validation_context?.trusted_ca?.inline_bytes);
    return { name: s.name ?? '', ...(cert ? { certChainPem: cert } : {}), ...(key ? { keyPem: key } : {}), ...(root ? { rootPem: root } : {}) };
  });
  return { versionInfo: m.version_info ?? '', nonce: m.nonce ?? '', typeUrl: m.type_url ?? '', secrets };
}
