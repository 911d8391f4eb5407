/**
 * Envoy's command line exactly as pilot-agent builds it (pkg/envoy/proxy.go args()), pure.
 */

export interface EnvoyArgsOptions {
  readonly bootstrapPath: string;
  /** --drain-time-s, in ms (rounded to whole seconds, at least 1). */
  readonly drainTime: number;
  /** true when every node IP is IPv6. */
  readonly ipv6Only: boolean;
  readonly fileFlushInterval: number;
  readonly logLevel: string;
  /** --component-log-level, passed when not empty. */
  readonly componentLogLevel: string;
  /** --concurrency, passed only when > 0 (else Envoy uses every CPU). */
  readonly concurrency: number;
}

export function envoyArgs(o: EnvoyArgsOptions): string[] {
  return [
    '-c', o.bootstrapPath,
    '--drain-time-s', String(Math.max(1, Math.round(o.drainTime / 1000))),
    '--drain-strategy', 'immediate',
    '--local-address-ip-version', o.ipv6Only ? 'v6' : 'v4',
    '--file-flush-interval-msec', String(o.fileFlushInterval),
    '--disable-hot-restart',
    '--allow-unknown-static-fields',
    '-l', o.logLevel,
    ...(o.componentLogLevel ? ['--component-log-level', o.componentLogLevel] : []),
    '--skip-deprecated-logs',
    ...(o.concurrency > 0 ? ['--concurrency', String(o.concurrency)] : []),
  ];
}
