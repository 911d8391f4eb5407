/**
 * The first key pair, generated while the rest of vmlet loads. An RSA-2048 key takes Node
 * (OpenSSL) 50–350 ms on the libuv thread pool; started before the identity module, gRPC and
 * X.509 are even imported, that time overlaps their loading instead of adding to the first
 * certificate. Only for a start without a stored certificate (first boot); node:crypto only, so
 * main.ts can import it without pulling the identity chunk in. The key never leaves the process
 * until the CSR built from it does, like any other key.
 */
// The module object (a default import): the bundle requires it as it is, and calls go through it at
// call time (the prewarm test counts them). Keys come from crypto.generateKeyPair on the thread
// pool, not WebCrypto: WebCrypto's JavaScript (internal/crypto/webcrypto and its key classes) would
// be loaded and compiled for one key at start-up, and kept.
import nodeCrypto, { type KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/schema.js';

export type KeySpec = { readonly type: 'RSA'; readonly bits: number } | { readonly type: 'ECDSA'; readonly curve: 'P256' | 'P384' };

/** A key pair as node:crypto makes it. */
export interface KeyPair {
  readonly publicKey: KeyObject;
  readonly privateKey: KeyObject;
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

let pending: { spec: string; pair: Promise<KeyPair> } | undefined;

/** RSA with e = 65537, or ECDSA on P-256/P-384 (OpenSSL's prime256v1/secp384r1), made on the thread pool. */
function generate(spec: KeySpec): Promise<KeyPair> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, publicKey: KeyObject, privateKey: KeyObject) => (err ? reject(err) : resolve({ publicKey, privateKey }));
    if (spec.type === 'RSA') nodeCrypto.generateKeyPair('rsa', { modulusLength: spec.bits, publicExponent: 0x10001 }, done);
    else nodeCrypto.generateKeyPair('ec', { namedCurve: spec.curve === 'P384' ? 'P-384' : 'P-256' }, done);
  });
}

/** Starts generating one key pair for `spec` in the background (at most one is kept). */
export function prewarmKey(spec: KeySpec): void {
  if (spec.type === 'RSA' && spec.bits < 2048) return;
  const pair = generate(spec);
  pair.catch(() => undefined);
  pending = { spec: JSON.stringify(spec), pair };
}

/** The prewarmed pair if it was made for `spec` (used once), else a new one. */
export function takeKeyPair(spec: KeySpec): Promise<KeyPair> {
  const p = pending;
  pending = undefined;
  return p !== undefined && p.spec === JSON.stringify(spec) ? p.pair.catch(() => generate(spec)) : generate(spec);
}
