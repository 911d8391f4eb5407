// Without --istio-dir the Istio VM files are read from their stock locations, absent ones are
// simply not used, and the token's content is never read (only that the file is there and not empty).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readerFromMap, type FileReader } from '../../../src/config/file-reader.js';
import { istioTokenPath, loadConfig, STOCK_ISTIO_PATHS } from '../../../src/config/index.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/istio-vm/${name}`, import.meta.url), 'utf8');

/** Serves the fixture at the stock paths and fails the test if anyone reads the token's content. */
function stockReader(omit: string[] = []): FileReader & { read: FileReader['read'] } {
  const files: Record<string, string> = {
    [STOCK_ISTIO_PATHS.clusterEnv]: fixture('cluster.env'),
    [STOCK_ISTIO_PATHS.mesh]: fixture('mesh.yaml'),
    [STOCK_ISTIO_PATHS.rootCert]: fixture('root-cert.pem'),
    [STOCK_ISTIO_PATHS.token]: fixture('istio-token'),
  };
  for (const p of omit) delete files[p];
  const inner = readerFromMap(files);
  return {
    read: (path) => {
      if (path === STOCK_ISTIO_PATHS.token) throw new Error('the token content was read');
      return inner.read(path);
    },
    size: inner.size,
  };
}

describe('stock VM locations', () => {
  it('reads every file from its stock path and keeps only the token path', () => {
    const r = loadConfig({ reader: stockReader() });
    expect(r.problems).toEqual([]);
    const istio = r.config.istio;
    expect(istio.dir).toBeUndefined();
    expect(istio.clusterEnvPath).toBe('/var/lib/istio/envoy/cluster.env');
    expect(istio.meshPath).toBe('/etc/istio/config/mesh');
    expect(istio.rootCertPath).toBe('/etc/certs/root-cert.pem');
    expect(istio.tokenPath).toBe('/var/run/secrets/tokens/istio-token');
    expect(istio.clusterEnv.SERVICE_ACCOUNT).toBe('vm-sa');
    expect(istio.proxyConfig.discoveryAddress).toBe('istiod.istio-system.svc:15012');
    expect(istio.rootCertPem).toContain('BEGIN CERTIFICATE');
    expect(JSON.stringify(r.config)).not.toContain(fixture('istio-token').slice(0, 20));
  });

  it('an absent stock file is not a problem; its input is just empty', () => {
    const r = loadConfig({ reader: stockReader([STOCK_ISTIO_PATHS.token, STOCK_ISTIO_PATHS.clusterEnv]) });
    expect(r.problems).toEqual([]);
    // The token path stays known: a token written later is read on the next CA call.
    expect(r.config.istio.tokenPath).toBe(STOCK_ISTIO_PATHS.token);
    expect(r.config.istio.clusterEnv).toEqual({});
  });

  it('VMLET_ISTIO_DIR selects a directory like --istio-dir, where every file is required', () => {
    const r = loadConfig({ env: { VMLET_ISTIO_DIR: '/opt/istio-out' }, reader: readerFromMap({ '/opt/istio-out/cluster.env': fixture('cluster.env') }) });
    expect(r.config.istio.dir).toBe('/opt/istio-out');
    expect(r.problems.map((p) => `${p.code} ${p.file}`)).toEqual([
      'VMLET_CONFIG_FILE_MISSING /opt/istio-out/mesh.yaml',
      'VMLET_CONFIG_FILE_MISSING /opt/istio-out/root-cert.pem',
      'VMLET_CONFIG_FILE_MISSING /opt/istio-out/istio-token', // a warning: the token is needed once
      'VMLET_CONFIG_FILE_MISSING /opt/istio-out/hosts',
    ]);
  });

  it('the token is read where the loader found it, else where it would be: istioctl\'s directory, or the stock path', () => {
    expect(istioTokenPath({ tokenPath: '/srv/token', dir: '/opt/istio-out' })).toBe('/srv/token');
    expect(istioTokenPath({ tokenPath: undefined, dir: '/opt/istio-out' })).toBe('/opt/istio-out/istio-token');
    expect(istioTokenPath({ tokenPath: undefined, dir: undefined })).toBe('/var/run/secrets/tokens/istio-token');
  });
});
