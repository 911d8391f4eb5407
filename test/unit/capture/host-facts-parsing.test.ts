import { describe, expect, it } from 'vitest';
import { istiodEndpoints, nameserversFrom } from '../../../src/capture/host-facts.js';
import { testConfig } from '../../helpers/test-config.js';

describe('host facts for capture', () => {
  it('reads nameservers from resolv.conf, skipping comments, options and scoped addresses', () => {
    const text = '# generated\nnameserver 127.0.0.53\n  nameserver ::1\nnameserver fe80::1%eth0\noptions edns0\nsearch example.com\nnameserver not-an-ip\n';
    expect(nameserversFrom(text)).toEqual(['127.0.0.53', '::1']);
  });

  it("istiod's endpoints come from istiod.caAddress as the loader resolved it: an IP as is, a name through the Istio hosts file", async () => {
    expect(await istiodEndpoints(testConfig({ istiod: { caAddress: '10.0.0.9:15013' } }))).toEqual([{ ip: '10.0.0.9', port: 15013 }]);
    expect(await istiodEndpoints(testConfig({ istiod: { caAddress: '[fd00::9]:15012' } }))).toEqual([{ ip: 'fd00::9', port: 15012 }]);
    const config = testConfig({ istiod: { caAddress: 'istiod.example:15012' } });
    const hosts = [{ ip: '10.1.2.3', names: ['istiod.example'] }, { ip: '10.1.2.4', names: ['other', 'istiod.example'] }, { ip: '10.9.9.9', names: ['elsewhere'] }];
    expect(await istiodEndpoints({ istiod: config.istiod, istio: { ...config.istio, hosts } })).toEqual([{ ip: '10.1.2.3', port: 15012 }, { ip: '10.1.2.4', port: 15012 }]);
  });
});
