// The onboarding service's Kubernetes client against the FAKE Kubernetes API (a test double):
// a kubeconfig with a client certificate (files or inline -data), one with a token, the in-cluster
// service account files (token re-read), and what an incomplete kubeconfig says.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialsFromKubeconfig, credentialsInCluster, KubeApiError, KubeClient } from '../../../src/onboard-server/kube.js';
import { loadServerConfig } from '../../../src/onboard-server/config.js';
import { startOnboardService } from '../../../src/onboard-server/index.js';
import type { Logger } from '../../../src/log.js';
import type { VmletError } from '../../../src/errors.js';
import { FakeKubeApi } from '../../fakes/fake-kube-api.js';
import { makeTestTls, type TestTls } from '../../helpers/test-tls.js';
import { makeTmpDir } from '../../helpers/tmp-dir.js';

describe('onboard-server Kubernetes client credentials', () => {
  const tmp = makeTmpDir('kube-creds');
  let tls: TestTls;
  let kube: FakeKubeApi;
  beforeAll(async () => {
    tls = makeTestTls(tmp.join('tls'));
    kube = await new FakeKubeApi(tls).start();
    kube.configMaps.set('istio-system/istio', { mesh: 'x' });
  }, 30_000);
  afterAll(async () => {
    await kube.close();
    tmp.cleanup();
  });

  const kubeconfig = (name: string, user: Record<string, string>, cluster: Record<string, string> = { 'certificate-authority': tls.caFile }) => {
    const file = tmp.join(name);
    const kv = (o: Record<string, string>) => Object.entries(o).map(([k, v]) => `${k}: "${v}"`).join(', ');
    writeFileSync(file, `apiVersion: v1\nkind: Config\ncurrent-context: c\ncontexts:\n- name: c\n  context: {cluster: k, user: u}\nclusters:\n- name: k\n  cluster: {server: "https://127.0.0.1:${kube.port}", ${kv(cluster)}}\nusers:\n- name: u\n  user: {${kv(user)}}\n`);
    return file;
  };
  const read = async (client: KubeClient) => {
    try {
      return (await client.getConfigMap('istio-system', 'istio')).data?.mesh;
    } finally {
      client.close();
    }
  };

  it('a client certificate from files, and inline as -data with the CA inline too', async () => {
    expect(await read(new KubeClient(credentialsFromKubeconfig(kubeconfig('files', { 'client-certificate': tls.certFile, 'client-key': tls.keyFile }))))).toBe('x');
    const b64 = (f: string) => readFileSync(f).toString('base64');
    const inline = kubeconfig('inline', { 'client-certificate-data': b64(tls.certFile), 'client-key-data': b64(tls.keyFile) }, { 'certificate-authority-data': b64(tls.caFile) });
    expect(await read(new KubeClient(credentialsFromKubeconfig(inline)))).toBe('x');
  });

  it('a wrong token is the apiserver\'s 401, as a KubeApiError', async () => {
    const err = await read(new KubeClient(credentialsFromKubeconfig(kubeconfig('bad-token', { token: 'nope' })))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    expect((err as KubeApiError).status).toBe(401);
  });

  it('in-cluster: KUBERNETES_SERVICE_HOST/PORT, the mounted CA, and the token file re-read', async () => {
    const dir = tmp.join('sa');
    mkdirSync(dir);
    writeFileSync(`${dir}/ca.crt`, readFileSync(tls.caFile));
    writeFileSync(`${dir}/token`, `${kube.token}\n`);
    const creds = credentialsInCluster({ KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: String(kube.port) }, dir);
    expect(await read(new KubeClient(creds))).toBe('x');
    expect(() => credentialsInCluster({}, dir)).toThrow(/not a pod \(KUBERNETES_SERVICE_HOST is unset\): set `kubeconfig:`/);
  });

  it('an incomplete kubeconfig says what is missing', () => {
    expect(() => credentialsFromKubeconfig(kubeconfig('no-user', {}))).toThrow(/neither a client certificate nor a token/);
    expect(() => credentialsFromKubeconfig(kubeconfig('half', { 'client-certificate': tls.certFile }))).toThrow(/client certificate without key/);
    expect(() => credentialsFromKubeconfig(tmp.join('absent'))).toThrow(/kubeconfig .*absent: cannot read it/);
  });

  it('a kubeconfig that is not YAML is named by line and column, never by the line it holds', () => {
    const file = tmp.join('broken');
    const secret = 'sEcReT-bearer-0123456789';
    writeFileSync(file, `apiVersion: v1\nusers:\n- name: u\n  user:\n    token: ${secret}: x\n`);
    let err: unknown;
    try {
      credentialsFromKubeconfig(file);
    } catch (e) {
      err = e;
    }
    expect((err as VmletError).code).toBe('VMLET_ONBOARD_KUBECONFIG_INVALID');
    expect((err as Error).message).toMatch(/broken: line 5, column \d+: not valid YAML/);
    // Nothing that travels with the error (message, cause, stack) quotes the token's line.
    expect(inspect(err, { depth: 10 })).not.toContain(secret);
  });
  it('insecure-skip-tls-verify is honoured as kubectl does, and the service warns about it when it starts', async () => {
    const file = tmp.join('insecure');
    writeFileSync(file, `apiVersion: v1\nkind: Config\ncurrent-context: c\ncontexts:\n- name: c\n  context: {cluster: k, user: u}\nclusters:\n- name: k\n  cluster: {server: "https://127.0.0.1:${kube.port}", insecure-skip-tls-verify: true}\nusers:\n- name: u\n  user: {client-certificate: "${tls.certFile}", client-key: "${tls.keyFile}"}\n`);
    const client = new KubeClient(credentialsFromKubeconfig(file));
    expect(client.insecure).toBe(true);
    expect(await read(client)).toBe('x'); // no CA given: only works because verification is off
    expect(new KubeClient(credentialsFromKubeconfig(kubeconfig('checked', { 'client-certificate': tls.certFile, 'client-key': tls.keyFile }))).insecure).toBe(false);

    const configFile = tmp.join('server.yaml');
    writeFileSync(configFile, [
      'listen: 127.0.0.1:0', 'metricsListen: 127.0.0.1:0', `tls: {certFile: ${tls.certFile}, keyFile: ${tls.keyFile}}`,
      `kubeconfig: ${file}`, `stateFile: ${tmp.join('state', 'ledger.json')}`, 'hosts: "10.0.0.5 istiod.istio-system.svc"',
      'policies:', '  - {name: onprem, provider: join-token, workloadGroup: {namespace: dc, name: rack}}', '',
    ].join('\n'));
    const warnings: string[] = [];
    const logger = new Proxy({}, { get: (_t, k) => (k === 'warn' ? (_o: unknown, msg: string) => { warnings.push(msg); } : k === 'child' ? () => logger : () => undefined) }) as Logger;
    const service = await startOnboardService({ config: loadServerConfig(configFile), verifiers: {}, logger });
    try {
      expect(warnings).toEqual([expect.stringMatching(/insecure-skip-tls-verify.*not checked/)]);
    } finally {
      await service.close();
    }
  });
});
