/**
 * The first key pair, generated while the rest of vmlet loads. An RSA-2048 key takes Node
 * (OpenSSL) 50–350 ms on the libuv thread pool; started before the identity module, gRPC and
 * X.509 are even imported, that time overlaps their loading instead of adding to the first
 * certificate. Only for a start without a stored certificate (first boot); node:crypto only, so
 * main.ts can import it without pulling the identity chunk in. The key never leaves the process
 * until the CSR built from it does, like any other key.
 */
// The namespace, not `{ webcrypto }`: the bundle's require() of it would read the webcrypto getter
// (and load Node's WebCrypto) at start-up even when no key is made.
import * as nodeCrypto from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/schema.js';

export type KeySpec = { readonly type: 'RSA'; readonly bits: number } | { readonly type: 'ECDSA'; readonly curve: 'P256' | 'P384' };

export function keyAlgorithm(spec: KeySpec): RsaHashedKeyGenParams | (EcKeyGenParams & { hash: string }) {
  if (spec.type === 'RSA') return { name: 'RSASSA-PKCS1-v1_5', modulusLength: spec.bits, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };
  return spec.curve === 'P384' ? { name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' } : { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
}

/** The key the identity section asks for (identity.keyAlgorithm, eccCurve, rsaKeySize). */
export function keySpecOf(id: Pick<Config['identity'], 'keyAlgorithm' | 'eccCurve' | 'rsaKeySize'>): KeySpec {
  return id.keyAlgorithm === 'ECDSA' ? { type: 'ECDSA', curve: id.eccCurve } : { type: 'RSA', bits: id.rsaKeySize };
}

/** Where identity keeps its certificate and key: identity.storeDir, else <general.stateDir>/identity. */
export function identityStoreDir(config: Pick<Config, 'identity' | 'general'>): string {
  return config.identity.storeDir ?? join(config.general.stateDir, 'identity');
}

/**
 * First boot (identity on, no stored certificate): starts the first key pair now, so it is made
 * while the rest of vmlet loads. A restart with a stored certificate renews with it later and
 * makes no key here.
 */
export function prewarmFirstKey(config: Pick<Config, 'identity' | 'general'>): void {
  if (config.identity.enabled && !existsSync(join(identityStoreDir(config), 'cert-chain.pem'))) prewarmKey(keySpecOf(config.identity));
}

let pending: { spec: string; pair: Promise<CryptoKeyPair> } | undefined;

const generate = (spec: KeySpec) => nodeCrypto.webcrypto.subtle.generateKey(keyAlgorithm(spec), true, ['sign', 'verify']) as unknown as Promise<CryptoKeyPair>;

/** Starts generating one key pair for `spec` in the background (at most one is kept). */
export function prewarmKey(spec: KeySpec): void {
  if (spec.type === 'RSA' && spec.bits < 2048) return;
  const pair = generate(spec);
  pair.catch(() => undefined);
  pending = { spec: JSON.stringify(spec), pair };
}

/** The prewarmed pair if it was made for `spec` (used once), else a new one. */
export function takeKeyPair(spec: KeySpec): Promise<CryptoKeyPair> {
  const p = pending;
  pending = undefined;
  return p !== undefined && p.spec === JSON.stringify(spec) ? p.pair.catch(() => generate(spec)) : generate(spec);
}
