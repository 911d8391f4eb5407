// Property (fast-check): a genuine attestation with one byte or character changed, inserted,
// deleted, or cut short is refused with an OnboardRefusal, never another exception. Where the
// signed bytes themselves change (the AWS document, a JWT's header.payload, the PKCS#7's embedded
// content) it never verifies; elsewhere (the DER around the signed content, a JWT signature's
// spare base64url bits) a mutation may leave the signature valid, and then the verified identity
// and replay key must be the original's exactly, so a re-spelled artefact is still a replay.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnboardRefusal } from '../../../src/onboard/protocol.js';
import { createAwsVerifier } from '../../../src/onboard-server/attest/aws.js';
import { createAzureVerifier } from '../../../src/onboard-server/attest/azure.js';
import { createGcpVerifier } from '../../../src/onboard-server/attest/gcp.js';
import type { VerifiedIdentity, Verifier, VerifyContext } from '../../../src/onboard-server/attest/types.js';
import { awsItem, azureAnswer, defaultSettings, gcpToken, type CloudKeys } from '../../helpers/cloud-keys.js';
import type { TmpDir } from '../../helpers/tmp-dir.js';
import { AUDIENCE, contextFor, NONCE, setupKeys } from './attest-fixtures.js';

let tmp: TmpDir;
let keys: CloudKeys;
beforeAll(() => ({ tmp, keys } = setupKeys('attest-mutations')));
afterAll(() => tmp.cleanup());

const RUNS = Number(process.env.VMLET_FC_RUNS ?? 150);
const mutation = fc.record({
  kind: fc.constantFrom('replace', 'insert', 'delete', 'truncate'),
  at: fc.nat(),
  value: fc.integer({ min: 0, max: 255 }),
});
type Mutation = { kind: string; at: number; value: number };

function mutateBytes(b: Buffer, m: Mutation): Buffer {
  const i = m.at % b.length;
  if (m.kind === 'replace') return Buffer.concat([b.subarray(0, i), Buffer.from([b[i] === m.value ? (m.value + 1) % 256 : m.value]), b.subarray(i + 1)]);
  if (m.kind === 'insert') return Buffer.concat([b.subarray(0, i), Buffer.from([m.value]), b.subarray(i)]);
  if (m.kind === 'delete') return Buffer.concat([b.subarray(0, i), b.subarray(i + 1)]);
  return b.subarray(0, i);
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=." :{}';
function mutateText(s: string, m: Mutation): string {
  const i = m.at % s.length;
  const c = ALPHABET[m.value % ALPHABET.length]!;
  if (m.kind === 'replace') return s.slice(0, i) + (s[i] === c ? ALPHABET[(m.value + 1) % ALPHABET.length]! : c) + s.slice(i + 1);
  if (m.kind === 'insert') return s.slice(0, i) + c + s.slice(i);
  if (m.kind === 'delete') return s.slice(0, i) + s.slice(i + 1);
  return s.slice(0, i);
}

/** Verify; an OnboardRefusal is "refused", anything else thrown fails the property. */
async function outcome(v: Verifier, att: unknown, ctx: VerifyContext): Promise<VerifiedIdentity | 'refused'> {
  try {
    return await v.verify(att, ctx);
  } catch (err) {
    if (err instanceof OnboardRefusal) return 'refused';
    throw err;
  }
}

describe('mutated attestations', () => {
  it('AWS: a changed document never verifies; a changed rsa2048 or signature is refused or verifies to the same identity', async () => {
    const v = createAwsVerifier();
    const s = defaultSettings();
    const document = awsItem(keys, s, 'document')[2];
    const rsa2048 = awsItem(keys, s, 'rsa2048')[2];
    const signature = awsItem(keys, s, 'signature')[2];
    const ctx = contextFor(keys);
    const original = await v.verify({ document, rsa2048 }, ctx);
    let refused = 0;
    await fc.assert(fc.asyncProperty(mutation, fc.boolean(), async (m, viaRsa) => {
      const doc = mutateText(document, m);
      if (doc === document) return;
      expect(await outcome(v, viaRsa ? { document: doc, rsa2048 } : { document: doc, signature }, ctx)).toBe('refused');
      const der = mutateBytes(Buffer.from(rsa2048, 'base64'), m);
      const r = await outcome(v, { document, rsa2048: der.toString('base64') }, ctx);
      if (r === 'refused') refused++;
      else expect(r).toEqual(original);
      const sig = await outcome(v, { document, signature: mutateBytes(Buffer.from(signature, 'base64'), m).toString('base64') }, ctx);
      expect(sig).toBe('refused');
    }), { numRuns: RUNS });
    expect(refused).toBeGreaterThan(RUNS / 2);
  });

  it('GCP: a changed header or payload never verifies; a changed signature is refused or verifies with the same replay key', async () => {
    const v = createGcpVerifier();
    const now = new Date();
    const token = gcpToken(keys, defaultSettings(), AUDIENCE, now);
    const ctx = contextFor(keys, { now });
    const original = await v.verify({ token }, ctx);
    const signedPart = token.lastIndexOf('.');
    let refused = 0;
    await fc.assert(fc.asyncProperty(mutation, async (m) => {
      const t = mutateText(token, m);
      if (t === token) return;
      const r = await outcome(v, { token: t }, ctx);
      if (m.at % token.length < signedPart || m.kind === 'truncate') expect(r).toBe('refused');
      if (r === 'refused') refused++;
      else expect(r).toEqual(original);
    }), { numRuns: RUNS });
    expect(refused).toBeGreaterThan(RUNS / 2);
  });

  it('Azure: a changed PKCS#7 is refused or verifies to the same document and replay key', async () => {
    const v = createAzureVerifier();
    const now = new Date(Date.now() + 60_000);
    const signature = (JSON.parse(azureAnswer(keys, defaultSettings(), NONCE, now)) as { signature: string }).signature;
    const ctx = contextFor(keys, { now });
    const original = await v.verify({ signature }, ctx);
    let refused = 0;
    await fc.assert(fc.asyncProperty(mutation, async (m) => {
      const der = mutateBytes(Buffer.from(signature, 'base64'), m);
      const r = await outcome(v, { signature: der.toString('base64') }, ctx);
      if (r === 'refused') refused++;
      else expect(r).toEqual(original);
      // The base64 text itself, mutated: refused or the same (a base64 spelling of the same bytes).
      const r2 = await outcome(v, { signature: mutateText(signature, m) }, ctx);
      if (r2 !== 'refused') expect(r2).toEqual(original);
    }), { numRuns: RUNS });
    expect(refused).toBeGreaterThan(RUNS / 2);
  });
});
