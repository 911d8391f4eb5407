/**
 * runAll: runs components side by side under one AbortSignal. The first fatal error (a rejection
 * while the signal is not aborted) aborts every other component and, once all have settled,
 * rejects with that error. Abort is not failure: when `signal` aborts, runAll resolves after
 * every component has resolved (errors thrown during the abort are collected and logged by the
 * caller, not treated as fatal).
 */
import type { Component } from './types.js';

export class ComponentError extends Error {
  override readonly name = 'ComponentError';
  constructor(readonly component: string, cause: unknown) {
    super(`${component}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

export interface RunAllHooks {
  /** Called once per component when it settles (err undefined when it resolved). */
  onExit?(name: string, err: unknown): void;
}

export async function runAll(components: readonly Component[], signal: AbortSignal, hooks: RunAllHooks = {}): Promise<void> {
  const inner = new AbortController();
  const forward = () => inner.abort(signal.reason);
  if (signal.aborted) forward();
  else signal.addEventListener('abort', forward, { once: true });

  let fatal: ComponentError | undefined;
  const runs = components.map(async (c) => {
    try {
      await c.run(inner.signal);
      // A component that returns before abort has simply finished; that is not a failure.
      hooks.onExit?.(c.name, undefined);
    } catch (err) {
      hooks.onExit?.(c.name, err);
      if (!inner.signal.aborted) {
        fatal = new ComponentError(c.name, err);
        inner.abort(fatal);
      }
    }
  });
  try {
    await Promise.all(runs);
  } finally {
    signal.removeEventListener('abort', forward);
  }
  if (fatal !== undefined) throw fatal;
}
