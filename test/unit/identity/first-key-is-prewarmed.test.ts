// The first key pair can be generated while vmlet loads (key-prewarm.ts); the CSR must then be
// built from exactly that pair, once, and a key made for another spec is never used.
import { describe, expect, it, vi } from 'vitest';
import { writeFileSync } from 'node:fs';
import { identityStoreDir, prewarmFirstKey, prewarmKey, takeKeyPair } from '../../../src/identity/key-prewarm.js';
import { generateKeyAndCsr } from '../../../src/identity/keys.js';
import { createPrivateKey, createPublicKey, webcrypto } from 'node:crypto';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { testConfig } from '../../helpers/test-config.js';
import { makeTmpDir } from '../../helpers/tmp-dir.js';

const spkiOf = async (pair: CryptoKeyPair) => Buffer.from(await webcrypto.subtle.exportKey('spki', pair.publicKey as webcrypto.CryptoKey)).toString('base64');

describe('first key prewarm', () => {
  it('hands the prewarmed pair out once, for the same spec only', async () => {
    const gen = vi.spyOn(webcrypto.subtle, 'generateKey');
    try {
      prewarmKey({ type: 'ECDSA', curve: 'P256' });
      // The key generation starts at prewarm, not when the pair is taken.
      expect(gen).toHaveBeenCalledTimes(1);
      const prewarmed = await (gen.mock.results[0]!.value as Promise<CryptoKeyPair>);
      const a = await takeKeyPair({ type: 'ECDSA', curve: 'P256' });
      expect(a).toBe(prewarmed);
      const b = await takeKeyPair({ type: 'ECDSA', curve: 'P256' });
      expect(gen).toHaveBeenCalledTimes(2);
      expect(await spkiOf(a)).not.toBe(await spkiOf(b));
      prewarmKey({ type: 'ECDSA', curve: 'P384' });
      const p384 = await (gen.mock.results[2]!.value as Promise<CryptoKeyPair>);
      expect((p384.publicKey.algorithm as EcKeyAlgorithm).namedCurve).toBe('P-384');
      const other = await takeKeyPair({ type: 'ECDSA', curve: 'P256' });
      expect(other).not.toBe(p384);
      expect((other.publicKey.algorithm as EcKeyAlgorithm).namedCurve).toBe('P-256');
    } finally {
      gen.mockRestore();
    }
  });

  it('the CSR is built from the prewarmed key: no second key generation', async () => {
    const gen = vi.spyOn(webcrypto.subtle, 'generateKey');
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
    const gen = vi.spyOn(webcrypto.subtle, 'generateKey');
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
