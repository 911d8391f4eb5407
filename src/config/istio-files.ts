/**
 * Finds and reads the Istio VM files: all five in one directory (`--istio-dir`, istioctl's
 * output directory: every file must be there), or each at its stock VM location, where an absent
 * file is simply not used (a VM may be configured through config.yaml alone). The token's
 * content is never read: only that the file exists, is readable and is not empty.
 */
import { join } from 'node:path';
import type { FileReader } from './file-reader.js';
import type { IstioInputs } from './istio-inputs.js';
import { parseClusterEnv } from './cluster-env.js';
import { parseHostPort } from './field.js';
import { parseHosts, type HostsEntry } from './hosts-file.js';
import { parseMesh, type MeshResult } from './mesh-file.js';
import { parseProxyConfigOverlay } from './proxy-config-overlay.js';
import { problem, type Problem } from './problems.js';
import { checkRootCertPem } from './root-cert.js';

/** Where istio-start.sh, pilot-agent and the istio.io VM guide put each file (`./` = `/` under systemd). */
export const STOCK_ISTIO_PATHS = Object.freeze({
  clusterEnv: '/var/lib/istio/envoy/cluster.env',
  mesh: '/etc/istio/config/mesh',
  rootCert: '/etc/certs/root-cert.pem',
  token: '/var/run/secrets/tokens/istio-token',
  /** The VM guide appends istioctl's hosts file to /etc/hosts; there is no separate stock copy. */
  hosts: undefined as string | undefined,
});

/** The file names istioctl x workload entry configure writes into its output directory. */
export const ISTIOCTL_FILE_NAMES = Object.freeze({
  clusterEnv: 'cluster.env',
  mesh: 'mesh.yaml',
  rootCert: 'root-cert.pem',
  token: 'istio-token',
  hosts: 'hosts',
});

/**
 * Where the istio-token is read on every use: the file the loader found, else where it would be
 * (istioctl's directory, or the stock VM path), so a token written after start is picked up.
 */
export function istioTokenPath(istio: Pick<IstioInputs, 'tokenPath' | 'dir'>): string {
  return istio.tokenPath ?? (istio.dir !== undefined ? join(istio.dir, ISTIOCTL_FILE_NAMES.token) : STOCK_ISTIO_PATHS.token);
}

export interface IstioFiles {
  readonly inputs: IstioInputs;
  /** cluster.env KEY -> line, for sources and messages. */
  readonly clusterEnvLines: Readonly<Record<string, number>>;
  readonly mesh: MeshResult['lookup'];
  /** cluster.env's PROXY_CONFIG, parsed (applied over mesh.yaml by the loader). */
  readonly proxyConfigOverlay: Record<string, unknown> | undefined;
  readonly problems: Problem[];
}

export function readIstioFiles(reader: FileReader, istioDir: string | undefined): IstioFiles {
  const problems: Problem[] = [];
  const required = istioDir !== undefined;
  const paths = istioDir === undefined
    ? STOCK_ISTIO_PATHS
    : {
        clusterEnv: join(istioDir, ISTIOCTL_FILE_NAMES.clusterEnv),
        mesh: join(istioDir, ISTIOCTL_FILE_NAMES.mesh),
        rootCert: join(istioDir, ISTIOCTL_FILE_NAMES.rootCert),
        token: join(istioDir, ISTIOCTL_FILE_NAMES.token),
        hosts: join(istioDir, ISTIOCTL_FILE_NAMES.hosts) as string | undefined,
      };
  const hint = required
    ? `run istioctl x workload entry configure -o ${istioDir} again, or copy the file there`
    : 'copy the file from istioctl x workload entry configure output, or use --istio-dir DIR';

  /** Reads a file; a missing stock file is not a problem, anything else that fails is. */
  const read = (path: string | undefined): { text: string; path: string } | undefined => {
    if (path === undefined) return undefined;
    const r = reader.read(path);
    if (r.ok) return { text: r.text, path };
    if (!r.missing || required) {
      problems.push(problem(r.missing ? 'VMLET_CONFIG_FILE_MISSING' : 'VMLET_CONFIG_FILE_UNREADABLE', { file: path, message: r.why, hint }));
    }
    return undefined;
  };

  const envFile = read(paths.clusterEnv);
  const env = envFile ? parseClusterEnv(envFile.text, envFile.path) : { values: {}, lines: {}, problems: [] };
  problems.push(...env.problems);
  // istio-start.sh hands these to pilot-agent as addresses; they must be host:port.
  for (const key of ['CA_ADDR', 'PILOT_ADDRESS']) {
    const value = env.values[key];
    if (value === undefined || value === '' || envFile === undefined) continue;
    const hp = parseHostPort(value);
    if (!hp.ok) {
      problems.push(problem('VMLET_CONFIG_BAD_VALUE', {
        file: envFile.path, ...(env.lines[key] === undefined ? {} : { line: env.lines[key] }), key,
        message: hp.why, hint: 'write it as host:port, e.g. istiod.istio-system.svc:15012',
      }));
    }
  }

  const overlay = envFile && env.values.PROXY_CONFIG !== undefined
    ? parseProxyConfigOverlay(env.values.PROXY_CONFIG, { file: envFile.path, ...(env.lines.PROXY_CONFIG === undefined ? {} : { line: env.lines.PROXY_CONFIG }), key: 'PROXY_CONFIG' })
    : { problems: [] };
  problems.push(...overlay.problems);

  const meshFile = read(paths.mesh);
  const mesh = meshFile ? parseMesh(meshFile.text, meshFile.path) : undefined;
  if (mesh) problems.push(...mesh.problems);

  const rootFile = read(paths.rootCert);
  if (rootFile) problems.push(...checkRootCertPem(rootFile.text, rootFile.path));

  let tokenPath: string | undefined;
  const size = reader.size(paths.token);
  if (size.ok && size.bytes === 0) {
    problems.push(problem('VMLET_TOKEN_FILE_EMPTY', {
      file: paths.token, message: 'is empty',
      hint: 'write a fresh token with istioctl x workload entry configure (it expires after --tokenDuration, 1h by default)',
    }));
  } else if (size.ok || size.missing) {
    // The token is needed once: after the first certificate vmlet renews with the certificate
    // itself, so a token that expired and was deleted must not stop a restart. The path is kept so
    // a token written later is picked up (it is re-read on every call).
    tokenPath = paths.token;
    if (!size.ok && required) {
      problems.push(problem('VMLET_CONFIG_FILE_MISSING', {
        file: paths.token, message: `${size.why}; vmlet can still renew with a stored certificate`, severity: 'warning',
        hint: 'needed only for the first certificate or after the stored one expired: write a fresh token there (kubectl create token <sa> -n <ns> --audience istio-ca)',
      }));
    }
  } else {
    problems.push(problem('VMLET_CONFIG_FILE_UNREADABLE', { file: paths.token, message: size.why, hint }));
  }

  const hostsFile = read(paths.hosts);
  let hosts: HostsEntry[] = [];
  if (hostsFile) {
    const parsed = parseHosts(hostsFile.text, hostsFile.path);
    hosts = parsed.entries;
    problems.push(...parsed.problems);
  }

  // A wrong --istio-dir would give five "does not exist" lines; one says it better.
  const missing = problems.filter((p) => p.code === 'VMLET_CONFIG_FILE_MISSING');
  if (required && missing.length === 5) {
    problems.splice(0, problems.length, ...problems.filter((p) => p.code !== 'VMLET_CONFIG_FILE_MISSING'), problem('VMLET_CONFIG_FILE_MISSING', {
      file: istioDir,
      message: `has none of ${Object.values(ISTIOCTL_FILE_NAMES).join(', ')} (does the directory exist?)`,
      hint: `give --istio-dir the directory istioctl x workload entry configure -o wrote`,
    }));
  }

  const inputs: IstioInputs = {
    dir: istioDir,
    clusterEnv: env.values,
    clusterEnvPath: envFile?.path,
    proxyConfig: mesh?.proxyConfig ?? {},
    meshPath: meshFile?.path,
    rootCertPath: rootFile?.path,
    rootCertPem: rootFile?.text,
    tokenPath,
    hosts,
  };
  return { inputs, clusterEnvLines: env.lines, mesh: mesh?.lookup ?? (() => undefined), proxyConfigOverlay: overlay.overlay, problems };
}
