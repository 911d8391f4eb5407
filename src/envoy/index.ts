/**
 * Envoy: the sidecar process and everything vmlet does to it.
 *
 * Owns: the bootstrap (pure builder, `vmlet bootstrap print`), Envoy's command line, the process
 * (user, process group, logs, PID file, leftover cleanup, restarts with backoff), readiness from
 * the admin API (the `envoy` gate and EnvoyReadiness for capture and health) and the drain on
 * stop. createSidecar() also mounts the SDS server (src/sds).
 * Must not touch: node id and metadata (computed by src/xds, passed in), the xDS proxy, iptables,
 * the identity (read through IdentitySource only).
 */
export { createSidecar, bootstrapFor, envoyArgsFor, ENVOY_RESTART, type Sidecar, type SidecarOptions } from './sidecar.js';
export { buildBootstrap, isIpv6Only, type EnvoyNode, type BootstrapOptions } from './bootstrap.js';
export { envoyArgs } from './args.js';
export type { EnvoyReadiness } from './readiness.js';
export type { EnvoyState } from './states.js';
export { ENVOY_ERRORS } from './errors.js';
