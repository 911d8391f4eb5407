// `vmlet validate --istio-dir DIR` accepts a directory shaped like istioctl's output, and
// `--print` shows where each value came from with secrets redacted.
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { copyFixture, FIXTURE, runVmlet } from './cli-harness.js';

describe('vmlet validate on istioctl output', () => {
  let cleanup: (() => void) | undefined;
  afterEach(() => cleanup?.());

  it('accepts the fixture directory and names the files it read', () => {
    const r = runVmlet(['validate', '--istio-dir', FIXTURE]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const name of ['cluster.env', 'mesh.yaml', 'root-cert.pem', 'istio-token']) expect(r.stdout).toContain(join(FIXTURE, name));
  });

  it('--print --json shows the parsed Istio inputs and never the token', () => {
    const r = runVmlet(['validate', '--istio-dir', FIXTURE, '--print', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { ok: boolean; config: { istio: Record<string, unknown> }; sources: Record<string, string> };
    expect(out.ok).toBe(true);
    const istio = out.config.istio;
    expect((istio.clusterEnv as Record<string, string>).ISTIO_SERVICE).toBe('vm-app.bar');
    expect((istio.clusterEnv as Record<string, string>).ISTIO_METAJSON_LABELS).toContain('"service.istio.io/canonical-name":"vm-app"');
    expect((istio.proxyConfig as { readinessProbe: unknown }).readinessProbe).toEqual({ httpGet: { path: '/ready', port: 8080 }, initialDelaySeconds: 1, periodSeconds: 5, timeoutSeconds: 1 });
    expect(istio.tokenPath).toBe(join(FIXTURE, 'istio-token'));
    expect(istio.hosts).toEqual([]);
    expect(r.stdout).not.toContain('eyJ'); // no JWT (base64url JSON) anywhere in the output
    expect(r.stdout).not.toContain('BEGIN CERTIFICATE');
  });

  it('--print names the source of every key: flag, environment, config.yaml line, mesh.yaml, default', () => {
    const tmp = copyFixture();
    cleanup = tmp.cleanup;
    const cfg = join(tmp.dir, 'config.yaml');
    writeFileSync(cfg, '# site settings\ngeneral:\n  statusPort: 15030\n  stateDir: /srv/vmlet\n');
    writeFileSync(join(tmp.dir, 'istio', 'mesh.yaml'), 'defaultConfig:\n  terminationDrainDuration: 7s\n');
    const r = runVmlet(
      ['validate', '--print', '--istio-dir', join(tmp.dir, 'istio'), '--config', cfg, '--log-level', 'debug', '--set', 'general.runDir=/tmp/vmlet-run'],
      { VMLET_STATE_DIR: '/opt/vmlet-state', VMLET_STATUS_ADDRESS: '::1' },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const line = (key: string) => r.stdout.split('\n').find((l) => l.startsWith(`${key} = `)) ?? '';
    expect(line('general.logLevel')).toMatch(/= debug +\(flag\)$/);
    expect(line('general.runDir')).toMatch(/= \/tmp\/vmlet-run +\(flag\)$/);
    expect(line('general.stateDir')).toMatch(/= \/opt\/vmlet-state +\(env:VMLET_STATE_DIR\)$/);
    expect(line('general.statusAddress')).toMatch(/= ::1 +\(env:VMLET_STATUS_ADDRESS\)$/);
    expect(line('general.statusPort')).toMatch(/= 15030 +\(config\.yaml:line 3\)$/);
    expect(line('general.drainGrace')).toMatch(/= 7s +\(mesh\.yaml:defaultConfig\.terminationDrainDuration\)$/);
    expect(line('general.shutdownTimeout')).toMatch(/= 25s +\(default\)$/);
  });

  it('--print redacts credentials in cluster.env and proxyMetadata, in text and JSON', () => {
    const tmp = copyFixture();
    cleanup = tmp.cleanup;
    const istio = join(tmp.dir, 'istio');
    appendFileSync(join(istio, 'cluster.env'), "XDS_HEADER_authorization='Bearer s3cr3t-value'\n");
    writeFileSync(join(istio, 'mesh.yaml'), 'defaultConfig:\n  proxyMetadata:\n    CA_HEADER_X_API_KEY: s3cr3t-key\n    ISTIO_META_NETWORK: vm-network\n');
    for (const extra of [[], ['--json']]) {
      const r = runVmlet(['validate', '--print', '--istio-dir', istio, ...extra]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).not.toContain('s3cr3t');
      expect(r.stdout).toContain('*****');
      expect(r.stdout).toContain('vm-network');
    }
  });

  it('--help works on validate and version and on the command itself', () => {
    for (const args of [['validate', '--help'], ['version', '-h'], ['--help']]) {
      const r = runVmlet(args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/^Usage: vmlet/);
    }
    expect(runVmlet(['validate', '--help']).stdout).toContain('--istio-dir DIR');
  });

  it('version prints the package version', () => {
    const r = runVmlet(['version', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).vmlet).toMatch(/^\d+\.\d+\.\d+/);
  });
});
