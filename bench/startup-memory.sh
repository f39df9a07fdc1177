#!/usr/bin/env bash
# Start-up time and idle memory of Moby Core, per packaging, beside Debian's dockerd+containerd
# measured in the same run.
#
# For each manifest: the time from spawning `moby daemon` until every component is SERVING
# (the daemon writes moby-daemon.json only then), and, after the engine has idled for
# SETTLE seconds, the PSS summed over the daemon and its component processes
# (/proc/<pid>/smaps_rollup). The engine side is measured from this shell so that no other
# Node.js process shares node's pages with the engine while its PSS is read.
#
# Usage: bench/startup-memory.sh [runs=3] [settle-seconds=3]   (as root, after scripts/install)
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
runs=${1:-3}
settle=${2:-3}

pss_kib() { # sum of Pss over the given pids, in KiB
  local total=0 v
  for pid in "$@"; do
    v=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)
    total=$((total + ${v:-0}))
  done
  echo "$total"
}

tree() { # a pid and all its descendants
  local pid=$1
  echo "$pid"
  for c in $(pgrep -P "$pid" || true); do tree "$c"; done
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

measure_engine() { # manifest -> prints "startup_ms pss_kib processes"
  local manifest=$1 dir pid t0 t1
  dir=$(mktemp -d /tmp/mcb-XXXXXX)
  t0=$(date +%s%N)
  bin/moby daemon --data-root "$dir/data" --exec-root "$dir/run" --manifest "$manifest" 2>"$dir/log" &
  pid=$!
  while [ ! -f "$dir/run/moby-daemon.json" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then echo "moby daemon died:" >&2; cat "$dir/log" >&2; exit 1; fi
    sleep 0.005
  done
  t1=$(date +%s%N)
  sleep "$settle"
  local pids
  pids=$(tree "$pid")
  echo "$(( (t1 - t0) / 1000000 )) $(pss_kib $pids) $(echo "$pids" | wc -w)"
  kill -TERM "$pid"
  wait "$pid" || true
  rm -rf "$dir"
}

printf '%-12s %12s %14s %10s\n' packaging startup_ms idle_pss_MiB processes
declare -A pss_med
for m in default all-in-one split; do
  starts=(); psss=(); procs=0
  for _ in $(seq "$runs"); do
    read -r ms kib n < <(measure_engine "manifests/$m.yaml")
    starts+=("$ms"); psss+=("$kib"); procs=$n
  done
  s=$(printf '%s\n' "${starts[@]}" | median)
  p=$(printf '%s\n' "${psss[@]}" | median)
  pss_med[$m]=$p
  printf '%-12s %12s %14.1f %10s\n' "$m" "$s" "$(echo "$p/1024" | bc -l)" "$procs"
done

ref_starts=(); ref_psss=()
for _ in $(seq "$runs"); do
  line=$(node dist/bench/dockerd-idle.js "$((settle * 1000))")
  ref_starts+=("$(echo "$line" | sed -E 's/.*"startupMs":([0-9]+).*/\1/')")
  ref_psss+=("$(( $(echo "$line" | sed -E 's/.*"pssBytes":([0-9]+).*/\1/') / 1024 ))")
done
rs=$(printf '%s\n' "${ref_starts[@]}" | median)
rp=$(printf '%s\n' "${ref_psss[@]}" | median)
printf '%-12s %12s %14.1f %10s\n' "dockerd+ctrd" "$rs" "$(echo "$rp/1024" | bc -l)" "2"
echo
for m in default all-in-one split; do
  printf 'idle PSS ratio %-11s / dockerd+containerd = %.2fx\n' "$m" "$(echo "${pss_med[$m]}/$rp" | bc -l)"
done
echo "(medians of $runs runs; targets: default <= 1.0x, all-in-one <= 0.5x)"
