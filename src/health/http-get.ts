/**
 * The plain-HTTP readiness probe: one GET on a connection of its own, judged by the status line.
 * pilot-agent's prober does the same with keep-alives off (a new connection each time, so the probe
 * also proves the application still accepts them). It is written on the socket directly: with a
 * probe every second, the probe is most of what an idle agent does, and node:http's client
 * (agent, ClientRequest, parser, proxy environment check) costs ~0.4 ms more CPU per probe than
 * this (measured on the packaged runtime). HTTPS probes stay on node:https.
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

/**
 * Resolves once the status line is read (or the connection fails or times out). The rest of the
 * response is read and dropped until the application closes, so it never sees a reset; the
 * timeout also bounds that.
 */
export function httpGet(o: HttpGet): Promise<HttpGetResult> {
  return new Promise((resolve) => {
    let head = '';
    let settled = false;
    const settle = (r: HttpGetResult) => {
      if (!settled) { settled = true; resolve(r); }
    };
    const socket = connect({ host: o.host, port: o.port, ...(o.localAddress ? { localAddress: o.localAddress } : {}) });
    const timer = setTimeout(() => {
      socket.destroy();
      settle({ error: new Error(`timed out after ${o.timeoutMs} ms`) });
    }, o.timeoutMs);
    socket.setEncoding('latin1');
    socket.once('connect', () => socket.write(requestText(o)));
    socket.on('data', (chunk: string) => {
      if (settled) return;
      head += chunk;
      const eol = head.indexOf('\r\n');
      if (eol < 0 && head.length < 8192) return;
      const m = /^HTTP\/\d\.\d (\d{3})/.exec(head.slice(0, eol < 0 ? head.length : eol));
      settle(m ? { status: Number(m[1]) } : { error: new Error(`not an HTTP response: ${JSON.stringify(head.slice(0, 40))}`) });
    });
    socket.once('end', () => {
      socket.destroy();
      settle({ error: new Error('the connection closed before a response') });
    });
    socket.once('error', (error) => settle({ error }));
    socket.once('close', () => clearTimeout(timer));
  });
}
