/**
 * The plain-HTTP readiness probe: one GET on a connection of its own, judged by the status line.
 * pilot-agent's prober does the same with keep-alives off (a new connection each time, so the probe
 * also proves the application still accepts them). It is written on the socket directly: with a
 * probe every second, the probe is most of what an idle agent does, and node:http's client
 * (agent, ClientRequest, parser, proxy environment check) costs ~0.4 ms more CPU per probe than
 * this (measured on the packaged runtime; bench/probe-cpu.mjs measures this one against variants).
 * HTTPS probes stay on node:https.
 */
import { connect } from 'node:net';

export interface HttpGet {
  readonly host: string;
  readonly port: number;
  readonly path: string;
  /** The probe's httpHeaders in order; a `Host` header replaces the default `host:port`. */
  readonly headers: readonly { name: string; value: string }[];
  readonly localAddress?: string;
  readonly timeoutMs: number;
}

/** A status code, or the error (its code, e.g. EADDRNOTAVAIL, kept) when none was read. */
export type HttpGetResult = { status: number } | { error: NodeJS.ErrnoException };

const hostPort = (host: string, port: number) => `${host.includes(':') ? `[${host}]` : host}:${port}`;

/** The request bytes: Host and User-Agent as pilot-agent sends them unless the probe sets its own. */
export function requestText(o: Pick<HttpGet, 'host' | 'port' | 'path' | 'headers'>): string {
  const has = (name: string) => o.headers.some((h) => h.name.toLowerCase() === name);
  const lines = [`GET ${o.path} HTTP/1.1`];
  if (!has('host')) lines.push(`Host: ${hostPort(o.host, o.port)}`);
  if (!has('user-agent')) lines.push('User-Agent: istio-probe/1.0');
  for (const h of o.headers) lines.push(`${h.name}: ${h.value}`);
  lines.push('Connection: close', '', '');
  return lines.join('\r\n');
}

/** Where every probe's reads land: each read is copied out as text in the same call, so one serves all. */
const slab = Buffer.allocUnsafe(4096);

/**
 * Resolves once the status line is read (or the connection fails, closes first or times out).
 * The connection is closed as soon as the status line is in, as pilot-agent's Go client closes it
 * once the response head is read (keep-alives off); the status line and a small response arrive
 * in the same read, so the application sees an ordinary close.
 */
export function httpGet(o: HttpGet): Promise<HttpGetResult> {
  return new Promise((resolve) => {
    let head = '';
    let settled = false;
    const settle = (r: HttpGetResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const read = (n: number): boolean => {
      if (settled) return false;
      head += slab.toString('latin1', 0, n);
      const eol = head.indexOf('\r\n');
      if (eol < 0 && head.length < 8192) return true;
      const m = /^HTTP\/\d\.\d (\d{3})/.exec(head.slice(0, eol < 0 ? head.length : eol));
      settle(m ? { status: Number(m[1]) } : { error: new Error(`not an HTTP response: ${JSON.stringify(head.slice(0, 40))}`) });
      return false;
    };
    // onread: reads go into the slab, no Buffer per read; allowHalfOpen: a close before the status
    // line ends the probe at once, without shutting down the write side first.
    const socket = connect({
      host: o.host,
      port: o.port,
      allowHalfOpen: true,
      onread: { buffer: slab, callback: read },
      ...(o.localAddress ? { localAddress: o.localAddress } : {}),
    });
    const timer = setTimeout(() => settle({ error: new Error(`timed out after ${o.timeoutMs} ms`) }), o.timeoutMs);
    // Written before the connection is up: node:net sends it once connected, in one write.
    socket.write(requestText(o));
    socket.once('end', () => settle({ error: new Error('the connection closed before a response') }));
    socket.once('error', (error) => settle({ error }));
  });
}
