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
# ticket.issued frame it causes. Tables land in $WORK/results/<stamp>/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HARNESS="${HARNESS:-/work/shared/bench/fanout}"
PORT="${PORT:-18090}"
T="$(mktemp -d /tmp/motcua-fanout.XXXXXX)"
trap 'rm -rf "$T"' EXIT

if [[ -z "${MOTCUA_BIN:-}" ]]; then
  (cd "$ROOT" && go build -trimpath -o "$T/motcua" ./cmd/motcua)
  MOTCUA_BIN="$T/motcua"
fi
ADMIN=bench-admin-secret-0001
DISPLAY=bench-display-secret-01
cat >"$T/motcua.toml" <<TOML
[unit]
id = "bench"
name = "Bench"
[server]
listen = "127.0.0.1:$PORT"
data_dir = "$T/data"
max_connections = 5000
[[service]]
id = "dat-dai"
name = "Đất đai"
prefix = "A"
[[counter]]
id = 1
name = "Quầy 1"
services = ["dat-dai"]
[[token]]
role = "admin"
secret = "$ADMIN"
[[token]]
role = "display"
secret = "$DISPLAY"
TOML
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
export EXTRA_WS_URL="ws://127.0.0.1:$PORT/api/v1/ws?token=$DISPLAY"
export EXTRA_TRIGGER_URL="http://127.0.0.1:$PORT/api/v1/tickets?token=$ADMIN"
export EXTRA_TRIGGER_BODY='{"service":"dat-dai"}'
export EXTRA_MATCH='"ticket.issued"'
echo "motcua: $("$MOTCUA_BIN" version 2>/dev/null || echo "$MOTCUA_BIN") ($(cd "$ROOT" && git rev-parse --short HEAD)$(cd "$ROOT" && git diff --quiet HEAD -- kiosk || echo +dirty))"
"$HARNESS/run.sh"
