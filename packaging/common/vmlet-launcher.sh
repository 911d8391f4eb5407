#!/bin/sh
# /usr/bin/vmlet: runs the vmlet bundle on the Node.js runtime shipped in the same package, so
# the VM needs no Node.js of its own. exec keeps the PID, which systemd tracks as the main process.
exec /usr/lib/vmlet/node /usr/lib/vmlet/vmlet.cjs "$@"
