#!/bin/sh
# /usr/lib/vmlet/stop-post: ExecStopPost of vmlet.service, a safety net for traffic capture.
#
# vmlet removes its own rules when it stops cleanly. This runs after every stop, including a
# crash that systemd is about to restart (Restart=always). Removing capture then would let
# traffic bypass the mesh until the restart re-applies it (Istio's unit does exactly that), so
# the rules are removed only when the service is going down for good: a stop job is queued for
# the unit (systemctl stop, shutdown, package removal). A crash keeps the rules: new connections
# fail closed until Envoy is back, a few seconds later. The same holds for DNS resolved mode's
# link: while it stays, only mesh names fail (non-mesh names never go through vmlet).
set -u

unit=vmlet.service

# The clean path: vmlet exited 0 after removing capture itself.
if [ "${SERVICE_RESULT:-}" = success ] && [ "${EXIT_CODE:-}" = exited ] && [ "${EXIT_STATUS:-}" = 0 ]; then
    exit 0
fi

if systemctl list-jobs --no-legend --plain 2>/dev/null | awk -v u="$unit" '$2 == u && $3 == "stop" { found = 1 } END { exit !found }'; then
    # DNS resolved mode's link (src/dns/resolved.ts): unlike a TUN it outlives a crash; deleting
    # it drops systemd-resolved's routing of mesh names to vmlet at once.
    if ip link show dev vmlet-dns >/dev/null 2>&1; then
        echo "vmlet stopped (${SERVICE_RESULT:-unknown}) without deleting its DNS link vmlet-dns; deleting it now" >&2
        resolvectl revert vmlet-dns >/dev/null 2>&1 || true
        ip link delete dev vmlet-dns || true
    fi
    echo "vmlet stopped (${SERVICE_RESULT:-unknown}) without removing capture; removing it now" >&2
    exec /usr/bin/vmlet capture remove
fi

echo "vmlet exited (${SERVICE_RESULT:-unknown}) and systemd will restart it; keeping capture so traffic fails closed" >&2
exit 0
