#!/usr/bin/env node
/**
 * bench/onboard-fleet: a fleet boot, N VMs onboarding at once through ONE exchange service
 * (`vmlet onboard-server`, the built dist/) and the REAL kube-apiserver of the e2e tier (its own
 * control plane: etcd, kube-apiserver, istiod in network namespaces; needs root and the binaries
 * of test/e2e/build.sh). The service runs as the e2e tier runs it: deploy/onboard-server's RBAC,
 * a ServiceAccount token, one WorkloadGroup per provider.
 *
 *   flock /tmp/vmlet-e2e.lock node bench/onboard-fleet.mjs [--vms 200] [--concurrency 20]
 *       [--providers aws,gcp,azure,join-token] [--new-connections] [--cpu-prof DIR] [--json]
 *
 * Attestations come from the FAKE cloud metadata services (test/fakes/fake-cloud-metadata.mjs,
 * test doubles signing with test keys the service trusts), one instance id per VM: AWS documents
 * and GCP tokens are minted before the clock starts; Azure's carries the service's nonce, so it
 * is minted between challenge and onboard (outside the request-to-bundle time, inside the total);
 * join tokens are created with `vmlet onboard-server join-token create` beforehand.
 *
 * The load runs in the VM's network namespace (a child process of this script, --client mode),
 * each VM on one TLS connection for its challenge and onboard, as vmlet's client does (one per request with --new-connections). Reports onboardings/s (VMs / wall time
 * of the load phase), p50/p90/p99/max of request-to-bundle (POST /v1/onboard sent → bundle
 * read), inside the service (its audit records' durationMs) and of the whole exchange (challenge +
 * mint + onboard), the service's RSS (sampled every
 * 50 ms: before, peak, after) and its CPU time during the load. --cpu-prof DIR runs the service
 * with Node's --cpu-prof (the .cpuprofile lands in DIR when it stops).
 */
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, Agent } from 'node:https';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = join(import.meta.dirname, '..');
const { values: opt } = parseArgs({
  options: {
    vms: { type: 'string', default: '200' }, concurrency: { type: 'string', default: '20' },
    providers: { type: 'string', default: 'aws,gcp,azure,join-token' }, 'new-connections': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false }, client: { type: 'string' }, 'cpu-prof': { type: 'string' },
  },
});

const pct = (sorted, p) => sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

// ── client mode: runs inside the VM's namespace ───────────────────────────────────────────────
async function client(planFile) {
  const plan = JSON.parse(readFileSync(planFile, 'utf8'));
  const ca = readFileSync(plan.caFile);
  const http = (method, url, { headers = {}, body, agent, tls } = {}) => new Promise((resolve, reject) => {
    const u = new URL(url);
    const o = { method, hostname: u.hostname, port: u.port, path: u.pathname + u.search, headers, ...(tls ? { ca, agent } : {}) };
    const req = (tls ? httpsRequest : httpRequest)(o, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
  const json = (url, body, agent) => http('POST', url, { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), agent, tls: true });
  const fake = (p) => plan.fakes[p];
  const set = async (p, s) => {
    await http('POST', `${fake(p)}/__fake/reset`, { body: '{}' });
    const r = await http('POST', `${fake(p)}/__fake/set`, { body: JSON.stringify(s) });
    if (r.status !== 200) throw new Error(`fake ${p} set: ${r.status} ${r.body}`);
  };

  // Mint what does not depend on the service's nonce, one instance id per VM.
  const jobs = [];
  const joinTokens = [...plan.joinTokens];
  for (let i = 0; i < plan.vms; i++) {
    const p = plan.providers[i % plan.providers.length];
    const id = String(i).padStart(6, '0');
    const job = { i, provider: p };
    if (p === 'aws') {
      await set('aws', { document: { instanceId: `i-0fleet${id}`, privateIp: `10.1.${Math.floor(i / 250)}.${i % 250}` } });
      const tok = (await http('PUT', `${fake('aws')}/latest/api/token`, { headers: { 'X-aws-ec2-metadata-token-ttl-seconds': '60' } })).body;
      const get = async (item) => (await http('GET', `${fake('aws')}/latest/dynamic/instance-identity/${item}`, { headers: { 'X-aws-ec2-metadata-token': tok } })).body;
      job.attestation = { document: await get('document'), rsa2048: (await get('rsa2048')).replace(/\s+/g, ''), signature: (await get('signature')).replace(/\s+/g, '') };
    } else if (p === 'gcp') {
      await set('gcp', { computeEngine: { instance_id: `77${id}`, instance_name: `fleet-${id}` } });
      const r = await http('GET', `${fake('gcp')}/computeMetadata/v1/instance/service-accounts/default/identity?audience=${encodeURIComponent(plan.audience)}&format=full`, { headers: { 'Metadata-Flavor': 'Google' } });
      job.attestation = { token: r.body.trim() };
    } else if (p === 'join-token') {
      job.attestation = { token: joinTokens.shift() };
    } else {
      job.vmId = `${id.padStart(8, '0')}-0000-4000-8000-${id.padStart(12, '0')}`;
    }
    jobs.push(job);
  }

  // Azure's document echoes the nonce: minted in the flow, one at a time (the fake holds one setting).
  let mintLock = Promise.resolve();
  const mintAzure = (vmId, nonce) => {
    const run = mintLock.then(async () => {
      await set('azure', { payload: { vmId } });
      const r = await http('GET', `${fake('azure')}/metadata/attested/document?api-version=2025-04-07&nonce=${nonce}`, { headers: { Metadata: 'true' } });
      return { signature: JSON.parse(r.body).signature };
    });
    mintLock = run.catch(() => undefined);
    return run;
  };

  const results = [];
  let next = 0;
  const worker = async () => {
    for (;;) {
      const job = jobs[next++];
      if (job === undefined) return;
      const agent = new Agent({ keepAlive: plan.keepAlive, maxSockets: 1 });
      const t0 = performance.now();
      try {
        const ch = await json(`${plan.url}/v1/challenge`, {}, agent);
        if (ch.status !== 200) throw new Error(`challenge ${ch.status} ${ch.body}`);
        const { nonce } = JSON.parse(ch.body);
        const attestation = job.provider === 'azure' ? await mintAzure(job.vmId, nonce) : job.attestation;
        const t1 = performance.now();
        const r = await json(`${plan.url}/v1/onboard`, { provider: job.provider, nonce, attestation, instance: { hostname: `fleet-${job.i}` } }, agent);
        const t2 = performance.now();
        const ok = r.status === 200 && typeof JSON.parse(r.body).token === 'string';
        results.push({ provider: job.provider, ok, status: r.status, code: ok ? undefined : r.body.slice(0, 300), onboardMs: t2 - t1, totalMs: t2 - t0 });
      } catch (err) {
        results.push({ provider: job.provider, ok: false, status: 0, code: String(err.message ?? err).slice(0, 300), onboardMs: NaN, totalMs: performance.now() - t0 });
      } finally {
        agent.destroy();
      }
    }
  };
  process.stdout.write('MINTED\n');
  const start = performance.now();
  await Promise.all(Array.from({ length: plan.concurrency }, worker));
  const wallMs = performance.now() - start;
  process.stdout.write(`${JSON.stringify({ wallMs, results })}\n`);
}

// ── orchestrator ──────────────────────────────────────────────────────────────────────────────
function procStat(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticks = Number(stat[11]) + Number(stat[12]);
  return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM'), cpuMs: (ticks * 1000) / 100 };
}

async function main() {
  if (process.getuid?.() !== 0) throw new Error('needs root (network namespaces for the control plane and the VMs)');
  const vms = Number(opt.vms);
  const concurrency = Number(opt.concurrency);
  const providers = opt.providers.split(',').map((s) => s.trim()).filter(Boolean);
  const { tsImport } = await import('tsx/esm/api');
  const { ControlPlane } = await tsImport('../test/e2e/real/control-plane.ts', import.meta.url);
  const onb = await tsImport('../test/e2e/real/onboard.ts', import.meta.url);
  const { makeCloudKeys } = await import('../test/fakes/cloud-keys.mjs');

  const bin = execFileSync('bash', [join(ROOT, 'test', 'e2e', 'build.sh'), 'all'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop();
  const cp = new ControlPlane(bin, `fleet${process.pid}`);
  let stack;
  const say = (s) => { if (!opt.json) console.error(s); };
  try {
    const t0 = Date.now();
    await cp.start();
    say(`control plane up in ${Date.now() - t0} ms`);
    const keys = makeCloudKeys(join(cp.work, 'cloud-keys'));
    const audience = 'https://vmlet-onboard.vmlet-onboard.svc';
    const groups = providers.map((p) => ({ ns: `fleet-${p}`, sa: `${p}-vm`, name: `${p}-vms` }));
    const byP = Object.fromEntries(providers.map((p, i) => [p, groups[i]]));
    const wg = (p) => ({ namespace: byP[p].ns, name: byP[p].name });
    const policies = [];
    if (byP.aws) policies.push({ name: 'fleet-aws', provider: 'aws', match: { accountId: ['123456789012'] }, workloadGroup: wg('aws') });
    if (byP.gcp) policies.push({ name: 'fleet-gcp', provider: 'gcp', match: { project_id: ['fake-project'] }, workloadGroup: wg('gcp') });
    if (byP.azure) policies.push({ name: 'fleet-azure', provider: 'azure', match: { subscriptionId: ['8d10da13-8125-4ba9-a717-bf7490507b3d'] }, workloadGroup: wg('azure') });
    if (byP['join-token']) policies.push({ name: 'fleet-onprem', provider: 'join-token', match: { group: [`${byP['join-token'].ns}/${byP['join-token'].name}`] }, workloadGroup: wg('join-token') });
    const nodeArgs = opt['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', opt['cpu-prof']] : undefined;
    stack = await onb.startOnboardStack(cp, { name: 'onboard-fleet', groups, policies, keysDir: keys.dir, trust: keys.trust, audience, nodeArgs });
    // The bundle reads each group namespace's istio-ca-root-cert, which istiod copies there.
    for (const g of groups) {
      for (let i = 0; i < 240 && !cp.kubectl(['-n', g.ns, 'get', 'configmap', '-o', 'name']).includes('istio-ca-root-cert'); i++) await new Promise((r) => setTimeout(r, 250));
    }
    const nJoin = byP['join-token'] ? Array.from({ length: vms }, (_, i) => providers[i % providers.length]).filter((p) => p === 'join-token').length : 0;
    const joinTokens = [];
    const ns = onb.serviceIdentity(onb.readManifests()).ns;
    for (let i = 0; i < nJoin; i++) joinTokens.push(onb.createJoinToken(cp, byP['join-token'], '1h', ns).token);
    say(`${nJoin} join tokens created`);

    const plan = join(cp.work, 'fleet-plan.json');
    writeFileSync(plan, JSON.stringify({
      vms, concurrency, providers, audience, url: onb.ONBOARD_URL, caFile: stack.server.caFile, keepAlive: !opt['new-connections'],
      fakes: Object.fromEntries(Object.entries(stack.fakes).map(([p, f]) => [p, f.url])), joinTokens,
    }));
    const pid = stack.server.pid;
    const child = spawn('ip', ['netns', 'exec', cp.vmNs, process.execPath, join(ROOT, 'bench', 'onboard-fleet.mjs'), '--client', plan], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let sampling;
    const samples = [];
    let before;
    child.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
      if (!sampling && out.includes('MINTED\n')) {
        before = procStat(pid);
        sampling = setInterval(() => { try { samples.push(procStat(pid)); } catch { /* gone */ } }, 50);
      }
    });
    const code = await new Promise((r) => child.once('close', r));
    clearInterval(sampling);
    const after = procStat(pid);
    if (code !== 0) throw new Error(`load client exited ${code}`);
    const { wallMs, results } = JSON.parse(out.trim().split('\n').pop());
    const ok = results.filter((r) => r.ok);
    const failed = results.filter((r) => !r.ok);
    const onboard = ok.map((r) => r.onboardMs).sort((a, b) => a - b);
    const total = ok.map((r) => r.totalMs).sort((a, b) => a - b);
    const audit = stack.server.audit();
    const inService = audit.filter((r) => r.decision === 'allowed' && typeof r.durationMs === 'number').map((r) => r.durationMs).sort((a, b) => a - b);
    const summary = {
      vms, concurrency, providers, keepAlive: !opt['new-connections'], ok: ok.length, failed: failed.length,
      onboardingsPerSecond: Math.round((ok.length / (wallMs / 1000)) * 10) / 10,
      wallMs: Math.round(wallMs),
      requestToBundleMs: { p50: pct(onboard, 50), p90: pct(onboard, 90), p99: pct(onboard, 99), max: onboard.at(-1) },
      inServiceMs: { p50: pct(inService, 50), p90: pct(inService, 90), p99: pct(inService, 99) },
      wholeExchangeMs: { p50: pct(total, 50), p90: pct(total, 90), p99: pct(total, 99), max: total.at(-1) },
      serviceRssMb: { before: before.rssKb / 1024, peak: Math.max(...samples.map((s) => s.rssKb), after.rssKb) / 1024, after: after.rssKb / 1024 },
      serviceCpuMsDuringLoad: Math.round(after.cpuMs - before.cpuMs),
      auditAllowed: audit.filter((r) => r.decision === 'allowed').length,
      byProviderP50P99Ms: Object.fromEntries(providers.map((p) => {
        const v = ok.filter((r) => r.provider === p).map((r) => r.onboardMs).sort((a, b) => a - b);
        return [p, [pct(v, 50), pct(v, 99)]];
      })),
      firstFailures: failed.slice(0, 3).map((r) => `${r.provider} ${r.status} ${r.code}`),
    };
    const round = (o) => JSON.parse(JSON.stringify(o, (_, v) => (typeof v === 'number' ? Math.round(v * 10) / 10 : v)));
    if (opt.json) console.log(JSON.stringify(round(summary), null, 2));
    else {
      const s = round(summary);
      console.log(`onboard-fleet: ${vms} VMs (${providers.join(', ')}), ${concurrency} at once, ${opt['new-connections'] ? 'new TLS connections per request' : 'one TLS connection per VM, as vmlet'}`);
      console.log(`  onboarded            ${s.ok}/${vms} in ${s.wallMs} ms  -> ${s.onboardingsPerSecond} onboardings/s`);
      console.log(`  request-to-bundle    p50 ${s.requestToBundleMs.p50} ms  p90 ${s.requestToBundleMs.p90} ms  p99 ${s.requestToBundleMs.p99} ms  max ${s.requestToBundleMs.max} ms`);
      console.log(`  inside the service   p50 ${s.inServiceMs.p50} ms  p90 ${s.inServiceMs.p90} ms  p99 ${s.inServiceMs.p99} ms  (audit durationMs: request read -> answer)`);
      console.log(`  whole exchange       p50 ${s.wholeExchangeMs.p50} ms  p90 ${s.wholeExchangeMs.p90} ms  p99 ${s.wholeExchangeMs.p99} ms  (challenge + mint + onboard)`);
      console.log(`  service RSS          ${s.serviceRssMb.before} MB before, ${s.serviceRssMb.peak} MB peak, ${s.serviceRssMb.after} MB after`);
      console.log(`  service CPU          ${s.serviceCpuMsDuringLoad} ms during the load (${Math.round((s.serviceCpuMsDuringLoad / s.ok) * 10) / 10} ms per onboarding)`);
      console.log(`  by provider p50/p99  ${Object.entries(s.byProviderP50P99Ms).map(([p, [a, b]]) => `${p} ${a}/${b} ms`).join(', ')}`);
      if (s.failed) console.log(`  FAILED ${s.failed}: ${s.firstFailures.join(' | ')}`);
    }
    if (failed.length > 0) process.exitCode = 1;
  } finally {
    await stack?.stop();
    await cp.stop(process.exitCode === 1);
  }
}

if (opt.client) await client(opt.client);
else await main();
