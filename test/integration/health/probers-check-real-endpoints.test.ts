import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProbe } from '../../../src/health/probers.js';

const target = { defaultHost: '127.0.0.1', httpSource: '127.0.0.6' };
let server: http.Server;
let port = 0;
const seen: { ua?: string; source?: string; host?: string }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push({ ua: req.headers['user-agent'], source: req.socket.remoteAddress, host: req.headers.host });
    res.statusCode = req.url === '/ready' ? 200 : req.url === '/moved' ? 302 : 503;
    res.end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as net.AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('probers', () => {
  it('HTTP: 200-399 is healthy, sent from 127.0.0.6 as istio-probe/1.0', async () => {
    const http = (path: string, headers: { name: string; value: string }[] = []) =>
      runProbe({ kind: 'http', path, port, scheme: 'http', headers }, target, 1000);
    expect(await http('/ready')).toBeUndefined();
    expect(await http('/moved')).toBeUndefined();
    expect(await http('/broken')).toMatch(/status 503/);
    expect(seen[0]).toMatchObject({ ua: 'istio-probe/1.0', source: '127.0.0.6', host: `127.0.0.1:${port}` });
    await http('/ready', [{ name: 'User-Agent', value: 'custom' }, { name: 'Host', value: 'app.example' }]);
    expect(seen.at(-1)).toMatchObject({ ua: 'custom', host: 'app.example' });
  });

  it('HTTP: no answer in time, an answer that is not HTTP, and a close before any answer are unhealthy', async () => {
    const sockets: net.Socket[] = [];
    const odd = net.createServer((s) => {
      sockets.push(s);
      s.once('data', () => {
        if (s.localPort === ports.garbage) s.end('SSH-2.0-OpenSSH_9.6\r\n');
        else if (s.localPort === ports.close) s.end();
        // ports.silent: reads the request and never answers.
      });
    });
    const ports = { silent: 0, garbage: 0, close: 0 };
    const servers = await Promise.all(Object.keys(ports).map(async (k) => {
      const srv = net.createServer((s) => odd.emit('connection', s));
      srv.listen(0, '127.0.0.1');
      await once(srv, 'listening');
      ports[k as keyof typeof ports] = (srv.address() as net.AddressInfo).port;
      return srv;
    }));
    try {
      const probe = (p: number) => runProbe({ kind: 'http', path: '/', port: p, scheme: 'http', headers: [] }, target, 300);
      expect(await probe(ports.silent)).toMatch(/timed out after 300 ms/);
      expect(await probe(ports.garbage)).toMatch(/not an HTTP response/);
      expect(await probe(ports.close)).toMatch(/closed before a response/);
    } finally {
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((srv) => new Promise<void>((r) => srv.close(() => r()))));
    }
  });

  it('HTTP: a closed port is unhealthy with the reason', async () => {
    expect(await runProbe({ kind: 'http', path: '/', port: 1, scheme: 'http', headers: [] }, target, 500)).toMatch(/ECONNREFUSED/);
  });

  it('TCP: a dial that connects is healthy', async () => {
    expect(await runProbe({ kind: 'tcp', port }, target, 500)).toBeUndefined();
    expect(await runProbe({ kind: 'tcp', port: 1 }, target, 500)).toMatch(/TCP probe.*failed/);
  });

  it('exec: exit 0 is healthy, no shell, killed at the timeout without blocking the loop', async () => {
    expect(await runProbe({ kind: 'exec', command: ['/bin/true'] }, target, 1000)).toBeUndefined();
    expect(await runProbe({ kind: 'exec', command: ['/bin/false'] }, target, 1000)).toMatch(/exit 1/);
    expect(await runProbe({ kind: 'exec', command: ['echo', '$HOME', ';', 'false'] }, target, 1000)).toBeUndefined();
    // The loop keeps turning while the probe runs (a blocking spawn would leave ticks at 0: the
    // interval is cleared on the same turn the probe returns), and the message says the timer,
    // not sleep's own exit 5 s later, ended it.
    let ticks = 0;
    const timer = setInterval(() => { ticks += 1; }, 20);
    const r = await runProbe({ kind: 'exec', command: ['sleep', '5'] }, target, 300);
    clearInterval(timer);
    expect(r).toMatch(/killed after 300 ms/);
    expect(ticks).toBeGreaterThan(0);
  });
});
