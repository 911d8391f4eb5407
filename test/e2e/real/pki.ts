/**
 * The Kubernetes PKI for the end-to-end control plane, made with openssl: a cluster CA, the
 * apiserver's serving certificate (loopback), an admin client in system:masters, and the
 * service-account signing key pair (TokenRequest signs with it, TokenReview verifies with it).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Pki {
  caCrt: string; apiserverCrt: string; apiserverKey: string; adminCrt: string; adminKey: string; saKey: string; saPub: string;
}

/** The paths makePki(dir) wrote (for a control plane attached to from a test file). */
export function pkiIn(dir: string): Pki {
  const f = (n: string) => join(dir, n);
  return { caCrt: f('ca.crt'), apiserverCrt: f('apiserver.crt'), apiserverKey: f('apiserver.key'), adminCrt: f('admin.crt'), adminKey: f('admin.key'), saKey: f('sa.key'), saPub: f('sa.pub') };
}

export function makePki(dir: string): Pki {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const f = (n: string) => join(dir, n);
  const ssl = (...a: string[]) => execFileSync('openssl', a, { cwd: dir, stdio: 'pipe', timeout: 30_000 });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '30', '-subj', '/CN=vmlet-e2e-kube-ca',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  writeFileSync(f('server.ext'), ['subjectAltName=DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:127.0.0.1',
    'extendedKeyUsage=serverAuth', 'keyUsage=critical,digitalSignature,keyEncipherment', ''].join('\n'));
  writeFileSync(f('client.ext'), ['extendedKeyUsage=clientAuth', 'keyUsage=critical,digitalSignature,keyEncipherment', ''].join('\n'));
  const leaf = (name: string, subj: string, ext: string) => {
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`), '-subj', subj);
    ssl('x509', '-req', '-in', f(`${name}.csr`), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '30', '-extfile', f(ext), '-out', f(`${name}.crt`));
  };
  leaf('apiserver', '/CN=kube-apiserver', 'server.ext');
  leaf('admin', '/O=system:masters/CN=vmlet-e2e-admin', 'client.ext');
  ssl('genrsa', '-out', f('sa.key'), '2048');
  ssl('rsa', '-in', f('sa.key'), '-pubout', '-out', f('sa.pub'));
  return { caCrt: f('ca.crt'), apiserverCrt: f('apiserver.crt'), apiserverKey: f('apiserver.key'), adminCrt: f('admin.crt'), adminKey: f('admin.key'), saKey: f('sa.key'), saPub: f('sa.pub') };
}
