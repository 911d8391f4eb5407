#!/usr/bin/env node
// The published entry point: the esbuild bundle that `npm run build` (and `npm ci`, via prepare) writes.
import '../dist/vmlet.mjs';
