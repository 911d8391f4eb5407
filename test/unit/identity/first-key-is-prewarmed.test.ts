// The first key pair can be generated while vmlet loads (key-prewarm.ts); the CSR must then be
// built from exactly that pair, once, and a key made for another spec is never used.
import { describe, expect, it, vi, type MockInstance } from 'vitest';
import { writeFileSync } from 'node:fs';
import { identityStoreDir, prewarmFirstKey, prewarmKey, takeKeyPair } from '../../../src/identity/key-prewarm.js';
import { generateKeyAndCsr } from '../../../src/identity/keys.js';
import nodeCrypto, { createPrivateKey, createPublicKey, type ECKeyPairKeyObjectOptions, type KeyObject } from 'node:crypto';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { testConfig } from '../../helpers/test-config.js';
import { makeTmpDir } from '../../helpers/tmp-dir.js';

const spkiOf = (pair: { publicKey: KeyObject }) => pair.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
type Pair = { publicKey: KeyObject; privateKey: KeyObject };
/** Spies on node:crypto's generateKeyPair and keeps, in call order, each pair it made (the KeyObjects the caller got). */
function spyKeygen(): { gen: MockInstance; pairs: Promise<Pair>[] } {
  const real = nodeCrypto.generateKeyPair;
  const pairs: Promise<Pair>[] = [];
  const gen = vi.spyOn(nodeCrypto, 'generateKeyPair').mockImplementation(((type: 'ec', opts: ECKeyPairKeyObjectOptions, cb: (err: Error | null, pub: KeyObject, priv: KeyObject) => void) => {
    pairs.push(new Promise((resolve) => {
      real(type, opts, (err, publicKey, privateKey) => {
        if (!err) resolve({ publicKey, privateKey });
        cb(err, publicKey, privateKey);
      });
    }));
  }) as unknown as typeof nodeCrypto.generateKeyPair);
  return { gen, pairs };
}

describe('first key prewarm', () => {
  it('hands the prewarmed pair out once, for the same spec only', async () => {
    const { gen, pairs } = spyKeygen();
    try {
      prewarmKey({ type: 'ECDSA', curve: 'P256' });
      // The key generation starts at prewarm, not when the pair is taken.
      expect(gen).toHaveBeenCalledTimes(1);
      const prewarmed = await pairs[0]!;
      const a = await takeKeyPair({ type: 'ECDSA', curve: 'P256' });
      expect(a.privateKey).toBe(prewarmed.privateKey);
      const b = await takeKeyPair({ type: 'ECDSA', curve: 'P256' });
      expect(gen).toHaveBeenCalledTimes(2);
      expect(spkiOf(a)).not.toBe(spkiOf(b));
      prewarmKey({ type: 'ECDSA', curve: 'P384' });
      const p384 = await pairs[2]!;
      expect(p384.publicKey.asymmetricKeyDetails?.namedCurve).toBe('secp384r1');
      const other = await takeKeyPair({ type: 'ECDSA', curve: 'P256' });
      expect(other.privateKey).not.toBe(p384.privateKey);
      expect(other.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    } finally {
      gen.mockRestore();
    }
  });

  it('the CSR is built from the prewarmed key: no second key generation', async () => {
    const { gen } = spyKeygen();
    try {
      prewarmKey({ type: 'ECDSA', curve: 'P256' });
      expect(gen).toHaveBeenCalledTimes(1);
      const { csrPem, keyPem } = await generateKeyAndCsr({ type: 'ECDSA', curve: 'P256' }, 'spiffe://cluster.local/ns/a/sa/b');
      expect(gen).toHaveBeenCalledTimes(1);
      const csr = new x509.Pkcs10CertificateRequest(csrPem);
      expect(await csr.verify()).toBe(true);
      // And the stored key is the CSR's: same public key.
      const pub = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
      expect(Buffer.from(csr.publicKey.rawData).equals(pub)).toBe(true);
      // Without a prewarm, a key is generated on demand.
      await generateKeyAndCsr({ type: 'ECDSA', curve: 'P256' }, 'spiffe://cluster.local/ns/a/sa/b');
      expect(gen).toHaveBeenCalledTimes(2);
    } finally {
      gen.mockRestore();
    }
  });

  it('main.ts prewarms on first boot only: identity on and no certificate in its store', async () => {
    const tmp = makeTmpDir('prewarm');
    const { gen } = spyKeygen();
    try {
      const on = { identity: { enabled: true, keyAlgorithm: 'ECDSA', storeDir: tmp.path } };
      prewarmFirstKey(testConfig({ identity: { ...on.identity, enabled: false } }));
      expect(gen).toHaveBeenCalledTimes(0);
      prewarmFirstKey(testConfig(on));
      expect(gen).toHaveBeenCalledTimes(1);
      await takeKeyPair({ type: 'ECDSA', curve: 'P256' });
      writeFileSync(tmp.join('cert-chain.pem'), 'stored');
      prewarmFirstKey(testConfig(on));
      expect(gen).toHaveBeenCalledTimes(1);
    } finally {
      gen.mockRestore();
      tmp.cleanup();
    }
  });

  it("the store is identity.storeDir, else general.stateDir's identity folder (asked of identity, not recomputed)", () => {
    expect(identityStoreDir(testConfig({ general: { stateDir: '/srv/vmlet' } }))).toBe('/srv/vmlet/identity');
    expect(identityStoreDir(testConfig({ identity: { storeDir: '/srv/certs' } }))).toBe('/srv/certs');
  });
});
