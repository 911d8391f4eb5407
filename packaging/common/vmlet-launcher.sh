#!/bin/sh
# /usr/bin/vmlet: runs the vmlet bundle on the Node.js runtime shipped in the same package, so
# the VM needs no Node.js of its own. exec keeps the PID, which systemd tracks as the main process.
# Under the unit (StateDirectory=vmlet sets STATE_DIRECTORY), Node keeps its compile cache (V8's
# code for the bundle, redone when the bundle or Node changes) in the state directory, so a start
# after the first skips compiling the bundle: docs/packaging.md has the numbers. Elsewhere (vmlet
# status, validate by hand) there is none; an operator's NODE_COMPILE_CACHE is left as it is.
if [ -n "${STATE_DIRECTORY:-}" ] && [ -z "${NODE_COMPILE_CACHE+set}" ]; then
  NODE_COMPILE_CACHE="${STATE_DIRECTORY%%:*}/compile-cache"
  export NODE_COMPILE_CACHE
fi
# V8 sized for a small agent: the heap laid out for memory and a 1 MB young generation (idle RSS
# on Node 24 76.3 -> 69.6 MB, bench/run-idle.mjs realistic). The optimising compilers stay: the
# DNS proxy answers in JavaScript, and bytecode alone cut its queries/s to a third (36,500 -> 10,300,
# bench/dns-table.mjs) and to a tenth of pilot-agent's (bench/dns.ts). docs/performance.md has both.
exec /usr/lib/vmlet/node --optimize-for-size --max-semi-space-size=1 /usr/lib/vmlet/vmlet.cjs "$@"
