#!/usr/bin/env bash
# bench/fanout-ab.sh: motcua's websocket hub before and after a change,
# side by side in one run of the shared fan-out harness
# (/work/shared/bench/fanout, see its README), interleaved with its Node ws
# and gorilla peers. bench/fanout.sh plugs in one motcua; this one plugs
# in two builds: the working tree and REV (a commit, built in a temporary
# git worktree), each `motcua run` on a fresh data directory, triggered by
# a durable POST /api/v1/tickets and matched on its "ticket.issued" frame.
#
#   REV=3918946 bench/fanout-ab.sh                 # N=1000 REPS=3, ws gorilla
#   REV=3918946 PEERS=ws N=1000 REPS=5 bench/fanout-ab.sh
#   MOTCUA_BIN=/tmp/new REV_BIN=/tmp/old REV=3918946 bench/fanout-ab.sh   # built before
#
# Runs are interleaved: rep 1 of every server, then rep 2, ... Server on
# CPU 0, load process on CPU 1, as in the harness. Tables (median over the
# repetitions) and raw runs land in $WORK/results/<stamp>/.
set -euo pipefail
PORT="${PORT:-18090}"
# shellcheck source=bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
HARNESS="${HARNESS:-/work/shared/bench/fanout}"
WORK="${WORK:-/tmp/fanout}"
REV="${REV:?REV=<commit> to compare the working tree with}"
N="${N:-1000}" REPS="${REPS:-3}" PEERS="${PEERS:-ws gorilla}"
BROADCASTS="${BROADCASTS:-50}" WARMUP="${WARMUP:-3}" INTERVAL_MS="${INTERVAL_MS:-100}"

base="$(git -C "$ROOT" rev-parse --short "$REV")"
head="$(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- kiosk || echo +dirty)"
OLD="motcua-$base" NEW="motcua-$head"
if [[ -n "${REV_BIN:-}" ]]; then # REV already built there
  cp "$REV_BIN" "$T/motcua-base"
else
  git -C "$ROOT" worktree add --detach "$T/base" "$base" >/dev/null 2>&1
  build_ok=0
  (cd "$T/base" && go build -trimpath -o "$T/motcua-base" ./cmd/motcua) && build_ok=1
  git -C "$ROOT" worktree remove --force "$T/base"
  [[ $build_ok == 1 ]] || { echo "building $REV failed" >&2; exit 1; }
fi

# The harness's load process and peers, built as its run.sh builds them.
mkdir -p "$WORK/node" "$WORK/bin"
cp "$HARNESS"/node/package.json "$HARNESS"/node/package-lock.json "$HARNESS"/node/*.js "$WORK/node/"
(cd "$WORK/node" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
(cd "$HARNESS" && go build -buildvcs=false -o "$WORK/bin/fanbench" .)
FB="$WORK/bin/fanbench"
RES="$WORK/results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$RES"
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

for which in base new; do # the harness measures the pid it starts: no fork
  bin="$T/motcua-base"; [[ $which == new ]] && bin="$MOTCUA_BIN"
  printf '#!/bin/sh\nrm -rf "%s/data"\nexec "%s" run -config "%s/motcua.toml"\n' "$T" "$bin" "$T" >"$T/serve-$which.sh"
  chmod +x "$T/serve-$which.sh"
done

SPID=""
stop_server() {
  if [[ -n "$SPID" ]]; then kill "$SPID" 2>/dev/null || true; wait "$SPID" 2>/dev/null || true; SPID=""; fi
}
trap 'stop_server; cleanup' EXIT
common=(-broadcasts "$BROADCASTS" -warmup "$WARMUP" -interval "${INTERVAL_MS}ms" -clk-tck "$(getconf CLK_TCK)")
motcua_load=(-url "ws://127.0.0.1:$PORT/api/v1/ws?token=$DISPLAY_TOKEN" -match '"ticket.issued"'
  -trigger-url "http://127.0.0.1:$PORT/api/v1/tickets?token=$ADMIN" -trigger-body '{"service":"dat-dai"}')

run_one() { # label rep
  local s=$1 rep=$2 srv=() load=()
  case "$s" in
    ws)      srv=(node "$WORK/node/ws-server.js" --port 18082)
             load=(-url ws://127.0.0.1:18082/ws -trigger-url "http://127.0.0.1:18082/broadcast?seq={seq}");;
    gorilla) srv=("$FB" hub -addr 127.0.0.1:18083)
             load=(-url ws://127.0.0.1:18083/ws -trigger-url "http://127.0.0.1:18083/broadcast?seq={seq}");;
    "$OLD")  srv=(sh -c "exec $T/serve-base.sh"); load=("${motcua_load[@]}");;
    "$NEW")  srv=(sh -c "exec $T/serve-new.sh"); load=("${motcua_load[@]}");;
  esac
  taskset -c 0 "${srv[@]}" >"$RES/$s-r$rep.server.log" 2>&1 &
  SPID=$!
  timeout 180 taskset -c 1 "$FB" load "${load[@]}" "${common[@]}" -n "$N" -rep "$rep" -label "$s" \
    -server-pid "$SPID" -out "$RES/$s-r$rep.json" 2>>"$RES/load.log" || echo "run $s rep $rep failed (see $RES/load.log)" >&2
  tail -n1 "$RES/load.log" >&2
  stop_server
  sleep 1
}

SERVERS="$PEERS $OLD $NEW"
{
  machine
  echo "load: $(cut -d' ' -f1-3 /proc/loadavg); settings: N=$N reps=$REPS broadcasts=$BROADCASTS(+$WARMUP) interval=${INTERVAL_MS}ms servers=[$SERVERS] (server cpu 0, load cpu 1)"
} | tee "$RES/env.txt"
"$(dirname "${BASH_SOURCE[0]}")/fsyncprobe.py" "$T" >"$T/probe.txt" &
probe=$!
for rep in $(seq 1 "$REPS"); do
  for s in $SERVERS; do run_one "$s" "$rep"; done
done
kill -TERM "$probe"; wait "$probe" || true
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$RES/env.txt"
cat "$T/probe.txt"
echo
"$FB" report -dir "$RES" -order "$SERVERS" | tee "$RES/table.md"
echo
echo "raw runs and logs: $RES  (per run: $FB report -dir $RES -per-run)"
