/**
 * Names of the SDS service and its resource type. The messages themselves are the static code
 * generated from proto/envoy/*.proto (proto/generated, `npm run proto`), with Envoy's field
 * numbers; the tests decode what vmlet sends with Envoy's full protos.
 */
export const SECRET_TYPE_URL = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret';
export const SDS_SERVICE = 'envoy.service.secret.v3.SecretDiscoveryService';
