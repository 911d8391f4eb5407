/**
 * Envoy's admin API on loopback, the calls vmlet makes: stats for readiness and the drain,
 * /healthcheck/fail and /drain_listeners for the drain. Every call has a timeout; a failure is
 * a VMLET_ENVOY_ADMIN_FAILED error (retryable: the caller decides).
 */
import { request } from 'node:http';
import { VmletError } from '../errors.js';
import './errors.js';

export interface EnvoyAdmin {
  get(path: string, timeoutMs?: number): Promise<string>;
  post(path: string, timeoutMs?: number): Promise<string>;
}

export function envoyAdmin(host: string, port: number): EnvoyAdmin {
  const call = (method: 'GET' | 'POST', path: string, timeoutMs = 3000) =>
    new Promise<string>((resolve, reject) => {
      const fail = (why: string, cause?: unknown) =>
        reject(new VmletError('VMLET_ENVOY_ADMIN_FAILED', `Envoy admin ${method} ${path}: ${why}`, { cause, details: { method, path } }));
      const req = request({ host, port, method, path, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          if ((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300) resolve(body);
          else fail(`HTTP ${res.statusCode}: ${body.slice(0, 200)}`);
        });
        res.on('error', (err) => fail(err.message, err));
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', (err) => fail(err.message, err));
      req.end();
    });
  return { get: (p, t) => call('GET', p, t), post: (p, t) => call('POST', p, t) };
}

/** Parses Envoy's plain-text stats (`name: value` lines) into numbers; non-numeric values are skipped. */
export function parseStats(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const i = line.lastIndexOf(': ');
    if (i <= 0) continue;
    const value = Number(line.slice(i + 2).trim());
    if (Number.isFinite(value)) out.set(line.slice(0, i).trim(), value);
  }
  return out;
}

/**
 * Active downstream connections as Istio counts them for EXIT_ON_ZERO_ACTIVE_CONNECTIONS: the sum of
 * listener.*.downstream_cx_active, skipping worker_*, envoy_internal_*, admin and the 15021/15090 listeners.
 */
export function activeDownstreamConnections(stats: Map<string, number>, skipPorts: readonly number[]): number {
  let sum = 0;
  for (const [name, value] of stats) {
    if (!name.startsWith('listener.') || !name.endsWith('.downstream_cx_active')) continue;
    if (name.includes('.worker_') || name.includes('envoy_internal_') || name.startsWith('listener.admin.')) continue;
    if (skipPorts.some((p) => name.includes(`_${p}.`))) continue;
    sum += value;
  }
  return sum;
}
