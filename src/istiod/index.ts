/**
 * istiod: the one way vmlet reaches istiod (CA and xDS share :15012). Owns the gRPC channel
 * settings (TLS root, server name, keepalive, client certificate) and per-call headers (Bearer
 * token re-read every call, ClusterID, extra headers). Must not touch: the certificate store or
 * the rotation (src/identity), nor any xDS state.
 */
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import type { Deps } from '../deps.js';
import type { IdentitySource } from '../identity/types.js';
import { createConnector } from './connector.js';
import type { IstiodConnector } from './types.js';

export type { IstiodConnector, IstiodTarget } from './types.js';
export { createConnector, serverNameFor, DEFAULT_ISTIOD_NAME, type ConnectorOptions } from './connector.js';

/**
 * Where the istio-token is read on every use: the file the loader found, else where it would be
 * (istioctl's directory, or the stock VM path), so a token written after start is picked up.
 */
export function tokenPathOf(config: Config): string {
  const { istio } = config;
  return istio.tokenPath ?? (istio.dir !== undefined ? join(istio.dir, 'istio-token') : '/var/run/secrets/tokens/istio-token');
}

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
      tokenPath: tokenPathOf(deps.config),
      keepaliveIntervalMs: istiod.keepaliveInterval,
      keepaliveTimeoutMs: istiod.keepaliveTimeout,
      now: () => deps.clock.now(),
    },
    identitySource,
  );
}
