// Bundles src/cli/main.ts into one ESM file, dist/vmlet.mjs, with every dependency inside it, so
// the CLI starts without resolving node_modules (start-up time is a feature: `vmlet validate` ≤ 250 ms)
// and the packages ship one file next to a bundled Node.js runtime.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

await build({
  entryPoints: [new URL('../src/cli/main.ts', import.meta.url).pathname],
  outfile: new URL('../dist/vmlet.mjs', import.meta.url).pathname,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  legalComments: 'linked',
  logLevel: 'warning',
  define: { VMLET_VERSION: JSON.stringify(pkg.version) },
  // CommonJS dependencies inside an ESM bundle still call require(); give them one.
  banner: {
    js: "import { createRequire as __vmletCreateRequire } from 'node:module'; const require = __vmletCreateRequire(import.meta.url);",
  },
});
