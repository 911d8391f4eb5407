/**
 * Connections to istiod (facts §1.5): HTTP/2 sessions for src/grpc's calls (the CA's
 * CreateCertificate and the xDS proxy's streams, h2-session.ts), with TLS verified against the
 * Istio root, pilot-agent's server-name rule, keepalive no faster than istiod allows, and the
 * current workload certificate as client certificate while it is valid. Per-call metadata
 * carries the token identity reads anew for every call.
 */
import { isIP } from 'node:net';
import { checkServerIdentity } from 'node:tls';
import type { Metadata } from '../grpc/metadata.js';
import { openHttp2Session } from './h2-session.js';
import type { ClientCredentials, IstiodConnector, IstiodTarget } from './types.js';

export interface ConnectorOptions {
  /** host:port of istiod. */
  readonly address: string;
  /** PEM trust anchors for istiod's serving certificate; empty: the OS trust store. */
  readonly rootPem: string;
  /** Explicit TLS server name; empty/undefined: the rule in serverNameFor(). */
  readonly serverName?: string;
  readonly clusterId: string;
  readonly extraHeaders: Readonly<Record<string, string>>;
  readonly keepaliveIntervalMs: number;
  readonly keepaliveTimeoutMs: number;
  readonly now: () => number;
}

export const DEFAULT_ISTIOD_NAME = 'istiod.istio-system.svc';

/** pilot-agent: the host of the address, or istiod.istio-system.svc when it contains localhost. */
export function serverNameFor(address: string, override?: string): string {
  if (override) return override;
  const host = address.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return host.includes('localhost') ? DEFAULT_ISTIOD_NAME : host;
}

/** `credentials`: the client certificate and token (src/identity's); undefined presents neither. */
export function createConnector(opts: ConnectorOptions, credentials: ClientCredentials | undefined): IstiodConnector {
  const name = serverNameFor(opts.address, opts.serverName);
  /** The trust roots and, while it is valid, the workload certificate to present. */
  const material = () => {
    const id = credentials?.current();
    // Istio's VM recipe reads the CA root from the directory its certificates are written to, so
    // a root rotated through a renewal is trusted for istiod too: configured root + current one.
    const roots = [opts.rootPem, id !== undefined && !opts.rootPem.includes(id.rootPem.trim()) ? id.rootPem : ''].join('\n').trim();
    const valid = id !== undefined && id.notAfter > opts.now() && id.notBefore <= opts.now() + 300_000;
    return { roots: roots ? `${roots}\n` : undefined, pair: valid ? { key: id.keyPem, cert: id.certChainPem } : undefined };
  };
  return {
    session(_target: IstiodTarget) {
      const { roots, pair } = material();
      return openHttp2Session({
        address: opts.address,
        // No roots configured: Node's default trust store. istiod's certificate is checked
        // against `name` (gRPC's target name override); SNI carries it unless it is an IP
        // address, which SNI cannot (RFC 6066).
        tls: {
          ...(isIP(name) ? {} : { servername: name }),
          checkServerIdentity: (_host, cert) => checkServerIdentity(name, cert),
          ...(roots ? { ca: roots } : {}),
          ...(pair ?? {}),
        },
        keepaliveMs: Math.max(30_000, opts.keepaliveIntervalMs),
        keepaliveTimeoutMs: opts.keepaliveTimeoutMs,
      });
    },
    async metadata(_target: IstiodTarget): Promise<Metadata> {
      const token = credentials?.bearerToken();
      return { ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}), clusterid: opts.clusterId, ...lowercaseKeys(opts.extraHeaders) };
    },
  };
}

/** Extra headers with their keys as they are sent (a later key wins, as a later Metadata.set did). */
function lowercaseKeys(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v;
  return out;
}
