// A client session closed by its caller just as it connects (a call's deadline firing, a
// partition healing under a retry) must not throw from the 'connect' handler: setLocalWindowSize
// on a destroyed session threw ERR_HTTP2_INVALID_SESSION there, an uncaught exception that ended
// vmlet (found by the chaos tier's partition scenario).
import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSession } from '../../../src/grpc/session.js';
import { waitFor } from '../../helpers/wait-for.js';

describe('a gRPC client session closed as it connects', () => {
  let server: http2.Http2Server;
  let port = 0;
  beforeAll(async () => {
    server = http2.createServer();
    server.on('session', (s) => s.on('error', () => undefined));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => { await new Promise((r) => server.close(r)); });

  it('does not throw when the session is destroyed before its connect handler runs', async () => {
    const uncaught: Error[] = [];
    const onUncaught = (err: Error) => { uncaught.push(err); };
    process.prependListener('uncaughtException', onUncaught);
    try {
      const session = connectSession({ address: `127.0.0.1:${port}`, tls: undefined, windowBytes: 4 << 20, peer: 'test' });
      let connected = false;
      // Runs before connectSession's own handler: the caller gives up at that very moment.
      session.prependListener('connect', () => { connected = true; session.destroy(); });
      await waitFor(() => connected && session.destroyed, { timeoutMs: 5000, what: 'the session to connect and be destroyed' });
      // The 'connect' emit has returned by now; a throw in it would be an uncaught exception.
      await new Promise((r) => setImmediate(r));
      expect(uncaught.map((e) => e.message)).toEqual([]);
    } finally {
      process.removeListener('uncaughtException', onUncaught);
    }
  });
});
