import { describe, expect, it } from 'vitest';
import { istiodAddress, nameserversFrom, uidFromPasswd } from '../../../src/capture/host-facts.js';
import { testConfig } from '../../helpers/test-config.js';

describe('host facts for capture', () => {
  it('reads nameservers from resolv.conf, skipping comments, options and scoped addresses', () => {
    const text = '# generated\nnameserver 127.0.0.53\n  nameserver ::1\nnameserver fe80::1%eth0\noptions edns0\nsearch example.com\nnameserver not-an-ip\n';
    expect(nameserversFrom(text)).toEqual(['127.0.0.53', '::1']);
  });

  it('finds the uid of a user in passwd text, not a prefix match', () => {
    const text = 'root:x:0:0:root:/root:/bin/bash\nistio-proxy-old:x:900:900::/:/sbin/nologin\nistio-proxy:x:998:997::/var/lib/istio:/sbin/nologin\n';
    expect(uidFromPasswd(text, 'istio-proxy')).toBe(998);
    expect(uidFromPasswd(text, 'nobody')).toBeUndefined();
  });

  it("istiod's address: the istiod section when it has caAddress, else mesh discoveryAddress, else Istio's default", () => {
    const config = testConfig();
    expect(istiodAddress({ istio: config.istio, istiod: { caAddress: '10.0.0.9:15012' } })).toBe('10.0.0.9:15012');
    expect(istiodAddress({ istio: { ...config.istio, proxyConfig: { discoveryAddress: 'istiod.example:15012' } }, istiod: {} })).toBe('istiod.example:15012');
    expect(istiodAddress({ istio: { ...config.istio, proxyConfig: {} }, istiod: {} })).toBe('istiod.istio-system.svc:15012');
  });
});
