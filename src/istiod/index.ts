/**
 * istiod: the one way vmlet reaches istiod (CA and xDS share :15012). Owns the gRPC channel
 * settings (TLS root, server name, keepalive, client certificate) and per-call headers (Bearer
 * token from identity's ClientCredentials, ClusterID, extra headers). Must not touch: the
 * certificate store, the token file or the rotation (src/identity), nor any xDS state; it imports
 * nothing of identity.
 */
import type { Deps } from '../deps.js';
import { createConnector } from './connector.js';
import type { ClientCredentials, IstiodConnector } from './types.js';

export type { ClientCertificate, ClientCredentials, IstiodConnector, IstiodTarget } from './types.js';
export { createConnector, serverNameFor, DEFAULT_ISTIOD_NAME, type ConnectorOptions } from './connector.js';

/**
 * The connector for the configured istiod (main.ts creates it; identity's CA client and the xDS
 * proxy share it); `credentials` (identity's) supply the client certificate and the token.
 */
export function createIstiodConnector(deps: { readonly config: Deps['config']; readonly clock: Pick<Deps['clock'], 'now'> }, credentials: ClientCredentials | undefined): IstiodConnector {
  const { istiod, istio } = deps.config;
  return createConnector(
    {
      address: istiod.caAddress,
      rootPem: istio.rootCertPem ?? '',
      serverName: istiod.serverName,
      clusterId: istiod.clusterId,
      extraHeaders: istiod.extraHeaders,
      keepaliveIntervalMs: istiod.keepaliveInterval,
      keepaliveTimeoutMs: istiod.keepaliveTimeout,
      now: () => deps.clock.now(),
    },
    credentials,
  );
}
