/**
 * What the package tier needs and what to do without it: locally a missing prerequisite skips
 * with a loud reason; under CI=true it fails, because CI must run this tier.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireOrSkip } from '../../helpers/env.js';

export const REPO = join(import.meta.dirname, '..', '..', '..');
export const VERSION: string = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version;
export const DEB = join(REPO, 'out', `vmlet_${VERSION}_amd64.deb`);
export const RPM = join(REPO, 'out', `vmlet-${VERSION}.x86_64.rpm`);

/** Returns true when the suite can run; otherwise logs why, and throws under CI. */
export function canRun(reason: string | undefined): boolean {
  return requireOrSkip(reason === undefined, `package tests: ${reason}`);
}

export function packagesBuilt(): string | undefined {
  for (const p of [DEB, RPM]) if (!existsSync(p)) return `${p} is missing: run npm run package first (npm run test:package does)`;
  return undefined;
}
