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
