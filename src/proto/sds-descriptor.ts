/**
 * The few protobuf messages vmlet's SDS server reads and writes, as a protobufjs JSON
 * descriptor embedded in the bundle (the shipped vmlet cannot read node_modules at run time).
 * Field numbers are Envoy's and googleapis' own (envoy/service/discovery/v3/discovery.proto,
 * envoy/extensions/transport_sockets/tls/v3/{secret,common}.proto, envoy/config/core/v3/base.proto,
 * google/rpc/status.proto, google/protobuf/any.proto); fields vmlet does not use are left out
 * and skipped on decode as unknown. The tests decode what vmlet sends with Envoy's full protos.
 */
import protobuf from 'protobufjs/light.js';

const s = (id: number) => ({ type: 'string', id });
const repeated = (type: string, id: number) => ({ rule: 'repeated', type, id });

export const SDS_DESCRIPTOR = {
  nested: {
    google: {
      nested: {
        protobuf: { nested: { Any: { fields: { type_url: s(1), value: { type: 'bytes', id: 2 } } } } },
        rpc: { nested: { Status: { fields: { code: { type: 'int32', id: 1 }, message: s(2), details: repeated('google.protobuf.Any', 3) } } } },
      },
    },
    envoy: {
      nested: {
        config: { nested: { core: { nested: { v3: { nested: {
          Node: { fields: { id: s(1), cluster: s(2) } },
          DataSource: {
            oneofs: { specifier: { oneof: ['filename', 'inline_bytes', 'inline_string', 'environment_variable'] } },
            fields: { filename: s(1), inline_bytes: { type: 'bytes', id: 2 }, inline_string: s(3), environment_variable: s(4) },
          },
        } } } } } },
        service: { nested: { discovery: { nested: { v3: { nested: {
          DiscoveryRequest: {
            fields: {
              version_info: s(1),
              node: { type: 'envoy.config.core.v3.Node', id: 2 },
              resource_names: repeated('string', 3),
              type_url: s(4),
              response_nonce: s(5),
              error_detail: { type: 'google.rpc.Status', id: 6 },
            },
          },
          DiscoveryResponse: {
            fields: { version_info: s(1), resources: repeated('google.protobuf.Any', 2), canary: { type: 'bool', id: 3 }, type_url: s(4), nonce: s(5) },
          },
        } } } } } },
        extensions: { nested: { transport_sockets: { nested: { tls: { nested: { v3: { nested: {
          TlsCertificate: {
            fields: {
              certificate_chain: { type: 'envoy.config.core.v3.DataSource', id: 1 },
              private_key: { type: 'envoy.config.core.v3.DataSource', id: 2 },
            },
          },
          CertificateValidationContext: { fields: { trusted_ca: { type: 'envoy.config.core.v3.DataSource', id: 1 } } },
          Secret: {
            // Envoy's oneof `type` also has session_ticket_keys (3) and generic_secret (5); vmlet sends neither.
            oneofs: { type: { oneof: ['tls_certificate', 'validation_context'] } },
            fields: {
              name: s(1),
              tls_certificate: { type: 'TlsCertificate', id: 2 },
              validation_context: { type: 'CertificateValidationContext', id: 4 },
            },
          },
        } } } } } } } },
      },
    },
  },
};

let root: protobuf.Root | undefined;

export function sdsRoot(): protobuf.Root {
  root ??= protobuf.Root.fromJSON(SDS_DESCRIPTOR);
  return root;
}

export const SECRET_TYPE_URL = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret';
export const SDS_SERVICE = 'envoy.service.secret.v3.SecretDiscoveryService';
