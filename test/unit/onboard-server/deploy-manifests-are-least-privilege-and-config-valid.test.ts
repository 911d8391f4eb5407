// deploy/onboard-server/: the ConfigMap's config.yaml is one the service accepts, the pod runs as
// the issue asks (1 replica, Recreate, non-root, read-only root, state on a PVC), and the RBAC is
// the least the service needs. `kubectl apply --dry-run=server` on the real apiserver is the
// e2e tier's (onb-e2e).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseServerConfig } from '../../../src/onboard-server/config.js';

const DIR = new URL('../../../deploy/onboard-server/', import.meta.url).pathname;
type Doc = { kind: string; metadata: { name: string; namespace?: string }; [k: string]: unknown };
const docs: Doc[] = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort()
  .flatMap((f) => parseAllDocuments(readFileSync(join(DIR, f), 'utf8')).map((d) => d.toJS() as Doc));
const find = (kind: string, name?: string) => docs.filter((d) => d.kind === kind && (name === undefined || d.metadata.name === name));

describe('deploy/onboard-server', () => {
  it('the ConfigMap holds a config the service accepts', () => {
    const cm = find('ConfigMap', 'vmlet-onboard-config')[0] as unknown as { data: Record<string, string> };
    const config = parseServerConfig(cm.data['config.yaml']!, 'deploy/onboard-server/50-configmap.yaml');
    expect(config.stateFile).toBe('/var/lib/vmlet-onboard/ledger.json');
    expect(config.policies.length).toBeGreaterThan(0);
  });

  it('one replica, Recreate, non-root, read-only root filesystem, the state directory on a PVC', () => {
    const dep = find('Deployment')[0] as unknown as { spec: { replicas: number; strategy: { type: string }; template: { spec: Record<string, any> } } };
    expect(dep.spec.replicas).toBe(1);
    expect(dep.spec.strategy.type).toBe('Recreate');
    const pod = dep.spec.template.spec;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    const c = pod.containers[0];
    expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(c.securityContext.allowPrivilegeEscalation).toBe(false);
    expect(c.command).toEqual(['vmlet', 'onboard-server', '--config', '/etc/vmlet-onboard/config/config.yaml']);
    const stateMount = c.volumeMounts.find((m: { mountPath: string }) => m.mountPath === '/var/lib/vmlet-onboard');
    const stateVolume = pod.volumes.find((v: { name: string }) => v.name === stateMount.name);
    expect(find('PersistentVolumeClaim', stateVolume.persistentVolumeClaim.claimName)).toHaveLength(1);
    expect(pod.serviceAccountName).toBe('vmlet-onboard');
  });

  it('RBAC: reads named ConfigMaps and WorkloadGroups cluster-wide, tokens only for named ServiceAccounts, Secrets only in its namespace', () => {
    const cr = find('ClusterRole', 'vmlet-onboard')[0] as unknown as { rules: { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] }[] };
    // Exactly the calls src/onboard-server/kube.ts makes: GETs by name, never a list.
    for (const r of cr.rules) expect(r.verbs, JSON.stringify(r)).toEqual(['get']);
    expect(cr.rules.find((r) => r.resources.includes('configmaps'))?.resourceNames).toEqual(['istio', 'istio-ca-root-cert', 'istio-sidecar-injector']);
    const tokenRoles = find('Role').filter((r) => JSON.stringify(r).includes('serviceaccounts/token'));
    expect(tokenRoles.length).toBeGreaterThan(0);
    for (const role of tokenRoles as unknown as { rules: { resources: string[]; resourceNames?: string[]; verbs: string[] }[] }[]) {
      for (const r of role.rules) {
        expect(r.resources).toEqual(['serviceaccounts/token']);
        expect(r.verbs).toEqual(['create']);
        expect(r.resourceNames?.length).toBeGreaterThan(0);
      }
    }
    const secrets = find('Role', 'vmlet-onboard-join-tokens')[0]!;
    expect(secrets.metadata.namespace).toBe('vmlet-onboard');
    expect((secrets as unknown as { rules: { verbs: string[] }[] }).rules.flatMap((r) => r.verbs).sort()).toEqual(['create', 'delete', 'get']);
    for (const b of [...find('RoleBinding'), ...find('ClusterRoleBinding')] as unknown as { subjects: { name: string; namespace: string }[] }[]) {
      expect(b.subjects).toEqual([{ kind: 'ServiceAccount', name: 'vmlet-onboard', namespace: 'vmlet-onboard' }]);
    }
  });
});
