// One passwd reader for Envoy's user and capture's exempt uid: exact names, uid and gid, getent
// first and /etc/passwd for what getent does not know.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findUser, parsePasswd } from '../../../src/passwd.js';

describe('passwd', () => {
  it('finds the uid and gid of a user by its exact name, not a prefix match', () => {
    const text = 'root:x:0:0:root:/root:/bin/bash\nistio-proxy-old:x:900:900::/:/sbin/nologin\nistio-proxy:x:998:997::/var/lib/istio:/sbin/nologin\n';
    expect(parsePasswd(text, 'istio-proxy')).toEqual({ uid: 998, gid: 997 });
    expect(parsePasswd(text, 'istio-prox')).toBeUndefined();
    expect(parsePasswd(text, 'nobody')).toBeUndefined();
    expect(parsePasswd('broken:x:abc:1::/:/bin/sh\n', 'broken')).toBeUndefined();
  });

  const dir = mkdtempSync(join(tmpdir(), 'vmlet-passwd-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('asks getent first, then reads the passwd file for a name getent does not know', () => {
    const file = join(dir, 'passwd');
    writeFileSync(file, 'root:x:4242:4243::/:/bin/sh\nvmlet-test-only:x:4321:4322::/:/sbin/nologin\n');
    // root is known to getent (NSS) on every host: its answer wins over the file's.
    expect(findUser('root', file)).toEqual({ uid: 0, gid: 0 });
    expect(findUser('vmlet-test-only', file)).toEqual({ uid: 4321, gid: 4322 });
    expect(findUser('vmlet-no-such-user', file)).toBeUndefined();
    expect(findUser('vmlet-no-such-user', join(dir, 'missing'))).toBeUndefined();
  });
});
