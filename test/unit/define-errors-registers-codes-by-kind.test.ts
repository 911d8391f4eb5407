// defineErrors: a capability's codes grouped by kind become registered specs with the kind's flags,
// which decide the exit code and whether a caller retries.
import { describe, expect, it } from 'vitest';
import { defineErrors, errorSpec, exitCodeFor, isRetryable, VmletError } from '../../src/errors.js';

describe('defineErrors', () => {
  it('registers each code with its summary and the flags of its group', () => {
    const catalog = defineErrors({
      badInput: { VMLET_TEST_DEFINE_BAD: 'bad input' },
      retryable: { VMLET_TEST_DEFINE_RETRY: 'try again' },
      other: { VMLET_TEST_DEFINE_OTHER: 'neither' },
    });
    expect(catalog).toEqual({
      VMLET_TEST_DEFINE_BAD: { summary: 'bad input', badInput: true },
      VMLET_TEST_DEFINE_RETRY: { summary: 'try again', retryable: true },
      VMLET_TEST_DEFINE_OTHER: { summary: 'neither' },
    });
    expect(errorSpec('VMLET_TEST_DEFINE_RETRY')).toEqual({ summary: 'try again', retryable: true });
    expect(exitCodeFor(new VmletError('VMLET_TEST_DEFINE_BAD', 'x'))).toBe(2);
    expect(exitCodeFor(new VmletError('VMLET_TEST_DEFINE_OTHER', 'x'))).toBe(1);
    expect(isRetryable(new VmletError('VMLET_TEST_DEFINE_RETRY', 'x'))).toBe(true);
    expect(isRetryable(new VmletError('VMLET_TEST_DEFINE_OTHER', 'x'))).toBe(false);
  });

  it('refuses a code in two groups, and a code registered twice', () => {
    expect(() => defineErrors({ badInput: { VMLET_TEST_DEFINE_TWICE: 'a' }, other: { VMLET_TEST_DEFINE_TWICE: 'b' } })).toThrow(/in two groups/);
    defineErrors({ other: { VMLET_TEST_DEFINE_ONCE: 'a' } });
    expect(() => defineErrors({ other: { VMLET_TEST_DEFINE_ONCE: 'a' } })).toThrow(/registered twice/);
  });
});
