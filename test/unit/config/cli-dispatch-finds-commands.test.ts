// The dispatcher picks the longest matching command name, lists groups, turns errors into exit
// codes, and loads only the command it runs.
import { describe, expect, it } from 'vitest';
import { VmletError } from '../../../src/errors.js';
import type { CliIo } from '../../../src/cli/args.js';
import { dispatch, type CommandEntry } from '../../../src/cli/dispatch.js';

function fakeIo(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, env: {}, stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) } };
}

function table(loaded: string[]): CommandEntry[] {
  const entry = (name: string, run: (argv: readonly string[]) => number): CommandEntry => ({
    name, summary: `the ${name} command`, load: async () => { loaded.push(name); return { run }; },
  });
  return [
    entry('capture', () => 10),
    entry('capture plan', (argv) => 20 + argv.length),
    entry('bootstrap print', () => 30),
    entry('boom', () => { throw new VmletError('VMLET_USAGE', 'bad flag'); }),
    entry('bug', () => { throw new Error('oops'); }),
  ];
}

describe('dispatch', () => {
  it('runs the longest matching name with the rest of argv, loading only that module', async () => {
    const loaded: string[] = [];
    expect(await dispatch(table(loaded), ['capture', 'plan', '--x', 'y'], fakeIo())).toBe(22);
    expect(await dispatch(table(loaded), ['capture', '--x'], fakeIo())).toBe(10);
    expect(loaded).toEqual(['capture plan', 'capture']);
  });

  it('lists the subcommands of a group given alone', async () => {
    const io = fakeIo();
    expect(await dispatch(table([]), ['bootstrap'], io)).toBe(2);
    expect(io.err.join('')).toContain('choose one of: print');
  });

  it('an unknown command is a usage error; no command prints help on stderr with exit 2', async () => {
    const io = fakeIo();
    expect(await dispatch(table([]), ['frobnicate'], io)).toBe(2);
    expect(io.err.join('')).toContain('unknown command "frobnicate"');
    const bare = fakeIo();
    expect(await dispatch(table([]), [], bare)).toBe(2);
    expect(bare.err.join('')).toContain('bootstrap print');
  });

  it('--help lists every command with its summary', async () => {
    const io = fakeIo();
    expect(await dispatch(table([]), ['--help'], io)).toBe(0);
    for (const c of table([])) expect(io.out.join('')).toContain(c.summary);
  });

  it('maps a VmletError to its exit code and anything else to 1 with VMLET_INTERNAL', async () => {
    const io = fakeIo();
    expect(await dispatch(table([]), ['boom'], io)).toBe(2);
    expect(io.err.join('')).toContain('bad flag [VMLET_USAGE]');
    expect(await dispatch(table([]), ['bug'], io)).toBe(1);
    expect(io.err.join('')).toContain('[VMLET_INTERNAL]');
  });
});
