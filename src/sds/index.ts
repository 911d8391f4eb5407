/**
 * SDS: the secret discovery server Envoy fetches its certificates from, on a Unix socket.
 *
 * Owns: the SDS socket (sds.socketPath) and its directory, the gRPC SecretDiscoveryService
 * (StreamSecrets; Delta and Fetch are UNIMPLEMENTED), the meaning of resource names (`default`,
 * `ROOTCA`, `file-cert:<cert>~<key>`, `file-root:<path>`, `file-root:system`) and pushing rotations to
 * every stream.
 * Must not touch: the identity itself (it only reads an IdentitySource), Envoy's process, xDS.
 */
import type { Deps } from '../deps.js';
import type { IdentitySource } from '../identity/types.js';
import { SdsServer } from './server.js';

export { SdsServer, type SdsServerOptions } from './server.js';
export { parseResourceName, ROOT_CA, WORKLOAD_CERT } from './secrets.js';
export { SDS_ERRORS } from './errors.js';

/** The SDS server as a Component (mount it; abort stops it and removes the socket). */
export function createSdsServer(
  deps: Pick<Deps, 'config' | 'logger' | 'clock' | 'status'>,
  opts: { identity: IdentitySource; envoyGid?: number },
): SdsServer {
  return new SdsServer({
    socketPath: deps.config.sds.socketPath,
    fileWatchInterval: deps.config.sds.fileWatchInterval,
    identity: opts.identity,
    logger: deps.logger.child({ component: 'sds' }),
    clock: deps.clock,
    status: deps.status,
    ...(opts.envoyGid !== undefined ? { envoyGid: opts.envoyGid } : {}),
  });
}
