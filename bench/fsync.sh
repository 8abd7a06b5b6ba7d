#!/usr/bin/env bash
# bench/fsync.sh: how many fsync/fdatasync calls `motcua run` makes per
# acknowledged ticket, counted with strace on the real binary: N tickets
# one after another, then N tickets from 8 clients at once (group
# commit). Needs strace (apt-get install strace).
#   N=500 bench/fsync.sh
set -euo pipefail
# shellcheck source=bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
N="${N:-500}"
machine
count() { grep -cE '(fsync|fdatasync)\(' "$T/strace.log" || true; }
start_daemon strace -f -qq -e trace=fsync,fdatasync -o "$T/strace.log"
issue # the day starts: day.started + the first ticket in one commit
s0=$(count)
for _ in $(seq "$N"); do issue; done
sleep 0.5
s1=$(count)
seq "$N" | xargs -P 8 -I{} curl -fs -o /dev/null -X POST "$BASE/api/v1/tickets?token=$ADMIN" -d '{"service":"dat-dai"}'
sleep 0.5
s2=$(count)
child=$(pgrep -P "$DPID" | head -1)
fds=$(find "/proc/$child/fd" -mindepth 1 -printf '%f %l\n' 2>/dev/null)
stop_daemon
s3=$(count)
echo "syncs before the measured tickets (start, schema, first ticket): $s0"
echo "sequential: $N tickets, $((s1 - s0)) syncs = $(echo "scale=3; ($s1 - $s0) / $N" | bc) per ticket"
echo "8 clients:  $N tickets, $((s2 - s1)) syncs = $(echo "scale=3; ($s2 - $s1) / $N" | bc) per ticket"
echo "at shutdown: $((s3 - s2)) syncs"
echo "by call and file descriptor:"
grep -oE '(fsync|fdatasync)\([0-9]+' "$T/strace.log" | sort | uniq -c | while read -r n call; do
  fd=${call#*(}
  echo "  $n $call) $(echo "$fds" | awk -v fd="$fd" '$1==fd {print $2}' | sed "s|$T/||")"
done
