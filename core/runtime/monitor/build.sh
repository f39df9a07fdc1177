#!/bin/sh
# Builds moby-monitor: build.sh OUT (e.g. build.sh dist/moby-monitor).
# Compiles to a temporary file beside OUT and renames it, so concurrent builds
# and running monitors never see a half-written binary.
set -eu
out=${1:?usage: build.sh OUT}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$(dirname "$out")"
tmp="$out.tmp.$$"
trap 'rm -f "$tmp"' EXIT
${CC:-gcc} -O2 -Wall -Wextra -o "$tmp" "$here/moby-monitor.c"
mv -f "$tmp" "$out"
trap - EXIT
