// The VM agent must never load the exchange service's code (issue 14): `vmlet run` and
// everything it can import, lazily or not, bundled as scripts/build.mjs bundles it, must not
// contain a file of src/onboard-server/. The control case bundles `vmlet onboard-server` and
// finds them, so the check sees what it must.
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const SRC = new URL('../../../src/', import.meta.url).pathname;

async function inputsOf(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [`${SRC}${entry}`],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    metafile: true,
    logLevel: 'silent',
    // Dependencies are not the question here, src/ is: leave node_modules out.
    packages: 'external',
  });
  return Object.keys(result.metafile.inputs);
}

describe('the agent never includes the onboarding server', () => {
  it('`vmlet run` (with every lazy import it can reach) has no src/onboard-server file', async () => {
    const inputs = await inputsOf('cli/run.ts');
    expect(inputs.some((i) => i.includes('src/main.ts'))).toBe(true);
    expect(inputs.filter((i) => i.includes('src/onboard-server/'))).toEqual([]);
  }, 60_000);

  it('control: `vmlet onboard-server` does include it', async () => {
    const inputs = await inputsOf('cli/onboard-server.ts');
    expect(inputs.filter((i) => i.includes('src/onboard-server/')).length).toBeGreaterThan(5);
  }, 60_000);

  it("the CLI's entry reaches the server only through a lazy import (its own chunk)", async () => {
    const result = await build({
      entryPoints: [`${SRC}cli/main.ts`], bundle: true, splitting: true, outdir: '/nonexistent', write: false,
      platform: 'node', format: 'esm', target: 'node20', metafile: true, logLevel: 'silent', packages: 'external',
    });
    const entry = Object.entries(result.metafile.outputs).find(([, o]) => o.entryPoint?.endsWith('cli/main.ts'));
    expect(entry).toBeDefined();
    expect(Object.keys(entry![1].inputs).filter((i) => i.includes('src/onboard-server/'))).toEqual([]);
  }, 60_000);
});
