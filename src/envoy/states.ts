/**
 * The Envoy process's explicit states, one transitionTo() that refuses unexpected moves and logs
 * `from -> to` (grpc-js subchannel style). A restart goes exited -> starting.
 */
import type { Logger } from '../log.js';

export type EnvoyState = 'idle' | 'starting' | 'running' | 'draining' | 'stopping' | 'exited';

const ALLOWED: Readonly<Record<EnvoyState, readonly EnvoyState[]>> = {
  idle: ['starting', 'stopping'],
  starting: ['running', 'stopping', 'exited'],
  running: ['draining', 'stopping', 'exited'],
  draining: ['stopping', 'exited'],
  stopping: ['exited'],
  exited: ['starting', 'stopping'],
};

export class EnvoyStateMachine {
  private current: EnvoyState = 'idle';
  private readonly listeners = new Set<(to: EnvoyState, from: EnvoyState) => void>();

  constructor(private readonly logger: Logger) {}

  get state(): EnvoyState {
    return this.current;
  }

  /** Moves to `to`; returns false (and logs) when the move is not allowed from the current state. */
  transitionTo(to: EnvoyState, why = ''): boolean {
    const from = this.current;
    if (!ALLOWED[from].includes(to)) {
      this.logger.debug({ from, to }, `envoy state: refusing ${from} -> ${to}`);
      return false;
    }
    this.current = to;
    this.logger.info({ from, to, why: why || undefined }, `envoy ${from} -> ${to}${why ? `: ${why}` : ''}`);
    for (const fn of this.listeners) fn(to, from);
    return true;
  }

  onChange(fn: (to: EnvoyState, from: EnvoyState) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}
