/** The istiod simulator (test double): see ./simulator.ts. */
export { startSimulator, type AuthenticatableCall, type Simulator, type SimulatorOptions, type SimService, type SimFaults, type CaCall } from './simulator.js';
export type { MintOptions } from './tokens.js';
export type { VmDirOptions } from './vm-dir.js';
