import { defineSection, f } from '../field.js';

/** The SDS server Envoy fetches certificates from (owner: envoy). */
export const sdsSection = defineSection('sds', 'The SDS server Envoy fetches certificates from', {
  socketPath: f.path({
    doc: 'Unix socket of the SDS server (resources default, ROOTCA, file-cert:, file-root:).',
    default: '/var/run/secrets/workload-spiffe-uds/socket',
    defaultReason: "where Istio's bootstrap points the sds-grpc cluster",
    env: ['VMLET_SDS_SOCKET'],
  }),
  fileWatchInterval: f.duration({
    doc: 'How often file-cert:/file-root: files are checked for changes (ms).',
    default: 2_000,
    defaultReason: 'fs.watch misses atomic renames on some filesystems; a cheap stat poll catches them',
    env: ['VMLET_SDS_FILE_WATCH_INTERVAL'],
  }),
});
