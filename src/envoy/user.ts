/**
 * The user Envoy runs as (uid and primary gid), looked up as the host resolves users
 * (src/passwd.ts). An unknown user is bad input (VMLET_ENVOY_USER_UNKNOWN).
 */
import { VmletError } from '../errors.js';
import { findUser, type UserIds } from '../passwd.js';
import './errors.js';

export type Credentials = UserIds;

/**
 * The credentials Envoy runs with for envoy.runAsUser: undefined keeps vmlet's own (empty name, or
 * vmlet already is that user). Switching needs root; without it this is bad input, said at start.
 */
export function envoyCredentials(name: string, self: { uid: number; gid: number } = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 }): Credentials | undefined {
  if (name === '') return undefined;
  const target = lookupUser(name);
  if (target.uid === self.uid && target.gid === self.gid) return undefined;
  if (self.uid !== 0) {
    throw new VmletError('VMLET_ENVOY_USER_SWITCH', `envoy.runAsUser is ${JSON.stringify(name)} (uid ${target.uid}) but vmlet runs as uid ${self.uid}, not root, so it cannot start Envoy as that user; run vmlet as root or set envoy.runAsUser to ''`, { details: { key: 'envoy.runAsUser' } });
  }
  return target;
}

export function lookupUser(name: string): Credentials {
  const found = findUser(name);
  if (found === undefined) {
    throw new VmletError('VMLET_ENVOY_USER_UNKNOWN', `envoy.runAsUser: user ${JSON.stringify(name)} does not exist on this host; install the istio-proxy user (useradd --system istio-proxy) or set envoy.runAsUser`, { details: { key: 'envoy.runAsUser' } });
  }
  return found;
}
