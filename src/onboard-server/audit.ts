/**
 * The audit trail: one JSON line per onboarding decision, allowed or refused, on stdout (the
 * container log; one line, one decision). Fields: time, audit ("onboard"), service (the configured
 * audience), decision (allowed|refused), code (ONBOARD_* or OK), reason, provider, instance,
 * account, group (NS/NAME), policy, hostname (as the VM claims it: unsigned), remote (client
 * address), durationMs. Never a token, a key or a reauthSecret: records are built from the
 * verified identity's public fields only.
 */
export interface AuditRecord {
  readonly decision: 'allowed' | 'refused';
  readonly code: string;
  readonly reason: string;
  readonly provider?: string;
  readonly instance?: string;
  readonly account?: string;
  readonly group?: string;
  readonly policy?: string;
  readonly hostname?: string;
  readonly remote?: string;
  readonly durationMs: number;
}

export interface AuditSink {
  record(rec: AuditRecord): void;
}

/** Writes records as JSON lines to `out` (stdout by default). */
export function jsonLinesAudit(service: string, out: { write(text: string): unknown } = process.stdout, now: () => Date = () => new Date()): AuditSink {
  return {
    record(rec) {
      out.write(`${JSON.stringify({ time: now().toISOString(), audit: 'onboard', service, ...rec })}\n`);
    },
  };
}
