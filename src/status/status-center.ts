/**
 * The runtime's view of itself: the gates, one status per component (the StatusBoard that
 * capabilities write to), and the phase (starting → ready → stopping → stopped). Every change
 * is published on the event hub (`gate`, `component`, `phase`) and to listeners (the systemd
 * notifier), so /events, STATUS= and /healthz/ready all tell the same story.
 */
import { EventHub } from './events.js';
import { GateRegistry, type GateState } from './gates.js';
import { statusLine, type ComponentStatus, type Phase, type StatusSnapshot } from './status-line.js';
import type { ComponentState, StatusBoard } from './types.js';

const NEXT: Readonly<Record<Phase, readonly Phase[]>> = {
  starting: ['ready', 'stopping'],
  ready: ['stopping'],
  stopping: ['stopped'],
  stopped: [],
};

export class StatusCenter implements StatusBoard {
  readonly gates = new GateRegistry();
  readonly events: EventHub;
  private readonly components = new Map<string, ComponentStatus>();
  private current: Phase = 'starting';
  private wired = false;
  private readonly listeners = new Set<(s: StatusSnapshot) => void>();

  constructor(private readonly now: () => number = Date.now) {
    this.events = new EventHub(now);
    this.gates.onChange((g: GateState) => {
      this.events.emit('gate', { ...g });
      this.changed();
    });
  }

  get phase(): Phase {
    return this.current;
  }

  set(component: string, state: ComponentState, detail: string): void {
    const prev = this.components.get(component);
    if (prev !== undefined && prev.state === state && prev.detail === detail) return;
    const entry: ComponentStatus = { name: component, state, detail, since: new Date(this.now()).toISOString() };
    this.components.set(component, entry);
    this.events.emit('component', { ...entry });
    this.changed();
  }

  /** Views a capability publishes at /debug/<name> (the status server reads them on request). */
  readonly views = new Map<string, (query: URLSearchParams) => unknown>();

  expose(name: string, read: (query: URLSearchParams) => unknown): void {
    this.views.set(name, read);
  }

  /**
   * Every capability is wired and its gates registered: from now on, the moment all gates have
   * passed the phase becomes `ready` (once). Before this, an empty gate list means nothing.
   */
  wiringComplete(): void {
    this.wired = true;
    this.maybeReady();
  }

  /** Moves to `next` when allowed (starting → ready → stopping → stopped); returns whether it moved. */
  transitionTo(next: Phase): boolean {
    if (!NEXT[this.current].includes(next)) return false;
    const from = this.current;
    this.current = next;
    this.events.emit('phase', { from, to: next });
    this.changed();
    return true;
  }

  /** Ready: every gate passed and not stopping. */
  get ready(): boolean {
    return this.current === 'ready' && this.gates.allPassed();
  }

  snapshot(): StatusSnapshot {
    const gates = this.gates.list();
    const components = [...this.components.values()];
    return { phase: this.current, ready: this.ready, gates, components, line: statusLine(this.current, gates, components) };
  }

  onChange(fn: (s: StatusSnapshot) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private maybeReady(): void {
    if (this.wired && this.current === 'starting' && this.gates.allPassed()) this.transitionTo('ready');
  }

  private changed(): void {
    if (this.wired && this.current === 'starting' && this.gates.allPassed()) {
      this.transitionTo('ready');
      return;
    }
    const s = this.snapshot();
    for (const fn of this.listeners) fn(s);
  }
}
