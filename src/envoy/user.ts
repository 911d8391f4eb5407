/**
 * Looks up the user Envoy runs as (uid and primary gid): `getent passwd` first (NSS, LDAP), then
 * /etc/passwd. An unknown user is bad input (VMLET_ENVOY_USER_UNKNOWN).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { VmletError } from '../errors.js';
import './errors.js';

export interface Credentials {
  readonly uid: number;
  readonly gid: number;
}

/** Parses one passwd line `name:x:uid:gid:...` for `name`. */
export function parsePasswd(text: string, name: string): Credentials | undefined {
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f[0] === name && f.length >= 4 && /^\d+$/.test(f[2] ?? '') && /^\d+$/.test(f[3] ?? '')) return { uid: Number(f[2]), gid: Number(f[3]) };
  }
  return undefined;
}

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
  let found: Credentials | undefined;
  try {
    found = parsePasswd(execFileSync('getent', ['passwd', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }), name);
  } catch {
    try {
      found = parsePasswd(readFileSync('/etc/passwd', 'utf8'), name);
    } catch {
      found = undefined;
    }
  }
  if (found === undefined) {
    throw new VmletError('VMLET_ENVOY_USER_UNKNOWN', `envoy.runAsUser: user ${JSON.stringify(name)} does not exist on this host; install the istio-proxy user (useradd --system istio-proxy) or set envoy.runAsUser`, { details: { key: 'envoy.runAsUser' } });
  }
  return found;
}
