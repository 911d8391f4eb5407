#!/bin/sh
# Builds (once) a Debian 12 rootfs that boots under systemd-nspawn, for the package tests.
# Usage: make-rootfs.sh DIR. The mirror is the one this machine's own apt sources use (read at
# run time; none is written in the repository). The result is cached: DIR/.complete marks a
# finished build and holds the package list it was built with, so an interrupted debootstrap,
# or a cache built with another list, is redone rather than trusted.
set -eu

dir=${1:?usage: make-rootfs.sh DIR}
# systemd-sysv: /sbin/init for --boot; dbus: systemctl talks to the manager; iptables/iproute2:
# vmlet's dependencies, preinstalled so dpkg -i needs no network inside the container; rpm: the
# .rpm's scriptlets run for real on this machine (no RPM-based rootfs is reachable here);
# systemd-resolved: the DNS test turns it on to check vmlet's resolved mode (masked otherwise).
include=systemd,systemd-sysv,dbus,iptables,iproute2,libstdc++6,procps,rpm,systemd-resolved
[ "$(cat "$dir/.complete" 2>/dev/null)" = "$include" ] && exit 0

mirror=$(
    {
        grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{ print $2 }'
        grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{ for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; break } }'
    } | grep -v -- '-security' | head -n 1
)
[ -n "$mirror" ] || { echo "make-rootfs.sh: no Debian mirror found in this machine's apt sources" >&2; exit 1; }

rm -rf "$dir"
mkdir -p "$(dirname "$dir")"
timeout 900 debootstrap --variant=minbase --include="$include" bookworm "$dir" "$mirror" >"$dir.log" 2>&1 || { tail -n 30 "$dir.log" >&2; exit 1; }
# No getty or network management inside the test machine: fewer units, faster boot.
chroot "$dir" systemctl mask console-getty.service getty@tty1.service systemd-networkd.service systemd-resolved.service >/dev/null 2>&1 || true
# systemd-resolved's postinst pointed /etc/resolv.conf at its stub; with resolved masked that
# link would dangle, so the machine gets a plain file, as before the package was added. The DNS
# test points it back at the stub itself.
rm -f "$dir/etc/resolv.conf"
printf '# The test machine has a private network and no resolver.\n' >"$dir/etc/resolv.conf"
echo vmlet-test >"$dir/etc/hostname"
# The downloaded .debs are not needed once installed; each test copies this tree.
rm -f "$dir"/var/cache/apt/archives/*.deb
echo "$include" >"$dir/.complete"
