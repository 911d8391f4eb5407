// Shared flag parsing: common flags become configuration keys for the loader's flag tier; a bad
// command line is a VMLET_USAGE error; every command's --help lists its own and the common flags.
import { describe, expect, it } from 'vitest';
import { helpText, loadInputFrom, parseCommandArgs, type CommandSpec } from '../../../src/cli/args.js';
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
