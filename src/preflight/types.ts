/**
 * A pre-flight check: one question about the inputs that `vmlet run` would otherwise only ask
 * after something started. `vmlet validate` and `vmlet run` both run every registered check
 * (./index.ts) before anything starts, so the two refuse the same inputs with the same code.
 */
import type { Config } from '../config/schema.js';
import type { VmletError } from '../errors.js';
import type { HostFacts } from '../xds/node-metadata.js';

/** What a check may know about the host; injectable so tests can be another user or host. */
export interface PreflightContext {
  /** ms since the epoch. */
  readonly now: number;
  readonly uid: number;
  readonly gid: number;
  /**
   * Host name and non-loopback addresses; absent: this host's, read (src/xds/host-facts.ts) only
   * by the check that needs them, so an agent without xDS or Envoy never loads node:os for it.
   */
  readonly host?: HostFacts;
}

export interface PreflightFinding {
  readonly severity: 'error' | 'warning';
  /** The check that found it (`identity.token`). */
  readonly check: string;
  /** The error, with its stable code; its message says what, where and what to do. */
  readonly error: VmletError;
}

/** A capability's check. When it runs (which configuration it applies to) is said where it is registered (./index.ts). */
export interface PreflightCheck {
  /** `<capability>.<what>`, e.g. `identity.token`. */
  readonly name: string;
  /**
   * Returns nothing when the input is fine, else the findings. Never throws for bad input (a
   * VmletError is returned), never changes anything, never touches the network.
   */
  run(config: Config, ctx: PreflightContext): Promise<readonly PreflightFinding[]> | readonly PreflightFinding[];
}

export const error = (check: string, err: VmletError): PreflightFinding => ({ severity: 'error', check, error: err });
export const warning = (check: string, err: VmletError): PreflightFinding => ({ severity: 'warning', check, error: err });
