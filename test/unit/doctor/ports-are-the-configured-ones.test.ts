// `vmlet doctor` looks at the ports this configuration uses: the DNS proxy's is dns.port (one
// source with the DNS proxy and the capture rules), not a copy of its default.
import { describe, expect, it } from 'vitest';
import { baseOptions, optionsFromConfig } from '../../../src/capture/options.js';
import { DNS_PROXY_PORT } from '../../../src/config/sections/dns.js';
import { wantedPorts } from '../../../src/doctor/ports.js';
import { doctorContext } from '../../helpers/doctor-context.js';
import { testConfig } from '../../helpers/test-config.js';

const facts = { proxyUserUid: 1337, dnsServers: ['10.0.0.2'], hasGlobalIpv6: false, istiod: [], dnsMode: 'capture' as const };

describe('DNS proxy port', () => {
  it('doctor checks dns.port, and skips a port 0 picked at start', async () => {
    const ports = (flags: Record<string, string>) => doctorContext(undefined, flags).then((ctx) => wantedPorts(ctx).map((w) => w.port));
    expect(await ports({ 'dns.port': '5454', 'general.statusPort': '15020' })).toEqual([15001, 15006, 15020, 5454, 15000]);
    expect(await ports({ 'dns.port': '0', 'general.statusPort': '0' })).toEqual([15001, 15006, 15000]);
  });

  it('capture redirects to dns.port; its default is the DNS section\'s', () => {
    expect(DNS_PROXY_PORT).toBe(15053);
    expect(testConfig().dns.port).toBe(DNS_PROXY_PORT);
    expect(baseOptions().dnsPort).toBe(DNS_PROXY_PORT);
    expect(optionsFromConfig(testConfig({ dns: { port: 5454 } }), facts).dnsPort).toBe(5454);
  });
});
