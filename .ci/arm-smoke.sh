#!/usr/bin/env bash
# The release binaries on the Pis' cores, emulated by qemu-user: the GOARM=6
# build on an ARM1176 (Pi Zero, Pi 1) and the arm64 build on a Cortex-A53
# (Pi 3, Zero 2). Each runs the demo: a button press issues a ticket that is
# printed to the simulated printer, counter 1 calls it and the simulated
# display shows it. Prints the binaries' sizes, the idle resident memory of
# the emulated process (qemu's own included) and what the Go runtime holds.
#
#   .ci/arm-smoke.sh [DIST]     DIST holds motcua-linux-arm and -arm64 (default dist)
set -euo pipefail
cd "$(dirname "$0")/.."
dist=${1:-dist}

say() { printf 'arm-smoke: %s\n' "$*"; }
fail() { printf 'arm-smoke: FAIL: %s\n' "$*" >&2; exit 1; }
command -v qemu-arm-static >/dev/null || {
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-user-static >/dev/null
}
for c in curl jq; do command -v "$c" >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$c" >/dev/null; done

tmp=$(mktemp -d)
pid=
cleanup() {
  [[ -n $pid ]] && kill -KILL "$pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

smoke() { # smoke QEMU CPU BINARY
  local qemu=$1 cpu=$2 bin=$3 port base admin counter t
  [[ -x $bin ]] || fail "$bin missing: build it with make release"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  base=http://127.0.0.1:$port
  rm -rf "$tmp/data" && mkdir -p "$tmp/data"
  "$qemu" -cpu "$cpu" "$bin" demo -listen "127.0.0.1:$port" -data "$tmp/data" >"$tmp/out" 2>"$tmp/err" &
  pid=$!
  for _ in $(seq 1 600); do
    curl -fsS "$base/healthz" >/dev/null 2>&1 && grep -q '^Admin:' "$tmp/out" && break
    kill -0 "$pid" 2>/dev/null || fail "$cpu: the demo exited: $(tail -5 "$tmp/err")"
    sleep 0.2
  done
  admin=$(sed -n 's/^Admin: .*token=//p' "$tmp/out")
  counter=$(sed -n 's/^Counter 1: .*token=//p' "$tmp/out")
  [[ -n $admin && -n $counter ]] || fail "$cpu: no tokens in the demo's output: $(cat "$tmp/out")"
  curl -fsS -H "Authorization: Bearer $admin" -d '{"service":"dat-dai"}' "$base/api/v1/sim/press" >/dev/null ||
    fail "$cpu: the simulated button did not issue a ticket"
  t=$(curl -fsS -H "Authorization: Bearer $admin" "$base/api/v1/state" | jq -r '[.services[].waiting[].number][0]')
  [[ $t == A001 ]] || fail "$cpu: the button's ticket is $t, want A001"
  curl -fsS -H "Authorization: Bearer $counter" -d '{"officer":"Cán bộ thử"}' "$base/api/v1/counters/1/open" >/dev/null
  curl -fsS -X POST -H "Authorization: Bearer $counter" "$base/api/v1/counters/1/next" | jq -e '.number == "A001"' >/dev/null ||
    fail "$cpu: counter 1 did not call A001"
  local ok=
  for _ in $(seq 1 100); do
    if curl -fsS -H "Authorization: Bearer $admin" "$base/api/v1/sim" |
      jq -e '(.printed | length >= 1) and ([.displays[] | tostring | contains("A001")] | any)' >/dev/null; then
      ok=1 && break
    fi
    sleep 0.2
  done
  [[ -n $ok ]] || fail "$cpu: not printed or not displayed: $(curl -fsS -H "Authorization: Bearer $admin" "$base/api/v1/sim")"
  sleep 5
  local rss heap
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
  # What the Go runtime itself holds, without the emulator's share.
  heap=$(curl -fsS "$base/metrics" | awk '$1 == "go_memstats_sys_bytes" {printf "%.1f", $2 / 1048576}')
  kill -INT "$pid"
  wait "$pid" || true
  pid=
  printf '| %s | %s | %d | %.1f | %s |\n' "$cpu" "$(basename "$bin")" "$(stat -c %s "$bin")" \
    "$(echo "$rss / 1024" | bc -l)" "$heap"
}

echo "| core | binary | bytes | idle RSS under qemu-user (emulator included), MiB | memory the Go runtime holds (go_memstats_sys_bytes), MiB |"
echo "|---|---|---:|---:|---:|"
smoke qemu-arm-static arm1176 "$dist/motcua-linux-arm"
smoke qemu-aarch64-static cortex-a53 "$dist/motcua-linux-arm64"
say "ok: ticket issued, printed to the simulator and displayed on both cores"
