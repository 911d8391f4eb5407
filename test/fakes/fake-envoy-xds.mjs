// Part of the FAKE Envoy (test/fakes/fake-envoy.mjs; not Envoy): the ADS client. Like Envoy it
// reads the bootstrap's ads_config (DELTA_GRPC or GRPC) and the xds-grpc pipe, opens one stream
// with the node (id, cluster, metadata as a Struct) on the first request only, and subscribes as
// Envoy does: clusters (wildcard); then endpoints for the EDS clusters it received; listeners
// once clusters are in (after their first endpoints, if any); then routes for the listeners'
// RDS names. SotW requests name the resources of EDS and RDS every time; delta ones subscribe
// and unsubscribe the difference. It ACKs every response (SotW: with its version) and keeps what
// it accepted in a FakeEnvoyConfig (its /config_dump). FAKE_ENVOY_NACK=listener (a comma list of
// cluster, listener, route, endpoint) NACKs every response of those types instead, with an
// error_detail like Envoy's (FAKE_ENVOY_NACK_DETAIL overrides the message), keeping the last
// accepted version. Reconnects with backoff (500 ms doubling to 5 s) when the stream ends; with
// FAKE_ENVOY_XDS_BACKOFF=envoy, with Envoy's own for its gRPC streams instead (a jittered
// exponential backoff: each delay drawn from [0, interval), the interval 500 ms doubling to 30 s,
// back to 500 ms on a response), so a fleet's reconnects spread as real Envoys' do.
// Events go to `record` (xds-open, xds-request, xds-response, xds-nack, xds-closed).
import { envoyProtoRoot, require } from './envoy-proto-root.mjs';
import { configRoot, TYPES } from './fake-envoy-config.mjs';

// protobufjs defines google.protobuf.Struct itself, with camelCase member names, even under keepCase.
const toValue = (v) => {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'number') return { numberValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (Array.isArray(v)) return { listValue: { values: v.map(toValue) } };
  if (v && typeof v === 'object') return { structValue: toStruct(v) };
  return { nullValue: 0 };
};
const toStruct = (o) => ({ fields: Object.fromEntries(Object.entries(o).map(([k, v]) => [k, toValue(v)])) });

const NACK_KINDS = { cluster: TYPES.cluster, listener: TYPES.listener, route: TYPES.route, endpoint: TYPES.endpoint };
const NACK_WORDS = { [TYPES.cluster]: 'cluster', [TYPES.listener]: 'listener', [TYPES.route]: 'route config', [TYPES.endpoint]: 'cluster load assignment' };

/** `config` is the FakeEnvoyConfig; onResponse(typeUrl, accepted) feeds the fake's stats. */
export function startFakeAds(bootstrap, record, config, onResponse = () => {}) {
  const grpc = require('@grpc/grpc-js');
  configRoot();
  const root = envoyProtoRoot(['envoy/service/discovery/v3/discovery.proto']);
  const delta = bootstrap.dynamic_resources?.ads_config?.api_type !== 'GRPC';
  const Req = root.lookupType(`envoy.service.discovery.v3.${delta ? 'DeltaDiscoveryRequest' : 'DiscoveryRequest'}`);
  const Res = root.lookupType(`envoy.service.discovery.v3.${delta ? 'DeltaDiscoveryResponse' : 'DiscoveryResponse'}`);
  const cluster = bootstrap.static_resources.clusters.find((c) => c.name === 'xds-grpc');
  const pipe = cluster.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.pipe.path;
  const method = delta ? 'DeltaAggregatedResources' : 'StreamAggregatedResources';
  const Client = grpc.makeGenericClientConstructor({
    [method]: {
      path: `/envoy.service.discovery.v3.AggregatedDiscoveryService/${method}`, requestStream: true, responseStream: true,
      requestSerialize: (o) => Buffer.from(Req.encode(Req.fromObject(o)).finish()), requestDeserialize: (b) => b,
      responseSerialize: (b) => b, responseDeserialize: (b) => Object.assign(Res.decode(b), { wireBytes: b.length }),
    },
  }, 'ADS');
  const client = new Client(`unix:${pipe}`, grpc.credentials.createInsecure());
  const nackTypes = new Set((process.env.FAKE_ENVOY_NACK ?? '').split(',').map((s) => NACK_KINDS[s.trim()]).filter(Boolean));
  const node = { id: bootstrap.node.id, cluster: bootstrap.node.cluster, metadata: toStruct(bootstrap.node.metadata ?? {}) };
  const envoyBackoff = process.env.FAKE_ENVOY_XDS_BACKOFF === 'envoy';
  let backoff = 500;
  const open = () => {
    const call = client[method]();
    let first = true;
    const accepted = new Map(); // SotW: type -> last accepted version
    const subscribed = new Map(); // EDS/RDS: type -> names
    let sentLds = false;
    const send = (req) => {
      call.write({ ...(first ? { node } : {}), ...req });
      first = false;
      record({ event: 'xds-request', type: req.type_url, nonce: req.response_nonce ?? '', nack: Boolean(req.error_detail) });
    };
    const subscribe = (type, names) => {
      if (names === undefined) {
        send({ type_url: type, ...(delta ? { resource_names_subscribe: ['*'] } : {}) });
        return;
      }
      const before = subscribed.get(type) ?? [];
      if (before.join('\n') === names.join('\n')) return;
      subscribed.set(type, names);
      if (delta) send({ type_url: type, resource_names_subscribe: names.filter((n) => !before.includes(n)), resource_names_unsubscribe: before.filter((n) => !names.includes(n)) });
      else send({ type_url: type, resource_names: names, ...(accepted.has(type) ? { version_info: accepted.get(type) } : {}) });
    };
    const startLds = () => {
      if (sentLds) return;
      sentLds = true;
      subscribe(TYPES.listener);
    };
    call.on('data', (res) => {
      backoff = 500;
      const type = res.type_url;
      const anys = delta ? res.resources.map((r) => r.resource).filter(Boolean) : res.resources;
      record({ event: 'xds-response', type, nonce: res.nonce, bytes: res.wireBytes, resources: res.resources.length });
      const names = subscribed.get(type);
      if (nackTypes.has(type) && anys.length > 0) {
        const detail = process.env.FAKE_ENVOY_NACK_DETAIL
          ?? `Error adding/updating ${NACK_WORDS[type]}(s) ${anys.map((a) => config.nameOf(type, a.value)).join(', ')}: FAKE Envoy rejects every ${NACK_WORDS[type]} (FAKE_ENVOY_NACK)`;
        config.reject(type, detail, anys);
        record({ event: 'xds-nack', type, nonce: res.nonce, detail });
        onResponse(type, false);
        send({ type_url: type, response_nonce: res.nonce, error_detail: { code: 13, message: detail }, ...(delta ? {} : { version_info: accepted.get(type) ?? '', ...(names ? { resource_names: names } : {}) }) });
      } else {
        if (delta) config.apply(type, res.system_version_info, res.resources, res.removed_resources);
        else config.replace(type, res.version_info, anys);
        accepted.set(type, delta ? res.system_version_info : res.version_info);
        onResponse(type, true);
        send({ type_url: type, response_nonce: res.nonce, ...(delta ? {} : { version_info: res.version_info, ...(names ? { resource_names: names } : {}) }) });
      }
      // What Envoy asks for next, from what it now holds.
      if (type === TYPES.cluster) {
        const eds = config.edsNames();
        if (eds.length > 0) subscribe(TYPES.endpoint, eds);
        else startLds();
      } else if (type === TYPES.endpoint) {
        startLds();
      } else if (type === TYPES.listener) {
        const rds = config.rdsNames();
        if (rds.length > 0) subscribe(TYPES.route, rds);
      }
    });
    let closed = false;
    const retry = (why) => {
      if (closed) return;
      closed = true;
      record({ event: 'xds-closed', why });
      setTimeout(open, envoyBackoff ? Math.floor(Math.random() * backoff) : backoff).unref?.();
      backoff = Math.min(backoff * 2, envoyBackoff ? 30_000 : 5000);
    };
    call.on('error', (err) => retry(`${err.code} ${err.details}`));
    call.on('end', () => retry('end'));
    record({ event: 'xds-open', delta });
    subscribe(TYPES.cluster);
  };
  open();
}
