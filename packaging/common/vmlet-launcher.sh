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
# V8 tuned for a small, mostly idle agent whose hot paths are native (TLS, HTTP/2, crypto): no
# optimising compilers (bytecode only; the interpreter is fast enough for a proxy that forwards
# buffers), heap sized for memory, 1 MB young generation. Idle RSS on Node 24 76.3 -> 66.0 MB
# (bench/run-idle.mjs realistic); docs/performance.md has the measurements and what was not taken.
exec /usr/lib/vmlet/node --optimize-for-size --max-semi-space-size=1 --no-opt --no-maglev --no-sparkplug /usr/lib/vmlet/vmlet.cjs "$@"
