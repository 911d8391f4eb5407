import 'reflect-metadata';
import { createPrivateKey } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { describe, expect, it } from 'vitest';
import { generateKeyAndCsr, spiffeId } from '../../../src/identity/keys.js';

describe('key and CSR', () => {
  it.each([
    [{ type: 'RSA', bits: 2048 } as const, 'rsa', 'RSASSA-PKCS1-v1_5'],
    [{ type: 'ECDSA', curve: 'P256' } as const, 'ec', 'ECDSA'],
    [{ type: 'ECDSA', curve: 'P384' } as const, 'ec', 'ECDSA'],
  ])('%j: PKCS#8 key, signed CSR with one critical URI SAN and an empty subject', async (spec, keyType, alg) => {
    const uri = spiffeId('cluster.local', 'bar', 'vm-sa');
    const a = await generateKeyAndCsr(spec, uri);
    const b = await generateKeyAndCsr(spec, uri);
    expect(a.keyPem).not.toBe(b.keyPem);
    expect(a.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(createPrivateKey(a.keyPem).asymmetricKeyType).toBe(keyType);
    const csr = new x509.Pkcs10CertificateRequest(a.csrPem);
    expect(await csr.verify()).toBe(true);
    expect(csr.subject).toBe('');
    expect(csr.signatureAlgorithm.name).toBe(alg);
    const san = csr.extensions.find((e) => e instanceof x509.SubjectAlternativeNameExtension) as x509.SubjectAlternativeNameExtension;
    expect(san.critical).toBe(true);
    expect(san.names.items.map((n) => [n.type, n.value])).toEqual([['url', 'spiffe://cluster.local/ns/bar/sa/vm-sa']]);
  });

  it('refuses RSA below 2048 bits', async () => {
    await expect(generateKeyAndCsr({ type: 'RSA', bits: 1024 }, 'spiffe://x/ns/a/sa/b')).rejects.toThrow(/below 2048/);
  });
});
