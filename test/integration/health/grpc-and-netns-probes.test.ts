/**
 * The gRPC prober against a real grpc.health.v1 server, and the HTTP prober inside a network
 * namespace this test creates with vmlet's capture rules installed (inbound ports = the app port):
 * a probe sent from 127.0.0.6 by the proxy's uid (as pilot-agent sends it) reaches the app, while
 * the same probe from another source address, and a connection from outside, land on 15006.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaptureExecutor } from '../../../src/capture/executor.js';
import { baseOptions } from '../../../src/capture/options.js';
import { buildPlan } from '../../../src/capture/rules.js';
import { ExecRunner } from '../../../src/capture/runner.js';
import { runProbe } from '../../../src/health/probers.js';
import { hasBinary, isRoot, requireOrSkip } from '../../helpers/env.js';
import { NetnsPair, VM_V4 } from '../../helpers/netns.js';
import { waitFor } from '../../helpers/wait-for.js';

const SERVING = 1;
const NOT_SERVING = 2;

describe('gRPC prober against a grpc.health.v1 server', () => {
  const statuses = new Map<string, number>([['', SERVING], ['app.Ready', SERVING], ['app.Draining', NOT_SERVING]]);
  const asked: string[] = [];
  const server = new grpc.Server();
  let port = 0;

  beforeAll(async () => {
    // HealthCheckRequest{service=1 string}; HealthCheckResponse{status=1 enum}.
    const decodeService = (b: Buffer) => (b.length >= 2 && b[0] === 0x0a ? b.subarray(2, 2 + (b[1] ?? 0)).toString('utf8') : '');
    server.addService({
      Check: {
        path: '/grpc.health.v1.Health/Check', requestStream: false, responseStream: false,
        requestSerialize: (b: Buffer) => b, requestDeserialize: (b: Buffer) => b,
        responseSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => b,
      },
    } as grpc.ServiceDefinition, {
      Check: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
        const service = decodeService(call.request);
        asked.push(service);
        const status = statuses.get(service);
        if (status === undefined) return cb({ code: grpc.status.NOT_FOUND, details: `unknown service ${service}` });
        cb(null, Buffer.from([0x08, status]));
      },
    });
    port = await new Promise<number>((res, rej) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  });
  afterAll(() => { server.forceShutdown(); });

  const probe = (service: string, p = port) => runProbe({ kind: 'grpc', port: p, service }, { defaultHost: '127.0.0.1', httpSource: '127.0.0.6' }, 1000);

  it('SERVING is healthy, for the empty (whole-server) service and a named one', async () => {
    expect(await probe('')).toBeUndefined();
    expect(await probe('app.Ready')).toBeUndefined();
    expect(asked.slice(-2)).toEqual(['', 'app.Ready']);
  }, 10_000);

  it('NOT_SERVING is unhealthy with a message naming the service and status', async () => {
    expect(await probe('app.Draining')).toMatch(/service "app\.Draining" is not SERVING \(status 2\)/);
    expect(asked.at(-1)).toBe('app.Draining');
  }, 10_000);

  it('an unknown service and a closed port are unhealthy with the reason', async () => {
    expect(await probe('app.Missing')).toMatch(/failed: unknown service app\.Missing/);
    expect(await probe('', 1)).toMatch(/gRPC probe to 127\.0\.0\.1:1 failed/);
  }, 10_000);
});

const netnsOk = requireOrSkip(isRoot() && hasBinary('ip') && hasBinary('iptables-nft-restore') && hasBinary('setpriv') && hasBinary('python3'),
  'the netns probe test needs root, iproute2, iptables (nft), setpriv and python3');

const APP_PORT = 8080;
const PROXY_UID = 1337;
const REPO = join(import.meta.dirname, '..', '..', '..');

// Runs inside the VM namespace as the proxy uid: the app on APP_PORT, a stand-in for Envoy's
// inbound listener on 15006 (answers 503 "Captured"), then the HTTP prober twice; prints JSON.
const CHILD = `
import net from 'node:net';
import { runProbe } from ${JSON.stringify(join(REPO, 'src/health/probers.ts'))};
const seen = [];
const serve = (port, status) => net.createServer((s) => {
  seen.push({ port, from: s.remoteAddress });
  const reply = () => { if (!s.destroyed) s.end('HTTP/1.1 ' + status + '\\r\\ncontent-length: 0\\r\\nconnection: close\\r\\n\\r\\n'); };
  s.once('data', reply); setTimeout(reply, 300).unref(); s.on('error', () => {});
}).listen(port, '0.0.0.0');
const listening = (srv) => new Promise((r) => srv.once('listening', r));
await Promise.all([listening(serve(${APP_PORT}, '200 OK')), listening(serve(15006, '503 Captured'))]);
const action = { kind: 'http', path: '/ready', port: ${APP_PORT}, scheme: 'http', headers: [] };
const fromPassthrough = await runProbe(action, { defaultHost: ${JSON.stringify(VM_V4)}, httpSource: '127.0.0.6' }, 2000);
const seenPassthrough = seen.splice(0);
const fromVmAddress = await runProbe(action, { defaultHost: ${JSON.stringify(VM_V4)}, httpSource: ${JSON.stringify(VM_V4)} }, 2000);
console.log(JSON.stringify({ fromPassthrough: fromPassthrough ?? null, seenPassthrough, fromVmAddress: fromVmAddress ?? null, seenVmAddress: seen.splice(0) }));
process.stdin.resume(); process.stdin.on('end', () => process.exit(0));
`;

describe.skipIf(!netnsOk)('HTTP probe from 127.0.0.6 inside a netns with capture installed', () => {
  const ns = new NetnsPair('hp');
  let child: ChildProcess | undefined;
  let out = '';

  beforeAll(async () => {
    ns.create();
    const exec = new CaptureExecutor({ runner: new ExecRunner({ netns: ns.vm }), backend: 'nft' });
    await exec.apply(buildPlan(baseOptions({ inboundPorts: [APP_PORT], proxyUids: [PROXY_UID], proxyGids: [PROXY_UID] })));
    child = spawn('ip', ['netns', 'exec', ns.vm, 'setpriv', `--reuid=${PROXY_UID}`, `--regid=${PROXY_UID}`, '--clear-groups',
      process.execPath, '--import', 'tsx', '--input-type=module', '-e', CHILD], { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdout!.on('data', (b: Buffer) => { out += b.toString(); });
    child.stderr!.on('data', (b: Buffer) => { out += b.toString(); });
    await waitFor(() => /^\{.*\}$/m.test(out) || child!.exitCode !== null, { timeoutMs: 20_000, what: 'the probes inside the namespace' });
  }, 40_000);

  afterAll(() => {
    if (child?.pid !== undefined && child.exitCode === null) {
      try { process.kill(child.pid, 'SIGKILL'); } catch { /* already gone */ }
    }
    ns.destroy();
  });

  const result = () => {
    const line = out.split('\n').find((l) => l.startsWith('{'));
    if (!line) throw new Error(`the probe process printed no result: ${out}`);
    return JSON.parse(line) as { fromPassthrough: string | null; seenPassthrough: { port: number; from: string }[]; fromVmAddress: string | null; seenVmAddress: { port: number; from: string }[] };
  };

  it('the probe from 127.0.0.6 reaches the app (the app sees 127.0.0.6), not 15006', () => {
    const r = result();
    expect(r.fromPassthrough).toBeNull();
    expect(r.seenPassthrough).toEqual([{ port: APP_PORT, from: '127.0.0.6' }]);
  });

  it('the same probe from the VM address is redirected to 15006 (so the source is what keeps it out)', () => {
    const r = result();
    expect(r.fromVmAddress).toMatch(/status 503/);
    expect(r.seenVmAddress).toEqual([{ port: 15006, from: VM_V4 }]);
  });

  it('a connection to the app port from outside the VM is redirected to 15006', () => {
    expect(ns.connect(ns.peer, VM_V4, APP_PORT)).toBe('HTTP/1.1 503 Captured');
  });
});
