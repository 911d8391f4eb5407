/**
 * What every chaos scenario starts from: a workload of its own (namespace, ServiceAccount,
 * WorkloadGroup, istioctl's files), the app the group probes, a ChaosVm in the control plane's VM
 * namespace and its convergence check; close() stops all of it by PID and removes the rules.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import { ControlPlane, CP_IP, VM_IP } from '../real/control-plane.js';
import { App, configureVm, workloadGroupYaml, type Workload } from '../real/vm.js';
import { captureRules, Convergence } from './converge.js';
import { ChaosVm, inVm, type ChaosVmOptions } from './harness.js';

export interface Scene {
  cp: ControlPlane;
  w: Workload;
  app: App;
  vm: ChaosVm;
  conv: Convergence;
  rootPem: string;
  close(): Promise<void>;
}

export const controlPlaneState = () => inject('controlPlane');

/**
 * `link` (a small number, unique in the tier): the VM gets a namespace of its own on veth pair
 * eth<link> of the control plane (10.213.<link>.2), so several VMs can run side by side; without
 * it, the control plane's VM namespace (10.213.0.2).
 */
export async function openScene(name: string, o: Omit<ChaosVmOptions, 'home' | 'vmNs'> & { timeoutMs?: number; link?: number } = {}): Promise<Scene> {
  const cp = ControlPlane.attach(controlPlaneState()!);
  const vmNet = o.link === undefined ? { ns: cp.vmNs, ip: VM_IP, cpIp: CP_IP } : cp.addVm(o.link, `chaos${o.link}`);
  const ns = `chaos-${name}`;
  cp.kubectl(['create', 'namespace', ns]);
  cp.kubectl(['-n', ns, 'create', 'serviceaccount', `${name}-sa`]);
  cp.kubectl(['apply', '-f', '-'], workloadGroupYaml(ns, `${name}-sa`, `${name}-app`));
  const w = await configureVm(cp, { ns, sa: `${name}-sa`, group: `${name}-app`, vmNs: vmNet.ns, ingressIP: vmNet.cpIp });
  const rootPem = cp.kubectl(['-n', w.ns, 'get', 'configmap', 'istio-ca-root-cert', '-o', 'jsonpath={.data.root-cert\\.pem}']);
  const app = new App(cp, vmNet.ns);
  await app.start();
  const vm = new ChaosVm(cp, w, { ...o, vmNs: vmNet.ns, home: mkdtempSync(join(cp.work, `chaos-${name}-`)) });
  const conv = new Convergence(vm, { appPids: [app.pid!], vmIp: vmNet.ip, rootPem, timeoutMs: o.timeoutMs ?? 60_000 });
  return {
    cp, w, app, vm, conv, rootPem,
    async close() {
      await vm.close();
      await app.stop();
      // A graceful stop removes the rules; after a scenario that failed half-way, the tier's own
      // VM namespace is emptied of them so the next scenario starts clean.
      if (captureRules(vm.vmNs).length > 0) {
        for (const cmd of ['iptables', 'ip6tables']) {
          for (const table of ['nat', 'raw', 'mangle']) {
            try { inVm(vm.vmNs, cmd, ['-t', table, '-F']); inVm(vm.vmNs, cmd, ['-t', table, '-X']); } catch { /* table absent */ }
          }
        }
      }
      if (o.link !== undefined) {
        for (const pid of execFileSync('ip', ['netns', 'pids', vmNet.ns], { encoding: 'utf8' }).split('\n').filter(Boolean)) {
          try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone */ }
        }
        execFileSync('ip', ['netns', 'del', vmNet.ns]);
        rmSync(`/etc/netns/${vmNet.ns}`, { recursive: true, force: true });
      }
    },
  };
}
