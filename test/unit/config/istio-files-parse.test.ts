// The pure readers of mesh.yaml, root-cert.pem and hosts: what they accept, what they refuse and
// where they say the problem is.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseHosts } from '../../../src/config/hosts-file.js';
import { parseMesh } from '../../../src/config/mesh-file.js';
import { checkRootCertPem } from '../../../src/config/root-cert.js';

const CA = readFileSync(new URL('../../fixtures/istio-vm/root-cert.pem', import.meta.url), 'utf8');
const LEAF = readFileSync(new URL('../../fixtures/certs/leaf-not-ca.pem', import.meta.url), 'utf8');

describe('mesh.yaml', () => {
  it('returns defaultConfig and finds paths with their lines', () => {
    const m = parseMesh('defaultConfig:\n  discoveryAddress: istiod.x.svc:15012\n  readinessProbe:\n    tcpSocket:\n      port: 22\n', 'mesh.yaml');
    expect(m.problems).toEqual([]);
    expect(m.proxyConfig).toEqual({ discoveryAddress: 'istiod.x.svc:15012', readinessProbe: { tcpSocket: { port: 22 } } });
    expect(m.lookup('defaultConfig.readinessProbe.tcpSocket.port')).toEqual({ value: 22, line: 5 });
    expect(m.lookup('defaultConfig.nope')).toBeUndefined();
  });

  it('an empty file (the Istio package touches one) is an empty ProxyConfig', () => {
    expect(parseMesh('', 'mesh')).toMatchObject({ proxyConfig: {}, problems: [] });
    expect(parseMesh('defaultConfig:\n', 'mesh')).toMatchObject({ proxyConfig: {}, problems: [] });
  });

  it('mesh-wide keys are warnings, a scalar document is an error', () => {
    expect(parseMesh('trustDomain: x\ndefaultConfig: {}\n', 'mesh').problems).toEqual([expect.objectContaining({ severity: 'warning', line: 1, key: 'trustDomain' })]);
    expect(parseMesh('just text\n', 'mesh').problems).toEqual([expect.objectContaining({ code: 'VMLET_CONFIG_YAML_SYNTAX', severity: 'error' })]);
  });

  it.each(['istiod', 'istiod:', 'istiod:0', 'istiod:65536', 'http://istiod:15012'])('refuses discoveryAddress %s', (addr) => {
    const m = parseMesh(`defaultConfig:\n  discoveryAddress: "${addr}"\n`, 'mesh.yaml');
    expect(m.problems).toEqual([expect.objectContaining({ code: 'VMLET_CONFIG_BAD_VALUE', line: 2, key: 'defaultConfig.discoveryAddress' })]);
  });

  it.each(['istiod.istio-system.svc:15012', '10.0.0.1:15012', '[fd00::1]:15012'])('accepts discoveryAddress %s', (addr) => {
    expect(parseMesh(`defaultConfig:\n  discoveryAddress: "${addr}"\n`, 'mesh.yaml').problems).toEqual([]);
  });
});

describe('root-cert.pem', () => {
  it('accepts one CA and a bundle of CAs (root rotation)', () => {
    expect(checkRootCertPem(CA, 'r')).toEqual([]);
    expect(checkRootCertPem(`${CA}${CA}`, 'r')).toEqual([]);
  });

  it('refuses a leaf after a CA, naming the line of the bad block', () => {
    const p = checkRootCertPem(`${CA}${LEAF}`, 'r');
    expect(p).toEqual([expect.objectContaining({ code: 'VMLET_ROOT_CERT_INVALID', line: CA.split('\n').length })]);
    expect(p[0]?.message).toContain('certificate 2');
  });

  it('warns (does not fail) when the clock is outside the CA validity', () => {
    const p = checkRootCertPem(CA, 'r', Date.parse('1999-01-01T00:00:00Z'));
    expect(p).toEqual([expect.objectContaining({ severity: 'warning', code: 'VMLET_ROOT_CERT_INVALID' })]);
    expect(p[0]?.message).toContain('not yet valid');
    expect(checkRootCertPem(CA, 'r', Date.parse('2200-01-01T00:00:00Z'))[0]?.message).toContain('expired');
  });

  it('refuses garbage between the armour lines', () => {
    expect(checkRootCertPem('-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n', 'r')[0]?.message).toContain('does not parse');
  });

  it('never echoes a private key block', () => {
    const key = '-----BEGIN EC PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END EC PRIVATE KEY-----\n';
    const p = checkRootCertPem(key, 'r');
    expect(p[0]?.message).toContain('EC PRIVATE KEY');
    expect(JSON.stringify(p)).not.toContain('c2VjcmV0');
  });
});

describe('hosts', () => {
  it('reads IP and names, skipping comments and blank lines', () => {
    expect(parseHosts('# gw\n\n10.0.0.5 istiod.istio-system.svc istiod\nfd00::5 istiod-canary.istio-system.svc\n', 'hosts')).toEqual({
      entries: [{ ip: '10.0.0.5', names: ['istiod.istio-system.svc', 'istiod'] }, { ip: 'fd00::5', names: ['istiod-canary.istio-system.svc'] }],
      problems: [],
    });
  });

  it.each([['istiod.svc 10.0.0.5', 'not an IP'], ['10.0.0.5', 'no host name'], ['10.0.0.5 bad_name!', 'not a host name']])('refuses %s', (line, why) => {
    const r = parseHosts(`\n${line}\n`, 'hosts');
    expect(r.problems).toEqual([expect.objectContaining({ code: 'VMLET_HOSTS_SYNTAX', line: 2 })]);
    expect(r.problems[0]?.message).toContain(why);
  });
});
