/**
 * Property tests for every parser of the Istio VM files and config.yaml (outside input): for any
 * text up to 2 KB and for mutations of the istioctl fixture, each parser returns problems instead
 * of throwing; every problem has a registered code, the file it came from, a line inside that
 * file, a message and a hint; and the loader is all-or-nothing: either no error and a frozen
 * configuration, or VMLET_CONFIG_INVALID and nothing to run with. Pure: no file is written.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorSpec, isVmletError } from '../../../src/errors.js';
import { hasErrors, loadConfig, loadConfigOrThrow, SECTIONS, type Problem } from '../../../src/config/index.js';
import { parseClusterEnv, quoteClusterEnvValue } from '../../../src/config/cluster-env.js';
import { parseConfigFile } from '../../../src/config/config-file.js';
import { readerFromMap } from '../../../src/config/file-reader.js';
import { parseHosts } from '../../../src/config/hosts-file.js';
import { parseMesh } from '../../../src/config/mesh-file.js';
import { checkRootCertPem } from '../../../src/config/root-cert.js';
import { ISTIO_FIXTURE } from '../../helpers/test-config.js';
import { mutatedText, RUNS, textInput } from '../../helpers/mutate.js';

const fixture = (name: string) => readFileSync(join(ISTIO_FIXTURE, name), 'utf8');
const CLUSTER_ENV = fixture('cluster.env');
const MESH = fixture('mesh.yaml');
const HOSTS = fixture('hosts');
const ROOT = fixture('root-cert.pem');
// The shipped example with every key uncommented: each section and key, as an operator writes them.
const CONFIG_YAML = readFileSync(join(import.meta.dirname, '..', '..', '..', 'examples', 'config', 'config.yaml'), 'utf8')
  .replace(/^ {2}# ([a-z][A-Za-z0-9]*:(?: .*)?)$/gm, '  $1');

/** What every problem from a file must carry: a registered code, the file, a real line, words. */
function expectWellFormed(problems: readonly Problem[], file: string, text: string): void {
  const lines = text.split(/\r\n|\r|\n/).length;
  for (const p of problems) {
    expect(errorSpec(p.code), `code ${p.code} is registered`).toBeDefined();
    expect(p.file).toBe(file);
    if (p.line !== undefined) {
      expect(Number.isInteger(p.line) && p.line >= 1 && p.line <= lines + 1, `line ${p.line} of ${lines}`).toBe(true);
    }
    expect(p.message.trim()).not.toBe('');
    expect(p.hint.trim()).not.toBe('');
  }
}

describe('Istio VM file parsers survive any input', { timeout: 60_000 }, () => {
  it('cluster.env: problems, never a throw', () => {
    fc.assert(fc.property(textInput(CLUSTER_ENV), (text) => {
      const r = parseClusterEnv(text, '/istio/cluster.env');
      expectWellFormed(r.problems, '/istio/cluster.env', text);
      for (const k of Object.keys(r.values)) expect(r.lines[k]).toBeGreaterThanOrEqual(1);
    }), RUNS);
  });

  it('cluster.env: any KEY=value set istioctl quotes reads back as written', () => {
    const key = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,20}$/);
    const value = fc.string({ maxLength: 40 }).filter((v) => !/[\r\n]/.test(v));
    fc.assert(fc.property(fc.dictionary(key, value, { maxKeys: 12 }), (values) => {
      const text = Object.entries(values).map(([k, v]) => `${k}=${quoteClusterEnvValue(v)}\n`).join('');
      const r = parseClusterEnv(text, 'cluster.env');
      expect(r.problems).toEqual([]);
      expect(r.values).toEqual(values);
    }), RUNS);
  });

  it('mesh.yaml: problems, never a throw; lookups answer for any path', () => {
    fc.assert(fc.property(textInput(MESH), fc.string({ maxLength: 40 }), (text, path) => {
      const r = parseMesh(text, '/istio/mesh.yaml');
      expectWellFormed(r.problems, '/istio/mesh.yaml', text);
      r.lookup(path);
      r.lookup('defaultConfig.discoveryAddress');
    }), RUNS);
  });

  it('hosts: problems, never a throw; every entry is an IP with names', () => {
    fc.assert(fc.property(textInput(HOSTS), (text) => {
      const r = parseHosts(text, '/istio/hosts');
      expectWellFormed(r.problems, '/istio/hosts', text);
      for (const e of r.entries) expect(e.names.length).toBeGreaterThan(0);
    }), RUNS);
  });

  it('root-cert.pem: problems, never a throw', () => {
    fc.assert(fc.property(textInput(ROOT), (text) => {
      expectWellFormed(checkRootCertPem(text, '/istio/root-cert.pem'), '/istio/root-cert.pem', text);
    }), { numRuns: 150 });
  });

  it('config.yaml: problems naming the key, never a throw', () => {
    fc.assert(fc.property(textInput(CONFIG_YAML), (text) => {
      const r = parseConfigFile(text, '/etc/vmlet/config.yaml', SECTIONS);
      expectWellFormed(r.problems, '/etc/vmlet/config.yaml', text);
    }), RUNS);
  });
});

describe('the loader is all-or-nothing for any mutated input', { timeout: 60_000 }, () => {
  const files = { 'cluster.env': CLUSTER_ENV, 'mesh.yaml': MESH, hosts: HOSTS, 'root-cert.pem': ROOT, 'config.yaml': CONFIG_YAML };
  const which = fc.constantFrom(...(Object.keys(files) as (keyof typeof files)[]));
  it('either no error and a frozen configuration, or VMLET_CONFIG_INVALID listing each problem', () => {
    fc.assert(fc.property(which.chain((name) => mutatedText(files[name]).map((text) => [name, text] as const)), ([name, text]) => {
      const map: Record<string, string> = {};
      for (const [n, t] of Object.entries(files)) if (n !== 'config.yaml') map[`/istio/${n}`] = t;
      map['/istio/istio-token'] = fixture('istio-token');
      map['/etc/vmlet/config.yaml'] = CONFIG_YAML;
      map[name === 'config.yaml' ? '/etc/vmlet/config.yaml' : `/istio/${name}`] = text;
      const input = { reader: readerFromMap(map), istioDir: '/istio', configPath: '/etc/vmlet/config.yaml', env: {} };
      const loaded = loadConfig(input);
      if (hasErrors(loaded.problems)) {
        let thrown: unknown;
        try { loadConfigOrThrow(input); } catch (err) { thrown = err; }
        expect(isVmletError(thrown, 'VMLET_CONFIG_INVALID'), String(thrown)).toBe(true);
        for (const p of loaded.problems) expect(errorSpec(p.code), p.code).toBeDefined();
      } else {
        const ok = loadConfigOrThrow(input);
        expect(Object.isFrozen(ok.config)).toBe(true);
        for (const section of Object.values(ok.config)) expect(Object.isFrozen(section)).toBe(true);
      }
    }), { numRuns: 100 });
  });
});
