// The bundle's hosts lines go into /etc/hosts as a block vmlet owns between two marker lines:
// appended the first time, replaced in place after that, everything outside it kept byte for byte
// (an operator's own lines, before and after), a block whose END line was deleted taken to the
// end of the file.
import { describe, expect, it } from 'vitest';
import { HOSTS_BEGIN as B, HOSTS_END as E, replaceHostsBlock } from '../../../src/onboard/agent/write-bundle.js';

describe('replaceHostsBlock', () => {
  it.each([
    ['an empty file', '', '10.0.0.5 istiod.istio-system.svc\n', `${B}\n10.0.0.5 istiod.istio-system.svc\n${E}\n`],
    ['a file without a block: appended', '127.0.0.1 localhost\n', '10.0.0.5 istiod\n', `127.0.0.1 localhost\n${B}\n10.0.0.5 istiod\n${E}\n`],
    ['a file without a final newline', '127.0.0.1 localhost', '10.0.0.5 istiod', `127.0.0.1 localhost\n${B}\n10.0.0.5 istiod\n${E}\n`],
    ['a block in the middle: replaced in place', `a\n${B}\n10.0.0.5 istiod\n${E}\nb\n`, '10.0.0.6 istiod\n10.0.0.7 istiod-rev\n', `a\n${B}\n10.0.0.6 istiod\n10.0.0.7 istiod-rev\n${E}\nb\n`],
    ['a block without its END line: taken to the end', `a\n${B}\n10.0.0.5 istiod\n`, '10.0.0.6 istiod\n', `a\n${B}\n10.0.0.6 istiod\n${E}\n`],
    ['blank lines and indentation in the bundle are dropped', '', '\n  10.0.0.5 istiod  \n\n', `${B}\n10.0.0.5 istiod\n${E}\n`],
    ['an empty hosts text leaves an empty block', 'a\n', '', `a\n${B}\n${E}\n`],
  ])('%s', (_name, existing, hosts, want) => {
    expect(replaceHostsBlock(existing, hosts)).toBe(want);
    // Idempotent: the same bundle again changes nothing.
    expect(replaceHostsBlock(want, hosts)).toBe(want);
  });
});
