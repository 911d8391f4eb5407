import { describe, expect, it } from 'vitest';
import { parseDuration, parseServerConfig } from '../../../src/onboard-server/config.js';
import { isVmletError } from '../../../src/errors.js';

const GOOD = `listen: 127.0.0.1:0
tls: {certFile: /tls/tls.crt, keyFile: /tls/tls.key}
stateFile: /var/lib/vmlet-onboard/ledger.json
tokenLifetime: 20m
trust:
  aws: {certificates: [/aws/us-east-1.pem]}
policies:
  - name: web
    provider: aws
    match: {accountId: ["123456789012"], region: [eu-west-1]}
    workloadGroup: {namespace: web, name: web-vms}
    maxVMs: 20
`;

function problems(text: string): string {
  try {
    parseServerConfig(text, 'srv.yaml');
  } catch (err) {
    expect(isVmletError(err, 'VMLET_ONBOARD_SERVER_CONFIG_INVALID')).toBe(true);
    return (err as Error).message;
  }
  throw new Error('no error');
}

describe('onboard-server config', () => {
  it('reads a good file with defaults filled in (units converted) and frozen', () => {
    const c = parseServerConfig(GOOD, 'srv.yaml');
    expect(c.listen).toEqual({ host: '127.0.0.1', port: 0 });
    expect(c.metricsListen).toEqual({ host: '127.0.0.1', port: 15444 });
    expect(c.tokenLifetimeSeconds).toBe(1200);
    expect(c.clockSkewSeconds).toBe(60);
    expect(c.istioNamespace).toBe('istio-system');
    expect(c.joinTokenNamespace).toBe('vmlet-onboard');
    expect(c.policies[0]).toEqual({ name: 'web', provider: 'aws', match: { accountId: ['123456789012'], region: ['eu-west-1'] }, workloadGroup: { namespace: 'web', name: 'web-vms' }, maxVMs: 20 });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it.each([
    ['an unknown top-level key', GOOD.replace('tokenLifetime: 20m', 'tokenLifetme: 20m'), /srv\.yaml:4: tokenLifetme: unknown key/],
    ['a token lifetime under the apiserver minimum', GOOD.replace('20m', '5m'), /srv\.yaml:4: tokenLifetime: "5m" is below the minimum of 600 s/],
    ['an unquoted account number', GOOD.replace('["123456789012"]', '[123456789012]'), /srv\.yaml:10: policies\[0\]\.match\.accountId: must be a non-empty list of strings \(quote numbers/],
    ['an unknown provider', GOOD.replace('provider: aws', 'provider: ec2'), /srv\.yaml:9: policies\[0\]\.provider: "ec2": use aws, gcp, azure or join-token/],
    ['a cloud policy with no condition', GOOD.replace(/    match:.*\n/, ''), /policies\[0\]\.match: a aws policy needs at least one condition/],
    ['a bad maxVMs', GOOD.replace('maxVMs: 20', 'maxVMs: -1'), /srv\.yaml:12: policies\[0\]\.maxVMs: -1 is not a whole number/],
    ['no tls', GOOD.replace(/tls:.*\n/, ''), /srv\.yaml:1: tls: missing/],
    ['a bad listen', GOOD.replace('127.0.0.1:0', 'localhost'), /srv\.yaml:1: listen: "localhost" is not host:port/],
    ['gcp without audience', `${GOOD}`.replace('trust:\n', 'trust:\n  gcp: {jwksFile: /g.json}\n'), /trust.*audience: missing; it is required|audience: missing/],
    ['a duplicate policy name', GOOD + GOOD.slice(GOOD.indexOf('  - name')), /policies\[1\]\.name: "web" is used by an earlier policy/],
    ['YAML that does not parse', 'listen: [\n', /srv\.yaml:\d+: not valid YAML/],
  ])('%s: the message names file, line and key', (_what, text, re) => {
    expect(problems(text)).toMatch(re);
  });

  it('reports every problem at once', () => {
    const msg = problems(GOOD.replace('20m', 'soon').replace('maxVMs: 20', 'maxVMs: x').replace('provider: aws', 'provider: ec2'));
    expect(msg).toMatch(/^3 problems:/);
  });

  it('durations', () => {
    expect([parseDuration('1h'), parseDuration('30m'), parseDuration('90s'), parseDuration('1h30m'), parseDuration(600), parseDuration('1d'), parseDuration('')]).toEqual([3600, 1800, 90, 5400, 600, undefined, undefined]);
  });
});
