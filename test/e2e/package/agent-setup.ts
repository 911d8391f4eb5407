/**
 * What a package test machine needs around the real agent: the FAKE Envoy (test/fakes; not
 * Envoy, none is built here) run by the bundled Node.js, the Istio VM files at their stock
 * locations as the istio.io VM guide places them, stand-in listeners for an operator's SSH and
 * an application, and a normalized dump of the machine's iptables rules.
 */
import { chmodSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './env.js';
import type { Machine } from './machine.js';

const TEST_LIB = '/usr/local/lib/vmlet-test';

/** nspawn read-only bind: the fakes' gRPC and proto dependencies (dev-only, not in the package). */
export const FAKE_ENVOY_MODULES: readonly [string, string] = [join(REPO, 'node_modules'), `${TEST_LIB}/node_modules`];

/** Copies the FAKE Envoy into the machine; returns the executable to point envoy.binaryPath at. */
export function installFakeEnvoy(m: Machine): string {
  const dir = join(m.root, TEST_LIB);
  mkdirSync(dir, { recursive: true });
  for (const f of ['fake-envoy.mjs', 'fake-envoy-xds.mjs', 'fake-envoy-config.mjs', 'envoy-proto-root.mjs']) copyFileSync(join(REPO, 'test', 'fakes', f), join(dir, f));
  const wrapper = join(dir, 'fake-envoy');
  writeFileSync(wrapper, `#!/bin/sh\n# The FAKE Envoy (test/fakes/fake-envoy.mjs) on the bundled Node.js.\nexec /usr/lib/vmlet/node ${TEST_LIB}/fake-envoy.mjs "$@"\n`);
  chmodSync(wrapper, 0o755);
  return `${TEST_LIB}/fake-envoy`;
}

/** Stock VM locations (istio.io's VM guide; vmlet's STOCK_ISTIO_PATHS); hosts is appended to /etc/hosts. */
export const ISTIO_TOKEN = '/var/run/secrets/tokens/istio-token';

/** Installs istioctl's files from `dir` (a path inside the machine) where the package reads them. */
export function installIstioFiles(m: Machine, dir: string): void {
  m.sh([
    `install -D -m 0644 ${dir}/cluster.env /var/lib/istio/envoy/cluster.env`,
    `install -D -m 0644 ${dir}/mesh.yaml /etc/istio/config/mesh`,
    `install -D -m 0644 ${dir}/root-cert.pem /etc/certs/root-cert.pem`,
    `install -D -m 0600 ${dir}/istio-token ${ISTIO_TOKEN}`,
    `cat ${dir}/hosts >> /etc/hosts`,
  ].join(' && '));
}

/**
 * A transient unit answering `ssh-stand-in` on port 22 and `app` on 8080, on every address: what
 * a client on the network reaches when nothing captures those ports.
 */
export function startListeners(m: Machine): void {
  const js = "const net = require('node:net'); for (const [p, t] of [[22, 'ssh-stand-in'], [8080, 'app']]) net.createServer((s) => s.end(t + '\\n')).listen(p, '0.0.0.0')";
  m.sh(`systemd-run --unit=vmlet-test-listeners --collect /usr/lib/vmlet/node -e "${js}"`);
}

/** iptables-save and ip6tables-save of the machine, without comments and packet counters. */
export function rulesSnapshot(m: Machine): string {
  return m.sh('iptables-save; ip6tables-save')
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.replace(/ \[\d+:\d+\]$/, ''))
    .join('\n');
}
