/**
 * The event hub behind /events: every event goes to current subscribers, and the latest event of
 * each type is kept so a new client can be told the current state first. Events are
 * `{ seq, time, type, data }`; seq grows by one per event so a client can tell it missed none.
 */
import type { Events } from './types.js';

export interface VmletEvent {
  readonly seq: number;
  /** ISO 8601. */
  readonly time: string;
  readonly type: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export class EventHub implements Events {
  private seq = 0;
  private readonly latest = new Map<string, VmletEvent>();
  private readonly subscribers = new Set<(e: VmletEvent) => void>();

  constructor(private readonly now: () => number = Date.now) {}

  emit(type: string, data: Record<string, unknown>): void {
    this.seq += 1;
    const event: VmletEvent = { seq: this.seq, time: new Date(this.now()).toISOString(), type, data };
    this.latest.set(type, event);
    for (const fn of this.subscribers) {
      try {
        fn(event);
      } catch {
        // A broken subscriber (a closed socket) must not stop the others.
      }
    }
  }

  /** The latest event of each type, oldest first. */
  current(): VmletEvent[] {
    return [...this.latest.values()].sort((a, b) => a.seq - b.seq);
  }

  subscribe(fn: (e: VmletEvent) => void): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }
}
