/**
 * istiod: the one way vmlet reaches istiod (CA and xDS share :15012). Owns the gRPC channel
 * settings (TLS root, server name, keepalive, client certificate) and per-call headers (Bearer
 * token re-read every call, ClusterID, extra headers). Must not touch: the certificate store or
 * the rotation (src/identity), nor any xDS state.
 */
import type { Deps } from '../deps.js';
import type { IdentitySource } from '../identity/types.js';
import { createConnector } from './connector.js';
import type { IstiodConnector } from './types.js';

export type { IstiodConnector, IstiodTarget } from './types.js';
export { createConnector, serverNameFor, DEFAULT_ISTIOD_NAME, type ConnectorOptions } from './connector.js';

/** The connector for the configured istiod; `identitySource` supplies the client certificate. */
export function createIstiodConnector(deps: Pick<Deps, 'config' | 'clock'>, identitySource: IdentitySource | undefined): IstiodConnector {
  const { istiod, istio } = deps.config;
  return createConnector(
    {
      address: istiod.caAddress,
      rootPem: istio.rootCertPem ?? '',
      serverName: istiod.serverName,
      clusterId: istiod.clusterId,
      extraHeaders: istiod.extraHeaders,
      tokenPath: istio.tokenPath,
      keepaliveIntervalMs: istiod.keepaliveInterval,
      keepaliveTimeoutMs: istiod.keepaliveTimeout,
      now: () => deps.clock.now(),
    },
    identitySource,
  );
}
