// The built service (`vmlet onboard-server` from dist/) with its real verifiers, fed attestations
// from the FAKE cloud metadata services (test/fakes/fake-cloud-metadata.mjs, signing with the FAKE
// test keys of test/fakes/cloud-keys.mjs that the config trusts), against the FAKE Kubernetes API
// (test/fakes/fake-kube-api.ts). Each provider onboards; forged, expired, wrong-audience,
// replayed and used-token attempts are refused with their code and an audit record on stdout.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { makeCloudKeys, type CloudKeys } from '../../fakes/cloud-keys.mjs';
import { FakeKubeApi } from '../../fakes/fake-kube-api.js';
import { makeTestTls, type TestTls } from '../../helpers/test-tls.js';
import { makeTmpDir } from '../../helpers/tmp-dir.js';
import { spawnVmlet, type VmletProcess } from '../../helpers/vmlet-process.js';
import { waitFor } from '../../helpers/wait-for.js';

const FAKE_METADATA = new URL('../../fakes/fake-cloud-metadata.mjs', import.meta.url).pathname;
const AUDIENCE = 'https://onboard.test';

function http(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, timeout: 5000 }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => { text += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the built onboard-server with its real verifiers (FAKE metadata services, FAKE apiserver)', () => {
  const tmp = makeTmpDir('onboard-real');
  let tls: TestTls;
  let keys: CloudKeys;
  let kube: FakeKubeApi;
  let server: VmletProcess;
  let port = 0;
  const fakes = new Map<string, { child: ChildProcess; port: number }>();

  beforeAll(async () => {
    tls = makeTestTls(tmp.join('tls'));
    keys = makeCloudKeys(tmp.join('keys'));
    kube = await new FakeKubeApi(tls).start();
    kube.addGroup('web', 'web-vms', 'web-sa');
    kube.addGroup('dc', 'rack', 'rack-sa');
    kube.configMaps.set('istio-system/istio', { mesh: 'trustDomain: cluster.local\n' });
    for (const provider of ['aws', 'gcp', 'azure']) {
      const child = spawn(process.execPath, [FAKE_METADATA, '--provider', provider, '--listen', '127.0.0.1:0', '--keys', keys.dir], { stdio: ['ignore', 'pipe', 'inherit'] });
      const p = await new Promise<number>((resolve, reject) => {
        createInterface({ input: child.stdout! }).on('line', (l) => { const m = /^LISTENING (\d+)/.exec(l); if (m) resolve(Number(m[1])); });
        child.once('exit', (code) => reject(new Error(`fake-cloud-metadata ${provider} exited ${code}`)));
      });
      fakes.set(provider, { child, port: p });
    }
    const config = tmp.join('config.yaml');
    writeFileSync(config, stringify({
      listen: '127.0.0.1:0', metricsListen: '127.0.0.1:0',
      tls: { certFile: tls.certFile, keyFile: tls.keyFile },
      audience: AUDIENCE,
      kubeconfig: kube.kubeconfig(tmp.join('kubeconfig')),
      stateFile: tmp.join('state', 'ledger.json'),
      clusterID: 'cluster1',
      trust: { aws: keys.trust.aws, gcp: { jwksFile: keys.trust.gcp.jwksFile, issuer: keys.trust.gcp.issuer, maxAge: '1h' }, azure: keys.trust.azure },
      policies: [
        { name: 'aws-web', provider: 'aws', match: { accountId: ['123456789012'], region: ['eu-west-1'] }, workloadGroup: { namespace: 'web', name: 'web-vms' } },
        { name: 'gcp-web', provider: 'gcp', match: { project_id: ['fake-project'] }, workloadGroup: { namespace: 'web', name: 'web-vms' } },
        { name: 'azure-web', provider: 'azure', match: { subscriptionId: ['8d10da13-8125-4ba9-a717-bf7490507b3d'] }, workloadGroup: { namespace: 'web', name: 'web-vms' } },
        { name: 'onprem', provider: 'join-token', workloadGroup: { namespace: 'dc', name: 'rack' } },
      ],
    }));
    server = spawnVmlet({ tmp, argv: ['onboard-server', '--config', config] });
    port = await waitFor(() => {
      const m = /^LISTENING (\d+)$/m.exec(server.logs.map((l) => l.raw).join('\n'));
      if (server.child.exitCode !== null) throw new Error(`onboard-server exited: ${server.stderr}`);
      return m === null ? undefined : Number(m[1]);
    }, { timeoutMs: 15_000, what: 'LISTENING' });
  }, 60_000);

  afterAll(async () => {
    await server?.stop(2000);
    for (const f of fakes.values()) f.child.kill('SIGTERM');
    await kube?.close();
    tmp.cleanup();
  });

  function post(path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest({ host: '127.0.0.1', port, path, method: 'POST', ca: readFileSync(tls.caFile), timeout: 10_000 }, (res) => {
        let t = '';
        res.on('data', (c: Buffer) => { t += c.toString(); });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(t) as Record<string, unknown> }));
      });
      req.on('error', reject);
      req.end(JSON.stringify(body));
    });
  }

  const audits = () => server.logs.filter((l) => l.audit === 'onboard');

  /** Challenge, attestation from the FAKE metadata service (as vmlet's collectors fetch it), onboard; the audit record it left. */
  async function onboard(provider: 'aws' | 'gcp' | 'azure', extra: Record<string, unknown> = {}, audience = AUDIENCE) {
    const nonce = (await post('/v1/challenge', {})).json.nonce as string;
    const f = fakes.get(provider)!.port;
    let attestation: Record<string, unknown>;
    if (provider === 'aws') {
      const token = (await http(f, 'PUT', '/latest/api/token', { 'X-aws-ec2-metadata-token-ttl-seconds': '60' })).text;
      const get = async (p: string) => (await http(f, 'GET', `/latest/dynamic/instance-identity/${p}`, { 'X-aws-ec2-metadata-token': token })).text;
      attestation = { document: await get('document'), rsa2048: (await get('rsa2048')).trim(), signature: (await get('signature')).trim() };
    } else if (provider === 'gcp') {
      attestation = { token: (await http(f, 'GET', `/computeMetadata/v1/instance/service-accounts/default/identity?audience=${encodeURIComponent(audience)}&format=full`, { 'Metadata-Flavor': 'Google' })).text };
    } else {
      const doc = JSON.parse((await http(f, 'GET', `/metadata/attested/document?api-version=2025-04-07&nonce=${nonce}`, { Metadata: 'true' })).text) as { signature: string };
      attestation = { signature: doc.signature };
    }
    const before = audits().length;
    const res = await post('/v1/onboard', { provider, nonce, attestation: { ...attestation, ...extra }, instance: { hostname: 'vm' } });
    const audit = await waitFor(() => audits()[before], { timeoutMs: 5000, what: 'the audit record' });
    return { ...res, audit, attestation };
  }

  const fake = (provider: string, settings: Record<string, unknown>) => http(fakes.get(provider)!.port, 'POST', '/__fake/set', { 'content-type': 'application/json' }, JSON.stringify(settings));
  const reset = (provider: string) => http(fakes.get(provider)!.port, 'POST', '/__fake/reset');

  it('1. AWS, GCP and Azure VMs onboard into the policy\'s group, each audited as allowed', async () => {
    for (const provider of ['aws', 'gcp', 'azure'] as const) {
      const r = await onboard(provider);
      expect(r.status, `${provider}: ${JSON.stringify(r.json)}`).toBe(200);
      expect(r.json).toMatchObject({ group: { namespace: 'web', name: 'web-vms' }, serviceAccount: 'web-sa' });
      expect(r.audit).toMatchObject({ decision: 'allowed', code: 'OK', provider, group: 'web/web-vms', policy: `${provider}-web` });
    }
  });

  it('2. AWS: the same document again without the reauthSecret is ONBOARD_REPLAY', async () => {
    const r = await onboard('aws');
    expect(r.json.code).toBe('ONBOARD_REPLAY');
    expect(r.audit).toMatchObject({ decision: 'refused', code: 'ONBOARD_REPLAY', provider: 'aws' });
  });

  it.each([
    ['aws', { signWith: 'other' }, 'ONBOARD_ATTESTATION_INVALID'],
    ['gcp', { signWith: 'other' }, 'ONBOARD_ATTESTATION_INVALID'],
    ['azure', { signWith: 'other' }, 'ONBOARD_ATTESTATION_INVALID'],
    ['gcp', { timeOffsetSeconds: -7200 }, 'ONBOARD_ATTESTATION_EXPIRED'],
    ['azure', { timeOffsetSeconds: 7200 }, 'ONBOARD_ATTESTATION_EXPIRED'],
    ['gcp', { computeEngine: { project_id: 'someone-elses-project' } }, 'ONBOARD_NO_POLICY'],
  ] as const)('3. %s with %o: %s, audited', async (provider, settings, code) => {
    await fake(provider, settings);
    try {
      const r = await onboard(provider);
      expect(r.json.code, JSON.stringify(r.json)).toBe(code);
      expect(r.audit).toMatchObject({ decision: 'refused', code, provider });
    } finally {
      await reset(provider);
    }
  });

  it('4. GCP: a token for another audience is ONBOARD_AUDIENCE_MISMATCH', async () => {
    const r = await onboard('gcp', {}, 'https://someone-else.test');
    expect(r.json.code).toBe('ONBOARD_AUDIENCE_MISMATCH');
    expect(r.audit).toMatchObject({ decision: 'refused', code: 'ONBOARD_AUDIENCE_MISMATCH' });
  });

  it('5. a join token made by `join-token create` onboards once; the second use is ONBOARD_JOIN_TOKEN_INVALID', async () => {
    const maker = spawnVmlet({ tmp, argv: ['onboard-server', 'join-token', 'create', '--group', 'dc/rack', '--ttl', '10m', '--kubeconfig', tmp.join('kubeconfig')] });
    expect(await maker.exited).toBe(0);
    const token = String(maker.logs.at(-1)?.raw);
    const use = async () => {
      const nonce = (await post('/v1/challenge', {})).json.nonce;
      return post('/v1/onboard', { provider: 'join-token', nonce, attestation: { token } });
    };
    const first = await use();
    expect(first.status, JSON.stringify(first.json)).toBe(200);
    expect(first.json).toMatchObject({ group: { namespace: 'dc', name: 'rack' }, serviceAccount: 'rack-sa' });
    const second = await use();
    expect(second.json.code).toBe('ONBOARD_JOIN_TOKEN_INVALID');
    await waitFor(() => audits().some((a) => a.code === 'ONBOARD_JOIN_TOKEN_INVALID'), { timeoutMs: 5000, what: 'the join-token refusal audited' });
  }, 30_000);

  it('6. nothing it printed holds a token, an attestation or a reauthSecret', () => {
    const out = `${server.logs.map((l) => JSON.stringify(l)).join('\n')}\n${server.stderr}`;
    expect(out).not.toMatch(/fake-sa-token|eyJ[A-Za-z0-9_-]{10,}|reauthSecret"\s*:\s*"/);
    expect(out).not.toContain('BEGIN');
  });
});
