/**
 * Shared by the verifier tests: FAKE keys in a temp dir (test/fakes/cloud-keys.mjs), the
 * VerifyContext pointing at them, and a refusal matcher that also checks no secret is echoed.
 */
import { expect } from 'vitest';
import { OnboardRefusal, type OnboardRefusalCode } from '../../../src/onboard/protocol.js';
import type { TrustConfig, VerifyContext } from '../../../src/onboard-server/attest/types.js';
import { makeCloudKeys, type CloudKeys } from '../../helpers/cloud-keys.js';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp-dir.js';

export const NONCE = 'abcdefghijklmnopqrstuvwxyz012345';
export const AUDIENCE = 'https://vmlet-onboard.vmlet-onboard.svc';

export function setupKeys(tag: string): { tmp: TmpDir; keys: CloudKeys } {
  const tmp = makeTmpDir(tag);
  return { tmp, keys: makeCloudKeys(tmp.join('keys')) };
}

export function trustFor(keys: CloudKeys): TrustConfig {
  return {
    aws: { certificates: [keys.aws.cert] },
    gcp: { jwksFile: keys.gcp.jwksFile, issuer: 'https://accounts.google.com', maxAgeSeconds: 3600 },
    azure: { roots: [keys.azure.root], sanSuffixes: ['metadata.azure.com'] },
  };
}

export function contextFor(keys: CloudKeys, over: Partial<VerifyContext> = {}): VerifyContext {
  return { now: new Date(), nonce: NONCE, audience: AUDIENCE, trust: trustFor(keys), clockSkewSeconds: 60, ...over };
}

/** Awaits a refusal with `code` whose reason matches `reason`, has a fix, and contains none of `secrets`. */
export async function expectRefusal(p: Promise<unknown>, code: OnboardRefusalCode, reason: RegExp, secrets: string[] = []): Promise<OnboardRefusal> {
  let caught: unknown;
  try {
    await p;
  } catch (err) {
    caught = err;
  }
  expect(caught, `expected ${code}, got success`).toBeInstanceOf(OnboardRefusal);
  const r = caught as OnboardRefusal;
  expect({ code: r.code, reason: r.reason }).toEqual({ code, reason: expect.stringMatching(reason) });
  expect(r.fix.length).toBeGreaterThan(10);
  for (const s of secrets) {
    expect(r.reason).not.toContain(s);
    expect(r.fix).not.toContain(s);
    expect(r.message).not.toContain(s);
  }
  return r;
}
