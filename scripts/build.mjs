// Bundles src/cli/main.ts into dist/vmlet.cjs (the entry bin/vmlet.cjs and the packages run) plus
// the chunks it loads on demand in dist/chunks/, with every dependency inside them: the CLI starts
// without resolving node_modules (start-up time is a feature: `vmlet validate` <= 250 ms) and the
// packages ship dist/ next to a bundled Node.js runtime.
//
// Why chunks (esbuild splitting): src/main.ts imports identity, Envoy and xDS with `await import()`
// only when they are enabled, so an agent that does not use gRPC, protobuf or X.509 never parses
// them: V8 keeps every parsed source, so one file would cost its whole size in memory (idle RSS
// target, bench/run-idle.mjs). Minified whitespace and syntax, not names: stack traces in the
// journal stay readable. The module comments esbuild would write are gone with the whitespace, so
// dist/manifest.json says what was built, from esbuild's metafile: `files` (the .cjs files the
// packages ship) and `packages` (the bundled npm packages, for the licence notices).
//
// Why CommonJS: Node sets up its ES module loader (resolver, module map, translators, the CJS
// lexer) for the first .mjs it runs, and keeps it: about 1 MB of resident memory an idle agent
// pays for nothing (bench/run-idle.mjs on Node 20: 46.1 MB as ESM, 44.9 MB as CommonJS; Node 22
// likewise; Node 24, the packaged runtime, loads it for CommonJS too: 57.8 -> 57.0). esbuild splits only
// ES modules, so this builds the split ESM first (imports already pointing at .cjs names, source
// maps inline) and then turns each file into CommonJS on its own: static imports of other chunks
// become require(), `import()` becomes a deferred require() (a native import() would start the
// ESM loader again), exports become getters (live bindings stay live), the source maps are
// carried through to the original TypeScript. Every file is "use strict", as ES modules are.
import { build, transform } from 'esbuild';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const dist = new URL('../dist', import.meta.url).pathname;

/**
 * Built-in modules are required, not imported: esbuild writes `import{spawn}from"node:child_process"`
 * for them, and this turns each into `const{spawn}=require("node:child_process")` (same line, so
 * source maps stay right) before the CommonJS step, which then has nothing of its own to make of
 * them (no __toESM namespace copy). An ESM import of a built-in makes Node build a namespace of
 * ALL its exports, running every lazy getter: on Node 24 (the packaged runtime) `node:http`'s pull
 * in the bundled fetch/WebSocket client, 13 MB of resident memory for a program that never uses
 * it. require() runs none of them. Only esbuild's own output format is matched, and anything left
 * over fails the build.
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

/**
 * pino without its transports: pino.js and lib/tools.js require its transport module at load, which brings
 * thread-stream (a worker thread per transport). vmlet writes to stdout synchronously and never
 * starts a transport (src/log.ts), so the bundle gets a stub that says so if anything calls it:
 * no thread-stream code is parsed or kept by an idle agent. Likewise sonic-boom's assert and
 * pino's node:os (below).
 */
const noPinoTransports = {
  name: 'no-pino-transports',
  setup(b) {
    b.onResolve({ filter: /^\.\/(lib\/)?transport$/ }, (args) => (/[\\/]node_modules[\\/]pino[\\/](lib[\\/])?[\w-]+\.js$/.test(args.importer) ? { path: 'pino-transport', namespace: 'vmlet-stub' } : undefined));
    // sonic-boom's one assert() (fd is a number) would load Node's assert module and its error
    // formatting (assertion_error, util/colors) into every agent: the same check, without them.
    b.onResolve({ filter: /^(node:)?assert$/ }, (args) => (/[\\/]node_modules[\\/]sonic-boom[\\/]/.test(args.importer) ? { path: 'assert', namespace: 'vmlet-stub' } : undefined));
    // pino.js loads node:os only for its default `base` hostname, which vmlet replaces with
    // { pid } (src/log.ts); os is otherwise an Envoy/xDS-only module (idle-agent module test).
    b.onResolve({ filter: /^(node:)?os$/ }, (args) => (/[\\/]node_modules[\\/]pino[\\/]pino\.js$/.test(args.importer) ? { path: 'os', namespace: 'vmlet-stub' } : undefined));
    const STUBS = {
      assert: 'module.exports = function assert(ok, message) { if (!ok) throw new Error(message); };',
      os: 'exports.hostname = function hostname() { return ""; };',
      'pino-transport': 'module.exports = function transport() { throw new Error("pino transports are not in the vmlet bundle: vmlet logs to stdout (src/log.ts)"); };',
    };
    b.onLoad({ filter: /.*/, namespace: 'vmlet-stub' }, (args) => ({ contents: STUBS[args.path], loader: 'js' }));
  },
};

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
    // ESM with .cjs names, so cross-chunk imports already name the files the second step writes.
    outExtension: { '.js': '.cjs' },
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: 'inline', // read (and dropped) by the CommonJS step, which writes the .map files
    legalComments: 'linked',
    metafile: true,
    logLevel: 'warning',
    define: { VMLET_VERSION: JSON.stringify(pkg.version) },
    plugins: [noPinoTransports],
  });
  const outputs = Object.keys(result.metafile.outputs).map((o) => relative(stage, o));
  const files = outputs.filter((o) => o.endsWith('.cjs')).sort();
  for (const file of files) await toCommonJs(join(stage, file), file);
  writeFileSync(join(stage, 'manifest.json'), `${JSON.stringify({ files, packages: bundledPackages(result.metafile) }, null, 2)}\n`);
  for (const name of readdirSync(join(stage, 'chunks'))) renameSync(join(stage, 'chunks', name), join(dist, 'chunks', name));
  for (const name of readdirSync(stage).filter((n) => n !== 'chunks' && n !== 'vmlet.cjs')) renameSync(join(stage, name), join(dist, name));
  renameSync(join(stage, 'vmlet.cjs'), join(dist, 'vmlet.cjs'));
  // The ESM build this one replaced: nothing runs it any more.
  for (const old of ['vmlet.mjs', 'vmlet.mjs.map', 'vmlet.mjs.LEGAL.txt']) rmSync(join(dist, old), { force: true });
  const current = new Set(outputs.map((o) => o.replace(/^chunks\//, '')));
  for (const name of readdirSync(join(dist, 'chunks'))) {
    const file = join(dist, 'chunks', name);
    const base = name.replace(/\.(map|LEGAL\.txt)$/, '');
    if (!current.has(base) && Date.now() - statSync(file).mtimeMs > 3600_000) rmSync(file, { force: true });
  }
} finally {
  rmSync(stage, { recursive: true, force: true });
}

/**
 * One ES module of the first step, rewritten in place as CommonJS with its source map next to it.
 * Fails the build on anything esbuild warns about here (e.g. a top-level await or import.meta,
 * which CommonJS has not): a warning would be a runtime surprise.
 */
async function toCommonJs(path, file) {
  const name = file.split('/').pop();
  const out = await transform(requireBuiltins(readFileSync(path, 'utf8'), file), {
    loader: 'js',
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    supported: { 'dynamic-import': false },
    minifyWhitespace: true,
    minifySyntax: true,
    banner: '"use strict";',
    legalComments: 'none', // already in the first step's .LEGAL.txt files
    sourcemap: 'external',
    sourcefile: name,
    logLevel: 'silent',
  });
  if (out.warnings.length > 0) throw new Error(`${file}: turning it into CommonJS: ${out.warnings.map((w) => w.text).join('; ')}`);
  writeFileSync(path, `${out.code}//# sourceMappingURL=${name}.map\n`);
  // The sources are relative to the staging directory, one level deeper than dist/ (where the
  // files end up): point them at the same files from there.
  const map = JSON.parse(out.map);
  map.sources = map.sources.map((s) => relative(dirname(join(dist, file)), resolve(dirname(path), s)));
  writeFileSync(`${path}.map`, JSON.stringify(map));
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
