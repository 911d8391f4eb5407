/**
 * A test SDS client that speaks like Envoy over the Unix socket, encoding and decoding with
 * Envoy's own protos (not vmlet's descriptor), and checking every Secret received strictly as
 * proto3 JSON, so a test passes only if what vmlet sends is what Envoy would accept.
 */
import * as grpc from '@grpc/grpc-js';
import type protobuf from 'protobufjs';
import { envoyRoot, parseStrict } from '../../helpers/envoy-protos.js';

export const SECRET_TYPE = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret';

export interface ReceivedSecret { name: string; certChainPem?: string; keyPem?: string; rootPem?: string }
export interface Received { versionInfo: string; nonce: string; typeUrl: string; secrets: ReceivedSecret[] }

function types() {
  const r = envoyRoot();
  return {
    req: r.lookupType('envoy.service.discovery.v3.DiscoveryRequest'),
    res: r.lookupType('envoy.service.discovery.v3.DiscoveryResponse'),
    secret: r.lookupType('envoy.extensions.transport_sockets.tls.v3.Secret'),
  };
}

function decode(bytes: Buffer): Received {
  const t = types();
  const res = t.res.decode(bytes) as unknown as { version_info: string; nonce: string; type_url: string; resources: { type_url: string; value: Uint8Array }[] };
  const secrets = res.resources.map((any) => {
    if (any.type_url !== SECRET_TYPE) throw new Error(`resource type ${any.type_url}`);
    const msg = t.secret.decode(any.value);
    const json = t.secret.toObject(msg, { bytes: String, enums: String, longs: String });
    parseStrict('envoy.extensions.transport_sockets.tls.v3.Secret', json);
    const s = msg as unknown as { name: string; tls_certificate?: { certificate_chain?: { inline_bytes?: Uint8Array }; private_key?: { inline_bytes?: Uint8Array } }; validation_context?: { trusted_ca?: { inline_bytes?: Uint8Array } } };
    const text = (b?: Uint8Array) => (b && b.length > 0 ? Buffer.from(b).toString('utf8') : undefined);
    const out: ReceivedSecret = { name: s.name };
    const cert = text(s.tls_certificate?.certificate_chain?.inline_bytes);
    const key = text(s.tls_certificate?.private_key?.inline_bytes);
    const root = text(s.validation_context?.trusted_ca?.inline_bytes);
    if (cert) out.certChainPem = cert;
    if (key) out.keyPem = key;
    if (root) out.rootPem = root;
    return out;
  });
  return { versionInfo: res.version_info, nonce: res.nonce, typeUrl: res.type_url, secrets };
}

const method = (name: string, requestStream: boolean, responseStream: boolean, reqType: () => protobuf.Type) => ({
  path: `/envoy.service.secret.v3.SecretDiscoveryService/${name}`,
  requestStream,
  responseStream,
  requestSerialize: (o: object) => Buffer.from(reqType().encode(reqType().create(o)).finish()),
  requestDeserialize: (b: Buffer) => b,
  responseSerialize: (b: Buffer) => b,
  responseDeserialize: (b: Buffer) => b,
});

export interface RequestFields {
  node?: { id: string; cluster?: string };
  resource_names?: string[];
  response_nonce?: string;
  version_info?: string;
  error_detail?: { code: number; message: string };
}

export class SdsTestStream {
  readonly received: Received[] = [];
  /** Arrival time (performance.now()) of each response. */
  readonly arrivals: number[] = [];
  error: grpc.ServiceError | undefined;
  ended = false;

  constructor(private readonly call: grpc.ClientDuplexStream<object, Buffer>) {
    call.on('data', (b: Buffer) => { this.received.push(decode(b)); this.arrivals.push(performance.now()); });
    call.on('error', (e: grpc.ServiceError) => { this.error = e; });
    call.on('end', () => { this.ended = true; });
  }

  send(fields: RequestFields): void {
    this.call.write({ type_url: SECRET_TYPE, ...fields });
  }

  /** ACKs the last response (same names, its nonce). */
  ack(names: string[]): void {
    const last = this.received.at(-1);
    this.send({ resource_names: names, response_nonce: last?.nonce ?? '', version_info: last?.versionInfo ?? '' });
  }

  close(): void {
    this.call.cancel();
  }
}

export class SdsTestClient {
  private readonly client: grpc.Client & { StreamSecrets(): unknown; DeltaSecrets(): unknown; FetchSecrets: unknown };

  constructor(socketPath: string) {
    const t = () => types().req;
    const Ctor = grpc.makeGenericClientConstructor({
      StreamSecrets: method('StreamSecrets', true, true, t),
      DeltaSecrets: method('DeltaSecrets', true, true, () => envoyRoot().lookupType('envoy.service.discovery.v3.DeltaDiscoveryRequest')),
      FetchSecrets: method('FetchSecrets', false, false, t),
    } as unknown as grpc.ServiceDefinition, 'SecretDiscoveryService');
    this.client = new Ctor(`unix:${socketPath}`, grpc.credentials.createInsecure()) as never;
  }

  stream(): SdsTestStream {
    return new SdsTestStream(this.client.StreamSecrets() as grpc.ClientDuplexStream<object, Buffer>);
  }

  /** Opens a Delta stream and resolves with the status code it ends with. */
  deltaStatus(): Promise<number> {
    return new Promise((resolve) => {
      const call = this.client.DeltaSecrets() as grpc.ClientDuplexStream<object, Buffer>;
      call.on('error', (e: grpc.ServiceError) => resolve(e.code));
      call.on('data', () => undefined);
      call.write({ node: { id: 'x' }, type_url: SECRET_TYPE });
    });
  }

  fetchStatus(): Promise<number> {
    return new Promise((resolve) => {
      (this.client.FetchSecrets as (r: object, cb: (e: grpc.ServiceError | null) => void) => void)({ node: { id: 'x' }, resource_names: ['default'] }, (e) => resolve(e?.code ?? 0));
    });
  }

  close(): void {
    this.client.close();
  }
}
