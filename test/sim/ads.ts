/**
 * The xDS side of the istiod simulator (a TEST DOUBLE): SotW and delta ADS on the simulator's
 * TLS server, with istiod's order of checks (protocol facts §3.2, §4): authenticate the caller by
 * its client certificate, parse the node metadata strictly, check the identity against
 * NAMESPACE/SERVICE_ACCOUNT, then auto-register (or fail the stream FAILED_PRECONDITION when the
 * WorkloadGroup is missing). Health requests set the entry's Healthy condition, except one sent
 * first on a stream. Every other request gets an empty response so a client sees a live stream.
 *
 *   const ads = createSimAds({ graceMs: 500 });
 *   const sim = await startSimulator({ services: [ads.service] });
 *   ads.bind(sim); ads.registry.addGroup({...}); const url = await ads.listen(); // GET url → entries
 */
import { X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { checkNodeMetadata } from '../../src/xds/node-metadata.js';
import { ADS_SERVICE } from '../../src/xds/proxy.js';
import { TYPE } from '../../src/xds/wire.js';
import { envoyRoot } from '../helpers/envoy-protos.js';
import type { SimService } from './simulator.js';
import { Registry, type WorkloadEntry } from './workload-entries.js';
import type { SimXdsConfig } from './xds-config.js';

type Flavor = 'sotw' | 'delta';
interface SimLike { rootPem: string; signingRootPem(): string }

export interface SimAds {
  readonly service: SimService;
  readonly registry: Registry;
  /** Rejections sent, newest last: gRPC code and details. */
  readonly rejections: { code: grpc.status; details: string }[];
  /**
   * Test-double behaviours. `silent`: an overloaded istiod — streams are accepted and their
   * requests read (counted in `silenced`), but nothing is ever answered, not even a status.
   */
  readonly faults: { silent: boolean };
  /** Requests read and left unanswered under `faults.silent`. */
  readonly silenced: { count: number };
  bind(sim: SimLike): void;
  /** Serves GET /workloadentries on 127.0.0.1; resolves to its URL. */
  listen(): Promise<string>;
  stop(): Promise<void>;
}

/** google.protobuf.Struct (as protobufjs decodes it) → plain JSON. */
function structToJson(s: unknown): Record<string, unknown> {
  const fields = (s as { fields?: Record<string, unknown> } | undefined)?.fields ?? {};
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, valueToJson(v)]));
}
function valueToJson(v: unknown): unknown {
  // The Envoy protos are loaded with keepCase, so Value's oneof members keep their proto names.
  const o = v as Record<string, unknown>;
  const get = (snake: string, camel: string) => (snake in o ? o[snake] : o[camel]);
  if ('string_value' in o || 'stringValue' in o) return get('string_value', 'stringValue');
  if ('number_value' in o || 'numberValue' in o) return get('number_value', 'numberValue');
  if ('bool_value' in o || 'boolValue' in o) return get('bool_value', 'boolValue');
  if ('struct_value' in o || 'structValue' in o) return structToJson(get('struct_value', 'structValue'));
  if ('list_value' in o || 'listValue' in o) return ((get('list_value', 'listValue') as { values?: unknown[] }).values ?? []).map(valueToJson);
  return null;
}

/** `config`: resources to push per type (./xds-config.ts); without it every answer is empty. */
export function createSimAds(opts: { graceMs?: number; config?: SimXdsConfig } = {}): SimAds {
  const root = envoyRoot();
  const types = {
    sotw: { req: root.lookupType('envoy.service.discovery.v3.DiscoveryRequest'), resp: root.lookupType('envoy.service.discovery.v3.DiscoveryResponse') },
    delta: { req: root.lookupType('envoy.service.discovery.v3.DeltaDiscoveryRequest'), resp: root.lookupType('envoy.service.discovery.v3.DeltaDiscoveryResponse') },
  };
  const registry = new Registry(opts.graceMs ?? 10_000);
  const rejections: { code: grpc.status; details: string }[] = [];
  let sim: SimLike | undefined;
  let http: Server | undefined;
  let nonce = 0;
  const faults = { silent: false };
  const silenced = { count: 0 };

  const identityOf = (call: grpc.ServerDuplexStream<Buffer, Buffer>): { ns: string; sa: string } | undefined => {
    const raw = call.getAuthContext().sslPeerCertificate?.raw;
    if (!raw || !sim) return undefined;
    const cert = new X509Certificate(raw);
    const now = Date.now();
    if (Date.parse(cert.validFrom) > now || Date.parse(cert.validTo) < now) return undefined;
    const roots = [sim.rootPem, sim.signingRootPem()].flatMap((p) => p.split(/(?<=-----END CERTIFICATE-----)\s*/).filter((x) => x.includes('BEGIN')));
    if (!roots.some((r) => { try { return cert.verify(new X509Certificate(r).publicKey); } catch { return false; } })) return undefined;
    const m = /URI:spiffe:\/\/[^/]+\/ns\/([^/,]+)\/sa\/([^/,\s]+)/.exec(cert.subjectAltName ?? '');
    return m ? { ns: m[1] as string, sa: m[2] as string } : undefined;
  };

  const handle = (flavor: Flavor) => (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
    const t = types[flavor];
    let entry: WorkloadEntry | undefined;
    let first = true;
    let ended = false;
    const reject = (code: grpc.status, details: string) => {
      if (ended) return;
      ended = true;
      rejections.push({ code, details });
      call.emit('error', { code, details });
    };
    const who = identityOf(call);
    if (!who) return reject(grpc.status.UNAUTHENTICATED, 'authentication failure');
    call.on('data', (buf: Buffer) => {
      if (ended) return;
      if (faults.silent) { silenced.count += 1; return; }
      const msg = t.req.toObject(t.req.decode(buf), { defaults: false }) as Record<string, unknown>;
      const typeUrl = String(msg['type_url'] ?? msg['typeUrl'] ?? '');
      if (first) {
        first = false;
        if (typeUrl === TYPE.health) return; // istiod ignores a health request sent first
        const node = msg['node'] as { id?: string; metadata?: unknown } | undefined;
        if (!node?.id || node.id.split('~').length !== 4) return reject(grpc.status.INVALID_ARGUMENT, 'missing parts in the service node');
        const meta = structToJson(node.metadata);
        const problems = checkNodeMetadata(meta);
        if (problems.length > 0) return reject(grpc.status.INVALID_ARGUMENT, `failed to parse node metadata: ${problems.join('; ')}`);
        const ns = String(meta['NAMESPACE'] ?? '');
        const sa = meta['SERVICE_ACCOUNT'] === undefined ? undefined : String(meta['SERVICE_ACCOUNT']);
        if (who.ns !== ns || (sa !== undefined && sa !== who.sa)) {
          return reject(grpc.status.PERMISSION_DENIED, `authorization failed: no identities ([spiffe://cluster.local/ns/${who.ns}/sa/${who.sa}]) matched ${ns}/${sa ?? ''}`);
        }
        const group = meta['AUTO_REGISTER_GROUP'];
        if (typeof group === 'string' && group !== '') {
          const ip = String(meta['INSTANCE_IPS'] ?? node.id.split('~')[1]).split(',')[0] as string;
          const labels = (meta['LABELS'] ?? {}) as Record<string, string>;
          const proxyConfig = (meta['PROXY_CONFIG'] ?? {}) as Record<string, unknown>;
          try {
            entry = registry.connect(ns, group, ip, (meta['NETWORK'] as string | undefined) || undefined, labels, proxyConfig['readinessProbe'] !== undefined);
          } catch (err) {
            // istiod's wording (autoregistration/controller.go), proxy ID = the node ID's third part; pinned by the e2e tier.
            return reject(grpc.status.FAILED_PRECONDITION, `auto-registration WorkloadEntry of ${node.id.split('~')[2]} failed: ${(err as Error).message}`);
          }
        }
      } else if (typeUrl === TYPE.health) {
        const err = msg['error_detail'] as { message?: string } | undefined;
        if (entry) registry.setHealth(entry, err === undefined, err?.message);
        return;
      }
      // A request that is not an ACK gets an (empty) answer, as istiod pushes config.
      const isAck = flavor === 'sotw' ? Boolean(msg['response_nonce']) : Boolean(msg['response_nonce']) && !msg['resource_names_subscribe'];
      if (!isAck && typeUrl) {
        nonce += 1;
        const version = `sim-${nonce}`;
        const resources = opts.config?.[typeUrl] ?? [];
        const body = flavor === 'sotw'
          ? { version_info: version, type_url: typeUrl, nonce: `n${nonce}`, resources: resources.map((r) => ({ type_url: typeUrl, value: r.value })) }
          : { system_version_info: version, type_url: typeUrl, nonce: `n${nonce}`, resources: resources.map((r) => ({ name: r.name, version, resource: { type_url: typeUrl, value: r.value } })) };
        call.write(Buffer.from(t.resp.encode(t.resp.fromObject(body)).finish()));
      }
    });
    const done = () => {
      if (entry) registry.disconnect(entry);
      entry = undefined;
    };
    call.on('end', () => { done(); if (!ended) { ended = true; call.end(); } });
    call.on('cancelled', done);
    call.on('error', done);
  };

  return {
    service: {
      definition: ADS_SERVICE as unknown as grpc.ServiceDefinition,
      implementation: { StreamAggregatedResources: handle('sotw'), DeltaAggregatedResources: handle('delta') } as unknown as grpc.UntypedServiceImplementation,
    },
    registry,
    rejections,
    faults,
    silenced,
    bind: (s) => { sim = s; },
    listen: async () => {
      http = createServer((req, res) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(req.url === '/workloadgroups' ? [...registry.groups.values()] : registry.list(), null, 2));
      });
      await new Promise<void>((r) => http!.listen(0, '127.0.0.1', () => r()));
      return `http://127.0.0.1:${(http.address() as AddressInfo).port}/workloadentries`;
    },
    stop: async () => {
      registry.stop();
      if (http) await new Promise<void>((r) => http!.close(() => r()));
    },
  };
}
