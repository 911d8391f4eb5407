// The VM forwards what the metadata service hands out and verifies nothing (issue 14): `vmlet
// onboard` and the onboarding phase of `vmlet run`, bundled with every lazy import they can
// reach, contain no PKCS#7/ASN.1 library, no JWT verification and no file of the exchange
// service. The control case bundles the service's Azure verifier and finds a PKCS#7 library, so
// the check sees what it must.
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const SRC = new URL('../../../src/', import.meta.url).pathname;

/** The files whose code ends up in the bundle (bytes in the output: esbuild drops unused exports, e.g. jose's verify beside decodeJwt). */
async function inputsOf(entry: string): Promise<string[]> {
  const result = await build({ entryPoints: [`${SRC}${entry}`], bundle: true, write: false, outdir: '/nonexistent', platform: 'node', format: 'esm', target: 'node20', metafile: true, logLevel: 'silent' });
  return Object.values(result.metafile.outputs).flatMap((o) => Object.entries(o.inputs).filter(([, i]) => i.bytesInOutput > 0).map(([name]) => name));
}

const HEAVY = /node_modules\/(pkijs|asn1js|@peculiar\/asn1-|node-forge)\/|node_modules\/jose\/dist\/[^/]+\/(jwt\/verify|jws\/|jwks\/)|src\/onboard-server\//;

describe('the onboarding agent loads no verification library', () => {
  it.each(['cli/onboard.ts', 'onboard/agent/phase.ts'])('%s', async (entry) => {
    const inputs = await inputsOf(entry);
    expect(inputs.some((i) => i.includes('src/onboard/agent/client.ts'))).toBe(true);
    expect(inputs.filter((i) => HEAVY.test(i))).toEqual([]);
  }, 60_000);

  it('control: the Azure verifier of the service does include a PKCS#7 library', async () => {
    const inputs = await inputsOf('onboard-server/attest/azure.ts');
    expect(inputs.filter((i) => HEAVY.test(i)).length).toBeGreaterThan(0);
  }, 60_000);
});
