// mesh.yaml's defaultConfig.statusPort is, in Istio, pilot-agent's own status server (15020), not
// Envoy's health listener (15021, ENVOY_STATUS_PORT only): it sets vmlet's status server port.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readerFromMap } from '../../../src/config/file-reader.js';
import { loadConfig } from '../../../src/config/index.js';

const DIR = '/istio';
const CA_PEM = readFileSync(new URL('../../fixtures/istio-vm/root-cert.pem', import.meta.url), 'utf8');

function load(mesh: string, clusterEnv = '') {
  const reader = readerFromMap({ [`${DIR}/cluster.env`]: clusterEnv, [`${DIR}/mesh.yaml`]: mesh, [`${DIR}/root-cert.pem`]: CA_PEM, [`${DIR}/istio-token`]: 'x.y.z', [`${DIR}/hosts`]: '', '/etc/vmlet/config.yaml': '' });
  return loadConfig({ istioDir: DIR, env: {}, flags: {}, reader });
}

describe('defaultConfig.statusPort', () => {
  it("sets general.statusPort (pilot-agent's status port) and leaves Envoy's health listener at 15021", () => {
    const r = load('defaultConfig:\n  statusPort: 15099\n');
    expect(r.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(r.config.general.statusPort).toBe(15099);
    expect(r.sources['general.statusPort']).toBe('mesh.yaml:defaultConfig.statusPort');
    expect(r.config.envoy.statusPort).toBe(15021);
    expect(r.sources['envoy.statusPort']).toBe('default');
  });

  it("Envoy's health listener moves only with ENVOY_STATUS_PORT", () => {
    const r = load('defaultConfig:\n  statusPort: 15020\n', "ENVOY_STATUS_PORT='15031'\n");
    expect(r.config.envoy.statusPort).toBe(15031);
    expect(r.config.general.statusPort).toBe(15020);
  });
});
