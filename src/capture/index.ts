/**
 * Traffic capture: Istio-equivalent iptables rules (REDIRECT to 15001/15006, DNS to 15053),
 * applied atomically per family, verified, repaired on drift, removed exactly.
 *
 * Owns: vmlet's chains (ISTIO_*) and the jumps into them in the nat and raw tables, and
 * general.stateDir/capture.json. Must not touch: any other rule or chain (foreign rules stay),
 * routes, interfaces, or other capabilities' state.
 */
export { createCapture, type CaptureCapability, type CaptureExtras, type EnvoyReadinessView } from './capability.js';
export { CaptureExecutor, type FamilyStatus } from './executor.js';
export { ExecRunner, type IptablesRunner, type RunResult } from './runner.js';
export { optionsFromConfig, baseOptions, type CaptureOptions, type HostFacts } from './options.js';
export { buildPlan, type CapturePlan } from './rules.js';
export { planText } from './plan-text.js';
export { readHostFacts } from './host-facts.js';
export { readState, writeState, clearState, type CaptureState } from './state.js';
