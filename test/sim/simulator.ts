/**
 * The in-repo istiod simulator (a TEST DOUBLE, also used by the demo and bench): a real gRPC
 * server over TLS on 127.0.0.1 with istiod's CA semantics (facts §1.8–§1.10). Other services
 * (the xDS engineer's ADS) can be added on the same TLS server via `services`.
 *
 *   const sim = await startSimulator();               // CA on 127.0.0.1:<free port>
 *   const token = await sim.mintToken({ ns: 'bar', sa: 'vm-sa' });
 *   await sim.writeVmDir(dir, { ns: 'bar', sa: 'vm-sa' }); // istioctl-shaped directory
 *   sim.faults.unavailable = true;                    // every CA call answers UNAVAILABLE
 *   await sim.stop();
 */
import * as grpc from '@grpc/grpc-js';
import { CREATE_CERTIFICATE_PATH, decodeRequest, decodeResponse, encodeRequest, encodeResponse, type CertificateRequest, type CertificateResponse } from '../../src/proto/ca-service.js';

/** Istio's CA service for grpc-js (the simulator's independent gRPC stack), with vmlet's protobufjs encoding. */
const CA_SERVICE_DEFINITION = {
  createCertificate: {
    path: CREATE_CERTIFICATE_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: encodeRequest,
    requestDeserialize: decodeRequest,
    responseSerialize: encodeResponse,
    responseDeserialize: decodeResponse,
    originalName: 'CreateCertificate',
  },
} as const satisfies grpc.ServiceDefinition;
import { makeRoot, makeServingCert, signWorkload, verifiedIdentities, type CaKeyPair } from './pki.js';
import { createTokenIssuer, type MintOptions, type TokenIssuer } from './tokens.js';
import { writeVmDir, type VmDirOptions } from './vm-dir.js';

export interface SimService {
  readonly definition: grpc.ServiceDefinition;
  readonly implementation: grpc.UntypedServiceImplementation;
}

export interface SimulatorOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  readonly port?: number;
  /** More services on the same TLS server (e.g. ADS). */
  readonly services?: readonly SimService[];
  /** istiod's mesh trust domain, used in every issued SAN (default cluster.local). */
  readonly trustDomain?: string;
  /** Audiences accepted in tokens (istiod TOKEN_AUDIENCES; default ['istio-ca']). */
  readonly audiences?: readonly string[];
  /** MAX_WORKLOAD_CERT_TTL (default 90 days): longer requests fail INVALID_ARGUMENT. */
  readonly maxTtlMs?: number;
}

export interface CaCall {
  readonly auth: 'cert' | 'jwt' | 'none';
  readonly identity?: string;
  readonly code: grpc.status;
  readonly requestedTtlSeconds: number;
  /** The CSR as received (public: no key material). */
  readonly csrPem: string;
  /** Whether an `authorization: Bearer` header came (its value is never recorded). */
  readonly bearer: boolean;
  /** The other request headers (lower-cased names, first value). */
  readonly headers: Readonly<Record<string, string>>;
}

export interface SimFaults {
  /** Every CA call fails with UNAVAILABLE. */
  unavailable: boolean;
  /** Each CA call waits this long before answering (ms). */
  delayMs: number;
  /** Answer with a chain whose leaf is not a certificate. */
  garbageChain: boolean;
  /** Answer with the leaf only (no root element). */
  oneElementChain: boolean;
  /** Issue certificates for this long instead of the requested TTL (ms); short lifetimes for rotation tests. */
  ttlOverrideMs: number | undefined;
  /** istiod's clock minus the real one (ms): issued certificates carry istiod's time (doctor's clock check). */
  clockOffsetMs?: number;
}

export interface Simulator {
  readonly port: number;
  /** 127.0.0.1:<port> */
  readonly address: string;
  /** The root that signed istiod's serving certificate (what root-cert.pem must hold). */
  readonly rootPem: string;
  /** The root currently signing workload certificates (changes with rotateRoot()). */
  signingRootPem(): string;
  readonly faults: SimFaults;
  readonly calls: CaCall[];
  mintToken(opts: MintOptions): Promise<string>;
  /**
   * istiod's authenticator chain for any call on this server (e.g. ADS): a verified client
   * certificate first, then the Bearer JWT (with the ClusterID rule). Undefined: UNAUTHENTICATED.
   */
  authenticate(call: AuthenticatableCall): Promise<{ auth: 'cert' | 'jwt'; identity: string } | undefined>;
  writeVmDir(dir: string, opts: VmDirOptions): Promise<void>;
  /** Switches signing to the next root; responses then carry [leaf, next root + old root]. */
  rotateRoot(): Promise<void>;
  /** istiod's own serving certificate is re-issued by the next root (new connections see it). */
  rotateServingCert(): Promise<void>;
  /** Closes the listener (clients see connection refused) until resume(). */
  pause(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
}

export interface AuthenticatableCall {
  readonly metadata: grpc.Metadata;
  getAuthContext(): { sslPeerCertificate?: { raw?: Buffer } };
}

const SERVING_NAMES = ['istiod.istio-system.svc', 'istiod.istio-system.svc.cluster.local', 'istiod'];

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const trustDomain = opts.trustDomain ?? 'cluster.local';
  const maxTtlMs = opts.maxTtlMs ?? 90 * 86_400_000;
  const [root, nextRoot, tokens] = await Promise.all([makeRoot('sim-root-1'), makeRoot('sim-root-2'), createTokenIssuer(opts.audiences ?? ['istio-ca'])]);
  const serving = await makeServingCert(root, SERVING_NAMES);
  const trusted: CaKeyPair[] = [root, nextRoot];
  let signing = root;
  const faults: SimFaults = { unavailable: false, delayMs: 0, garbageChain: false, oneElementChain: false, ttlOverrideMs: undefined };
  const calls: CaCall[] = [];

  const authenticate = (call: AuthenticatableCall) => authenticateCall(call, trusted, tokens, trustDomain);
  const handler = makeHandler({ maxTtlMs, faults, calls, authenticate, trusted, signing: () => signing });
  const provider = staticProvider(Buffer.from(root.pem + nextRoot.pem), Buffer.from(serving.certPem), Buffer.from(serving.keyPem));
  const identityListeners = new Set<grpc.experimental.IdentityCertificateUpdateListener>();
  provider.addIdentityCertificateListener = (l) => {
    identityListeners.add(l);
    setImmediate(() => l({ certificate: Buffer.from(servingNow.certPem), privateKey: Buffer.from(servingNow.keyPem) }));
  };
  let servingNow = serving;
  let port = opts.port ?? 0;
  let server: grpc.Server | undefined;

  const listen = async (): Promise<void> => {
    const s = new grpc.Server();
    s.addService(CA_SERVICE_DEFINITION, { createCertificate: handler });
    for (const svc of opts.services ?? []) s.addService(svc.definition, svc.implementation);
    const creds = grpc.experimental.createCertificateProviderServerCredentials(provider, provider, false);
    port = await new Promise<number>((resolve, reject) => s.bindAsync(`127.0.0.1:${port}`, creds, (err, p) => (err ? reject(err) : resolve(p))));
    server = s;
  };
  const close = async (): Promise<void> => {
    const s = server;
    server = undefined;
    if (s) await new Promise<void>((resolve) => { s.forceShutdown(); resolve(); });
  };
  await listen();

  return {
    get port() { return port; },
    get address() { return `127.0.0.1:${port}`; },
    rootPem: root.pem,
    signingRootPem: () => signing.pem,
    faults,
    calls,
    mintToken: (o) => tokens.mint(o),
    authenticate,
    // After rotateServingCert() istioctl would hand out both roots.
    writeVmDir: async (dir, o) => writeVmDir(dir, { ...o, port, rootPem: servingNow === serving ? root.pem : root.pem + nextRoot.pem, token: o.token ?? (await tokens.mint(o)) }),
    rotateRoot: async () => { signing = nextRoot; },
    rotateServingCert: async () => {
      servingNow = await makeServingCert(nextRoot, SERVING_NAMES);
      for (const l of identityListeners) l({ certificate: Buffer.from(servingNow.certPem), privateKey: Buffer.from(servingNow.keyPem) });
    },
    pause: close,
    resume: listen,
    stop: close,
  };
}

async function authenticateCall(call: AuthenticatableCall, trusted: readonly CaKeyPair[], tokens: TokenIssuer, trustDomain: string): Promise<{ auth: 'cert' | 'jwt'; identity: string } | undefined> {
  const peer = call.getAuthContext().sslPeerCertificate;
  if (peer?.raw) {
    const ids = await verifiedIdentities(peer.raw, trusted);
    if (ids && ids.length > 0) return { auth: 'cert', identity: ids[0]! };
  }
  const clusterId = String(call.metadata.get('clusterid')[0] ?? '');
  const bearer = call.metadata.get('authorization').map(String).find((v) => v.startsWith('Bearer '));
  if (bearer && (clusterId === '' || clusterId === 'Kubernetes')) {
    const who = await tokens.verify(bearer.slice('Bearer '.length));
    if (who) return { auth: 'jwt', identity: `spiffe://${trustDomain}/ns/${who.ns}/sa/${who.sa}` };
  }
  return undefined;
}

interface HandlerContext {
  readonly maxTtlMs: number;
  authenticate(call: AuthenticatableCall): Promise<{ auth: 'cert' | 'jwt'; identity: string } | undefined>;
  readonly faults: SimFaults;
  readonly calls: CaCall[];
  readonly trusted: readonly CaKeyPair[];
  signing(): CaKeyPair;
}

type CaCallObj = grpc.ServerUnaryCall<CertificateRequest, CertificateResponse>;

function makeHandler(ctx: HandlerContext) {
  return (call: CaCallObj, callback: grpc.sendUnaryData<CertificateResponse>): void => {
    void (async () => {
      const req = call.request;
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(call.metadata.getMap())) if (k !== 'authorization') headers[k] = String(v);
      const seen = { requestedTtlSeconds: req.validityDuration, csrPem: req.csr, bearer: call.metadata.get('authorization').length > 0, headers };
      const fail = (code: grpc.status, details: string, auth: CaCall['auth'], identity?: string) => {
        ctx.calls.push({ ...seen, auth, code, ...(identity ? { identity } : {}) });
        callback({ code, details });
      };
      if (ctx.faults.delayMs > 0) await new Promise((r) => setTimeout(r, ctx.faults.delayMs));
      if (ctx.faults.unavailable) return fail(grpc.status.UNAVAILABLE, 'simulated outage', 'none');
      // Authenticator chain, first success wins: client certificate, then the Bearer JWT.
      const who = await ctx.authenticate(call);
      const auth: CaCall['auth'] = who?.auth ?? 'none';
      const identity = who?.identity;
      if (identity === undefined) return fail(grpc.status.UNAUTHENTICATED, 'request authenticate failure', 'none');
      const ttlMs = req.validityDuration <= 0 ? 86_400_000 : req.validityDuration * 1000;
      if (ttlMs > ctx.maxTtlMs) return fail(grpc.status.INVALID_ARGUMENT, `requested TTL ${req.validityDuration}s is greater than the max allowed TTL`, auth, identity);
      const signing = ctx.signing();
      let leaf: string;
      try {
        leaf = await signWorkload(signing, req.csr, identity, ctx.faults.ttlOverrideMs ?? ttlMs, Date.now() + (ctx.faults.clockOffsetMs ?? 0));
      } catch (err) {
        return fail(grpc.status.INVALID_ARGUMENT, `CSR signing error (${(err as Error).message})`, auth, identity);
      }
      const rootElement = signing === ctx.trusted[0] ? signing.pem : ctx.trusted.map((r) => r.pem).join('');
      const chain = ctx.faults.garbageChain ? ['not a certificate\n', rootElement] : ctx.faults.oneElementChain ? [leaf] : [leaf, rootElement];
      ctx.calls.push({ ...seen, auth, identity, code: grpc.status.OK });
      callback(null, { certChain: chain });
    })().catch((err: unknown) => callback({ code: grpc.status.INTERNAL, details: String(err) }));
  };
}

/**
 * Fixed server credentials that request (but do not require) a client certificate, like istiod.
 * Updates are delivered on the next tick: grpc-js registers its watcher after adding listeners.
 */
function staticProvider(ca: Buffer, certificate: Buffer, privateKey: Buffer): grpc.experimental.CertificateProvider {
  return {
    addCaCertificateListener: (l) => setImmediate(() => l({ caCertificate: ca })),
    removeCaCertificateListener: () => {},
    addIdentityCertificateListener: (l) => setImmediate(() => l({ certificate, privateKey })),
    removeIdentityCertificateListener: () => {},
  };
}
