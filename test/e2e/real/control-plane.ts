/**
 * The real control plane for the end-to-end tier: etcd (Debian's), kube-apiserver and istiod
 * (built by test/e2e/build.sh from the Go module proxy), all inside a network namespace of their
 * own ("cp"), and the VM's namespace ("vm") joined to it by a veth pair:
 *
 *   cp: 10.213.0.1/24 (etcd :2379, kube-apiserver :6443, istiod :8080 debug, :15012 xDS+CA; only
 *       :15012 listens beyond loopback, and the namespace is private)
 *   vm: 10.213.0.2/24 (vmlet, the app; /etc/hosts = istioctl's hosts file, as the VM guide says)
 *
 * Nothing touches the host's own network. `stop()` kills every process started here by PID,
 * deletes both namespaces and /etc/netns/<vm>, and keeps the logs only when asked (on failure).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makePki, pkiIn, type Pki } from './pki.js';
import { pollUntil } from './poll.js';

export const CP_IP = '10.213.0.1';
export const VM_IP = '10.213.0.2';
export const GRACE_SECONDS = 5;
export const ISTIOD_POD_NAME = 'istiod-e2e';

export interface ControlPlaneState {
  readonly work: string;
  readonly bin: string;
  readonly cpNs: string;
  readonly vmNs: string;
  readonly kubeconfig: string;
  readonly pids: Record<string, number>;
}

const run = (cmd: string, args: readonly string[], input?: string, timeout = 60_000): string =>
  execFileSync(cmd, args, { encoding: 'utf8', input, timeout, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 64 << 20 });

/** Runs `cmd` inside a namespace. */
export const inNs = (ns: string, cmd: string, args: readonly string[], input?: string, timeout?: number): string =>
  run('ip', ['netns', 'exec', ns, cmd, ...args], input, timeout);

/** HTTP(S) GET from inside `ns` (python3: the namespace has no route to this process). */
export function nsGet(ns: string, url: string): { status: number; body: string } {
  const py = [
    'import ssl,sys,urllib.request as u',
    'c=ssl.create_default_context();c.check_hostname=False;c.verify_mode=ssl.CERT_NONE',
    'try:\n r=u.urlopen(sys.argv[1],context=c,timeout=3);print(r.status);sys.stdout.write(r.read().decode("utf8","replace"))',
    'except u.HTTPError as e:\n print(e.code);sys.stdout.write(e.read().decode("utf8","replace"))',
    'except Exception as e:\n print(0);sys.stdout.write(str(e))',
  ].join('\n');
  const out = inNs(ns, 'python3', ['-c', py, url]);
  const nl = out.indexOf('\n');
  return { status: Number(out.slice(0, nl === -1 ? undefined : nl)), body: nl === -1 ? '' : out.slice(nl + 1) };
}

export class ControlPlane {
  readonly work: string;
  readonly cpNs: string;
  readonly vmNs: string;
  readonly kubeconfig: string;
  /** Extra VM namespaces (addVm), deleted by stop(). */
  readonly extraVms: string[] = [];
  private readonly children = new Map<string, ChildProcess>();
  readonly pids: Record<string, number> = {};
  private pki?: Pki;

  constructor(readonly bin: string, tag = String(process.pid), attach?: ControlPlaneState) {
    this.work = attach?.work ?? mkdtempSync(join(tmpdir(), 'vmlet-e2e-'));
    this.cpNs = attach?.cpNs ?? `vmlet-e2e-cp-${tag}`;
    this.vmNs = attach?.vmNs ?? `vmlet-e2e-vm-${tag}`;
    this.kubeconfig = join(this.work, 'kubeconfig');
    if (attach) Object.assign(this.pids, attach.pids);
    else mkdirSync(join(this.work, 'logs'));
  }

  /** The control plane the global setup started, seen from a test file (kubectl, istioctl, logs). */
  static attach(state: ControlPlaneState): ControlPlane {
    return new ControlPlane(state.bin, '', state);
  }

  /** Namespaces, PKI, etcd, kube-apiserver, CRDs, mesh config, istiod: ready to serve. */
  async start(): Promise<void> {
    this.link();
    this.pki = makePki(join(this.work, 'pki'));
    await this.startEtcd();
    await this.startApiserver();
    this.writeKubeconfig();
    this.kubectl(['create', 'namespace', 'istio-system']);
    const crds = join(this.bin, '..', 'istio', 'crd-all.gen.yaml');
    this.kubectl(['apply', '--server-side', '-f', crds], undefined, 120_000);
    this.kubectl(['wait', '--for=condition=Established', 'crd', '--all', '--timeout=90s'], undefined, 100_000);
    const mesh = ['trustDomain: cluster.local', 'rootNamespace: istio-system', 'defaultConfig:', '  discoveryAddress: istiod.istio-system.svc:15012', ''].join('\n');
    writeFileSync(join(this.work, 'mesh.yaml'), mesh);
    this.kubectl(['-n', 'istio-system', 'create', 'configmap', 'istio', `--from-file=mesh=${join(this.work, 'mesh.yaml')}`]);
    await this.startIstiod();
  }

  private link(): void {
    const ip = (...a: string[]) => run('ip', a);
    ip('netns', 'add', this.cpNs);
    ip('netns', 'add', this.vmNs);
    ip('-n', this.cpNs, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', this.vmNs);
    for (const [ns, addr] of [[this.cpNs, CP_IP], [this.vmNs, VM_IP]] as const) {
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      ip('-n', ns, 'addr', 'add', `${addr}/24`, 'dev', 'eth0');
      ip('-n', ns, 'link', 'set', 'eth0', 'up');
    }
  }

  /**
   * A further VM namespace on its own veth pair: cp eth<i> 10.213.<i>.1 ↔ vm 10.213.<i>.2
   * (for running two agents side by side against the same istiod). Returns its name and addresses.
   */
  addVm(i: number, tag: string): { ns: string; ip: string; cpIp: string } {
    const ns = `${this.vmNs}-${tag}`;
    const ip = (...a: string[]) => run('ip', a);
    ip('netns', 'add', ns);
    this.extraVms.push(ns);
    ip('-n', this.cpNs, 'link', 'add', `eth${i}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
    ip('-n', this.cpNs, 'addr', 'add', `10.213.${i}.1/24`, 'dev', `eth${i}`);
    ip('-n', this.cpNs, 'link', 'set', `eth${i}`, 'up');
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    ip('-n', ns, 'addr', 'add', `10.213.${i}.2/24`, 'dev', 'eth0');
    ip('-n', ns, 'link', 'set', 'eth0', 'up');
    return { ns, ip: `10.213.${i}.2`, cpIp: `10.213.${i}.1` };
  }

  /** Starts `cmd` inside the control-plane namespace, output to logs/<name>.log. */
  private daemon(name: string, cmd: string, args: readonly string[], env: Record<string, string> = {}, cwd?: string): void {
    const log = openSync(join(this.work, 'logs', `${name}.log`), 'a');
    const child = spawn('ip', ['netns', 'exec', this.cpNs, cmd, ...args], { env: { ...process.env, ...env }, cwd, stdio: ['ignore', log, log] });
    if (child.pid === undefined) throw new Error(`could not start ${name}`);
    this.children.set(name, child);
    this.pids[name] = child.pid;
  }

  private assertAlive(name: string): void {
    const c = this.children.get(name);
    if (c && c.exitCode !== null) throw new Error(`${name} exited ${c.exitCode}; see ${join(this.work, 'logs', `${name}.log`)}`);
  }

  private async startEtcd(): Promise<void> {
    const etcd = process.env.VMLET_E2E_ETCD ?? '/usr/bin/etcd';
    this.daemon('etcd', etcd, ['--name', 'e2e', '--data-dir', join(this.work, 'etcd'),
      '--listen-client-urls', 'http://127.0.0.1:2379', '--advertise-client-urls', 'http://127.0.0.1:2379',
      '--listen-peer-urls', 'http://127.0.0.1:2380', '--initial-advertise-peer-urls', 'http://127.0.0.1:2380',
      '--initial-cluster', 'e2e=http://127.0.0.1:2380']);
    await pollUntil(() => { this.assertAlive('etcd'); return nsGet(this.cpNs, 'http://127.0.0.1:2379/health').status === 200; }, 30_000, 'etcd health');
  }

  /**
   * Stops one of the control plane's daemons by its PID (`signal`), bounded: SIGKILL after 20 s.
   * For fault tests; restart it with restart(name).
   */
  async kill(name: 'istiod' | 'kube-apiserver', signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    // Found afresh in the namespace by its binary: another test file may have restarted it, and
    // a remembered PID may have been reused by something else since.
    const binary = join(this.bin, name === 'istiod' ? 'pilot-discovery' : 'kube-apiserver');
    const pid = run('ip', ['netns', 'pids', this.cpNs]).split('\n').filter(Boolean).map(Number)
      .find((p) => { try { return readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0')[0] === binary; } catch { return false; } });
    if (pid === undefined) throw new Error(`${name} is not running in ${this.cpNs}`);
    const gone = () => { try { return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? true; } catch { return true; } };
    try { process.kill(pid, signal); } catch { return; }
    await pollUntil(() => gone(), 20_000, `${name} (pid ${pid}) to exit after ${signal}`, 50).catch(() => {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    });
    await pollUntil(() => gone(), 10_000, `${name} (pid ${pid}) gone`, 50);
  }

  /** Starts `name` again (after kill()) and waits until it is ready. */
  async restart(name: 'istiod' | 'kube-apiserver'): Promise<void> {
    if (name === 'istiod') await this.startIstiod();
    else await this.startApiserver();
  }

  private async startApiserver(): Promise<void> {
    const p = this.pki ?? pkiIn(join(this.work, 'pki'));
    this.daemon('kube-apiserver', join(this.bin, 'kube-apiserver'), [
      '--etcd-servers=http://127.0.0.1:2379', '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', '--secure-port=6443',
      `--tls-cert-file=${p.apiserverCrt}`, `--tls-private-key-file=${p.apiserverKey}`, `--client-ca-file=${p.caCrt}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${p.saPub}`, `--service-account-signing-key-file=${p.saKey}`,
      '--authorization-mode=RBAC', '--service-cluster-ip-range=10.0.0.0/24', '--endpoint-reconciler-type=none',
      '--disable-admission-plugins=ServiceAccount', '--enable-priority-and-fairness=false', '--profiling=false',
      `--cert-dir=${join(this.work, 'apiserver-certs')}`, '--v=1']);
    await pollUntil(() => { this.assertAlive('kube-apiserver'); return nsGet(this.cpNs, 'https://127.0.0.1:6443/readyz').status === 200; }, 120_000, 'kube-apiserver /readyz');
  }

  private writeKubeconfig(): void {
    const p = this.pki ?? pkiIn(join(this.work, 'pki'));
    writeFileSync(this.kubeconfig, [
      'apiVersion: v1', 'kind: Config',
      'clusters:', '- name: e2e', `  cluster: {server: "https://127.0.0.1:6443", certificate-authority: "${p.caCrt}"}`,
      'users:', '- name: admin', `  user: {client-certificate: "${p.adminCrt}", client-key: "${p.adminKey}"}`,
      'contexts:', '- name: e2e', '  context: {cluster: e2e, user: admin}', 'current-context: e2e', ''].join('\n'));
  }

  /**
   * Stops istiod with `signal` (SIGTERM: graceful, as a rolling restart; SIGKILL: a crash) and
   * waits for it to exit (SIGKILL after 30 s). Resolves with the time it was gone (Date.now()).
   */
  async stopIstiod(signal: NodeJS.Signals = 'SIGTERM'): Promise<number> {
    const c = this.children.get('istiod');
    if (c && c.exitCode === null && c.signalCode === null) {
      const gone = new Promise((r) => c.once('exit', r));
      c.kill(signal);
      const t = setTimeout(() => c.kill('SIGKILL'), 30_000);
      await gone;
      clearTimeout(t);
    }
    return Date.now();
  }

  /** Starts istiod (again, after stopIstiod) and waits for its /ready; its log is appended to. */
  async startIstiod(): Promise<void> {
    const cwd = join(this.work, 'istiod-cwd');
    mkdirSync(cwd, { recursive: true });
    this.daemon('istiod', join(this.bin, 'pilot-discovery'), ['discovery',
      `--kubeconfig=${this.kubeconfig}`, '--domain=cluster.local', '--clusterID=Kubernetes',
      '--httpAddr=127.0.0.1:8080', '--grpcAddr=127.0.0.1:15010', '--secureGRPCAddr=:15012',
      '--monitoringAddr=127.0.0.1:15014', '--httpsAddr=127.0.0.1:15017',
      '--log_output_level=default:info,wle:debug,serverca:debug,ads:debug'], {
      POD_NAMESPACE: 'istio-system', POD_NAME: ISTIOD_POD_NAME, CLUSTER_ID: 'Kubernetes',
      ISTIOD_CUSTOM_HOST: `localhost,127.0.0.1,${CP_IP}`,
      PILOT_ENABLE_WORKLOAD_ENTRY_AUTOREGISTRATION: 'true', PILOT_ENABLE_WORKLOAD_ENTRY_HEALTHCHECKS: 'true',
      PILOT_WORKLOAD_ENTRY_GRACE_PERIOD: `${GRACE_SECONDS}s`,
      INJECT_ENABLED: 'false', INJECTION_WEBHOOK_CONFIG_NAME: '', VALIDATION_WEBHOOK_CONFIG_NAME: '',
      PILOT_ENABLE_GATEWAY_API: 'false', PILOT_ENABLE_GATEWAY_API_DEPLOYMENT_CONTROLLER: 'false',
      PILOT_ENABLE_GATEWAY_API_STATUS: 'false', PILOT_ENABLE_GATEWAY_API_GATEWAYCLASS_CONTROLLER: 'false',
    }, cwd);
    await pollUntil(() => { this.assertAlive('istiod'); return nsGet(this.cpNs, 'http://127.0.0.1:8080/ready').status === 200; }, 120_000, 'istiod /ready');
  }

  kubectl(args: readonly string[], input?: string, timeout = 60_000): string {
    return inNs(this.cpNs, join(this.bin, 'kubectl'), [`--kubeconfig=${this.kubeconfig}`, ...args], input, timeout);
  }

  istioctl(args: readonly string[], timeout = 60_000): string {
    return inNs(this.cpNs, join(this.bin, 'istioctl'), [`--kubeconfig=${this.kubeconfig}`, ...args], undefined, timeout);
  }

  /** istiod's log so far (for assertions on what it saw, and for failure reports). */
  istiodLog(): string {
    return readFileSync(join(this.work, 'logs', 'istiod.log'), 'utf8');
  }

  state(): ControlPlaneState {
    return { work: this.work, bin: this.bin, cpNs: this.cpNs, vmNs: this.vmNs, kubeconfig: this.kubeconfig, pids: { ...this.pids } };
  }

  /** Stops everything started here, by PID, then removes the namespaces. Keeps logs if `keep`. */
  async stop(keep: boolean): Promise<void> {
    for (const name of ['istiod', 'kube-apiserver', 'etcd']) {
      const c = this.children.get(name);
      if (c?.pid !== undefined && c.exitCode === null && c.signalCode === null) {
        c.kill('SIGTERM');
        const gone = await Promise.race([new Promise((r) => c.once('exit', () => r(true))), new Promise((r) => setTimeout(() => r(false), 10_000))]);
        if (!gone) c.kill('SIGKILL');
      }
    }
    for (const ns of [...this.extraVms, this.vmNs, this.cpNs]) {
      try {
        for (const pid of run('ip', ['netns', 'pids', ns]).split('\n').filter(Boolean)) {
          try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone */ }
        }
      } catch { /* no namespace */ }
      try { run('ip', ['netns', 'del', ns]); } catch { /* already gone */ }
    }
    for (const ns of [...this.extraVms, this.vmNs]) rmSync(`/etc/netns/${ns}`, { recursive: true, force: true });
    if (keep) console.error(`\n*** end-to-end logs kept in ${join(this.work, 'logs')} ***\n`);
    else rmSync(this.work, { recursive: true, force: true });
  }
}
