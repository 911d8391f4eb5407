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
// dist/manifest.json says what was built, from esbuild's metafile: `files` (the .mjs files the
// packages ship) and `packages` (the bundled npm packages, for the licence notices).
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join, relative } from 'node:path';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const dist = new URL('../dist', import.meta.url).pathname;

/**
 * Built-in modules are required, not imported: esbuild writes `import{spawn}from"node:child_process"`
 * for them, and this turns each into `const{spawn}=require("node:child_process")` (the banner's
 * require, same line, so source maps stay right). An ESM import of a built-in makes Node build a
 * namespace of ALL its exports, running every lazy getter: on Node 24 (the packaged runtime)
 * `node:http`'s pull in the bundled fetch/WebSocket client, 13 MB of resident memory for a program
 * that never uses it. require() runs none of them. Only esbuild's own output format is matched,
 * and anything left over fails the build.
 */
const IMPORT_BUILTIN = /import(?:\*as ([\w$]+) | ([\w$]+)(?:,(\{[^}]*\})| )|(\{[^}]*\})|)(?:from)?"(node:[\w/]+|[a-z_]+)";/g;
function requireBuiltins(code, file) {
  const out = code.replace(IMPORT_BUILTIN, (all, star, def, defNamed, named, spec) => {
    if (!isBuiltin(spec)) return all;
    const mod = `require(${JSON.stringify(spec)})`;
    const destructure = (defNamed ?? named)?.replace(/([\w$]+) as ([\w$]+)/g, '$1:$2');
    if (star) return `const ${star}=${mod};`;
    if (def) return destructure ? `const ${def}=${mod},${destructure}=${def};` : `const ${def}=${mod};`;
    return destructure ? `const${destructure}=${mod};` : `${mod};`;
  });
  for (const m of out.matchAll(/\bimport\b[^;(]*?"(node:[\w/]+|[a-z_]+)"/g)) {
    if (isBuiltin(m[1]) && m[1] !== 'node:module') throw new Error(`${file}: an import of ${m[1]} the build could not turn into require(): ${m[0]}`);
  }
  return out;
}

// Built into a staging directory, then moved in by rename (atomic per file), chunks before the
// entry: other engineers' tests and running agents use dist/ while it is rebuilt, and an agent
// imports chunks long after it started (Envoy, the /events WebSocket). Chunk names carry a content
// hash, so an older entry's chunks stay valid; they are pruned once an hour old.
mkdirSync(join(dist, 'chunks'), { recursive: true });
const stage = mkdtempSync(join(dist, '.build-'));
try {
  const result = await build({
    entryPoints: { vmlet: new URL('../src/cli/main.ts', import.meta.url).pathname },
    outdir: stage,
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
  const outputs = Object.keys(result.metafile.outputs).map((o) => relative(stage, o));
  for (const file of outputs.filter((o) => o.endsWith('.mjs'))) {
    const path = join(stage, file);
    writeFileSync(path, requireBuiltins(readFileSync(path, 'utf8'), file));
  }
  writeFileSync(join(stage, 'manifest.json'), `${JSON.stringify({ files: outputs.filter((o) => o.endsWith('.mjs')).sort(), packages: bundledPackages(result.metafile) }, null, 2)}\n`);
  for (const name of readdirSync(join(stage, 'chunks'))) renameSync(join(stage, 'chunks', name), join(dist, 'chunks', name));
  for (const name of readdirSync(stage).filter((n) => n !== 'chunks' && n !== 'vmlet.mjs')) renameSync(join(stage, name), join(dist, name));
  renameSync(join(stage, 'vmlet.mjs'), join(dist, 'vmlet.mjs'));
  const current = new Set(outputs.map((o) => o.replace(/^chunks\//, '')));
  for (const name of readdirSync(join(dist, 'chunks'))) {
    const file = join(dist, 'chunks', name);
    const base = name.replace(/\.(map|LEGAL\.txt)$/, '');
    if (!current.has(base) && Date.now() - statSync(file).mtimeMs > 3600_000) rmSync(file, { force: true });
  }
} finally {
  rmSync(stage, { recursive: true, force: true });
}

/** node_modules/<pkg> (or node_modules/@scope/<pkg>, nested ones included) of every bundled input. */
function bundledPackages(metafile) {
  const packages = new Set();
  for (const output of Object.values(metafile.outputs)) {
    for (const input of Object.keys(output.inputs)) {
      const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
      if (m) packages.add(m[1]);
    }
  }
  return [...packages].sort();
}
