/**
 * The workload identity other capabilities consume (SDS serves it to Envoy, src/istiod presents
 * it to istiod as the client certificate). Owned by src/identity; read-only for everyone else.
 */

export interface WorkloadIdentity {
  /** spiffe://<trust domain>/ns/<ns>/sa/<sa>, read from the issued leaf. */
  readonly spiffeId: string;
  /** PEM: the leaf first, then intermediates (as istiod returned them, without the root). */
  readonly certChainPem: string;
  /** PEM private key (PKCS#8). Never log it. */
  readonly keyPem: string;
  /** PEM: the trust anchors (root certificate(s)). */
  readonly rootPem: string;
  /** Validity of the leaf, ms since the epoch. */
  readonly notBefore: number;
  readonly notAfter: number;
}

export interface IdentitySource {
  /** The current certificate, or undefined before the first one (or after it expired). */
  current(): WorkloadIdentity | undefined;
  /** Called after every change (renewal, root rotation); returns an unsubscribe function. */
  subscribe(listener: (identity: WorkloadIdentity) => void): () => void;
}
