import { X509Certificate, createPrivateKey } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.js';
import { systemClock } from '../../../src/lifecycle/types.js';
import { SdsServer } from '../../../src/sds/server.js';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp-dir.js';
import { waitFor } from '../../helpers/wait-for.js';
import { FakeIdentitySource, makeTestPki, type TestPki } from './test-pki.js';
import { SdsTestClient, SECRET_TYPE, type SdsTestStream } from './sds-client.js';

const NODE = { id: 'sidecar~10.0.0.5~vm1.bar~bar.svc.cluster.local', cluster: 'vm.bar' };

describe('SDS server over the Unix socket', { timeout: 20_000 }, () => {
  let pki: TestPki;
  let tmp: TmpDir;
  let identity: FakeIdentitySource;
  let server: SdsServer;
  let stop: AbortController;
  let running: Promise<void>;
  let client: SdsTestClient;
  const streams: SdsTestStream[] = [];
  const open = () => { const s = client.stream(); streams.push(s); return s; };

  beforeAll(async () => {
    pki = makeTestPki();
    tmp = makeTmpDir('sds');
    identity = new FakeIdentitySource();
    identity.set(pki);
    const socketPath = tmp.join('workload-spiffe-uds', 'socket');
    // A stale socket, as a SIGKILLed agent leaves it: bound by a process that died without closing it.
    mkdirSync(tmp.join('workload-spiffe-uds'));
    spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(socketPath)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    expect(lstatSync(socketPath).isSocket()).toBe(true);
    server = new SdsServer({ socketPath, identity, logger: silentLogger(), clock: systemClock, fileWatchInterval: 50 });
    stop = new AbortController();
    running = server.run(stop.signal);
    await server.listening;
    client = new SdsTestClient(socketPath);
  });

  afterEach(() => {
    for (const s of streams.splice(0)) s.close();
  });

  afterAll(async () => {
    client?.close();
    stop?.abort();
    await running;
    tmp?.cleanup();
    pki?.cleanup();
  });

  it('replaced the stale socket, directory 0750, socket 0666', () => {
    expect(statSync(tmp.join('workload-spiffe-uds')).mode & 0o777).toBe(0o750);
    expect(statSync(tmp.join('workload-spiffe-uds', 'socket')).mode & 0o777).toBe(0o666);
  });

  it('a second server on a live socket refuses to start (VMLET_SDS_LISTEN_FAILED) and leaves it alone', async () => {
    const second = new SdsServer({ socketPath: tmp.join('workload-spiffe-uds', 'socket'), identity, logger: silentLogger(), clock: systemClock, fileWatchInterval: 50 });
    await expect(second.run(new AbortController().signal)).rejects.toMatchObject({ code: 'VMLET_SDS_LISTEN_FAILED' });
    const s = open();
    s.send({ node: NODE, resource_names: ['ROOTCA'] });
    await waitFor(() => s.received.length === 1, { what: 'the first server still answers' });
  });

  it('initial fetch of default and ROOTCA: one response, secrets that parse and belong together', async () => {
    const s = open();
    s.send({ node: NODE, resource_names: ['default'] });
    const r = open();
    r.send({ node: NODE, resource_names: ['ROOTCA'] });
    await waitFor(() => s.received.length === 1 && r.received.length === 1, { what: 'both responses' });
    const [cert] = s.received[0]!.secrets;
    const [root] = r.received[0]!.secrets;
    expect(s.received[0]!.typeUrl).toBe(SECRET_TYPE);
    expect(s.received[0]!.versionInfo).toMatch(/^\d{4}-\d\d-\d\dT.*Z\/\d+$/);
    expect(cert!.name).toBe('default');
    expect(root!.name).toBe('ROOTCA');
    const leaf = new X509Certificate(cert!.certChainPem!);
    expect(leaf.checkPrivateKey(createPrivateKey(cert!.keyPem!))).toBe(true);
    expect(leaf.verify(new X509Certificate(root!.rootPem!).publicKey)).toBe(true);
    expect(leaf.subjectAltName).toContain('spiffe://cluster.local/ns/bar/sa/vm-sa');
  });

  it('an ACK gets no reply; a rotation reaches every stream watching the name, and only those', async () => {
    const watchers = [open(), open(), open()];
    for (const w of watchers) w.send({ node: NODE, resource_names: ['default'] });
    const rootOnly = open();
    rootOnly.send({ node: NODE, resource_names: ['ROOTCA'] });
    await waitFor(() => watchers.every((w) => w.received.length === 1) && rootOnly.received.length === 1, { what: 'initial responses' });
    for (const w of watchers) w.ack(['default']);
    rootOnly.ack(['ROOTCA']);
    // A request that is answered shows the ACKs were processed in order on the same streams.
    const probe = watchers[0]!;
    probe.send({ resource_names: ['default', 'ROOTCA'], response_nonce: probe.received[0]!.nonce });
    await waitFor(() => probe.received.length === 2, { what: 'reply to added name' });
    expect(probe.received[1]!.secrets.map((x) => x.name)).toEqual(['ROOTCA']);
    probe.ack(['default', 'ROOTCA']);
    expect(watchers.slice(1).map((w) => w.received.length)).toEqual([1, 1]);

    const before = watchers.map((w) => w.received.length);
    const next = identity.set(pki);
    await waitFor(() => watchers.every((w, i) => w.received.length === before[i]! + 1), { what: 'rotation on every stream' });
    for (const w of watchers) {
      const last = w.received.at(-1)!;
      expect(last.secrets).toHaveLength(1);
      expect(last.secrets[0]!.name).toBe('default');
      expect(last.secrets[0]!.certChainPem).toBe(next.certChainPem);
    }
    expect(rootOnly.received).toHaveLength(1); // the root did not change
  });

  it('a NACK is logged and gets no reply; a stream without a node is refused', async () => {
    const s = open();
    s.send({ node: NODE, resource_names: ['default'] });
    await waitFor(() => s.received.length === 1);
    s.send({ resource_names: ['default'], response_nonce: s.received[0]!.nonce, error_detail: { code: 3, message: 'bad cert' } });
    s.send({ resource_names: ['default', 'ROOTCA'], response_nonce: s.received[0]!.nonce });
    await waitFor(() => s.received.length === 2, { what: 'reply after the NACK' });
    expect(s.received[1]!.secrets.map((x) => x.name)).toEqual(['ROOTCA']);

    const anon = open();
    anon.send({ resource_names: ['default'] });
    await waitFor(() => anon.error, { what: 'INVALID_ARGUMENT' });
    expect(anon.error!.code).toBe(3);
    expect(anon.error!.details).toContain('missing node information');
  });

  it('unknown names end the stream with INVALID_ARGUMENT; Delta and Fetch are UNIMPLEMENTED', async () => {
    const s = open();
    s.send({ node: NODE, resource_names: ['kubernetes://bar/secret'] });
    await waitFor(() => s.error, { what: 'error for unknown name' });
    expect(s.error!.code).toBe(3);
    expect(s.received).toHaveLength(0);
    expect(await client.deltaStatus()).toBe(12);
    expect(await client.fetchStatus()).toBe(12);
  });

  it('file-cert and file-root are read from files and pushed again when the files change', async () => {
    const a = pki.leaf();
    const certPath = join(tmp.path, 'svc.pem');
    const keyPath = join(tmp.path, 'svc.key');
    const rootPath = join(tmp.path, 'extra-root.pem');
    writeFileSync(certPath, a.certPem);
    writeFileSync(keyPath, a.keyPem);
    writeFileSync(rootPath, pki.rootPem);
    const name = `file-cert:${certPath}~${keyPath}`;
    const s = open();
    s.send({ node: NODE, resource_names: [name, `file-root:${rootPath}`] });
    await waitFor(() => s.received.length === 1);
    expect(s.received[0]!.secrets.map((x) => x.name)).toEqual([name, `file-root:${rootPath}`]);
    expect(s.received[0]!.secrets[0]!.certChainPem).toBe(a.certPem);
    s.ack([name, `file-root:${rootPath}`]);
    const b = pki.leaf();
    writeFileSync(keyPath, b.keyPem);
    writeFileSync(certPath, b.certPem);
    await waitFor(() => s.received.at(-1)?.secrets[0]?.certChainPem === b.certPem && s.received.at(-1)?.secrets[0]?.keyPem === b.keyPem,
      { what: 'file-cert pushed after the change', timeoutMs: 5000 });
    expect(s.received.at(-1)!.secrets.map((x) => x.name)).toEqual([name]);

    const missing = open();
    missing.send({ node: NODE, resource_names: [`file-root:${join(tmp.path, 'nope.pem')}`] });
    await waitFor(() => missing.error, { what: 'UNAVAILABLE for an unreadable file' });
    expect(missing.error!.code).toBe(14);
  });

  it('stopping removes the socket and ends the streams', async () => {
    const s = open();
    s.send({ node: NODE, resource_names: ['ROOTCA'] });
    await waitFor(() => s.received.length === 1);
    stop.abort();
    await running;
    expect(existsSync(tmp.join('workload-spiffe-uds', 'socket'))).toBe(false);
    await waitFor(() => s.error || s.ended, { what: 'stream ended by the server' });
  });
});
