/**
 * HTTP/2 keepalive for vmlet's own sessions (Envoy's xDS connection, the one to istiod): a PING
 * every `intervalMs`; one unanswered for `timeoutMs` destroys the session with `reason`, so a
 * peer that vanished without a FIN is noticed. The timers never hold the process open and stop
 * with the session.
 */
import type { Http2Session } from 'node:http2';

export function keepPinging(session: Http2Session, intervalMs: number, timeoutMs: number, reason: string): void {
  const keepalive = setInterval(() => {
    const timeout = setTimeout(() => session.destroy(new Error(reason)), timeoutMs).unref();
    try {
      if (!session.ping(() => clearTimeout(timeout))) clearTimeout(timeout);
    } catch {
      // Not connected yet, or closing: no ping this time.
      clearTimeout(timeout);
    }
  }, intervalMs);
  keepalive.unref();
  session.once('close', () => clearInterval(keepalive));
}
