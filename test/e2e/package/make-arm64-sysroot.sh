#!/bin/sh
# Builds (once) a Debian 12 arm64 sysroot for running the arm64 package's Node.js under
# qemu-user (`qemu-aarch64-static -L DIR`). Only debootstrap's first stage is needed: it unpacks
# the arm64 C/C++ runtime libraries without executing anything. Mirror: this machine's apt sources.
set -eu

dir=${1:?usage: make-arm64-sysroot.sh DIR}
[ -f "$dir/.complete" ] && exit 0

mirror=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{ print $2 }' | grep -v -- '-security' | head -n 1)
[ -n "$mirror" ] || mirror=$(grep -hs '^deb ' /etc/apt/sources.list | awk '{ print $2 }' | grep -v -- '-security' | head -n 1)
[ -n "$mirror" ] || { echo "make-arm64-sysroot.sh: no Debian mirror in this machine's apt sources" >&2; exit 1; }

rm -rf "$dir"
mkdir -p "$(dirname "$dir")"
timeout 900 debootstrap --arch=arm64 --foreign --variant=minbase --include=libstdc++6 bookworm "$dir" "$mirror" >"$dir.log" 2>&1 ||
    { tail -n 30 "$dir.log" >&2; exit 1; }
touch "$dir/.complete"
