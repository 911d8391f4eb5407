/**
 * The simulator's WorkloadGroups and auto-registered WorkloadEntries (a TEST DOUBLE of istiod's
 * autoregistration controller, protocol facts §4.4–§4.6): istiod's naming, label merge,
 * annotations, ownerReference, the Healthy condition and grace-period deletion.
 */
export interface WorkloadGroup {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly template: { readonly labels?: Readonly<Record<string, string>>; readonly ports?: Readonly<Record<string, number>>; readonly serviceAccount?: string; readonly network?: string };
}

export interface Condition { type: 'Healthy'; status: 'True' | 'False'; message?: string; lastProbeTime: string; lastTransitionTime: string }

export interface WorkloadEntry {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  ownerReferences: { apiVersion: string; kind: 'WorkloadGroup'; name: string; uid: string; controller: true }[];
  spec: { address: string; labels: Record<string, string>; ports?: Record<string, number>; serviceAccount?: string; network?: string };
  status: { conditions: Condition[] };
}

export const CONTROLLER = 'istiod-sim-0';

export function entryName(group: string, ip: string, network: string | undefined): string {
  const name = `${group}-${ip.replace(/:/g, '-')}${network ? `-${network}` : ''}`;
  return name.length > 253 ? name.slice(-253) : name;
}

export class Registry {
  readonly groups = new Map<string, WorkloadGroup>();
  readonly entries = new Map<string, WorkloadEntry>();
  private readonly connections = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly graceMs: number) {}

  addGroup(g: WorkloadGroup): void {
    this.groups.set(`${g.namespace}/${g.name}`, g);
  }

  /** OnConnect: creates or takes over the entry; throws FAILED_PRECONDITION text when the group is missing. */
  connect(ns: string, groupName: string, ip: string, network: string | undefined, nodeLabels: Record<string, string>, healthChecked: boolean): WorkloadEntry {
    const group = this.groups.get(`${ns}/${groupName}`);
    if (!group) throw new Error(`cannot find WorkloadGroup ${ns}/${groupName}`);
    const name = entryName(groupName, ip, network);
    const key = `${ns}/${name}`;
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    const labels = { ...group.template.labels, ...group.labels, ...nodeLabels };
    delete labels['istio-locality'];
    const existing = this.entries.get(key);
    const entry: WorkloadEntry = existing ?? {
      name, namespace: ns, labels, annotations: {},
      ownerReferences: [{ apiVersion: 'networking.istio.io/v1', kind: 'WorkloadGroup', name: group.name, uid: group.uid, controller: true }],
      spec: { address: ip, labels, ...(group.template.ports ? { ports: { ...group.template.ports } } : {}), ...(group.template.serviceAccount ? { serviceAccount: group.template.serviceAccount } : {}), ...(network ? { network } : {}) },
      status: { conditions: [] },
    };
    entry.annotations = {
      ...entry.annotations,
      'istio.io/autoRegistrationGroup': group.name,
      ...group.annotations,
      ...(healthChecked ? { 'proxy.istio.io/health-checks-enabled': 'true' } : {}),
      'istio.io/workloadController': CONTROLLER,
      'istio.io/connectedAt': new Date().toISOString(),
    };
    delete entry.annotations['istio.io/disconnectedAt'];
    this.entries.set(key, entry);
    this.connections.set(key, (this.connections.get(key) ?? 0) + 1);
    return entry;
  }

  /** OnDisconnect of the last connection: disconnectedAt, then deletion after the grace period. */
  disconnect(entry: WorkloadEntry): void {
    const key = `${entry.namespace}/${entry.name}`;
    const left = (this.connections.get(key) ?? 1) - 1;
    this.connections.set(key, left);
    if (left > 0) return;
    delete entry.annotations['istio.io/connectedAt'];
    entry.annotations['istio.io/disconnectedAt'] = new Date().toISOString();
    this.timers.set(key, setTimeout(() => {
      if (!this.entries.get(key)?.annotations['istio.io/connectedAt']) this.entries.delete(key);
      this.timers.delete(key);
    }, this.graceMs).unref());
  }

  setHealth(entry: WorkloadEntry, healthy: boolean, message: string | undefined): void {
    const now = new Date().toISOString();
    const status = healthy ? 'True' : 'False';
    // istiod writes both times as "now" on every report (health/controller.go transformHealthEvent:
    // the agent only sends transitions), even when the status did not change.
    const cond: Condition = { type: 'Healthy', status, ...(healthy || !message ? {} : { message }), lastProbeTime: now, lastTransitionTime: now };
    entry.status.conditions = [...entry.status.conditions.filter((c) => c.type !== 'Healthy'), cond];
  }

  list(): WorkloadEntry[] {
    return [...this.entries.values()];
  }

  stop(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
