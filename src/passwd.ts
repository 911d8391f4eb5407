/**
 * Local users by name, as the host resolves them: `getent passwd` first (NSS: LDAP, sssd, ...),
 * then /etc/passwd when getent is missing, fails or does not know the name. One reader for the
 * user Envoy runs as (src/envoy) and the uid capture exempts (src/capture).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface UserIds {
  readonly uid: number;
  readonly gid: number;
}

/** The uid and primary gid of `name` in passwd text (`name:x:uid:gid:...` lines), or undefined. */
export function parsePasswd(text: string, name: string): UserIds | undefined {
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f[0] === name && f.length >= 4 && /^\d+$/.test(f[2] ?? '') && /^\d+$/.test(f[3] ?? '')) return { uid: Number(f[2]), gid: Number(f[3]) };
  }
  return undefined;
}

/** `name`'s ids (getent first, then /etc/passwd), or undefined when the host has no such user. */
export function findUser(name: string, etcPasswd = '/etc/passwd'): UserIds | undefined {
  return parsePasswd(read(() => execFileSync('getent', ['passwd', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 })), name)
    ?? parsePasswd(read(() => readFileSync(etcPasswd, 'utf8')), name);
}

/** getent exits 2 for an unknown name; a missing getent or file reads as no entry. */
function read(source: () => string): string {
  try {
    return source();
  } catch {
    return '';
  }
}
