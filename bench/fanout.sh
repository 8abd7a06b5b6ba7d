#!/usr/bin/env bash
# bench/fanout.sh: the shared display-push fan-out harness
# (/work/shared/bench/fanout, see its README) with `motcua run` plugged in
# as the `extra` server, interleaved with socket.io, ws and gorilla.
#
#   bench/fanout.sh                        # REPS=3 NS=1000, all servers
#   NS="200 1000" bench/fanout.sh
#   SERVERS="ws gorilla" NS=1000 REPS=1 bench/fanout.sh   # quick look
#   MOTCUA_BIN=/tmp/wt/motcua bench/fanout.sh             # a binary built elsewhere
#
# Each run starts a fresh daemon on an empty data directory; the trigger is
# a durable POST /api/v1/tickets (admin token), the event matched is the
# ticket.issued frame it causes. Beside the whole run, bench/fsyncprobe.py
# times a bare write+fsync every 100 ms in the same directory, so that the
# disk's cost at the time is known. Tables land in $WORK/results/<stamp>/.
set -euo pipefail
PORT="${PORT:-18090}"
# shellcheck source=bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
HARNESS="${HARNESS:-/work/shared/bench/fanout}"

# The harness runs EXTRA_SERVER_CMD as sh -c "exec ..." and measures that
# pid: this script empties the data directory and execs the daemon, so the
# pid is the daemon's own.
cat >"$T/serve.sh" <<SH
#!/bin/sh
rm -rf "$T/data"
exec "$MOTCUA_BIN" run -config "$T/motcua.toml"
SH
chmod +x "$T/serve.sh"

export NS="${NS:-1000}" REPS="${REPS:-3}"
export SERVERS="${SERVERS:-socketio socketio-goclient ws ws-nodeclient gorilla}"
export EXTRA_LABEL=motcua
export EXTRA_SERVER_CMD="$T/serve.sh"
export EXTRA_WS_URL="ws://127.0.0.1:$PORT/api/v1/ws?token=$DISPLAY_TOKEN"
export EXTRA_TRIGGER_URL="http://127.0.0.1:$PORT/api/v1/tickets?token=$ADMIN"
export EXTRA_TRIGGER_BODY='{"service":"dat-dai"}'
export EXTRA_MATCH='"ticket.issued"'
machine
"$(dirname "${BASH_SOURCE[0]}")/fsyncprobe.py" "$T" >"$T/probe.txt" &
probe=$!
"$HARNESS/run.sh"
kill -TERM "$probe"; wait "$probe" || true
cat "$T/probe.txt"
