// The AIA fetcher (an allowed host's "CA Issuers" URL) stops reading an answer as soon as it
// passes 64 KiB, also when the answer has no content-length: a host that streams without end
// gets a refusal at once, not a held connection and a growing buffer until the timeout.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchWithNodeFetch } from '../../../src/onboard-server/attest/aia.js';

describe('AIA fetch size bound', () => {
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    // Chunked (no content-length), never ends: writes 16 KiB whenever the socket drains.
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/pkix-cert' });
      const more = () => {
        while (!res.destroyed && res.write(Buffer.alloc(16 * 1024))) { /* until the buffer is full */ }
      };
      res.on('drain', more);
      more();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('an endless answer without content-length is refused past 64 KiB', async () => {
    const never = new AbortController().signal;
    await expect(fetchWithNodeFetch(new URL(`http://127.0.0.1:${port}/issuer.crt`), never)).rejects.toThrow(/answer of more than 65536 bytes/);
  }, 20_000);
});
