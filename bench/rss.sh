#!/usr/bin/env bash
# bench/rss.sh: resident memory of `motcua run` (VmRSS from /proc) when
# idle: 5 s after start with an empty data directory, then after 200
# tickets and 5 s more.
#   bench/rss.sh                 # builds ./cmd/motcua
#   MOTCUA_BIN=/path/motcua bench/rss.sh
set -euo pipefail
# shellcheck source=bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
machine
rss() { awk -v w="$1" '$1==w {printf "%.1f MiB", $2/1024}' "/proc/$DPID/status"; }
# shellcheck disable=SC2119 # the daemon runs without a wrapper here
start_daemon
sleep 5
echo "idle after start:        VmRSS $(rss VmRSS:), VmHWM $(rss VmHWM:)"
for _ in $(seq 200); do issue; done
sleep 5
echo "idle after 200 tickets:  VmRSS $(rss VmRSS:), VmHWM $(rss VmHWM:)"
