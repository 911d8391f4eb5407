/**
 * The xDS view: per resource type, what istiod last sent on the current stream (version, nonce,
 * resource count, when) and what Envoy (or vmlet, for the types it consumes) last answered: an
 * ACK or a NACK with its error_detail message, and when. The sync state of each type follows
 * istiod's own rule (pilot's debugSyncStatus, shown by `istioctl proxy-status`): NACKED while the
 * last answer is a NACK, NOT SENT before any response, SYNCED when the answered nonce is the last
 * one sent, else STALE. Pure bookkeeping on strings the proxy already decoded; no timers.
 */
import type { XdsFlavor } from './wire.js';

export type SyncState = 'SYNCED' | 'NOT SENT' | 'STALE' | 'NACKED';

export interface Sent {
  readonly version: string;
  readonly nonce: string;
  readonly resources: number;
  /** ISO 8601. */
  readonly at: string;
}

export interface Answer {
  readonly kind: 'ACK' | 'NACK';
  /** SotW: the version Envoy names (after a NACK, the last one it accepted); delta: the answered response's. */
  readonly version: string;
  readonly nonce: string;
  /** Who answered: Envoy, or vmlet for the types it consumes (NDS, PCDS). */
  readonly by: 'envoy' | 'vmlet';
  readonly at: string;
  /** The NACK's error_detail message. */
  readonly error?: string;
}

export interface TypeView {
  readonly typeUrl: string;
  /** CDS, LDS, EDS, ... (istioctl's short names); the type URL's last part when unknown. */
  readonly short: string;
  readonly state: SyncState;
  /** When Envoy (or vmlet) first asked for this type on the current stream. */
  readonly requestedAt?: string;
  readonly sent?: Sent;
  readonly answer?: Answer;
  /** The last NACK on this stream, kept after a later ACK so the detail is not lost. */
  readonly lastNack?: Answer;
  readonly nacks: number;
}

export interface XdsView {
  /** The current (or last) Envoy stream; absent before Envoy connected. */
  readonly stream?: { readonly flavor: XdsFlavor; readonly openedAt: string; readonly open: boolean };
  readonly types: readonly TypeView[];
}

const SHORT: Readonly<Record<string, string>> = {
  'envoy.config.cluster.v3.Cluster': 'CDS',
  'envoy.config.listener.v3.Listener': 'LDS',
  'envoy.config.endpoint.v3.ClusterLoadAssignment': 'EDS',
  'envoy.config.route.v3.RouteConfiguration': 'RDS',
  'envoy.config.route.v3.VirtualHost': 'VHDS',
  'envoy.config.route.v3.ScopedRouteConfiguration': 'SRDS',
  'envoy.config.core.v3.TypedExtensionConfig': 'ECDS',
  'envoy.extensions.transport_sockets.tls.v3.Secret': 'SDS',
  'envoy.service.runtime.v3.Runtime': 'RTDS',
  'istio.networking.nds.v1.NameTable': 'NDS',
  'istio.mesh.v1alpha1.ProxyConfig': 'PCDS',
  'istio.workload.Workload': 'WDS',
  'istio.workload.Address': 'WADS',
};

/** istioctl's short name for a type URL (CDS, LDS, ...). */
export function shortType(typeUrl: string): string {
  const name = typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
  return SHORT[name] ?? name.slice(name.lastIndexOf('.') + 1);
}

/** CDS, LDS, EDS, RDS first (istioctl's order), then the others by name. */
const ORDER = ['CDS', 'LDS', 'EDS', 'RDS'];
function rank(short: string): number {
  const i = ORDER.indexOf(short);
  return i < 0 ? ORDER.length : i;
}

/** Kept with times in ms (a Date per message would cost more than the decoding); ISO in view(). */
type Stamped<T> = Omit<T, 'at'> & { at: number };
interface Entry {
  requestedAt?: number;
  sent?: Stamped<Sent>;
  answer?: Stamped<Answer>;
  lastNack?: Stamped<Answer>;
  nacks: number;
}

export function syncState(e: { sent?: { nonce: string }; answer?: { kind: Answer['kind']; nonce: string } }): SyncState {
  if (e.answer?.kind === 'NACK') return 'NACKED';
  if (e.sent === undefined) return 'NOT SENT';
  return e.answer !== undefined && e.answer.nonce === e.sent.nonce ? 'SYNCED' : 'STALE';
}

export class XdsSyncView {
  private entries = new Map<string, Entry>();
  private stream: { flavor: XdsFlavor; openedAt: string; open: boolean } | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  /** A new Envoy stream: what the old one said no longer describes Envoy's state. */
  streamOpened(flavor: XdsFlavor): void {
    this.entries = new Map();
    this.stream = { flavor, openedAt: new Date(this.now()).toISOString(), open: true };
  }

  streamClosed(): void {
    if (this.stream) this.stream.open = false;
  }

  /** A response istiod sent (forwarded to Envoy or consumed by vmlet). */
  sent(typeUrl: string, version: string, nonce: string, resources: number): void {
    this.entry(typeUrl).sent = { version, nonce, resources, at: this.now() };
  }

  /**
   * A request: the first of a subscription (no nonce), an ACK, or a NACK (error set). Returns the
   * NACK's record when it is one, so the caller can warn once per NACK.
   */
  answered(typeUrl: string, nonce: string, version: string, error: string | undefined, by: Answer['by'] = 'envoy'): Answer | undefined {
    const e = this.entry(typeUrl);
    if (nonce === '') {
      e.requestedAt ??= this.now();
      return undefined;
    }
    // Delta requests carry no version: name the one sent with that nonce.
    const v = version !== '' || e.sent?.nonce !== nonce ? version : e.sent.version;
    const answer: Stamped<Answer> = { kind: error === undefined ? 'ACK' : 'NACK', version: v, nonce, by, at: this.now(), ...(error === undefined ? {} : { error }) };
    e.answer = answer;
    if (answer.kind === 'NACK') {
      e.lastNack = answer;
      e.nacks += 1;
      return iso(answer);
    }
    return undefined;
  }

  isNacked(typeUrl: string): boolean {
    return this.entries.get(typeUrl)?.answer?.kind === 'NACK';
  }

  /** Types whose last answer is a NACK. */
  nacked(): TypeView[] {
    return this.view().types.filter((t) => t.state === 'NACKED');
  }

  view(): XdsView {
    const types = [...this.entries].map(([typeUrl, e]): TypeView => ({
      typeUrl,
      short: shortType(typeUrl),
      state: syncState(e),
      ...(e.requestedAt !== undefined ? { requestedAt: new Date(e.requestedAt).toISOString() } : {}),
      ...(e.sent ? { sent: iso(e.sent) } : {}),
      ...(e.answer ? { answer: iso(e.answer) } : {}),
      ...(e.lastNack ? { lastNack: iso(e.lastNack) } : {}),
      nacks: e.nacks,
    }));
    types.sort((a, b) => rank(a.short) - rank(b.short) || a.short.localeCompare(b.short));
    return { ...(this.stream ? { stream: { ...this.stream } } : {}), types };
  }

  private entry(typeUrl: string): Entry {
    let e = this.entries.get(typeUrl);
    if (e === undefined) {
      e = { nacks: 0 };
      this.entries.set(typeUrl, e);
    }
    return e;
  }
}

function iso<T extends { at: number }>(r: T): Omit<T, 'at'> & { at: string } {
  return { ...r, at: new Date(r.at).toISOString() };
}
