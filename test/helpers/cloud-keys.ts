/**
 * FAKE cloud signing material (test/fakes/cloud-keys.mjs) and the FAKE cloud metadata service
 * (test/fakes/fake-cloud-metadata.mjs) for tests: make the keys once per suite, start one fake
 * per provider, point the onboard server's `trust:` at `keys.trust`. Nothing here is any cloud's
 * real key or service.
 */
import { join } from 'node:path';
import { AIA_URL, cmsSign, makeCloudKeys, type CloudKeys } from '../fakes/cloud-keys.mjs';
import { spawnListening } from './listening-child.js';
export { awsDocument, awsItem, azureAnswer, azureTime, defaultSettings, gcpToken, type CloudDocumentSettings } from '../fakes/cloud-documents.mjs';

export { AIA_URL, cmsSign, makeCloudKeys, type CloudKeys };

const FAKE = join(import.meta.dirname, '..', 'fakes', 'fake-cloud-metadata.mjs');

/** The settings `POST /__fake/set` accepts (see the fake's header). */
export interface FakeCloudSettings {
  status?: number;
  delayMs?: number;
  signWith?: 'trusted' | 'other' | 'wrong-san';
  tamper?: boolean;
  timeOffsetSeconds?: number;
  document?: Record<string, unknown>;
  substitute?: boolean;
  missing?: Array<'rsa2048' | 'signature'>;
  claims?: Record<string, unknown>;
  computeEngine?: Record<string, unknown>;
  lifetimeSeconds?: number;
  rotate?: boolean;
  payload?: Record<string, unknown>;
  nonce?: string;
}

export interface FakeCloudMetadata {
  readonly provider: 'aws' | 'gcp' | 'azure';
  readonly port: number;
  /** http://127.0.0.1:<port> — the agent's onboarding.metadataUrl; for gcp also the JWKS host. */
  readonly url: string;
  readonly pid: number;
  set(settings: FakeCloudSettings): Promise<void>;
  reset(): Promise<void>;
  /** Requests served, by path. */
  requests(): Promise<Record<string, number>>;
  /** Stops the fake (SIGTERM to its PID) and waits for it to exit. Idempotent. */
  stop(): Promise<void>;
}

/** Starts the FAKE metadata service for `provider` on loopback, signing with the keys in `keysDir`. */
/**
 * `timeoutMs` bounds the wait for its LISTENING line (the event this waits on) in case the child
 * hangs; it is no performance expectation: the first fake makes the test keys with openssl, which
 * took over 15 s on a loaded 2-core machine (npm test failed there with a 15 s bound).
 */
export async function startFakeCloudMetadata(provider: 'aws' | 'gcp' | 'azure', keysDir: string, timeoutMs = 90_000): Promise<FakeCloudMetadata> {
  const { child, port, exited } = await spawnListening(`FAKE cloud metadata (${provider})`, [FAKE, '--provider', provider, '--listen', '127.0.0.1:0', '--keys', keysDir], timeoutMs);
  const url = `http://127.0.0.1:${port}`;
  const post = async (path: string, body: unknown): Promise<void> => {
    const res = await fetch(`${url}${path}`, { method: 'POST', body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`FAKE cloud metadata ${path}: ${res.status} ${await res.text()}`);
  };
  return {
    provider,
    port,
    url,
    pid: child.pid!,
    set: (s) => post('/__fake/set', s),
    reset: () => post('/__fake/reset', {}),
    requests: async () => ((await (await fetch(`${url}/__fake/state`)).json()) as { requests: Record<string, number> }).requests,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
