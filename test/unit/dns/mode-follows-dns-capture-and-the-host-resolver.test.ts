// DNS is on only when ISTIO_META_DNS_CAPTURE asks for it; dns.mode auto picks resolved only on a
// host whose resolv.conf names systemd-resolved's stub AND where resolved runs. The dns section
// refuses non-loopback listen addresses and upstream names.
import { describe, expect, it } from 'vitest';
import { readerFromMap } from '../../../src/config/file-reader.js';
import { loadConfig } from '../../../src/config/index.js';
import { decideDnsMode, namesResolvedStub } from '../../../src/dns/mode.js';

const cfg = (env: Record<string, string>) => loadConfig({ env, reader: readerFromMap({}) });
const stub = { stubInResolvConf: true, resolvedRunning: true };
const plain = { stubInResolvConf: false, resolvedRunning: false };

describe('DNS mode', () => {
  it.each([
    [{}, stub, 'off'],
    [{ ISTIO_META_DNS_CAPTURE: 'true' }, stub, 'resolved'],
    [{ ISTIO_META_DNS_CAPTURE: 'true' }, plain, 'capture'],
    [{ ISTIO_META_DNS_CAPTURE: 'true' }, { stubInResolvConf: true, resolvedRunning: false }, 'capture'],
    [{ ISTIO_META_DNS_CAPTURE: 'true', VMLET_DNS_MODE: 'capture' }, stub, 'capture'],
    [{ ISTIO_META_DNS_CAPTURE: 'true', VMLET_DNS_MODE: 'resolved' }, plain, 'resolved'],
    [{ ISTIO_META_DNS_CAPTURE: 'true', VMLET_DNS_MODE: 'off' }, stub, 'off'],
    [{ VMLET_DNS_MODE: 'resolved' }, stub, 'off'],
  ])('%j on %j -> %s', (env, host, mode) => {
    const loaded = cfg(env);
    expect(loaded.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(decideDnsMode(loaded.config, host).mode).toBe(mode);
  });

  it('recognises the stub line only as a nameserver', () => {
    expect(namesResolvedStub('# generated\nnameserver 127.0.0.53\noptions edns0 trust-ad\nsearch lan\n')).toBe(true);
    expect(namesResolvedStub('nameserver 10.0.0.2\n# nameserver 127.0.0.53\n')).toBe(false);
  });

  it('rejects a non-loopback address, upstream names and port 0 with capture, naming the key', () => {
    const loaded = cfg({ VMLET_DNS_ADDRESS: '0.0.0.0', VMLET_DNS_UPSTREAMS: '10.0.0.2,dns.google,[fd00::1]:5353', VMLET_DNS_MODE: 'capture', VMLET_DNS_PORT: '0' });
    const errors = loaded.problems.filter((p) => p.severity === 'error');
    expect(errors.map((p) => [p.key?.split(' ')[0], p.code])).toEqual([
      ['dns.address', 'VMLET_CONFIG_CONFLICT'],
      ['dns.upstreams', 'VMLET_CONFIG_CONFLICT'],
      ['dns.port', 'VMLET_CONFIG_CONFLICT'],
    ]);
    expect(errors[1]?.message).toContain('"dns.google"');
    expect(errors[1]?.message).not.toContain('10.0.0.2');
  });

  it('takes pilot-agent DNS_FORWARD_TIMEOUT as a Go duration', () => {
    expect(cfg({ DNS_FORWARD_TIMEOUT: '1500ms' }).config.dns.queryTimeout).toBe(1500);
  });
});
