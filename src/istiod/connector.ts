/**
 * Connections to istiod (facts §1.5): grpc-js clients (the CA) and plain HTTP/2 sessions (the xDS
 * proxy, h2-session.ts), both with TLS verified against the Istio root, pilot-agent's server-name
 * rule, keepalive no faster than istiod allows, and the current workload certificate as client
 * certificate while it is valid. Per-call metadata re-reads the token file every time.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { checkServerIdentity } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import type { IdentitySource } from '../identity/types.js';
import { ISTIOD_WINDOW_BYTES, openHttp2Session } from './h2-session.js';
import type { IstiodConnector, IstiodTarget } from './types.js';

export interface ConnectorOptions {
  /** host:port of istiod. */
  readonly address: string;
  /** PEM trust anchors for istiod's serving certificate; empty: the OS trust store. */
  readonly rootPem: string;
  /** Explicit TLS server name; empty/undefined: the rule in serverNameFor(). */
  readonly serverName?: string;
  readonly clusterId: string;
  readonly extraHeaders: Readonly<Record<string, string>>;
  readonly tokenPath: string | undefined;
  readonly keepaliveIntervalMs: number;
  readonly keepaliveTimeoutMs: number;
  readonly now: () => number;
}

export const DEFAULT_ISTIOD_NAME = 'istiod.istio-system.svc';

/** Transport options of every istiod channel that do not depend on configuration. */
export const ISTIOD_CHANNEL_OPTIONS = {
  // istiod's responses can be large; grpc-js refuses > 4 MB by default.
  'grpc.max_receive_message_length': -1,
  // HTTP/2 window (stream and connection) istiod may fill before vmlet reads. At the 64 KiB
  // default every 64 KiB of a large response waits a round trip for a WINDOW_UPDATE (a 10 MB CDS
  // over a 1 ms link: ~160 ms of stalls); Envoy, talking to istiod directly, uses 256 MiB. vmlet
  // reads at once, so the window does not add memory (bench/xds: 10 MB p50 added ~19 -> ~12 ms).
  'grpc-node.flow_control_window': ISTIOD_WINDOW_BYTES,
} as const satisfies grpc.ClientOptions;

/** pilot-agent: the host of the address, or istiod.istio-system.svc when it contains localhost. */
export function serverNameFor(address: string, override?: string): string {
  if (override) return override;
  const host = address.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return host.includes('localhost') ? DEFAULT_ISTIOD_NAME : host;
}

export function createConnector(opts: ConnectorOptions, identity: IdentitySource | undefined): IstiodConnector {
  const name = serverNameFor(opts.address, opts.serverName);
  const channelOptions: grpc.ClientOptions = {
    'grpc.ssl_target_name_override': name,
    'grpc.default_authority': opts.address,
    'grpc.keepalive_time_ms': Math.max(30_000, opts.keepaliveIntervalMs),
    'grpc.keepalive_timeout_ms': opts.keepaliveTimeoutMs,
    'grpc.keepalive_permit_without_calls': 1,
    ...ISTIOD_CHANNEL_OPTIONS,
    // A channel of its own: a renewed client certificate or root is used on a new connection,
    // never on a shared subchannel that still carries the old identity.
    'grpc.use_local_subchannel_pool': 1,
    'grpc.initial_reconnect_backoff_ms': 500,
    'grpc.max_reconnect_backoff_ms': 10_000,
  };
  /** The trust roots and, while it is valid, the workload certificate to present. */
  const material = () => {
    const id = identity?.current();
    // Istio's VM recipe reads the CA root from the directory its certificates are written to, so
    // a root rotated through a renewal is trusted for istiod too: configured root + current one.
    const roots = [opts.rootPem, id !== undefined && !opts.rootPem.includes(id.rootPem.trim()) ? id.rootPem : ''].join('\n').trim();
    const valid = id !== undefined && id.notAfter > opts.now() && id.notBefore <= opts.now() + 300_000;
    return { roots: roots ? `${roots}\n` : undefined, pair: valid ? { key: id.keyPem, cert: id.certChainPem } : undefined };
  };
  return {
    client(ctor, _target: IstiodTarget) {
      const { roots, pair } = material();
      const root = roots ? Buffer.from(roots) : null;
      const creds = pair
        ? grpc.credentials.createSsl(root, Buffer.from(pair.key), Buffer.from(pair.cert))
        : grpc.credentials.createSsl(root);
      return new ctor(opts.address, creds, channelOptions);
    },
    session(_target: IstiodTarget) {
      const { roots, pair } = material();
      return openHttp2Session({
        address: opts.address,
        // No roots configured: Node's default trust store, as grpc-js's createSsl(null) does.
        // istiod's certificate is checked against `name` (as grpc-js's target name override);
        // SNI carries it unless it is an IP address, which SNI cannot (RFC 6066).
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
    async metadata(_target: IstiodTarget) {
      const md = new grpc.Metadata();
      const token = readTokenFile(opts.tokenPath);
      if (token !== undefined) md.set('authorization', `Bearer ${token}`);
      md.set('ClusterID', opts.clusterId);
      for (const [k, v] of Object.entries(opts.extraHeaders)) md.set(k, v);
      return md;
    },
  };
}

function readTokenFile(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  try {
    const t = readFileSync(path, 'utf8').trim();
    return t === '' ? undefined : t;
  } catch {
    return undefined;
  }
}
