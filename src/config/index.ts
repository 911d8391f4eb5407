/**
 * Configuration: one schema (the section files), one loader, one way to show it.
 *
 * Owns: reading /etc/vmlet/config.yaml and the Istio VM files (cluster.env, mesh.yaml,
 * root-cert.pem, istio-token — path only —, hosts), precedence (flags > environment >
 * config.yaml > Istio VM files > defaults), validation with every problem reported at once,
 * freezing, and redaction. Must not touch: anything on disk besides reading, the network, or the
 * token's content. Capabilities read `config.<section>.<key>` and `config.istio`; they add fields
 * in their own src/config/sections/<name>.ts and re-run `npx tsx scripts/gen-config-docs.ts`.
 */
export { loadConfig, loadConfigOrThrow, DEFAULT_CONFIG_PATH, hintFor, type LoadInput, type LoadResult, type Source } from './loader.js';
export { SECTIONS, type Config } from './schema.js';
export type { IstioInputs } from './istio-inputs.js';
export { formatProblem, hasErrors, problemsError, type Problem } from './problems.js';
export { CONFIG_ERRORS } from './errors.js';
export { redactConfig, formatValue, formatDuration, isSecretName, REDACTED } from './redact.js';
export { STOCK_ISTIO_PATHS, ISTIOCTL_FILE_NAMES, istioTokenPath } from './istio-files.js';
export { isLoopbackAddress } from './sections/general.js';
export { resolveLogFormat } from './log-format.js';
export { diffConfig, type ConfigChange } from './diff.js';
export type { FileReader } from './file-reader.js';
