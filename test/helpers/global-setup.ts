// Builds dist/vmlet.cjs once before the suites that spawn the CLI, so they test the same bundle
// that ships (and the start-up time that ships).
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
