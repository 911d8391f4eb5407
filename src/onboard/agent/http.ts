/**
 * One HTTP(S) request with a bound on its whole duration and on the answer's size, over
 * node:http/node:https directly: no proxy is ever used (metadata services must be asked on the
 * link-local address, Azure refuses proxied requests), no fetch client is loaded on the VM.
 * Transport failures reject with Node's own error (its `code` says what failed); the callers
 * turn them into VmletErrors that name the URL and the fix.
 */
import { request as httpRequest, type Agent as HttpAgent } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface HttpRequest {
  readonly method: 'GET' | 'PUT' | 'POST';
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Upper bound for connect, send and the whole answer, ms. */
  readonly timeoutMs: number;
  /** https only: the CAs to trust instead of the system's. */
  readonly ca?: string;
  /** Answers longer than this are cut off with an error (default 1 MiB). */
  readonly maxBytes?: number;
  /** Aborts the request (vmlet is stopping). */
  readonly signal?: AbortSignal;
  /** A keep-alive agent shared by requests that should reuse one connection; default: a new connection. */
  readonly agent?: HttpAgent;
}

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

/** Thrown when the whole request took longer than `timeoutMs` (code ETIMEDOUT, like a connect timeout). */
export class HttpTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
  }
}

export function send(req: HttpRequest): Promise<HttpAnswer> {
  const url = new URL(req.url);
  const maxBytes = req.maxBytes ?? 1 << 20;
  const make = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<HttpAnswer>((resolve, reject) => {
    let settled = false;
    const headers: Record<string, string> = { ...(req.headers ?? {}) };
    if (req.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      headers['content-length'] = String(Buffer.byteLength(req.body));
    }
    const r = make(url, {
      method: req.method,
      headers,
      agent: req.agent ?? false,
      ...(url.protocol === 'https:' && req.ca !== undefined ? { ca: req.ca } : {}),
    }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxBytes) finish(new Error(`answer larger than ${maxBytes} bytes`));
        else chunks.push(c);
      });
      res.on('end', () => finish(undefined, { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (e) => finish(e));
    });
    const onAbort = () => finish(new Error('aborted: vmlet is stopping'));
    const timer = setTimeout(() => finish(new HttpTimeoutError(req.timeoutMs)), req.timeoutMs);
    function finish(err: Error | undefined, answer?: HttpAnswer): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      if (err) {
        r.destroy();
        reject(err);
      } else resolve(answer as HttpAnswer);
    }
    r.on('error', (e) => finish(e));
    if (req.signal?.aborted) {
      onAbort();
      return;
    }
    req.signal?.addEventListener('abort', onAbort, { once: true });
    r.end(req.body);
  });
}

/** `ECONNREFUSED`, `ETIMEDOUT`, a TLS code, ... or the message when the error has no code. */
export function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : err instanceof Error ? err.message : String(err);
}
