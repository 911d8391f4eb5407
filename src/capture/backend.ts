/**
 * Which iptables variant holds the rules: the one that already has rules (legacy is checked,
 * since a host that used it before keeps using it), else nft. `capture.backend` forces one.
 */
import { VmletError } from '../errors.js';
import type { Family } from './cidr.js';
import type { IptablesRunner } from './runner.js';
import './errors.js';

export type BackendName = 'nft' | 'legacy';

export interface Backend {
  readonly name: BackendName;
  save(family: Family): string;
  restore(family: Family): string;
}

export function backendFor(name: BackendName): Backend {
  return {
    name,
    save: (family) => `${family === 4 ? 'iptables' : 'ip6tables'}-${name}-save`,
    restore: (family) => `${family === 4 ? 'iptables' : 'ip6tables'}-${name}-restore`,
  };
}

const holdsRules = (saveText: string): boolean => saveText.split('\n').some((l) => l.startsWith('-A '));

/** One `iptables-legacy-save` when not forced (nothing when forced). */
export async function detectBackend(runner: IptablesRunner, forced: 'auto' | BackendName): Promise<Backend> {
  if (forced !== 'auto') return backendFor(forced);
  const legacy = await runner.run('iptables-legacy-save', []);
  if (legacy.code === 0 && holdsRules(legacy.stdout)) return backendFor('legacy');
  const nft = await runner.run('iptables-nft-save', ['-t', 'nat']);
  if (nft.code === 0) return backendFor('nft');
  if (legacy.code === 0) return backendFor('legacy');
  throw new VmletError('VMLET_CAPTURE_NO_BACKEND', `neither iptables-nft-save nor iptables-legacy-save runs (${nft.stderr.trim() || legacy.stderr.trim()}); install the iptables package`);
}
