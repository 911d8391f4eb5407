// The chaos tier's garbage-token scenario: a token file overwritten with bytes that cannot be a
// header value made every CA call fail before reaching istiod ("gRPC metadata authorization: the
// value must be printable ASCII"), renewals over mTLS included. Such a token is left out; a
// well-formed one is still sent, read anew on each call.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { clientCredentials } from '../../../src/identity/credentials.js';

describe('the bearer token offered to istiod', () => {
  const dir = mkdtempSync(join(tmpdir(), 'garbage-token-'));
  const path = join(dir, 'istio-token');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const creds = clientCredentials(undefined, path);

  it('a well-formed token is sent, trimmed', () => {
    writeFileSync(path, 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln\n');
    expect(creds.bearerToken()).toBe('eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln');
  });

  it.each([
    ['a NUL byte', 'garbage\u0000not-a-jwt\n'],
    ['binary', '\u00ff\u00fe\u0001\u0002'],
    ['a space inside', 'two words'],
    ['a newline inside', 'line1\nline2'],
  ])('a token file with %s is not sent', (_what, text) => {
    writeFileSync(path, text);
    expect(creds.bearerToken()).toBeUndefined();
  });

  it('no file: nothing sent', () => {
    rmSync(path, { force: true });
    expect(creds.bearerToken()).toBeUndefined();
  });
});
