/**
 * Placeholder for `resolved` mode (systemd-resolved routing domains). It is replaced by the real
 * implementation; until then choosing resolved mode fails with a clear message.
 */
import { VmletError } from '../errors.js';
import type { CreateResolvedRouting } from './types.js';
import './errors.js';

export const createResolvedRouting: CreateResolvedRouting = () => {
  throw new VmletError('VMLET_DNS_RESOLVED_UNAVAILABLE', 'dns.mode resolved is not available in this build: set dns.mode to capture (or auto on a host without systemd-resolved), or off');
};
