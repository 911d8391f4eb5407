// The bootstrap checked against Istio's own: the same files from the real `istioctl x workload
// entry configure` go to Istio's pilot-agent (started as istio-start.sh starts it, inside the VM's
// network namespace, with the FAKE Envoy as its Envoy: it only reads the bootstrap pilot-agent
// wrote and records its command line) and to `vmlet bootstrap print`. Compared: node identity,
// every node-metadata key istiod parses (the json tags of its NodeMetadata structs, read from the
// Istio source the tier was built from) with its JSON type and value, the static clusters and
// listeners with their addresses, ports and sockets, and the ADS wiring. Every difference must be
// a row of docs/bootstrap.md's table, and every row a difference that still exists.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startPilotAgent, type Agent } from '../../../bench/compare/pilot-agent.js';
import { bootstrapView, covers, diffViews, documentedPaths, metadataKeysFromGo, type Difference } from '../../helpers/bootstrap-compare.js';
import { ControlPlane, inNs } from './control-plane.js';
import { pollUntil } from './poll.js';
import { BUNDLE, createWorkload, type Workload } from './vm.js';

const state = inject('controlPlane');
const ROOT = join(import.meta.dirname, '..', '..', '..');
const DOC = join(ROOT, 'docs', 'bootstrap.md');
const SECTION = '## Differences from pilot-agent';
/** What the harness itself makes differ: the FAKE Envoy's path goes to pilot-agent through PROXY_CONFIG. */
const HARNESS = new Set(['node.metadata.PROXY_CONFIG.binaryPath']);

/** istiod's NodeMetadata json names, from the Istio module the tier was built from. */
function istiodMetadataKeys(): string[] {
  const version = /^ISTIO_VERSION=(\S+)/m.exec(readFileSync(join(ROOT, 'test', 'e2e', 'versions.env'), 'utf8'))![1]!;
  const modcache = execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
  return metadataKeysFromGo(readFileSync(join(modcache, `istio.io/istio@${version}`, 'pkg', 'model', 'proxy.go'), 'utf8'));
}

describe.skipIf(!state)('vmlet\'s bootstrap against pilot-agent\'s, same istioctl files', { timeout: 120_000 }, () => {
  let cp: ControlPlane;
  let w: Workload;
  let agent: Agent | undefined;
  let differences: Difference[];
  let keys: string[];

  beforeAll(async () => {
    cp = ControlPlane.attach(state!);
    w = await createWorkload(cp, { ns: 'bootcmp', sa: 'bootcmp-sa', group: 'bootcmp-app' });
    keys = istiodMetadataKeys();

    // istio-start.sh: INSTANCE_IP=${ISTIO_SVC_IP:-first of `hostname --all-ip-addresses`}, POD_NAME=$(hostname -s).
    const ip = inNs(cp.vmNs, 'hostname', ['--all-ip-addresses']).trim().split(/\s+/)[0]!;
    const podName = inNs(cp.vmNs, 'hostname', ['-s']).trim();
    const cwd = mkdtempSync(join(cp.work, 'pilot-agent-bootstrap-'));
    const logFile = join(cp.work, 'logs', 'pilot-agent-bootstrap.log');
    agent = startPilotAgent({ bin: cp.bin, w, vmNs: cp.vmNs, ip, cwd, logFile, env: { POD_NAME: podName, FAKE_ENVOY_XDS: '0', FAKE_ENVOY_SDS: '0' } });
    // The FAKE Envoy's first record is its command line: -c names the bootstrap pilot-agent wrote.
    const argv = await pollUntil(() => {
      if (!existsSync(agent!.envoyRecord)) return undefined;
      const start = readFileSync(agent!.envoyRecord, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { event: string; argv?: string[] }).find((r) => r.event === 'start');
      return start?.argv;
    }, 60_000, 'pilot-agent starting its Envoy (the FAKE one)');
    const file = argv[argv.indexOf('-c') + 1]!;
    const istio = JSON.parse(readFileSync(isAbsolute(file) ? file : join(cwd, file), 'utf8')) as unknown;

    const printed = inNs(cp.vmNs, process.execPath, [BUNDLE, 'bootstrap', 'print', '--istio-dir', w.dir, '--config', join(ROOT, 'test', 'helpers', 'empty-config.yaml')]);
    const vmlet = JSON.parse(printed) as unknown;
    // pilot-agent's relative paths (./etc/istio/proxy/XDS) are relative to its unit's working directory, /.
    differences = diffViews(bootstrapView(istio, keys), bootstrapView(vmlet, keys)).filter((d) => !HARNESS.has(d.path));
  });

  afterAll(async () => { await agent?.stop(); });

  it('reads the metadata keys from istiod\'s source (the list is not empty or stale)', () => {
    for (const k of ['NAMESPACE', 'INSTANCE_IPS', 'LABELS', 'PROXY_CONFIG', 'AUTO_REGISTER_GROUP', 'METADATA_DISCOVERY', 'WORKLOAD_IDENTITY_SOCKET_FILE']) expect(keys).toContain(k);
  });

  it('every difference is a row of docs/bootstrap.md, and every row is a difference that exists', () => {
    const rows = documentedPaths(readFileSync(DOC, 'utf8'), SECTION);
    const table = (ds: readonly Difference[]) => ds.map((d) => `  ${d.path}: pilot-agent ${d.istio ?? '(absent)'} | vmlet ${d.vmlet ?? '(absent)'}`).join('\n');
    const undocumented = differences.filter((d) => !rows.some((r) => covers(r, d.path)));
    expect(undocumented, `differences not in ${DOC} (${SECTION}): fix vmlet or add a row with the reason\n${table(undocumented)}`).toEqual([]);
    const stale = rows.filter((r) => !differences.some((d) => covers(r, d.path)));
    expect(stale, `rows of ${DOC} that are no longer differences (remove them); differences now:\n${table(differences)}`).toEqual([]);
  });

  it('node identity and istiod\'s registration keys are the same (none of them is a documented difference)', () => {
    const identity = ['node.id', 'node.cluster', 'NAME', 'NAMESPACE', 'SERVICE_ACCOUNT', 'INSTANCE_IPS', 'AUTO_REGISTER_GROUP', 'WORKLOAD_NAME', 'CLUSTER_ID', 'MESH_ID', 'NETWORK', 'LABELS', 'STATIC_LABELS', 'POD_PORTS', 'app']
      .map((k) => (k.startsWith('node.') ? k : `node.metadata.${k}`));
    expect(differences.filter((d) => identity.some((p) => d.path === p || d.path.startsWith(`${p}.`)))).toEqual([]);
  });
});
