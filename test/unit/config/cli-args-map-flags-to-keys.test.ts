// Shared flag parsing: common flags become configuration keys for the loader's flag tier; a bad
// command line is a VMLET_USAGE error; every command's --help lists its own and the common flags.
import { describe, expect, it } from 'vitest';
import { command, helpText, loadInputFrom, parseCommandArgs, printResult, type CliIo, type CommandSpec } from '../../../src/cli/args.js';
import { isVmletError } from '../../../src/errors.js';

const spec: CommandSpec = { name: 'capture plan', summary: 'Print the rules.', options: { family: { type: 'string', help: 'ipv4 or ipv6' } } };

describe('parseCommandArgs', () => {
  it('maps --log-level, --log-format and --set to dotted keys, and keeps paths aside', () => {
    const a = parseCommandArgs(['--log-level', 'debug', '--log-format=json', '--set', 'general.statusPort=1', '--set', 'x.y=a=b', '--istio-dir', '/d', '--config', '/c.yaml', '--family', 'ipv6'], spec);
    expect(a.common).toEqual({ istioDir: '/d', configPath: '/c.yaml', flags: { 'general.logLevel': 'debug', 'general.logFormat': 'json', 'general.statusPort': '1', 'x.y': 'a=b' } });
    expect(a.values.family).toBe('ipv6');
    expect(loadInputFrom(a.common, { A: '1' })).toEqual({ flags: a.common.flags, env: { A: '1' }, configPath: '/c.yaml', istioDir: '/d' });
  });

  it.each([
    [['--log-format', 'xml'], 'use json or pretty'],
    [['--set', 'statusPort=1'], 'section.key=value'],
    [['--nope'], '--nope'],
    [['extra-positional'], 'extra-positional'],
  ])('refuses %j', (argv, text) => {
    let err: unknown;
    try {
      parseCommandArgs(argv, spec);
    } catch (e) {
      err = e;
    }
    expect(isVmletError(err, 'VMLET_USAGE')).toBe(true);
    expect((err as Error).message).toContain(text);
  });

  it('-h and --help set help', () => {
    expect(parseCommandArgs(['-h'], spec).help).toBe(true);
    expect(parseCommandArgs(['--help'], spec).help).toBe(true);
  });

  it('help text shows the command, its own options and the common ones', () => {
    const text = helpText(spec);
    expect(text).toMatch(/^Usage: vmlet capture plan \[options\]/);
    for (const flag of ['--family VALUE', '--istio-dir DIR', '--config FILE', '--log-level LEVEL', '--log-format FORMAT', '--set KEY=VALUE', '-h, --help']) {
      expect(text).toContain(flag);
    }
  });
});

describe('command', () => {
  const jsonSpec: CommandSpec = { ...spec, json: 'print the plan as JSON' };
  const capture = () => {
    const out: string[] = [];
    const io: CliIo = { stdout: { write: (t: string) => out.push(t) }, stderr: { write: () => true }, env: {} };
    return { io, out };
  };

  it('answers --help with the help text and exit 0, without running the body', async () => {
    const { io, out } = capture();
    let ran = false;
    const run = command(spec, () => { ran = true; return 1; });
    expect(await run(['--help'], io)).toBe(0);
    expect(ran).toBe(false);
    expect(out.join('')).toBe(helpText(spec));
  });

  it('runs the body with the parsed arguments and returns its exit code', async () => {
    const { io } = capture();
    const run = command(spec, (args) => (args.values.family === 'ipv6' ? 3 : 4));
    expect(await run(['--family', 'ipv6'], io)).toBe(3);
  });

  it('refuses a bad command line with VMLET_USAGE before the body runs', async () => {
    const { io } = capture();
    let ran = false;
    await expect(command(spec, () => { ran = true; return 0; })(['--nope'], io)).rejects.toMatchObject({ code: 'VMLET_USAGE' });
    expect(ran).toBe(false);
  });

  it('--json exists only for a spec that prints JSON, with its help line', () => {
    expect(() => parseCommandArgs(['--json'], spec)).toThrow(/--json/);
    expect(parseCommandArgs(['--json'], jsonSpec).json).toBe(true);
    expect(parseCommandArgs([], jsonSpec).json).toBe(false);
    expect(helpText(jsonSpec)).toMatch(/--json +print the plan as JSON/);
  });

  it('printResult writes indented JSON with --json and the text rendering without', () => {
    const value = { a: 1 };
    const json = capture();
    printResult(json.io, parseCommandArgs(['--json'], jsonSpec), value, () => 'text\n');
    expect(json.out.join('')).toBe('{\n  "a": 1\n}\n');
    const text = capture();
    printResult(text.io, parseCommandArgs([], jsonSpec), value, (v) => `a=${v.a}\n`);
    expect(text.out.join('')).toBe('a=1\n');
  });
});
