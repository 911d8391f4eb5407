/**
 * Istio's own VM agent for the comparison, started the way istio-start.sh starts it: cluster.env
 * exported, PROV_CERT/OUTPUT_CERTS ./etc/certs, the token at ./var/run/secrets/tokens/istio-token,
 * mesh.yaml at ./etc/istio/config/mesh, the bootstrap template the istio-sidecar package installs,
 * all relative to a working directory of its own (so nothing lands in this machine's /etc), inside
 * the VM's network namespace. Its Envoy is the same FAKE Envoy vmlet gets.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Workload } from '../../test/e2e/real/vm.js';
import { FAKE_ENVOY } from '../../test/e2e/real/vm.js';

export interface Agent {
  readonly pid: number;
  readonly certFile: string;
  readonly envoyRecord: string;
  stop(): Promise<void>;
}

/** cluster.env as istio-start.sh's `set -a; . cluster.env` exports it (KEY='value' lines). */
export function parseClusterEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!.replace(/^'(.*)'$/, '$1').replace(/^"(.*)"$/, '$1');
  }
  return out;
}

/** `env` is added last (e.g. ECC_SIGNATURE_ALGORITHM, or POD_NAME as istio-start.sh derives it). */
export function startPilotAgent(o: { bin: string; w: Workload; vmNs: string; ip: string; cwd: string; logFile: string; env?: Record<string, string> }): Agent {
  const { cwd, w } = o;
  for (const d of ['etc/certs', 'var/run/secrets/tokens', 'etc/istio/config', 'etc/istio/proxy', 'var/lib/istio/envoy']) mkdirSync(join(cwd, d), { recursive: true });
  copyFileSync(join(w.dir, 'root-cert.pem'), join(cwd, 'etc/certs/root-cert.pem'));
  copyFileSync(join(w.dir, 'istio-token'), join(cwd, 'var/run/secrets/tokens/istio-token'));
  copyFileSync(join(w.dir, 'mesh.yaml'), join(cwd, 'etc/istio/config/mesh'));
  copyFileSync(join(o.bin, '..', 'istio', 'envoy_bootstrap_tmpl.json'), join(cwd, 'var/lib/istio/envoy/envoy_bootstrap_tmpl.json'));
  const clusterEnv = parseClusterEnv(readFileSync(join(w.dir, 'cluster.env'), 'utf8'));
  const record = `${o.logFile}.envoy`;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    ...clusterEnv,
    PROV_CERT: './etc/certs', OUTPUT_CERTS: './etc/certs', CA_ADDR: 'istiod.istio-system.svc:15012',
    POD_NAME: 'vm-pilot-agent', POD_NAMESPACE: clusterEnv['ISTIO_NAMESPACE'] ?? w.ns, INSTANCE_IP: o.ip,
    PROXY_CONFIG: `serviceCluster: ${clusterEnv['ISTIO_SERVICE'] ?? 'rawvm'}\ncontrolPlaneAuthPolicy: MUTUAL_TLS\nbinaryPath: ${FAKE_ENVOY}\n`,
    FAKE_ENVOY_XDS: '1', FAKE_ENVOY_SDS: '1', FAKE_ENVOY_RECORD: record,
    ...o.env,
  };
  const log = openSync(o.logFile, 'a');
  const child: ChildProcess = spawn('ip', ['netns', 'exec', o.vmNs, join(o.bin, 'pilot-agent'), 'proxy'], { cwd, env, stdio: ['ignore', log, log] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    pid: child.pid!,
    certFile: join(cwd, 'etc/certs/cert-chain.pem'),
    envoyRecord: record,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
    },
  };
}
