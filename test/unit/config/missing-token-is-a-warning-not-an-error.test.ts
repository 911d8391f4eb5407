// The bootstrap token is needed once: after the first certificate vmlet renews with the
// certificate itself. A VM whose token expired and was deleted must still restart, so a missing
// istio-token in istioctl's directory is a warning, never exit 2.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readerFromMap } from '../../../src/config/file-reader.js';
import { loadConfig } from '../../../src/config/index.js';
import { ISTIO_FIXTURE } from '../../helpers/test-config.js';

const DIR = '/opt/istio-out';
const files = Object.fromEntries(['cluster.env', 'mesh.yaml', 'root-cert.pem', 'hosts'].map((f) => [join(DIR, f), readFileSync(join(ISTIO_FIXTURE, f), 'utf8')]));

describe('istio-token missing from --istio-dir', () => {
  it('loads with one warning naming the file and the token path still set', () => {
    const r = loadConfig({ istioDir: DIR, reader: readerFromMap(files) });
    expect(r.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(r.problems).toEqual([expect.objectContaining({ code: 'VMLET_CONFIG_FILE_MISSING', severity: 'warning', file: join(DIR, 'istio-token') })]);
    expect(r.problems[0]!.message).toMatch(/renew with a stored certificate/);
    expect(r.config.istio.tokenPath).toBe(join(DIR, 'istio-token'));
  });

  it('an empty token file is still an error (a truncated copy is a mistake to fix)', () => {
    const r = loadConfig({ istioDir: DIR, reader: readerFromMap({ ...files, [join(DIR, 'istio-token')]: '' }) });
    expect(r.problems.map((p) => `${p.severity} ${p.code}`)).toEqual(['error VMLET_TOKEN_FILE_EMPTY']);
  });
});
