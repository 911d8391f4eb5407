// The loader takes each field from the first tier that has it — flags > environment >
// config.yaml > cluster.env > mesh.yaml > default — records where it came from, and freezes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defineSection, f } from '../../../src/config/field.js';
import { readerFromMap } from '../../../src/config/file-reader.js';
import { loadConfig, redactConfig, REDACTED, type LoadInput } from '../../../src/config/index.js';

const demo = defineSection('demo', 'test section', {
  discovery: f.hostport({ doc: 'address', default: 'istiod.istio-system.svc:15012', env: ['VMLET_DISCOVERY', 'CA_ADDR'], clusterEnv: ['PILOT_ADDRESS'], mesh: 'defaultConfig.discoveryAddress' }),
  ttl: f.duration({ doc: 'ttl', default: 86_400_000, env: ['SECRET_TTL'] }),
  trustDomain: f.string({ doc: 'td', default: 'cluster.local', env: ['TRUST_DOMAIN'] }),
  password: f.string({ doc: 'a secret', env: ['VMLET_PASSWORD'], secret: true }),
  port: f.port({ doc: 'p', default: 1, env: ['VMLET_PORT'] }),
});
const CFG = '/etc/vmlet/config.yaml';
const DIR = '/istio';

function load(files: Record<string, string>, extra: Partial<LoadInput> & { mode?: number } = {}) {
  const base = { [`${DIR}/cluster.env`]: '', [`${DIR}/mesh.yaml`]: '', [`${DIR}/root-cert.pem`]: CA_PEM, [`${DIR}/istio-token`]: 'x.y.z', [`${DIR}/hosts`]: '' };
  const { mode, ...rest } = extra;
  const reader = readerFromMap({ ...base, ...files });
  return loadConfig({ sections: [demo], istioDir: DIR, reader: mode === undefined ? reader : { ...reader, mode: () => mode }, ...rest });
}

// A CA certificate (the committed fixture) so the Istio-file checks pass.
const CA_PEM = readFileSync(new URL('../../fixtures/istio-vm/root-cert.pem', import.meta.url), 'utf8');

type Demo = { demo: { discovery: string; ttl: number; trustDomain: string; password?: string; port: number } };

describe('loadConfig precedence', () => {
  const mesh = { [`${DIR}/mesh.yaml`]: 'defaultConfig:\n  discoveryAddress: mesh.example:15012\n' };
  const clusterEnv = { [`${DIR}/cluster.env`]: "ISTIO_SERVICE='a.b'\nPILOT_ADDRESS='cluster-env.example:15012'\n" };
  const yaml = { [CFG]: 'demo:\n  discovery: yaml.example:15012\n' };
  const env = { VMLET_DISCOVERY: 'env.example:15012' };
  const flags = { 'demo.discovery': 'flag.example:15012' };

  it.each([
    ['default', {}, {}, {}, 'istiod.istio-system.svc:15012', 'default'],
    ['mesh.yaml over default', mesh, {}, {}, 'mesh.example:15012', 'mesh.yaml:defaultConfig.discoveryAddress'],
    ['cluster.env over mesh.yaml', { ...mesh, ...clusterEnv }, {}, {}, 'cluster-env.example:15012', 'cluster.env:PILOT_ADDRESS'],
    ['config.yaml over Istio files', { ...mesh, ...clusterEnv, ...yaml }, {}, {}, 'yaml.example:15012', 'config.yaml:line 2'],
    ['environment over config.yaml', { ...mesh, ...clusterEnv, ...yaml }, env, {}, 'env.example:15012', 'env:VMLET_DISCOVERY'],
    ['flag over environment', { ...mesh, ...clusterEnv, ...yaml }, env, flags, 'flag.example:15012', 'flag'],
  ])('%s', (_name, files, envVars, flagVals, value, source) => {
    const r = load(files, { env: envVars, flags: flagVals });
    expect(r.problems).toEqual([]);
    expect((r.config as unknown as Demo).demo.discovery).toBe(value);
    expect(r.sources['demo.discovery']).toBe(source);
  });

  it('applies PROXY_CONFIG over mesh.yaml: cluster.env in the Istio tier, the process env in the environment tier', () => {
    const files = {
      ...mesh,
      [`${DIR}/cluster.env`]: "PROXY_CONFIG='{\"discoveryAddress\":\"overlay.example:15012\",\"proxyMetadata\":{\"B\":\"2\"}}'\n",
      [`${DIR}/mesh.yaml`]: 'defaultConfig:\n  discoveryAddress: mesh.example:15012\n  proxyMetadata:\n    A: "1"\n    B: "1"\n',
    };
    const fromFile = load(files);
    expect(fromFile.problems).toEqual([]);
    expect((fromFile.config as unknown as Demo).demo.discovery).toBe('overlay.example:15012');
    expect(fromFile.sources['demo.discovery']).toBe('cluster.env:PROXY_CONFIG');
    expect(fromFile.config.istio.proxyConfig).toEqual({ discoveryAddress: 'overlay.example:15012', proxyMetadata: { A: '1', B: '2' } });

    const fromEnv = load({ ...files, ...yaml }, { env: { PROXY_CONFIG: 'discoveryAddress: env-overlay.example:15012\n' } });
    expect((fromEnv.config as unknown as Demo).demo.discovery).toBe('env-overlay.example:15012');
    expect(fromEnv.sources['demo.discovery']).toBe('env:PROXY_CONFIG');

    const broken = load({ [`${DIR}/cluster.env`]: "A='1'\nPROXY_CONFIG='[1, 2]'\n" });
    expect(broken.problems).toEqual([expect.objectContaining({ code: 'VMLET_CONFIG_BAD_VALUE', file: `${DIR}/cluster.env`, line: 2, key: 'PROXY_CONFIG' })]);
  });

  it('reads Istio env names from cluster.env (istio-start.sh exports them), but not VMLET_ names', () => {
    const r = load({ [`${DIR}/cluster.env`]: "CA_ADDR='istiod-canary.istio-system.svc:15012'\nVMLET_PORT='9'\nSECRET_TTL='12h'\n" });
    const c = (r.config as unknown as Demo).demo;
    expect(c.discovery).toBe('istiod-canary.istio-system.svc:15012');
    expect(r.sources['demo.discovery']).toBe('cluster.env:CA_ADDR');
    expect(c.ttl).toBe(12 * 3_600_000);
    expect(c.port).toBe(1);
  });

  it("keeps istioctl's explicit empty TRUST_DOMAIN='' for string fields, ignores empty values for typed ones", () => {
    const r = load({ [`${DIR}/cluster.env`]: "TRUST_DOMAIN=''\nSECRET_TTL=''\n" });
    expect((r.config as unknown as Demo).demo.trustDomain).toBe('');
    expect(r.sources['demo.ttl']).toBe('default');
  });

  it('a bad value names its tier and leaves the default in place', () => {
    const r = load({}, { env: { SECRET_TTL: 'soon' } });
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ code: 'VMLET_CONFIG_BAD_VALUE', key: 'demo.ttl (from environment SECRET_TTL)' });
    expect(r.sources['demo.ttl']).toBe('default');
  });

  it('a bad mesh.yaml discoveryAddress that a field also reads is reported once, at its line', () => {
    const r = load({ [`${DIR}/mesh.yaml`]: 'defaultConfig:\n  meshId: m\n  discoveryAddress: istiod\n' });
    expect(r.problems).toEqual([expect.objectContaining({ code: 'VMLET_CONFIG_BAD_VALUE', file: `${DIR}/mesh.yaml`, line: 3 })]);
  });

  it('a flag for a key that does not exist is an unknown key', () => {
    const r = load({}, { flags: { 'demo.nope': '1' } });
    expect(r.problems.map((p) => p.code)).toEqual(['VMLET_CONFIG_UNKNOWN_KEY']);
  });

  it('the result is deeply frozen', () => {
    const r = load({ [`${DIR}/cluster.env`]: "A='1'\n" });
    expect(Object.isFrozen(r.config)).toBe(true);
    expect(Object.isFrozen(r.config.istio.clusterEnv)).toBe(true);
    expect(() => { (r.config as unknown as { demo: { port: number } }).demo.port = 2; }).toThrow(TypeError);
  });

  it('secret values never appear in problems or in the redacted view', () => {
    const r = load({ [CFG]: 'demo:\n  password: [hunter2]\n' });
    expect(JSON.stringify(r.problems)).not.toContain('hunter2');
    const ok = load({ [`${DIR}/cluster.env`]: "XDS_HEADER_AUTHORIZATION='Bearer abc'\n" }, { env: { VMLET_PASSWORD: 'hunter2' } });
    expect((ok.config as unknown as Demo).demo.password).toBe('hunter2');
    const shown = JSON.stringify(redactConfig(ok.config, [demo]));
    expect(shown).not.toContain('hunter2');
    expect(shown).not.toContain('Bearer abc');
    expect(shown).toContain(REDACTED);
  });

  it('warns when config.yaml holds a secret and others can read it', () => {
    const withMode = (mode: number) => load({ [CFG]: 'demo:\n  password: hunter2\n' }, { mode }).problems;
    const worldReadable = withMode(0o644);
    expect(worldReadable).toEqual([expect.objectContaining({ code: 'VMLET_CONFIG_SECRET_READABLE', severity: 'warning', file: CFG, key: 'demo.password' })]);
    expect(worldReadable[0]?.message).toContain('0644');
    expect(JSON.stringify(worldReadable)).not.toContain('hunter2');
    expect(withMode(0o600)).toEqual([]);
  });

  it('config.yaml absent at the default path is fine; absent at an explicit path is an error', () => {
    expect(load({}).problems).toEqual([]);
    expect(load({}, { configPath: '/srv/vmlet.yaml' }).problems[0]).toMatchObject({ code: 'VMLET_CONFIG_FILE_MISSING', file: '/srv/vmlet.yaml' });
    expect(load({}, { env: { VMLET_CONFIG: '/srv/other.yaml' } }).problems[0]).toMatchObject({ code: 'VMLET_CONFIG_FILE_MISSING', file: '/srv/other.yaml' });
  });
});

describe('section check hook', () => {
  const ranged = defineSection('ranged', 'min below max', {
    min: f.int({ doc: 'min', default: 1 }),
    max: f.int({ doc: 'max', default: 10 }),
  }, {
    check: (v) => (v.min > v.max ? [{ key: 'min', message: `min ${v.min} is above max ${v.max}`, hint: 'lower min' }] : []),
  });

  it('reports a contradiction at the file and line of the offending key', () => {
    const r = loadConfig({ sections: [ranged], reader: readerFromMap({ [CFG]: 'ranged:\n  max: 3\n  min: 5\n' }) });
    expect(r.problems).toEqual([expect.objectContaining({ code: 'VMLET_CONFIG_CONFLICT', file: CFG, line: 3, key: 'ranged.min' })]);
  });

  it('resolves YAML anchors and aliases in config.yaml', () => {
    const r = loadConfig({ sections: [ranged], reader: readerFromMap({ [CFG]: 'ranged:\n  max: &n 4\n  min: *n\n' }) });
    expect(r.problems).toEqual([]);
    expect((r.config as unknown as { ranged: { min: number } }).ranged.min).toBe(4);
  });

  it('is silent when the values agree', () => {
    expect(loadConfig({ sections: [ranged], reader: readerFromMap({}) }).problems).toEqual([]);
  });
});
