// Renders /etc/vmlet/config.yaml, the conffile that documents every option with its default, with
// the config module's own renderer (src/config/reference.ts renderExampleConfigYaml over
// src/config/schema.ts SECTIONS), so the shipped file cannot drift from what the loader accepts.
// The TypeScript is bundled on the fly with esbuild into a temporary module and imported.
import { build } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const ENTRY = [
  "export { SECTIONS } from './src/config/schema.ts';",
  "export { renderExampleConfigYaml } from './src/config/reference.ts';",
].join('\n');

/** The conffile text for the sources in `repoRoot`. */
export async function renderConfig(repoRoot) {
  const dir = mkdtempSync(join(tmpdir(), 'vmlet-config-'));
  try {
    const outfile = join(dir, 'reference.mjs');
    await build({
      stdin: { contents: ENTRY, resolveDir: repoRoot, loader: 'ts', sourcefile: 'config-entry.ts' },
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      logLevel: 'warning',
      define: { VMLET_VERSION: '"0.0.0"' },
      banner: { js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);" },
    });
    const mod = await import(pathToFileURL(outfile).href);
    return mod.renderExampleConfigYaml(mod.SECTIONS);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function writeConfigFile(repoRoot, dest) {
  writeFileSync(dest, await renderConfig(repoRoot), { mode: 0o644 });
}
