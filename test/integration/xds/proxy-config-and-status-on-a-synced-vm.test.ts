// A VM whose FAKE Envoy accepts everything the istiod simulator (a TEST DOUBLE) pushes (one EDS
// cluster, its endpoints, a listener with an RDS route): the fake subscribes CDS → EDS → LDS →
// RDS as Envoy does, `vmlet proxy-status` shows the four SYNCED, and `vmlet proxy-config` prints
// each kind from the fake's /config_dump (a valid envoy.admin.v3.ConfigDump) and /clusters, the
// secrets without key material.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseStrict } from '../../helpers/envoy-protos.js';
import { startFakeVm, type FakeVm } from '../../helpers/vm-with-fake-envoy.js';
import { waitFor } from '../../helpers/wait-for.js';
import { sampleXdsConfig } from '../../sim/xds-config.js';

describe('vmlet proxy-status and proxy-config on a synced VM', { timeout: 60_000 }, () => {
  let vm: FakeVm;
  beforeAll(async () => {
    vm = await startFakeVm({ name: 'synced', config: sampleXdsConfig() });
  }, 30_000);
  afterAll(async () => { await vm?.stop(); });

  it('proxy-status: CDS, LDS, EDS and RDS SYNCED, exit 0', async () => {
    // The fake subscribes RDS only after LDS's listener names a route, as Envoy does: until then
    // proxy-status already exits 0 with RDS "IGNORED, not subscribed". Wait for the four rows.
    const synced = (stdout: string) => ['CDS', 'LDS', 'EDS', 'RDS'].every((t) => new RegExp(`^${t}\\s+SYNCED \\(`, 'm').test(stdout));
    let last = '';
    const r = await waitFor(async () => {
      const out = await vm.cli('proxy-status');
      last = out.stdout;
      return out.code === 0 && synced(out.stdout) ? out : undefined;
    }, { timeoutMs: 30_000, intervalMs: 300, what: 'CDS, LDS, EDS and RDS all SYNCED' }).catch((err: unknown) => {
      throw new Error(`${String(err)}\nlast proxy-status:\n${last}\nvmlet stderr: ${vm.vmlet.stderr.slice(-300)}`);
    });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('NACKED');
  });

  it("the fake's /config_dump is a valid envoy.admin.v3.ConfigDump", async () => {
    const dump = await (await fetch(`http://127.0.0.1:${vm.adminPort}/config_dump?include_eds`)).json();
    expect(() => parseStrict('envoy.admin.v3.ConfigDump', dump)).not.toThrow();
  });

  it('clusters, listeners, routes, endpoints as istioctl proxy-config prints them', async () => {
    const clusters = await vm.cli('proxy-config', 'clusters');
    expect(clusters.code).toBe(0);
    expect(clusters.stdout).toMatch(/^SERVICE FQDN\s+PORT\s+SUBSET\s+DIRECTION\s+TYPE\s+DESTINATION RULE$/m);
    expect(clusters.stdout).toMatch(/^echo\.bar\.svc\.cluster\.local\s+80\s+-\s+outbound\s+EDS\s+-$/m);
    expect(clusters.stdout).toMatch(/^xds-grpc\s+-\s+-\s+-\s+STATIC/m);
    const listeners = await vm.cli('proxy-config', 'listeners');
    expect(listeners.stdout).toMatch(/^0\.0\.0\.0_80\s+0\.0\.0\.0\s+80\s+OUTBOUND\s+Route: 80\s+ACTIVE$/m);
    const routes = await vm.cli('proxy-config', 'routes');
    expect(routes.stdout).toMatch(/^80\s+echo\.bar\.svc\.cluster\.local:80\s+echo\.bar\.svc\.cluster\.local \+1 more\.\.\.\s+\/\*\s+-$/m);
    const endpoints = await vm.cli('proxy-config', 'endpoints');
    expect(endpoints.stdout).toMatch(/^10\.44\.0\.5:8080\s+HEALTHY\s+OK\s+outbound\|80\|\|echo\.bar\.svc\.cluster\.local$/m);
    const json = JSON.parse((await vm.cli('proxy-config', 'clusters', '--json')).stdout) as { dynamic_active_clusters: { cluster: { name: string } }[] };
    expect(json.dynamic_active_clusters.map((c) => c.cluster.name)).toEqual(['outbound|80||echo.bar.svc.cluster.local']);
  });

  it('secrets: names, serial, validity, trust domain; no key material in text or --json', async () => {
    const secrets = await waitFor(async () => {
      const r = await vm.cli('proxy-config', 'secrets');
      return /^default\s+Cert Chain\s+ACTIVE\s+true\s+[0-9a-f]+\s+\S+Z\s+\S+Z\s+cluster\.local$/m.test(r.stdout) ? r : undefined;
    }, { timeoutMs: 10_000, intervalMs: 200, what: 'the default secret row' });
    expect(secrets.stdout).toMatch(/^ROOTCA\s+CA\s+ACTIVE\s+true\s+[0-9a-f]+/m);
    const json = (await vm.cli('proxy-config', 'secrets', '--json')).stdout;
    const rows = JSON.parse(json) as Record<string, string>[];
    expect(rows.map((r) => r['RESOURCE NAME']).sort()).toEqual(['ROOTCA', 'default']);
    for (const out of [secrets.stdout, json]) {
      expect(out).not.toMatch(/PRIVATE KEY|BEGIN|private_key|inline_bytes|redacted/);
    }
  });

  it('a bad kind is a usage error (exit 2); Envoy not answering is exit 1 with the port', async () => {
    const bad = await vm.cli('proxy-config', 'pods');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('name one of clusters, listeners, routes, endpoints, secrets');
    const down = await vm.cli('proxy-config', 'clusters', '--set', 'envoy.adminPort=1');
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/127\.0\.0\.1:1 \(envoy\.adminPort\)\? \[VMLET_ENVOY_ADMIN_FAILED\]/);
  });
});
