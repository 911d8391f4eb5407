import { describe, expect, it } from 'vitest';
import { decodeResponse, type DiscoveryRequest } from '../../../src/sds/codec.js';
import { SecretSource } from '../../../src/sds/secrets.js';
import { SdsStream, type StreamFailure } from '../../../src/sds/stream.js';
import { silentLogger } from '../../../src/log.js';
import type { IdentitySource, WorkloadIdentity } from '../../../src/identity/types.js';

class ManualIdentity implements IdentitySource {
  id: WorkloadIdentity | undefined;
  listeners: ((i: WorkloadIdentity) => void)[] = [];
  current() { return this.id; }
  subscribe(l: (i: WorkloadIdentity) => void) { this.listeners.push(l); return () => undefined; }
  set(cert: string, root = 'ROOT-1') {
    this.id = { spiffeId: 's', certChainPem: cert, keyPem: `KEY-${cert}`, rootPem: root, notBefore: 0, notAfter: 1 };
    for (const l of this.listeners) l(this.id);
  }
}

const req = (r: Partial<DiscoveryRequest>): DiscoveryRequest => ({ versionInfo: '', nodeId: undefined, resourceNames: [], typeUrl: '', responseNonce: '', errorDetail: undefined, ...r });

function setup() {
  const identity = new ManualIdentity();
  const source = new SecretSource({ identity, logger: silentLogger(), fileWatchInterval: 1000 });
  const sent: ReturnType<typeof decodeResponse>[] = [];
  const failures: StreamFailure[] = [];
  const stream = new SdsStream(1, { send: (b) => sent.push(decodeResponse(b)), fail: (f) => failures.push(f) }, source, silentLogger(), () => 0);
  source.subscribe((n) => stream.push(n));
  return { identity, stream, sent, failures };
}

describe('SDS stream semantics', () => {
  it('before the first certificate nothing is sent (never an empty response); the certificate is pushed when it arrives', () => {
    const { identity, stream, sent } = setup();
    stream.onRequest(req({ nodeId: 'n', resourceNames: ['default'] }));
    expect(sent).toEqual([]);
    identity.set('CERT-1');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.secrets).toEqual([{ name: 'default', certChainPem: 'CERT-1', keyPem: 'KEY-CERT-1' }]);
  });

  it('ACK: no reply; stale nonce: ignored; added names: only those; empty list: unsubscribes', () => {
    const { identity, stream, sent } = setup();
    identity.set('CERT-1');
    stream.onRequest(req({ nodeId: 'n', resourceNames: ['default'] }));
    const nonce = sent[0]!.nonce;
    stream.onRequest(req({ resourceNames: ['default'], responseNonce: nonce }));
    expect(sent).toHaveLength(1);
    stream.onRequest(req({ resourceNames: ['default', 'ROOTCA'], responseNonce: 'old-nonce' }));
    expect(sent).toHaveLength(1);
    stream.onRequest(req({ resourceNames: ['default', 'ROOTCA'], responseNonce: nonce }));
    expect(sent.map((s) => s.secrets.map((x) => x.name))).toEqual([['default'], ['ROOTCA']]);
    stream.onRequest(req({ resourceNames: [], responseNonce: sent[1]!.nonce }));
    identity.set('CERT-2', 'ROOT-2');
    expect(sent).toHaveLength(2);
  });

  it('a reconnect (empty nonce) gets every name again; a root rotation pushes only ROOTCA', () => {
    const { identity, stream, sent } = setup();
    identity.set('CERT-1');
    stream.onRequest(req({ nodeId: 'n', resourceNames: ['default', 'ROOTCA'] }));
    stream.onRequest(req({ resourceNames: ['default', 'ROOTCA'], responseNonce: sent[0]!.nonce }));
    identity.set('CERT-1', 'ROOT-2');
    expect(sent.at(-1)!.secrets).toEqual([{ name: 'ROOTCA', rootPem: 'ROOT-2' }]);
    expect(new Set(sent.map((s) => s.nonce)).size).toBe(sent.length);
  });

  it.each([
    ['file-cert:/a', 'INVALID_ARGUMENT'],
    ['file-cert:/a~/b~/c', 'INVALID_ARGUMENT'],
    ['kubernetes://ns/name', 'INVALID_ARGUMENT'],
    ['file-root:/definitely/missing.pem', 'UNAVAILABLE'],
  ])('%s fails the stream with %s', (name, code) => {
    const { identity, stream, failures, sent } = setup();
    identity.set('CERT-1');
    stream.onRequest(req({ nodeId: 'n', resourceNames: [name] }));
    expect(sent).toEqual([]);
    expect(failures.map((f) => f.code)).toEqual([code]);
  });
});

describe('file-root:system', () => {
  it('serves the OS trust bundle found at the first known location', async () => {
    const { SYSTEM_CA_BUNDLES, parseResourceName } = await import('../../../src/sds/secrets.js');
    const { existsSync } = await import('node:fs');
    const expected = SYSTEM_CA_BUNDLES.find((p) => existsSync(p));
    if (expected === undefined) {
      expect(() => parseResourceName('file-root:system')).toThrow(expect.objectContaining({ code: 'VMLET_SDS_SECRET_UNAVAILABLE' }));
      return;
    }
    expect(parseResourceName('file-root:system')).toEqual({ kind: 'file-root', path: expected });
    const { identity, stream, sent } = setup();
    identity.set('CERT-1');
    stream.onRequest(req({ nodeId: 'n', resourceNames: ['file-root:system'] }));
    expect(sent[0]!.secrets[0]!.name).toBe('file-root:system');
    expect(sent[0]!.secrets[0]!.rootPem).toContain('-----BEGIN CERTIFICATE-----');
  });
});
