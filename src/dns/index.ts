/**
 * DNS: the local DNS proxy on 127.0.0.1:15053 (UDP and TCP) that answers mesh names from the name
 * table istiod sends (NDS, fed by the xDS proxy through `acceptTable`) and forwards every other
 * query to the host's real resolvers, as Istio's agent does. Mounted only when DNS is on
 * (ISTIO_META_DNS_CAPTURE and a dns.mode other than off; src/dns/mode.ts).
 *
 * Owns: the proxy's sockets, its upstream sockets, <stateDir>/dns/name-table.pb, and in resolved
 * mode the host resolver's routing (./resolved.ts). Must not touch: iptables (capture installs
 * the port 53 redirect in capture mode), resolv.conf, istiod streams. It keeps answering from the
 * last table whatever happens to istiod; the proxy closes only after capture's rules and the
 * resolver routing are gone, so no query is sent to a closed port during a stop.
 */
import dnsPacket from 'dns-packet';
import type { Deps } from '../deps.js';
import { VmletError } from '../errors.js';
import type { Capability } from '../lifecycle/index.js';
import { AnswerCache } from './answer-cache.js';
import { readResolverSetup, type ResolverSetup } from './resolv-conf.js';
import { cachedAnswer, resolveQuery, type Protocol, type Resolution } from './resolver.js';
import { DnsServer } from './server.js';
import { MeshTable, type TableContext } from './table.js';
import { TableStore } from './table-store.js';
import type { DnsDecision } from './mode.js';
import type { HostResolverRouting } from './types.js';
import { Forwarder, UPSTREAM_PORTS } from './upstream.js';
import './errors.js';

export { decideDnsMode, readResolverHost, type DnsDecision } from './mode.js';

/** What `vmlet status` and /debug/dns show. */
export interface DnsSnapshot {
  readonly mode: string;
  readonly why: string;
  readonly listen: string;
  readonly hosts: number;
  /** When the table in use was received from istiod (ISO time), or null before the first. */
  readonly tableReceivedAt: string | null;
  readonly tableAgeSeconds: number | null;
  /** Where the table in use came from: istiod in this run, or the file kept by an earlier run. */
  readonly tableSource: 'istiod' | 'state-dir' | 'none';
  readonly upstreams: readonly string[];
  readonly upstreamSource: string;
  readonly search: readonly string[];
}

/** The answer `vmlet dns lookup` prints. */
export interface LookupReport {
  readonly name: string;
  readonly type: string;
  readonly source: Resolution['source'];
  readonly rcode: string;
  readonly addresses: readonly string[];
  readonly host?: string;
  readonly upstream?: string;
}

export interface DnsCapability extends Capability {
  readonly decision: DnsDecision;
  /**
   * A NameTable message (the bytes inside istiod's Any) from the xDS proxy: decoded, answered from
   * at once, and kept in the state dir. Throws VMLET_DNS_TABLE_INVALID (the proxy NACKs; the
   * previous table stays).
   */
  acceptTable(bytes: Uint8Array): void;
  /** Runs the proxy's own resolver on one question (the status server's /debug/dns). */
  lookup(name: string, type: 'A' | 'AAAA'): Promise<LookupReport>;
  snapshot(): DnsSnapshot;
}

export async function createDns(deps: Deps, decision: DnsDecision): Promise<DnsCapability> {
  const { config } = deps;
  const log = deps.logger.child({ component: 'dns' });
  const self = { address: config.dns.address, port: config.dns.port };
  const setup: ResolverSetup = await readResolverSetup(config.dns.upstreams, self);
  const ctx: TableContext = {
    namespace: config.identity.namespace,
    domain: config.node.dnsDomain ?? `${config.identity.namespace}.svc.cluster.local`,
    search: setup.search,
  };
  const m = {
    queries: deps.metrics.counter('vmlet_dns_queries_total', 'DNS queries the proxy answered, by protocol.', ['protocol']),
    table: deps.metrics.counter('vmlet_dns_table_answers_total', 'DNS queries answered from the mesh name table.'),
    forwarded: deps.metrics.counter('vmlet_dns_forwarded_total', 'DNS queries forwarded to an upstream resolver.'),
    failures: deps.metrics.counter('vmlet_dns_upstream_failures_total', 'Upstream attempts that failed (timeout, refused, bad answer), by upstream.', ['upstream']),
    servfail: deps.metrics.counter('vmlet_dns_servfail_total', 'DNS queries answered SERVFAIL because every upstream failed.'),
    // Buckets (s): table answers take tens of microseconds, forwarded ones milliseconds up to the timeout.
    latency: deps.metrics.histogram('vmlet_dns_request_duration_seconds', 'Time from a DNS query to its answer, by source (table, upstream, local).', [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], ['source']),
    hosts: deps.metrics.gauge('vmlet_dns_table_hosts', 'Hosts in the name table in use.'),
    received: deps.metrics.gauge('vmlet_dns_table_received_timestamp_seconds', 'When the name table in use was received from istiod, unix seconds.'),
  };

  const forwarder = new Forwarder({
    upstreams: setup.upstreams,
    timeoutMs: config.dns.queryTimeout,
    // Capture mode: the exempt source ports (src/capture/rules.ts), or these queries would come back to vmlet.
    ...(decision.mode === 'capture' ? { portRange: UPSTREAM_PORTS } : {}),
    onFailure: (upstream, why) => {
      m.failures.inc({ upstream });
      log.debug({ upstream, why }, 'upstream DNS query failed');
    },
  });
  try {
    await forwarder.start();
  } catch (err) {
    throw new VmletError('VMLET_DNS_LISTEN_FAILED', `the DNS proxy cannot bind its upstream source ports (${UPSTREAM_PORTS.first}-${UPSTREAM_PORTS.last}): ${(err as Error).message}; free one of them`, { cause: err });
  }
  if (setup.upstreams.length === 0) log.warn({ source: setup.upstreamSource }, `no upstream resolver in ${setup.upstreamSource}: names outside the mesh get SERVFAIL; set dns.upstreams`);

  const store = new TableStore(config.general.stateDir);
  let table: MeshTable | undefined;
  let receivedAt: number | undefined;
  let tableSource: DnsSnapshot['tableSource'] = 'none';
  const stored = await store.load();
  if (stored) {
    try {
      table = MeshTable.fromBytes(stored.bytes, ctx);
      receivedAt = stored.receivedAt;
      tableSource = 'state-dir';
      log.info({ hosts: table.size, receivedAt: new Date(stored.receivedAt).toISOString(), file: store.path }, 'answering mesh names from the table kept by an earlier run until istiod sends one');
    } catch (err) {
      log.warn({ err, file: store.path }, 'the stored name table does not decode; ignored');
    }
  }

  const state = { table: () => table, forwarder, cache: new AnswerCache<MeshTable>() };
  const server = new DnsServer({
    address: self.address,
    port: self.port,
    handle: (raw, proto) => resolveQuery(state, raw, proto),
    handleSync: (raw, proto) => cachedAnswer(state, raw, proto),
    onAnswered: (r: Resolution, proto: Protocol, seconds: number) => {
      m.queries.inc({ protocol: proto });
      if (r.source === 'table') m.table.inc();
      else if (r.source === 'upstream') m.forwarded.inc();
      if (r.upstreamFailed) m.servfail.inc();
      m.latency.observe(seconds, { source: r.source });
    },
  });
  await server.listen();
  const listen = `${self.address}:${server.port}`;
  log.info({ mode: decision.mode, why: decision.why, listen, upstreams: setup.upstreams.map((u) => `${u.address}:${u.port}`), search: setup.search }, `DNS proxy listening on ${listen} (mode ${decision.mode})`);

  let routing: HostResolverRouting | undefined;
  const domainsOf = (t: MeshTable | undefined): string[] => {
    const parts = ctx.domain.toLowerCase().split('.');
    if (parts[0] === ctx.namespace.toLowerCase()) parts.shift();
    return [parts.slice(1).join('.') || 'cluster.local', ...(t?.hostNames() ?? [])];
  };

  const report = () => {
    const hosts = table?.size ?? 0;
    m.hosts.set(hosts);
    if (receivedAt !== undefined) m.received.set(Math.floor(receivedAt / 1000));
    const from = tableSource === 'istiod' ? 'from istiod' : tableSource === 'state-dir' ? 'kept from an earlier run' : 'none yet';
    deps.status.set('dns', 'ok', `mode ${decision.mode} on ${listen}; name table: ${table ? `${hosts} hosts ${from}, received ${new Date(receivedAt ?? 0).toISOString()}` : 'none yet (every name is forwarded)'}`);
  };
  report();

  const snapshot = (): DnsSnapshot => ({
    mode: decision.mode,
    why: decision.why,
    listen,
    hosts: table?.size ?? 0,
    tableReceivedAt: receivedAt === undefined ? null : new Date(receivedAt).toISOString(),
    tableAgeSeconds: receivedAt === undefined ? null : Math.max(0, Math.round((deps.clock.now() - receivedAt) / 1000)),
    tableSource,
    upstreams: setup.upstreams.map((u) => `${u.address}:${u.port}`),
    upstreamSource: setup.upstreamSource,
    search: setup.search,
  });

  const lookup = async (name: string, type: 'A' | 'AAAA'): Promise<LookupReport> => {
    const raw = dnsPacket.encode({ type: 'query', id: 1, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] });
    const r = await resolveQuery(state, raw, 'tcp');
    const msg = r.response ? dnsPacket.decode(r.response) : undefined;
    const addresses = (msg?.answers ?? []).filter((a) => a.type === type).map((a) => String((a as { data: unknown }).data));
    return { name, type, source: r.source, rcode: r.rcode, addresses, ...(r.host ? { host: r.host } : {}), ...(r.upstream ? { upstream: r.upstream } : {}) };
  };
  // /debug/dns: the snapshot; /debug/dns?name=N&type=A|AAAA: the proxy's own answer (`vmlet dns lookup`).
  deps.status.expose?.('dns', (q) => {
    const name = q.get('name');
    if (name === null) return snapshot();
    return lookup(name, q.get('type') === 'AAAA' ? 'AAAA' : 'A');
  });

  return {
    decision,
    acceptTable(bytes: Uint8Array): void {
      let next: MeshTable;
      try {
        next = MeshTable.fromBytes(bytes, ctx);
      } catch (err) {
        throw new VmletError('VMLET_DNS_TABLE_INVALID', `istiod's name table does not decode: ${(err as Error).message}; the previous table keeps answering`, { cause: err });
      }
      const first = tableSource !== 'istiod';
      table = next;
      receivedAt = deps.clock.now();
      tableSource = 'istiod';
      report();
      (first ? log.info.bind(log) : log.debug.bind(log))({ hosts: next.size }, 'name table from istiod in use');
      deps.events.emit('dns', { table: next.size });
      store.save(bytes).catch((err: unknown) => log.warn({ err, file: store.path }, 'could not keep the name table in the state dir'));
      if (routing) {
        const domains = domainsOf(next);
        routing.update(domains).catch((err: unknown) => log.error({ err }, `systemd-resolved routing domains not updated: ${(err as Error).message}`));
      }
    },
    lookup,
    snapshot,
    components: [{
      name: 'dns',
      run: async (signal) => {
        if (decision.mode === 'resolved') {
          try {
            const { createResolvedRouting } = await import('./resolved.js');
            routing = createResolvedRouting({ logger: log, runDir: config.general.runDir, stateDir: config.general.stateDir });
            const domains = domainsOf(table);
            await routing.apply({ server: { address: self.address, port: server.port }, domains });
            log.info({ names: domains.length }, 'systemd-resolved sends mesh domains to the DNS proxy; other names are untouched');
          } catch (err) {
            routing = undefined;
            const code = (err as VmletError).code ?? 'VMLET_DNS_RESOLVED_UNAVAILABLE';
            log.error({ err }, `resolved mode could not be set up: ${(err as Error).message} [${code}]`);
            deps.status.set('dns', 'degraded', `resolved mode not set up: ${(err as Error).message} [${code}]`);
          }
        }
        await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
        server.close();
        forwarder.close();
      },
    }],
    stopHooks: [{
      stage: 'remove-capture',
      name: 'dns: stop routing the host resolver to the proxy',
      run: async () => {
        if (!routing) return;
        try {
          await routing.revert();
          log.info('systemd-resolved routing to the DNS proxy removed');
        } catch (err) {
          log.error({ err }, `systemd-resolved routing could not be removed: ${(err as Error).message}`);
        }
      },
    }],
  };
}
