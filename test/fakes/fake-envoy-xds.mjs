// Part of the FAKE Envoy (test/fakes/fake-envoy.mjs; not Envoy): the ADS client. Like Envoy it
// reads the bootstrap's ads_config (DELTA_GRPC or GRPC) and the xds-grpc pipe, opens one stream
// with the node (id, cluster, metadata as a Struct) on the first request only, subscribes to
// clusters then listeners, ACKs every response, and reconnects with backoff (500 ms doubling to
// 5 s) when the stream ends. Events go to `record` (xds-open, xds-response, xds-closed).
import { envoyProtoRoot, require } from './envoy-proto-root.mjs';

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

export function startFakeAds(bootstrap, record, onResponse = () => {}) {
  const grpc = require('@grpc/grpc-js');
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
  const CDS = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';
  const LDS = 'type.googleapis.com/envoy.config.listener.v3.Listener';
  const node = { id: bootstrap.node.id, cluster: bootstrap.node.cluster, metadata: toStruct(bootstrap.node.metadata ?? {}) };
  let backoff = 500;
  const open = () => {
    const call = client[method]();
    let sentLds = false;
    const subscribe = (type, first) => call.write({ ...(first ? { node } : {}), type_url: type, ...(delta ? { resource_names_subscribe: ['*'] } : {}) });
    call.on('data', (res) => {
      backoff = 500;
      record({ event: 'xds-response', type: res.type_url, nonce: res.nonce, bytes: res.wireBytes });
      onResponse(res.type_url);
      call.write({ type_url: res.type_url, response_nonce: res.nonce, ...(delta ? {} : { version_info: res.version_info }) });
      if (res.type_url === CDS && !sentLds) { sentLds = true; subscribe(LDS, false); }
    });
    let closed = false;
    const retry = (why) => {
      if (closed) return;
      closed = true;
      record({ event: 'xds-closed', why });
      setTimeout(open, backoff).unref?.();
      backoff = Math.min(backoff * 2, 5000);
    };
    call.on('error', (err) => retry(`${err.code} ${err.details}`));
    call.on('end', () => retry('end'));
    record({ event: 'xds-open', delta });
    subscribe(CDS, true);
  };
  open();
}
