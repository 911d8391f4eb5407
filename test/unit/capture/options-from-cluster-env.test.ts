import { describe, expect, it } from 'vitest';
import { optionsFromConfig, type HostFacts } from '../../../src/capture/options.js';
import { buildPlan } from '../../../src/capture/rules.js';
import { testConfig } from '../../helpers/test-config.js';

const facts: HostFacts = { proxyUserUid: 998, dnsServers: ['127.0.0.53'], hasGlobalIpv6: false, istiod: [{ ip: '10.0.0.10', port: 15012 }] };

describe('capture options from cluster.env and config', () => {
  it('reads the istioctl cluster.env keys (inbound ports, excludes, service CIDR, DNS capture)', () => {
    const o = optionsFromConfig(testConfig(), { ...facts, dnsMode: 'capture' });
    expect(o.inboundPorts).toEqual([8080]);
    expect(o.localExcludePorts).toEqual([22, 15090, 15021, 15020]);
    expect(o.serviceCidrs).toBe('*');
    expect(o.dnsCapture).toBe(true);
    expect(o.dnsServers).toEqual(['127.0.0.53']);
  });

  it('installs DNS capture only in DNS mode capture, and exempts vmlet\'s own uid for its DNS proxy', () => {
    expect(optionsFromConfig(testConfig(), { ...facts, dnsMode: 'resolved' }).dnsCapture).toBe(false);
    expect(optionsFromConfig(testConfig(), { ...facts, dnsMode: 'off' }).dnsCapture).toBe(false);
    expect(optionsFromConfig(testConfig({ capture: { dnsCapture: false } }), { ...facts, dnsMode: 'capture' }).dnsCapture).toBe(false);
    const o = optionsFromConfig(testConfig(), { ...facts, dnsMode: 'capture', vmletUid: 0 });
    expect(o.dnsProxyUid).toBe(0);
    expect(optionsFromConfig(testConfig(), { ...facts, dnsMode: 'capture', vmletUid: 998 }).dnsProxyUid).toBeUndefined();
    const nat = buildPlan(o).v4.nat.rules.map((r) => `${r.chain} ${r.spec}`);
    const exempt = nat.indexOf('ISTIO_OUTPUT -p udp -m udp --sport 15060:15075 -m owner --uid-owner 0 -j RETURN');
    expect(exempt).toBeGreaterThan(-1);
    expect(nat).toContain('ISTIO_OUTPUT -p tcp -m tcp --sport 15060:15075 -m owner --uid-owner 0 -j RETURN');
    expect(exempt).toBeLessThan(nat.indexOf('ISTIO_OUTPUT -j ISTIO_OUTPUT_DNS'));
    expect(buildPlan(o).v4.raw.rules.map((r) => r.spec)).toContain('-p udp -m udp --sport 15053 -m owner --uid-owner 0 -j CT --zone 2');
  });

  it('redirects to dns.port', () => {
    const o = optionsFromConfig(testConfig({ dns: { port: 5454 } }), { ...facts, dnsMode: 'capture' });
    expect(buildPlan(o).v4.nat.rules.some((r) => r.spec.endsWith('--to-ports 5454'))).toBe(true);
  });

  it("uses the proxy user's uid, and that number as gid (istio-iptables' PROXY_GID default)", () => {
    const o = optionsFromConfig(testConfig(), facts);
    expect(o.proxyUids).toEqual([998]);
    expect(o.proxyGids).toEqual([998]);
  });

  it('falls back to 1337 only when the proxy user does not exist', () => {
    expect(optionsFromConfig(testConfig(), { ...facts, proxyUserUid: undefined }).proxyUids).toEqual([1337]);
  });

  it('PROXY_UID / PROXY_GID override the lookup (comma lists)', () => {
    const o = optionsFromConfig(testConfig({ capture: { proxyUid: '3,4', proxyGid: '1,2' } }), facts);
    expect(o.proxyUids).toEqual([3, 4]);
    expect(o.proxyGids).toEqual([1, 2]);
  });

  it('IPv6 rules: auto follows the host, true forces them, false never', () => {
    expect(optionsFromConfig(testConfig(), { ...facts, hasGlobalIpv6: true }).ipv6).toBe(true);
    expect(optionsFromConfig(testConfig(), facts).ipv6).toBe(false);
    expect(optionsFromConfig(testConfig({ capture: { ipv6: 'true' } }), facts).ipv6).toBe(true);
    expect(optionsFromConfig(testConfig({ capture: { ipv6: 'false' } }), { ...facts, hasGlobalIpv6: true }).ipv6).toBe(false);
    expect(buildPlan(optionsFromConfig(testConfig({ capture: { ipv6: 'true' } }), facts)).v6).toBeDefined();
  });

  it('istiodExempt=false drops the root → istiod exemption', () => {
    expect(optionsFromConfig(testConfig({ capture: { istiodExempt: false } }), facts).istiod).toEqual([]);
    expect(optionsFromConfig(testConfig(), facts).istiod).toEqual(facts.istiod);
  });

  it('refuses TPROXY with a message that says what to do', () => {
    expect(() => testConfig({ capture: { interceptionMode: 'TPROXY' } })).toThrow(/TPROXY interception is not supported[\s\S]*REDIRECT/);
  });

  it('refuses a bad CIDR, "*" among excludes, and non-numeric uids', () => {
    expect(() => testConfig({ capture: { serviceCidr: '10.0.0.0/33' } })).toThrow(/capture\.serviceCidr/);
    expect(() => testConfig({ capture: { serviceExcludeCidr: '*' } })).toThrow(/capture\.serviceExcludeCidr/);
    expect(() => testConfig({ capture: { proxyUid: 'istio-proxy' } })).toThrow(/capture\.proxyUid/);
    expect(() => testConfig({ capture: { inboundPorts: '80,x' } })).toThrow(/capture\.inboundPorts/);
  });
});
