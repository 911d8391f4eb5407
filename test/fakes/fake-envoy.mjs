#!/usr/bin/env node
// A FAKE Envoy for tests: it is not Envoy. It takes Envoy's command line, reads the bootstrap
// (-c), answers the admin endpoints vmlet uses on the bootstrap's admin port, and fetches
// `default` and `ROOTCA` over the bootstrap's sds-grpc pipe like Envoy (one stream per secret,
// node on the first message, ACKs), checking that the two parse and belong together.
// It appends one JSON line per event to $FAKE_ENVOY_RECORD: start (argv, uid, gid, pid, pgid),
// admin (method, path), signal, sds, exit.
//
// Admin: /stats, /healthcheck/fail, /drain_listeners, and /config_dump (?include_eds) and
// /clusters?format=json built from what it received (./fake-envoy-config.mjs).
//
// Knobs (environment): FAKE_ENVOY_XDS=1 (open an ADS stream on xds-grpc like Envoy; CDS/LDS stats count its responses); FAKE_ENVOY_NACK=listener (with
// FAKE_ENVOY_XDS: NACK those types, see ./fake-envoy-xds.mjs); FAKE_ENVOY_VERSION (default 1.24.2); FAKE_ENVOY_SDS=1 (config counts as
// received only after both secrets arrived); FAKE_ENVOY_CRASH_AFTER_MS with FAKE_ENVOY_CRASHES=N and
// FAKE_ENVOY_CRASH_COUNT_FILE (crash the first N starts); FAKE_ENVOY_IGNORE_SIGTERM=1 (hang);
// FAKE_ENVOY_ACTIVE_CX=N (inbound connections, one closes per 200 ms once drained).
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { X509Certificate, createPrivateKey } from 'node:crypto';

const argv = process.argv.slice(2);
const env = process.env;
const record = (event) => {
  if (env.FAKE_ENVOY_RECORD) appendFileSync(env.FAKE_ENVOY_RECORD, `${JSON.stringify({ t: Date.now(), pid: process.pid, ...event })}\n`);
};

if (argv.includes('--version')) {
  process.stdout.write(`\nenvoy  version: fakefakefake/${env.FAKE_ENVOY_VERSION ?? '1.24.2'}/Clean/RELEASE/BoringSSL\n`);
  process.exit(0);
}

const bootstrapPath = argv[argv.indexOf('-c') + 1];
const bootstrap = JSON.parse(readFileSync(bootstrapPath, 'utf8'));
const stat = readFileSync('/proc/self/stat', 'utf8');
const pgid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
record({ event: 'start', argv, uid: process.getuid(), gid: process.getgid(), pgid });
console.log(`[2026-01-01 00:00:00.000][${process.pid}][info][main] fake envoy starting`);
console.error(`[2026-01-01 00:00:00.000][${process.pid}][warning][config] fake envoy warning line`);

let configReceived = env.FAKE_ENVOY_SDS !== '1';
let draining = false;
let active = Number(env.FAKE_ENVOY_ACTIVE_CX ?? 0);
// The health listener (15021 in production) as the bootstrap names it; vmlet must not count it.
const statusListener = bootstrap.static_resources.listeners.find((l) => l.name.endsWith(`_${l.address.socket_address.port_value}`) && JSON.stringify(l).includes('/healthz/ready')).name;

// ── crash on demand
if (env.FAKE_ENVOY_CRASH_AFTER_MS) {
  const file = env.FAKE_ENVOY_CRASH_COUNT_FILE;
  const done = file && existsSync(file) ? Number(readFileSync(file, 'utf8')) : 0;
  if (done < Number(env.FAKE_ENVOY_CRASHES ?? Infinity)) {
    if (file) writeFileSync(file, String(done + 1));
    setTimeout(() => { record({ event: 'crash' }); process.exit(139); }, Number(env.FAKE_ENVOY_CRASH_AFTER_MS));
  }
}

// ── signals
process.on('SIGTERM', () => {
  record({ event: 'signal', signal: 'SIGTERM', active });
  if (env.FAKE_ENVOY_IGNORE_SIGTERM !== '1') { record({ event: 'exit' }); process.exit(0); }
});
process.on('SIGINT', () => record({ event: 'signal', signal: 'SIGINT' }));

// ── admin API
// With FAKE_ENVOY_XDS=1, as in Envoy, CDS/LDS count as updated only once istiod sent them.
const xdsUpdates = { cds: env.FAKE_ENVOY_XDS === '1' ? 0 : 1, lds: env.FAKE_ENVOY_XDS === '1' ? 0 : 1, cdsRejected: 0, ldsRejected: 0 };
// What it holds (clusters, listeners, routes, endpoints, secrets), loaded on first use: Envoy's
// protos take about half a second to parse.
let configStore;
const config = async () => {
  if (!configStore) {
    const { FakeEnvoyConfig } = await import('./fake-envoy-config.mjs');
    configStore = new FakeEnvoyConfig(bootstrap);
  }
  return configStore;
};
function stats() {
  const ok = configReceived ? 1 : 0;
  return {
    'cluster_manager.cds.update_success': ok * xdsUpdates.cds,
    'cluster_manager.cds.update_rejected': xdsUpdates.cdsRejected,
    'listener_manager.lds.update_success': ok * xdsUpdates.lds,
    'listener_manager.lds.update_rejected': xdsUpdates.ldsRejected,
    'server.state': draining ? 1 : 0,
    'listener_manager.workers_started': 1,
    'listener.0.0.0.0_15006.downstream_cx_active': active,
    [`listener.${statusListener}.downstream_cx_active`]: 1,
    'listener.admin.downstream_cx_active': 1,
  };
}
const adminAddr = bootstrap.admin.address.socket_address;
const admin = createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  record({ event: 'admin', method: req.method, path: req.url });
  if (req.method === 'GET' && url.pathname === '/stats') {
    const filter = url.searchParams.get('filter');
    const re = filter ? new RegExp(filter) : undefined;
    const lines = Object.entries(stats()).filter(([k]) => !re || re.test(k)).map(([k, v]) => `${k}: ${v}`);
    res.end(`${lines.join('\n')}\n`);
  } else if (req.method === 'GET' && (url.pathname === '/config_dump' || (url.pathname === '/clusters' && url.searchParams.get('format') === 'json'))) {
    void config().then((c) => {
      const body = url.pathname === '/clusters' ? c.clustersJson() : c.configDump({ includeEds: url.searchParams.has('include_eds') });
      res.setHeader('content-type', 'application/json');
      res.end(`${JSON.stringify(body, null, 2)}\n`);
    }, (err) => { res.statusCode = 500; res.end(String(err)); });
  } else if (req.method === 'POST' && url.pathname === '/healthcheck/fail') {
    res.end('OK\n');
  } else if (req.method === 'POST' && url.pathname === '/drain_listeners') {
    draining = true;
    setInterval(() => { active = Math.max(0, active - 1); }, 200).unref();
    res.end('OK\n');
  } else {
    res.statusCode = 404;
    res.end('not found\n');
  }
});
admin.listen(adminAddr.port_value, adminAddr.address);

// ── ADS, like Envoy (FAKE_ENVOY_XDS=1): see ./fake-envoy-xds.mjs.
if (env.FAKE_ENVOY_XDS === '1') {
  const { startFakeAds } = await import('./fake-envoy-xds.mjs');
  startFakeAds(bootstrap, record, await config(), (type, accepted) => {
    if (type.endsWith('.Cluster')) xdsUpdates[accepted ? 'cds' : 'cdsRejected'] += 1;
    if (type.endsWith('.Listener')) xdsUpdates[accepted ? 'lds' : 'ldsRejected'] += 1;
  });
}

// ── SDS, like Envoy: one stream per secret, node on the first message only, ACK every response
if (env.FAKE_ENVOY_SDS === '1') {
  const { envoyProtoRoot, require } = await import('./envoy-proto-root.mjs');
  const grpc = require('@grpc/grpc-js');
  const root = envoyProtoRoot(['envoy/service/discovery/v3/discovery.proto', 'envoy/extensions/transport_sockets/tls/v3/secret.proto']);
  const Req = root.lookupType('envoy.service.discovery.v3.DiscoveryRequest');
  const Res = root.lookupType('envoy.service.discovery.v3.DiscoveryResponse');
  const Secret = root.lookupType('envoy.extensions.transport_sockets.tls.v3.Secret');
  const TYPE = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret';
  const sdsCluster = bootstrap.static_resources.clusters.find((c) => c.name === 'sds-grpc');
  const pipe = sdsCluster.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.pipe.path;
  const Client = grpc.makeGenericClientConstructor({
    StreamSecrets: {
      path: '/envoy.service.secret.v3.SecretDiscoveryService/StreamSecrets', requestStream: true, responseStream: true,
      requestSerialize: (o) => Buffer.from(Req.encode(Req.create(o)).finish()), requestDeserialize: (b) => b,
      responseSerialize: (b) => b, responseDeserialize: (b) => Res.decode(b),
    },
  }, 'SDS');
  const client = new Client(`unix:${pipe}`, grpc.credentials.createInsecure());
  const got = {};
  const check = () => {
    if (!got.default || !got.ROOTCA || configReceived) return;
    try {
      const leaf = new X509Certificate(got.default.chain);
      const key = createPrivateKey(got.default.key);
      const rootCert = new X509Certificate(got.ROOTCA.root);
      const ok = leaf.checkPrivateKey(key) && leaf.verify(rootCert.publicKey);
      record({ event: 'sds', ok, spiffe: leaf.subjectAltName });
      configReceived = ok;
    } catch (err) {
      record({ event: 'sds', ok: false, reason: String(err) });
    }
  };
  const node = { id: bootstrap.node.id, cluster: bootstrap.node.cluster };
  const open = (name) => {
    const call = client.StreamSecrets();
    call.on('data', (res) => {
      void config().then((c) => c.apply(TYPE, res.version_info, res.resources.map((a) => ({ name: Secret.decode(a.value).name, version: res.version_info, resource: a })), []));
      for (const any of res.resources) {
        const s = Secret.decode(any.value);
        const text = (b) => Buffer.from(b ?? []).toString('utf8');
        if (s.name === 'default') got.default = { chain: text(s.tls_certificate?.certificate_chain?.inline_bytes), key: text(s.tls_certificate?.private_key?.inline_bytes) };
        if (s.name === 'ROOTCA') got.ROOTCA = { root: text(s.validation_context?.trusted_ca?.inline_bytes) };
        record({ event: 'sds-secret', name: s.name, version: res.version_info });
      }
      call.write({ resource_names: [name], type_url: TYPE, response_nonce: res.nonce, version_info: res.version_info });
      check();
    });
    call.on('error', (err) => { record({ event: 'sds-error', name, code: err.code, details: err.details }); setTimeout(() => open(name), 200); });
    call.write({ node, resource_names: [name], type_url: TYPE });
  };
  open('default');
  open('ROOTCA');
}
