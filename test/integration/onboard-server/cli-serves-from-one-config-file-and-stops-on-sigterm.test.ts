// `vmlet onboard-server --config FILE` and `vmlet onboard-server join-token create`, as the built
// bundle runs them (dist/vmlet.cjs), against the FAKE Kubernetes API (test/fakes/fake-kube-api.ts):
// the service prints LISTENING/METRICS with the ports it got, answers challenges over HTTPS,
// stops cleanly on SIGTERM with its ledger written; a bad config exits 2 naming file and line.
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeKubeApi } from '../../fakes/fake-kube-api.js';
import { makeTestTls, type TestTls } from '../../helpers/test-tls.js';
import { makeTmpDir } from '../../helpers/tmp-dir.js';
import { httpGet, spawnVmlet, type VmletProcess } from '../../helpers/vmlet-process.js';
import { waitFor } from '../../helpers/wait-for.js';

describe('vmlet onboard-server (the built CLI)', () => {
  const tmp = makeTmpDir('onboard-cli');
  let tls: TestTls;
  let kube: FakeKubeApi;
  const started: VmletProcess[] = [];

  beforeAll(async () => {
    tls = makeTestTls(tmp.join('tls'));
    kube = await new FakeKubeApi(tls).start();
  }, 60_000);
  afterAll(async () => {
    await Promise.all(started.map((p) => p.stop(2000)));
    await kube?.close();
    tmp.cleanup();
  });

  function challenge(port: number): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/v1/challenge', method: 'POST', ca: readFileSync(tls.caFile), timeout: 5000 }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => { body += c.toString(); });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end('{}');
    });
  }

  it('serves from one config file, prints its ports, stops on SIGTERM with exit 0 and the ledger on disk', async () => {
    const config = tmp.join('config.yaml');
    writeFileSync(config, [
      'listen: 127.0.0.1:0', 'metricsListen: 127.0.0.1:0',
      `tls: {certFile: ${tls.certFile}, keyFile: ${tls.keyFile}}`,
      `kubeconfig: ${kube.kubeconfig(tmp.join('kubeconfig'))}`,
      `stateFile: ${tmp.join('state', 'ledger.json')}`, '',
    ].join('\n'));
    const p = spawnVmlet({ tmp, argv: ['onboard-server', '--config', config] });
    started.push(p);
    const ports = await waitFor(() => {
      const text = p.logs.map((l) => l.raw).join('\n');
      const m = /^LISTENING (\d+)\nMETRICS (\d+)$/m.exec(text);
      return m === null ? undefined : { https: Number(m[1]), metrics: Number(m[2]) };
    }, { timeoutMs: 15_000, what: 'LISTENING and METRICS on stdout' });
    const c = await challenge(ports.https);
    expect(c.status).toBe(200);
    const nonce = (JSON.parse(c.body) as { nonce: string }).nonce;
    expect((await httpGet(ports.metrics, '/metrics')).body).toMatch(/^vmlet_onboard_challenges_total 1$/m);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(readFileSync(tmp.join('state', 'ledger.json'), 'utf8')).toContain(nonce);
  }, 30_000);

  it('a config error exits 2 with file, line, key and the code', async () => {
    const config = tmp.join('bad.yaml');
    writeFileSync(config, `listen: 127.0.0.1:0\ntls: {certFile: a, keyFile: b}\nstateFile: /x\ntokenLifetime: 5m\n`);
    const p = spawnVmlet({ tmp, argv: ['onboard-server', '--config', config] });
    started.push(p);
    expect(await p.exited).toBe(2);
    expect(p.stderr).toContain(`${config}:4: tokenLifetime: "5m" is below the minimum of 600 s`);
    expect(p.stderr).toContain('[VMLET_ONBOARD_SERVER_CONFIG_INVALID]');
  }, 30_000);

  it('an unknown --log-level exits 2 with VMLET_USAGE and the levels, not an internal error', async () => {
    const p = spawnVmlet({ tmp, argv: ['onboard-server', '--config', tmp.join('unused.yaml'), '--log-level', 'loud'] });
    started.push(p);
    expect(await p.exited).toBe(2);
    expect(p.stderr).toContain('--log-level "loud" is not a log level: give one of trace, debug, info');
    expect(p.stderr).toContain('[VMLET_USAGE]');
    expect(p.stderr).not.toContain('internal error');
  }, 30_000);

  it('join-token create stores only the hash in a labelled Secret and prints the token once, last', async () => {
    const p = spawnVmlet({ tmp, argv: ['onboard-server', 'join-token', 'create', '--group', 'dc/rack', '--ttl', '30m', '--kubeconfig', kube.kubeconfig(tmp.join('kubeconfig2'))] });
    started.push(p);
    expect(await p.exited).toBe(0);
    const token = String(p.logs.at(-1)?.raw);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const secrets = [...kube.secrets.values()];
    expect(secrets).toHaveLength(1);
    expect(secrets[0]!.metadata.labels).toEqual({ 'vmlet.dev/join-token': 'true' });
    expect(JSON.stringify(secrets[0])).not.toContain(token);
    expect(p.stderr).toContain('dc/rack');
    expect(p.stderr).not.toContain(token);
  }, 30_000);
});
