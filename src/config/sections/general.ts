import { BlockList, isIP } from 'node:net';
import { defineSection, f, type SectionProblem } from '../field.js';

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Loopback: 127.0.0.0/8, ::1 in any spelling (also IPv4-mapped), and the name localhost. */
export function isLoopbackAddress(address: string): boolean {
  if (address === 'localhost') return true;
  const family = isIP(address);
  return family !== 0 && LOOPBACK.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/** Paths, logging, shutdown timings and the local status server (owner: foundation). */
export const generalSection = defineSection(
  'general',
  'Paths, logging, shutdown timings and the local status server',
  {
    statusAddress: f.string({
      doc: 'Address the local status server (/healthz, /metrics, /events, /debug/config) listens on.',
      default: '127.0.0.1',
      defaultReason: 'loopback: the status server has no authentication',
      env: ['VMLET_STATUS_ADDRESS'],
    }),
    statusPort: f.port({
      doc: 'TCP port of the local status server; 0 picks a free port (tests).',
      default: 15020,
      defaultReason: "pilot-agent's status port, so existing probes and scrapers keep working",
      env: ['VMLET_STATUS_PORT'],
      // ProxyConfig.status_port is pilot-agent's status server (Istio's options/statusserver.go).
      mesh: 'defaultConfig.statusPort',
    }),
    allowNonLoopback: f.bool({
      doc: 'Allow statusAddress to be a non-loopback address (exposes /debug/config and /metrics to the network).',
      default: false,
      defaultReason: 'the status server is unauthenticated; exposing it must be a deliberate choice',
      env: ['VMLET_STATUS_ALLOW_NON_LOOPBACK'],
    }),
    logLevel: f.enumOf(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const, {
      doc: 'Lowest log level written.',
      default: 'info',
      env: ['VMLET_LOG_LEVEL'],
      live: true,
    }),
    logFormat: f.enumOf(['auto', 'json', 'pretty'] as const, {
      doc: 'Log format: json (for journald), pretty (for people), or auto (pretty when stdout is a terminal, else json).',
      default: 'auto',
      env: ['VMLET_LOG_FORMAT'],
    }),
    stateDir: f.path({
      doc: 'Directory for state that survives restarts (certificates, 0600 keys).',
      default: '/var/lib/vmlet',
      defaultReason: 'FHS: persistent per-host state',
      env: ['VMLET_STATE_DIR'],
    }),
    runDir: f.path({
      doc: 'Directory for runtime files that vanish on reboot (sockets, pid-scoped files).',
      default: '/run/vmlet',
      defaultReason: "FHS: tmpfs runtime state; matches systemd's RuntimeDirectory=vmlet",
      env: ['VMLET_RUN_DIR'],
    }),
    drainGrace: f.duration({
      doc: 'How long Envoy drains connections on a graceful stop before it is stopped (ms).',
      default: 5_000,
      defaultReason: "Istio's terminationDrainDuration default (5s)",
      env: ['VMLET_DRAIN_GRACE'],
      mesh: 'defaultConfig.terminationDrainDuration',
    }),
    shutdownTimeout: f.duration({
      doc: 'Upper bound for a graceful stop (drain included); after it vmlet stops everything forcibly (ms).',
      default: 25_000,
      defaultReason: "below systemd's default TimeoutStopSec (90s) and istio.service's 30s, so vmlet ends before SIGKILL",
      env: ['VMLET_SHUTDOWN_TIMEOUT'],
    }),
    forceStopTimeout: f.duration({
      doc: 'After a forced stop (second signal or shutdownTimeout), how long to wait for children before exiting anyway (ms).',
      default: 2_000,
      defaultReason: 'long enough for SIGKILLed children to be reaped, short enough for a third Ctrl-C to be rare',
      env: ['VMLET_FORCE_STOP_TIMEOUT'],
    }),
  },
  {
    check(v) {
      const out: SectionProblem[] = [];
      if (v.statusAddress !== 'localhost' && isIP(v.statusAddress) === 0) {
        out.push({ key: 'statusAddress', message: `${JSON.stringify(v.statusAddress)} is not an IP address`, hint: 'use an IP address such as 127.0.0.1 or ::1' });
      } else if (!isLoopbackAddress(v.statusAddress) && !v.allowNonLoopback) {
        out.push({
          key: 'statusAddress',
          message: `${v.statusAddress} is not a loopback address and the status server is unauthenticated`,
          hint: 'use 127.0.0.1, or set general.allowNonLoopback: true to expose it deliberately',
        });
      }
      if (v.drainGrace >= v.shutdownTimeout) {
        out.push({
          key: 'drainGrace',
          message: `drainGrace (${v.drainGrace} ms) is not shorter than shutdownTimeout (${v.shutdownTimeout} ms), so no time is left to stop`,
          hint: 'make drainGrace shorter than shutdownTimeout, or raise shutdownTimeout',
        });
      }
      return out;
    },
  },
);
