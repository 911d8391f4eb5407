// Bundles src/cli/main.ts into dist/vmlet.mjs (the entry bin/vmlet.mjs and the packages run) plus
// the chunks it loads on demand in dist/chunks/, with every dependency inside them: the CLI starts
// without resolving node_modules (start-up time is a feature: `vmlet validate` <= 250 ms) and the
// packages ship dist/ next to a bundled Node.js runtime.
//
// Why chunks (esbuild splitting): src/main.ts imports identity, Envoy and xDS with `await import()`
// only when they are enabled, so an agent that does not use gRPC, protobuf or X.509 never parses
// them: V8 keeps every parsed source, so one file would cost its whole size in memory (idle RSS
// target, bench/run-idle.mjs). Minified whitespace and syntax, not names: stack traces in the
// journal stay readable. The module comments esbuild would write are gone with the whitespace, so
// the list of bundled packages (licence notices, packaging/third-party.mjs) is written from the
// metafile into dist/bundled-packages.json.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const dist = new URL('../dist/', import.meta.url).pathname;

// Chunk names carry a content hash: stale ones from an earlier build must not ship.
rmSync(`${dist}chunks`, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

const result = await build({
  entryPoints: { vmlet: new URL('../src/cli/main.ts', import.meta.url).pathname },
  outdir: dist,
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
  define: { VMLET_VERSION: JSON.stringify(pkg.version) },
  // CommonJS dependencies inside an ESM bundle still call require(); give them one (every chunk
  // gets this line; it is cheap).
  banner: {
    js: "import { createRequire as __vmletCreateRequire } from 'node:module'; const require = __vmletCreateRequire(import.meta.url);",
  },
});

/** node_modules/<pkg> (or node_modules/@scope/<pkg>, nested ones included) of every bundled input. */
const packages = new Set();
for (const output of Object.values(result.metafile.outputs)) {
  for (const input of Object.keys(output.inputs)) {
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) packages.add(m[1]);
  }
}
writeFileSync(`${dist}bundled-packages.json`, `${JSON.stringify([...packages].sort(), null, 2)}\n`);
