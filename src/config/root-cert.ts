/**
 * Checks root-cert.pem: one or more PEM certificates, each parsing as X.509 and each a CA
 * (basic constraints CA:TRUE). istiod's `istio-ca-root-cert` may hold several roots during a
 * root rotation, so every block is checked. Pure apart from node:crypto parsing.
 */
import { X509Certificate } from 'node:crypto';
import { problem, type Problem } from './problems.js';

const BLOCK_RE = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;

/** `now` (ms since the epoch) is injectable; expiry is a warning because a fresh VM's clock may be wrong. */
export function checkRootCertPem(text: string, file: string, now: number = Date.now()): Problem[] {
  const problems: Problem[] = [];
  const blocks = [...text.matchAll(BLOCK_RE)];
  if (blocks.length === 0) {
    problems.push(problem('VMLET_ROOT_CERT_INVALID', {
      file,
      message: 'is not PEM: no -----BEGIN CERTIFICATE----- block',
      hint: 'copy root-cert.pem from istioctl x workload entry configure output (the istio-ca-root-cert ConfigMap)',
    }));
    return problems;
  }
  blocks.forEach((m, index) => {
    const line = text.slice(0, m.index).split('\n').length;
    const label = m[1] as string;
    if (label !== 'CERTIFICATE') {
      // Never echo the block: it may be a private key pasted by mistake.
      problems.push(problem('VMLET_ROOT_CERT_INVALID', {
        file, line,
        message: `block ${index + 1} is a ${label}, not a CERTIFICATE`,
        hint: 'root-cert.pem must hold only the mesh root CA certificate(s); remove other blocks (and never ship a private key)',
      }));
      return;
    }
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(m[0]);
    } catch {
      problems.push(problem('VMLET_ROOT_CERT_INVALID', {
        file, line, message: `certificate ${index + 1} does not parse as X.509`,
        hint: 'copy the file again without editing; it is base64 DER between the BEGIN/END lines',
      }));
      return;
    }
    const notAfter = Date.parse(cert.validTo);
    const notBefore = Date.parse(cert.validFrom);
    if (now > notAfter || now < notBefore) {
      problems.push(problem('VMLET_ROOT_CERT_INVALID', {
        severity: 'warning', file, line,
        message: `certificate ${index + 1} is ${now > notAfter ? `expired (not after ${cert.validTo})` : `not yet valid (not before ${cert.validFrom})`}`,
        hint: 'check the VM clock (timedatectl), then fetch the current istio-ca-root-cert',
      }));
    }
    if (!cert.ca) {
      problems.push(problem('VMLET_ROOT_CERT_INVALID', {
        file, line,
        message: `certificate ${index + 1} (${cert.subject.replaceAll('\n', ', ')}) is not a CA certificate (basic constraints CA:FALSE or absent)`,
        hint: 'use the mesh root CA (istio-ca-root-cert ConfigMap), not a workload or leaf certificate',
      }));
    }
  });
  return problems;
}
