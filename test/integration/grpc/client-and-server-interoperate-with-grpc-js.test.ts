// src/grpc is vmlet's own gRPC: these check it against an independent implementation (grpc-js,
// a devDependency for exactly this) on real sockets. Client side: a unary call's response,
// its metadata and deadline as the server sees them, a status with an encoded message, a
// deadline that passes (DEADLINE_EXCEEDED, and the server sees the cancel), nothing listening
// (UNAVAILABLE with the connection error as cause). Server side, on a Unix socket: a streaming
// call echoed, an unknown method (UNIMPLEMENTED), a status message grpc-js decodes, and a
// request that is not gRPC at all (HTTP 415).
import * as http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unaryCall } from '../../../src/grpc/client.js';
import { GrpcServer } from '../../../src/grpc/server.js';
import { connectSession } from '../../../src/grpc/session.js';
import { GrpcError, Status } from '../../../src/grpc/status.js';
import { freePort } from '../../helpers/free-port.js';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp-dir.js';
import { waitFor } from '../../helpers/wait-for.js';

const pass = (b: Buffer) => b;
const unary = (path: string) => ({ path, requestStream: false, responseStream: false, requestSerialize: pass, requestDeserialize: pass, responseSerialize: pass, responseDeserialize: pass });
const bidi = (path: string) => ({ ...unary(path), requestStream: true, responseStream: true });

describe('src/grpc client against a grpc-js server', { timeout: 20_000 }, () => {
  const server = new grpc.Server();
  let address = '';
  const seen: { metadata: grpc.Metadata; deadline: grpc.Deadline }[] = [];
  let cancelled = false;
  beforeAll(async () => {
    server.addService({ Echo: unary('/t.T/Echo'), Fail: unary('/t.T/Fail'), Hang: unary('/t.T/Hang') } as unknown as grpc.ServiceDefinition, {
      Echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
        seen.push({ metadata: call.metadata, deadline: call.getDeadline() });
        cb(null, Buffer.concat([Buffer.from('echo:'), call.request]));
      },
      Fail: (_call: unknown, cb: grpc.sendUnaryData<Buffer>) => cb({ code: grpc.status.PERMISSION_DENIED, details: 'nein → 100%' }),
      Hang: (call: grpc.ServerUnaryCall<Buffer, Buffer>) => { call.on('cancelled', () => { cancelled = true; }); },
    });
    const port = await new Promise<number>((res, rej) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
    address = `127.0.0.1:${port}`;
  });
  afterAll(() => server.forceShutdown());

  const call = (method: string, timeoutMs = 5000) =>
    unaryCall(connectSession({ address, tls: undefined, peer: 'test server' }), `/t.T/${method}`, Buffer.from('hi'), { peer: 'test server', timeoutMs, metadata: { ClusterID: 'Kubernetes' } });

  it('a unary call: the response, lowercase metadata and the deadline reach the server', async () => {
    const started = Date.now();
    expect((await call('Echo')).toString()).toBe('echo:hi');
    expect(seen[0]!.metadata.get('clusterid')).toEqual(['Kubernetes']);
    const deadline = Number(seen[0]!.deadline);
    expect(deadline).toBeGreaterThan(started);
    expect(deadline).toBeLessThanOrEqual(Date.now() + 5000);
  });

  it("the server's status and its percent-encoded message", async () => {
    const err = await call('Fail').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GrpcError);
    expect(err).toMatchObject({ code: Status.PERMISSION_DENIED, details: 'nein → 100%' });
  });

  it('a deadline that passes: DEADLINE_EXCEEDED, and the server sees the call cancelled', async () => {
    const started = Date.now();
    const err = await call('Hang', 300).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: Status.DEADLINE_EXCEEDED });
    expect(Date.now() - started).toBeLessThan(5000);
    await waitFor(() => cancelled, { what: 'the server to see the cancel' });
  });

  it('nothing listening: UNAVAILABLE with the connection error as cause', async () => {
    const port = await freePort();
    const err = await unaryCall(connectSession({ address: `127.0.0.1:${port}`, tls: undefined, peer: 'nobody' }), '/t.T/Echo', Buffer.alloc(0), { peer: 'nobody', timeoutMs: 5000 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: Status.UNAVAILABLE });
    expect((err as GrpcError).cause).toMatchObject({ code: 'ECONNREFUSED' });
    expect((err as GrpcError).details).toMatch(/^nobody connection failed: .*ECONNREFUSED/);
  });
});

describe('src/grpc server on a Unix socket against a grpc-js client', { timeout: 20_000 }, () => {
  let tmp: TmpDir;
  let server: GrpcServer;
  let client: grpc.Client;
  beforeAll(async () => {
    tmp = makeTmpDir('grpc-server');
    server = new GrpcServer({ peer: 'test client' }, {
      '/t.T/Chat': (call) => {
        call.receive((msg) => call.write(Buffer.concat([Buffer.from('re:'), msg])));
        call.on('end', () => call.finish(Status.OK));
      },
      '/t.T/Refuse': (call) => call.finish(Status.FAILED_PRECONDITION, 'pas encore prêt'),
    });
    await server.listen(tmp.join('sock'));
    const Client = grpc.makeGenericClientConstructor({ Chat: bidi('/t.T/Chat'), Refuse: unary('/t.T/Refuse'), Other: unary('/t.T/Other') } as unknown as grpc.ServiceDefinition, 'T');
    client = new Client(`unix://${tmp.join('sock')}`, grpc.credentials.createInsecure());
  });
  afterAll(async () => {
    client.close();
    await server.close(1000);
    tmp.cleanup();
  });

  const unaryTo = (method: string) => new Promise<grpc.ServiceError | null>((resolve) => {
    (client as unknown as Record<string, (r: Buffer, cb: (e: grpc.ServiceError | null) => void) => void>)[method]!(Buffer.from('x'), resolve);
  });

  it('a streaming call: each message answered in order, OK after the client half-closes', async () => {
    const stream = (client as unknown as { Chat: () => grpc.ClientDuplexStream<Buffer, Buffer> }).Chat();
    const got: string[] = [];
    stream.on('data', (b: Buffer) => got.push(b.toString()));
    const status = new Promise<grpc.StatusObject>((resolve) => stream.on('status', resolve));
    stream.on('error', () => undefined);
    stream.write(Buffer.from('a'));
    stream.write(Buffer.alloc(100_000, 1));
    stream.end();
    expect((await status).code).toBe(grpc.status.OK);
    expect(got[0]).toBe('re:a');
    expect(got).toHaveLength(2);
  });

  it('a status with a message grpc-js decodes, and UNIMPLEMENTED for a method not served', async () => {
    expect(await unaryTo('Refuse')).toMatchObject({ code: grpc.status.FAILED_PRECONDITION, details: 'pas encore prêt' });
    expect(await unaryTo('Other')).toMatchObject({ code: grpc.status.UNIMPLEMENTED, details: 'unknown method /t.T/Other' });
  });

  it('a request that is not gRPC gets HTTP 415', async () => {
    const session = http2.connect('http://localhost', { path: tmp.join('sock') } as http2.SecureClientSessionOptions);
    try {
      const req = session.request({ ':method': 'POST', ':path': '/t.T/Chat', 'content-type': 'application/json' });
      req.end();
      const status = await new Promise<number>((resolve, reject) => { req.on('response', (h) => resolve(Number(h[':status']))); req.on('error', reject); });
      expect(status).toBe(415);
    } finally {
      session.destroy();
    }
  });
});
