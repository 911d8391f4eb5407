/**
 * Writes an istioctl-shaped VM directory (`istioctl x workload entry configure` output) pointing at
 * the simulator: cluster.env, mesh.yaml (discoveryAddress localhost:<port>, which pilot-agent's
 * rule verifies as istiod.istio-system.svc), root-cert.pem, istio-token, hosts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface VmDirOptions {
  readonly ns: string;
  readonly sa: string;
  /** Token text to write; default: a fresh valid token. Pass '' to write no istio-token file. */
  readonly token?: string;
  readonly aud?: string;
  readonly expSeconds?: number;
  /** More cluster.env lines (KEY -> value). */
  readonly clusterEnv?: Readonly<Record<string, string>>;
}

export function writeVmDir(dir: string, o: VmDirOptions & { port: number; rootPem: string; token: string }): void {
  mkdirSync(dir, { recursive: true });
  const env: Record<string, string> = {
    ISTIO_META_CLUSTER_ID: 'Kubernetes',
    ISTIO_NAMESPACE: o.ns,
    POD_NAMESPACE: o.ns,
    SERVICE_ACCOUNT: o.sa,
    TRUST_DOMAIN: 'cluster.local',
    ...o.clusterEnv,
  };
  writeFileSync(join(dir, 'cluster.env'), Object.entries(env).map(([k, v]) => `${k}=${v}\n`).join(''));
  writeFileSync(
    join(dir, 'mesh.yaml'),
    `defaultConfig:\n  discoveryAddress: localhost:${o.port}\n  proxyMetadata:\n    ISTIO_META_CLUSTER_ID: Kubernetes\n    POD_NAMESPACE: ${o.ns}\n    SERVICE_ACCOUNT: ${o.sa}\n`,
  );
  writeFileSync(join(dir, 'root-cert.pem'), o.rootPem);
  if (o.token !== '') writeFileSync(join(dir, 'istio-token'), `${o.token}\n`, { mode: 0o600 });
  writeFileSync(join(dir, 'hosts'), `127.0.0.1 istiod.istio-system.svc\n`);
}
