/**
 * Throwaway certificates for SDS and fake-Envoy tests: a root CA and workload leaves signed by
 * it (EC P-256, SPIFFE URI SAN), made with openssl in a temp dir. Nothing here is a real secret.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IdentitySource, WorkloadIdentity } from '../../../src/identity/types.js';

export interface TestPki {
  readonly rootPem: string;
  /** A new leaf (and its key) signed by the root. */
  leaf(spiffeId?: string): { certPem: string; keyPem: string };
  cleanup(): void;
}

export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'vmlet-pki-'));
  const ossl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  ossl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key');
  ossl('req', '-x509', '-new', '-key', 'ca.key', '-subj', '/O=vmlet-test/CN=test root', '-days', '2',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', 'ca.pem');
  let n = 0;
  return {
    rootPem: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    leaf(spiffeId = 'spiffe://cluster.local/ns/bar/sa/vm-sa') {
      n += 1;
      ossl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `leaf${n}.key`);
      ossl('req', '-new', '-key', `leaf${n}.key`, '-subj', '/O=vmlet-test', '-out', `leaf${n}.csr`);
      writeFileSync(join(dir, `leaf${n}.ext`), `subjectAltName=critical,URI:${spiffeId}\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n`);
      ossl('x509', '-req', '-in', `leaf${n}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-extfile', `leaf${n}.ext`, '-out', `leaf${n}.pem`);
      return { certPem: readFileSync(join(dir, `leaf${n}.pem`), 'utf8'), keyPem: readFileSync(join(dir, `leaf${n}.key`), 'utf8') };
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** An IdentitySource the test drives: set() replaces the identity and tells subscribers. */
export class FakeIdentitySource implements IdentitySource {
  private id: WorkloadIdentity | undefined;
  private readonly listeners = new Set<(id: WorkloadIdentity) => void>();

  current(): WorkloadIdentity | undefined {
    return this.id;
  }

  subscribe(listener: (identity: WorkloadIdentity) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  set(pki: TestPki, leaf = pki.leaf()): WorkloadIdentity {
    const now = Date.now();
    this.id = { spiffeId: 'spiffe://cluster.local/ns/bar/sa/vm-sa', certChainPem: leaf.certPem, keyPem: leaf.keyPem, rootPem: pki.rootPem, notBefore: now, notAfter: now + 86_400_000 };
    for (const l of this.listeners) l(this.id);
    return this.id;
  }
}
