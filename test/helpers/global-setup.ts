// Builds dist/vmlet.cjs once before the suites that spawn the CLI, so they test the same bundle
// that ships (and the start-up time that ships). At the end, no process this run started may be
// left running: a FAKE Envoy orphaned by a SIGKILLed agent (or anything else run from test/fakes)
// fails the run, and is stopped by its PID. This run's processes carry VMLET_TEST_RUN=<its PID> in
// their environment (set here, inherited by the test workers, passed on by spawnVmlet and by vmlet
// to Envoy), so a bench or another run using the same checkout's fakes is left alone.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const FAKES = join(import.meta.dirname, '..', 'fakes') + '/';
const TAG = `VMLET_TEST_RUN=${process.pid}`;

/** PIDs of live processes whose command line runs a program from this checkout's test/fakes. */
function leftoverFakes(): { pid: number; cmd: string }[] {
  const found: { pid: number; cmd: string }[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      const state = /^State:\s+(\w)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      if (!cmd.includes(FAKES) || state === 'Z') continue;
      if (readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(TAG)) found.push({ pid, cmd: cmd.slice(0, 200) });
    } catch {
      // gone while reading
    }
  }
  return found;
}

export default function setup(): () => Promise<void> {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  process.env.VMLET_TEST_RUN = String(process.pid);
  return async () => {
    // A process that was told to stop may still be on its way out: wait for it, bounded.
    let left = leftoverFakes();
    for (let i = 0; i < 50 && left.length > 0; i += 1) {
      await new Promise((r) => setTimeout(r, 100));
      left = leftoverFakes();
    }
    if (left.length === 0) return;
    for (const { pid } of left) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    }
    // vitest reports a teardown error but keeps its exit code: set the code too, so CI fails.
    process.exitCode = 1;
    throw new Error(`tests left ${left.length} process(es) from test/fakes running (now killed by PID):\n${left.map((p) => `  ${p.pid} ${p.cmd}`).join('\n')}`);
  };
}
