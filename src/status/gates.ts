/**
 * Readiness gates: each capability registers the conditions vmlet needs before it is ready
 * (identity issued, capture applied, Envoy live, first health report). READY=1 and
 * /healthz/ready wait for all of them. A gate starts unmet ("not checked yet") and may go back
 * and forth; listeners hear every change.
 */
import type { Gate, Gates } from './types.js';

export interface GateState {
  readonly name: string;
  readonly passed: boolean;
  /** Why it is not met (absent when passed). */
  readonly reason?: string;
}

class RegisteredGate implements Gate {
  passed = false;
  reason: string | undefined = 'not checked yet';
  constructor(readonly name: string, private readonly changed: (g: RegisteredGate) => void) {}

  pass(): void {
    if (this.passed) return;
    this.passed = true;
    this.reason = undefined;
    this.changed(this);
  }

  fail(reason: string): void {
    if (!this.passed && this.reason === reason) return;
    this.passed = false;
    this.reason = reason;
    this.changed(this);
  }
}

export class GateRegistry implements Gates {
  private readonly gates = new Map<string, RegisteredGate>();
  private readonly listeners = new Set<(g: GateState) => void>();

  register(name: string): Gate {
    let gate = this.gates.get(name);
    if (gate === undefined) {
      gate = new RegisteredGate(name, (g) => this.notify(g));
      this.gates.set(name, gate);
      this.notify(gate);
    }
    return gate;
  }

  /** Every gate in registration order. */
  list(): GateState[] {
    return [...this.gates.values()].map((g) => ({ name: g.name, passed: g.passed, ...(g.reason === undefined ? {} : { reason: g.reason }) }));
  }

  unmet(): GateState[] {
    return this.list().filter((g) => !g.passed);
  }

  /** true when every registered gate has passed (vacuously true with none). */
  allPassed(): boolean {
    return this.unmet().length === 0;
  }

  onChange(fn: (g: GateState) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private notify(g: RegisteredGate): void {
    const state: GateState = { name: g.name, passed: g.passed, ...(g.reason === undefined ? {} : { reason: g.reason }) };
    for (const fn of this.listeners) fn(state);
  }
}
