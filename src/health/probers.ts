/**
 * One check of the application, as pilot-agent's probers do it (protocol facts §6.3). Each
 * returns `undefined` when healthy, else the reason istiod will show in the WorkloadEntry's
 * Healthy condition. The edges here are thin: one request, one dial, one child process.
 */
import { execFile } from 'node:child_process';
import https from 'node:https';
import { isIPv6, connect } from 'node:net';
import { unaryCall } from '../grpc/client.js';
import { connectSession } from '../grpc/session.js';
import { GrpcError } from '../grpc/status.js';
import { decodeHealthCheckStatus, encodeHealthCheckRequest, HEALTH_CHECK_PATH, SERVING } from '../proto/health.js';
import { httpGet } from './http-get.js';
import type { ProbeAction } from './probe-spec.js';

export interface ProbeTarget {
  /** Host used when the probe names none: the first instance IP, or localhost. */
  readonly defaultHost: string;
  /** Source address for HTTP probes (127.0.0.6); IPv6 targets use ::6. */
  readonly httpSource: string;
}

export type ProbeResult = string | undefined;

export function runProbe(action: ProbeAction, target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  switch (action.kind) {
    case 'http':
      return httpProbe(action, target, timeoutMs);
    case 'tcp':
      return tcpProbe(action.host ?? target.defaultHost, action.port, timeoutMs);
    case 'exec':
      return execProbe(action.command, timeoutMs);
    default:
      return grpcProbe(target.defaultHost, action.port, action.service, timeoutMs);
  }
}

const hostForUrl = (h: string) => (isIPv6(h) ? `[${h}]` : h);

async function httpProbe(action: Extract<ProbeAction, { kind: 'http' }>, target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  const host = action.host ?? target.defaultHost;
  const source = isIPv6(host) ? '::6' : target.httpSource;
  const once = action.scheme === 'https' ? httpsOnce : httpOnce;
  const first = await once(action, host, timeoutMs, source);
  // ::6 is not configured on every host; without it an IPv6 probe is sent from the default source.
  if (first === 'EADDRNOTAVAIL') return once(action, host, timeoutMs, undefined);
  return first;
}

const verdict = (action: Extract<ProbeAction, { kind: 'http' }>, host: string, code: number): ProbeResult =>
  code >= 200 && code < 400 ? undefined : `HTTP probe failed with status ${code} (GET ${action.scheme}://${hostForUrl(host)}:${action.port}${action.path})`;

const failure = (action: Extract<ProbeAction, { kind: 'http' }>, host: string, err: NodeJS.ErrnoException): ProbeResult =>
  err.code === 'EADDRNOTAVAIL' ? 'EADDRNOTAVAIL' : `HTTP probe to ${hostForUrl(host)}:${action.port}${action.path} failed: ${err.message}`;

async function httpOnce(action: Extract<ProbeAction, { kind: 'http' }>, host: string, timeoutMs: number, localAddress: string | undefined): Promise<ProbeResult> {
  const r = await httpGet({ host, port: action.port, path: action.path, headers: action.headers, timeoutMs, ...(localAddress ? { localAddress } : {}) });
  return 'status' in r ? verdict(action, host, r.status) : failure(action, host, r.error);
}

function httpsOnce(action: Extract<ProbeAction, { kind: 'http' }>, host: string, timeoutMs: number, localAddress: string | undefined): Promise<ProbeResult> {
  const headers: Record<string, string> = { 'user-agent': 'istio-probe/1.0', connection: 'close' };
  for (const h of action.headers) headers[h.name.toLowerCase()] = h.value;
  return new Promise((resolve) => {
    const req = https.request(
      { host, port: action.port, path: action.path, method: 'GET', headers, agent: false, rejectUnauthorized: false, ...(localAddress ? { localAddress } : {}) },
      (res) => {
        res.resume();
        resolve(verdict(action, host, res.statusCode ?? 0));
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(failure(action, host, err));
    });
    req.on('close', () => clearTimeout(timer));
    req.end();
  });
}

function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => { socket.destroy(); resolve(undefined); });
    socket.once('timeout', () => { socket.destroy(); resolve(`TCP probe to ${hostForUrl(host)}:${port} timed out after ${timeoutMs} ms`); });
    socket.once('error', (err) => resolve(`TCP probe to ${hostForUrl(host)}:${port} failed: ${err.message}`));
  });
}

function execProbe(command: readonly string[], timeoutMs: number): Promise<ProbeResult> {
  const [file, ...args] = command;
  if (file === undefined) return Promise.resolve('exec probe has no command');
  return new Promise((resolve) => {
    // No shell; killed at the timeout; asynchronous, so a slow command never blocks the loop.
    execFile(file, args, { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolve(undefined);
      const e = err as NodeJS.ErrnoException & { killed?: boolean; code?: number | string };
      if (e.killed) return resolve(`exec probe ${file} killed after ${timeoutMs} ms`);
      const out = `${stderr}${stdout}`.trim().slice(0, 200);
      resolve(`exec probe ${file} failed (${typeof e.code === 'number' ? `exit ${e.code}` : e.message})${out ? `: ${out}` : ''}`);
    });
  });
}

async function grpcProbe(host: string, port: number, service: string, timeoutMs: number): Promise<ProbeResult> {
  const target = `${hostForUrl(host)}:${port}`;
  const session = connectSession({ address: target, tls: undefined, peer: target });
  try {
    const res = await unaryCall(session, HEALTH_CHECK_PATH, encodeHealthCheckRequest(service), { timeoutMs, peer: target });
    const status = decodeHealthCheckStatus(res);
    return status === SERVING ? undefined : `gRPC probe to ${target}: service ${JSON.stringify(service)} is not SERVING (status ${status})`;
  } catch (err) {
    return `gRPC probe to ${target} failed: ${err instanceof GrpcError ? err.details : (err as Error).message}`;
  }
}
