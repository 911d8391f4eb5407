/**
 * The event hub behind /events: every event goes to current subscribers, and the latest event of
 * each type is kept so a new client can be told the current state first. Events are
 * `{ seq, time, type, data }`; seq grows by one per event so a client can tell it missed none.
 * The last HISTORY_SIZE events (each one a transition: a gate, a component, the phase, a NACK...)
 * are kept in a ring for /history (`vmlet status --history`).
 */
import { RingBuffer } from './ring-buffer.js';
import type { Events } from './types.js';

/** Transitions kept for `vmlet status --history`. */
export const HISTORY_SIZE = 100;

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
  private readonly ring = new RingBuffer<VmletEvent>(HISTORY_SIZE);

  constructor(private readonly now: () => number = Date.now) {}

  emit(type: string, data: Record<string, unknown>): void {
    this.seq += 1;
    const event: VmletEvent = { seq: this.seq, time: new Date(this.now()).toISOString(), type, data };
    this.latest.set(type, event);
    this.ring.push(event);
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

  /** The last HISTORY_SIZE events, oldest first. */
  history(): VmletEvent[] {
    return this.ring.toArray();
  }

  subscribe(fn: (e: VmletEvent) => void): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }
}
