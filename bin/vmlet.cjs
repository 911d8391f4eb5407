#!/usr/bin/env node
// The published entry point: the esbuild bundle that `npm run build` (and `npm ci`, via prepare)
// writes. CommonJS, like the bundle: an ES module here would start Node's ESM loader (about 1 MB).
require('../dist/vmlet.cjs');
