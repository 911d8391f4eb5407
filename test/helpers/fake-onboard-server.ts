/**
 * The FAKE onboarding exchange service (test/fakes/fake-onboard-server.mjs, a test double that
 * answers what it is told) with a throwaway CA and a server certificate for 127.0.0.1, made with
 * openssl. `caFile` is what the agent's onboarding.caFile points at; `otherCaFile` is a CA that
 * did not sign it (the TLS failure). Stop it by PID with `stop()`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { send } from '../../src/onboard/agent/http.js';
import type { OnboardBundle, OnboardRefusalBody } from '../../src/onboard/protocol.js';
import { spawnListening } from './listening-child.js';

const FAKE = join(import.meta.dirname, '..', 'fakes', 'fake-onboard-server.mjs');

export type FakeAnswer = { bundle: Partial<OnboardBundle> | Record<string, unknown> } | { status: number; body: OnboardRefusalBody | Record<string, unknown> | string };

export interface FakeOnboardServer {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly caFile: string;
  readonly otherCaFile: string;
  /** Each onboard request takes the next answer; the last one stays. */
  answer(...answers: FakeAnswer[]): Promise<void>;
  /** Every request the fake received ({path, body, the client's port}), oldest first. */
  requests(): Promise<{ path: string; body: Record<string, unknown>; clientPort: number }[]>;
  stop(): Promise<void>;
}

function makeCa(dir: string, name: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.pem`);
  const key = join(dir, `${name}.key`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '2',
    '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], { stdio: 'ignore' });
  return { cert, key };
}

/** A CA and a leaf for 127.0.0.1 and localhost under `dir`. */
export function makeServerTls(dir: string): { caFile: string; otherCaFile: string; certFile: string; keyFile: string } {
  mkdirSync(dir, { recursive: true });
  const ca = makeCa(dir, 'fake-onboard-ca');
  const other = makeCa(dir, 'fake-other-ca');
  const keyFile = join(dir, 'tls.key');
  const csr = join(dir, 'tls.csr');
  const certFile = join(dir, 'tls.crt');
  const ext = join(dir, 'tls.ext');
  writeFileSync(ext, 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  execFileSync('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyFile, '-out', csr, '-subj', '/CN=fake-onboard'], { stdio: 'ignore' });
  execFileSync('openssl', ['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-out', certFile, '-days', '2', '-extfile', ext], { stdio: 'ignore' });
  return { caFile: ca.cert, otherCaFile: other.cert, certFile, keyFile };
}

export async function startFakeOnboardServer(dir: string, timeoutMs = 15_000): Promise<FakeOnboardServer> {
  const tls = makeServerTls(dir);
  const { child, port, exited } = await spawnListening('FAKE onboard server', [FAKE, '--listen', '127.0.0.1:0', '--cert', tls.certFile, '--key', tls.keyFile], timeoutMs);
  const url = `https://127.0.0.1:${port}`;
  const ca = (await import('node:fs')).readFileSync(tls.caFile, 'utf8');
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const r = await send({ method, url: `${url}${path}`, ca, timeoutMs: 5000, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    if (r.status !== 200) throw new Error(`FAKE onboard server ${path}: ${r.status} ${r.body}`);
    return JSON.parse(r.body) as unknown;
  };
  return {
    url, port, pid: child.pid!, caFile: tls.caFile, otherCaFile: tls.otherCaFile,
    answer: async (...answers) => { await call('POST', '/__fake/set', { answers }); },
    requests: async () => ((await call('GET', '/__fake/state')) as { requests: { path: string; body: Record<string, unknown>; clientPort: number }[] }).requests,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
