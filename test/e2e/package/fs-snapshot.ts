/**
 * The set of paths on a machine, for "leaves nothing behind" checks: everything on its root
 * filesystem and in /run, minus what changes on any running system whatever a package does
 * (logs, caches, package databases, systemd's own state).
 */
import type { Machine } from './machine.js';

const VOLATILE = /^\/(proc|sys|dev|run\/(systemd|user|lock|log|udev|dbus|utmp)|var\/(log|cache|lib\/(dpkg|systemd|apt|rpm))|root\/\.rpmdb|tmp|var\/tmp)(\/|$)/;
// systemd-sysusers keeps a backup of the account files it edits.
const ACCOUNT_BACKUPS = new Set(['/etc/passwd-', '/etc/group-', '/etc/shadow-', '/etc/gshadow-']);

export function pathSnapshot(m: Machine): Set<string> {
  // The tests' own tree (the FAKE Envoy and its bind-mounted node_modules) is not the package's.
  const out = m.sh('find / -xdev -mindepth 1 -path /usr/local/lib/vmlet-test -prune -o -print 2>/dev/null; find /run -mindepth 1 2>/dev/null; true', 60_000);
  return new Set(out.split('\n').filter((p) => p && !VOLATILE.test(p) && !ACCOUNT_BACKUPS.has(p)));
}

/** Paths added and removed between two snapshots. */
export function pathDiff(before: Set<string>, after: Set<string>): { added: string[]; removed: string[] } {
  return { added: [...after].filter((p) => !before.has(p)), removed: [...before].filter((p) => !after.has(p)) };
}
