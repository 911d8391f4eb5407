/**
 * Lifecycle: how vmlet's long-running pieces start, restart and stop.
 *
 * Owns: the component runner (first fatal error aborts the rest), resilient() restarts with a
 * named backoff, operator signals (TERM/INT graceful → skip drains → exit now; HUP reload), the
 * ordered stop with hooks capabilities register, and SIGHUP reloads with per-key outcomes.
 * Must not touch: any capability's state, the network, or files. Capabilities return a
 * `Capability` ({ components, stopHooks, reload }) from their factory; main.ts mounts it.
 */
export type { Component, Clock } from './types.js';
export { systemClock } from './types.js';
export { runAll, ComponentError } from './runner.js';
export { Backoff, type BackoffPolicy } from './backoff.js';
export { resilient, type ResilientOptions } from './resilient.js';
export { supervised } from './supervised.js';
export { StopHooks, STOP_STAGES, type StopHook, type StopStage } from './shutdown.js';
export { StopSignals, type SignalSource } from './signals.js';
export { Reloader, keyMatches, type ReloadHandler, type ReloadOutcome, type ReloadReport, type ReloadedChange } from './reload.js';
export { Runtime, type Capability, type RunResult } from './runtime.js';
export { controlLevels, type LevelControl } from './log-levels.js';
export { ClockJumpWatch, CLOCK_JUMP_THRESHOLD_MS, type ClockJump } from './clock-jumps.js';
