# shellcheck shell=bash
# Sourced by the bench scripts: builds motcua (or takes $MOTCUA_BIN),
# writes a config with a fresh data directory into $T, and offers
# start_daemon / stop_daemon. Tokens: $ADMIN (admin), $DISPLAY_TOKEN (display).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PORT="${PORT:-18091}"
T="$(mktemp -d /tmp/motcua-bench.XXXXXX)"
DPID=""
cleanup() { stop_daemon; rm -rf "$T"; }
trap cleanup EXIT
if [[ -z "${MOTCUA_BIN:-}" ]]; then
  (cd "$ROOT" && go build -trimpath -o "$T/motcua" ./cmd/motcua)
  MOTCUA_BIN="$T/motcua"
fi
ADMIN=bench-admin-secret-0001
DISPLAY_TOKEN=bench-display-secret-01
BASE="http://127.0.0.1:$PORT"
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
secret = "$DISPLAY_TOKEN"
TOML

# start_daemon [PREFIX...]: runs PREFIX motcua run in the background and
# waits until /healthz answers.
start_daemon() {
  rm -rf "$T/data"
  "$@" "$MOTCUA_BIN" run -config "$T/motcua.toml" 2>"$T/daemon.log" &
  DPID=$!
  for _ in $(seq 100); do
    curl -fs "$BASE/healthz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "daemon did not start:" >&2; cat "$T/daemon.log" >&2; return 1
}
stop_daemon() { # stops the daemon first when it runs under a wrapper (strace)
  if [[ -n "$DPID" ]]; then
    local children; mapfile -t children < <(pgrep -P "$DPID" || true)
    if ((${#children[@]})); then kill "${children[@]}" 2>/dev/null || true; else kill "$DPID" 2>/dev/null || true; fi
    wait "$DPID" 2>/dev/null || true; DPID=""
  fi
}
issue() { curl -fs -o /dev/null -X POST "$BASE/api/v1/tickets?token=$ADMIN" -d '{"service":"dat-dai"}'; }
machine() {
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ); machine: nproc=$(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r), $(go version | cut -d' ' -f3); motcua $(cd "$ROOT" && git rev-parse --short HEAD)$(cd "$ROOT" && git diff --quiet HEAD -- kiosk || echo +dirty)"
}
