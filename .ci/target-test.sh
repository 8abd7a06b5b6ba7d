#!/usr/bin/env bash
# make target-test: motcua's .deb installed with the real dpkg and apt into
# Debian bookworm roots of the Pi's architectures (arm64, armhf; built with
# mmdebstrap, run through qemu-user-static), booted with systemd-nspawn, and
# checked from outside:
#   - the unit reaches "active" through Type=notify, with the watchdog on;
#   - the generated tokens issue tickets; doctor passes its checks;
#   - the watchdog keeps a healthy daemon alive and restarts one whose log
#     is broken (its data disk full);
#   - "systemctl kill -s KILL" and a reboot of the container keep the queue;
#   - systemd-analyze security rates the unit at most 2.0 (OK);
#   - an upgrade to a newer build restarts it, keeps tokens, queue and a
#     "disabled" choice; a purge removes config and tokens, keeps the data;
#   - the daemon also runs with a read-only root and only its data writable;
#   - under the unit, as the user motcua with its groups, the daemon prints
#     a ticket on a serial printer (an ESC/POS emulator on a pseudo-terminal
#     of this machine, bound into the container as /dev/ttyUSB0, root:dialout
#     0660 as the package's udev rule makes it) and opens a HID POS scanner
#     (/dev/hidraw0, group motcua) and a keyboard-mode one (/dev/input/event0,
#     group input): nodes of this kernel's majors with no device behind
#     them, whose open reaches the kernel ("no such device"), not "permission
#     denied". DevicePolicy=closed itself is not enforced in these
#     containers (cgroup v1: the container's systemd has no device cgroup of
#     its own; a node of a major the unit does not allow opens as well), so
#     DeviceAllow= is not proven here.
# The roots are cached in $MOTCUA_TARGET_CACHE (default
# /var/cache/motcua-target), keyed by what they include. Needs root.
#
#   .ci/target-test.sh [ARCH...]     default: arm64 armhf
set -euo pipefail
cd "$(dirname "$0")/.."

cache=${MOTCUA_TARGET_CACHE:-/var/cache/motcua-target}
arches=("$@")
((${#arches[@]})) || arches=(arm64 armhf)
include=systemd,systemd-sysv,dbus,curl,ca-certificates,passwd,udev,iproute2
mirror=http://deb.debian.org/debian

say() { printf 'target: %s\n' "$*"; }
fail() { printf 'target: FAIL: %s\n' "$*" >&2; exit 1; }
start=$SECONDS

need() {
  local missing=()
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
  if ((${#missing[@]})); then
    say "installing ${missing[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}
need mmdebstrap qemu-user-static binfmt-support systemd-container curl jq
[[ -e /proc/sys/fs/binfmt_misc/register ]] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
for q in qemu-aarch64 qemu-arm; do
  [[ -e /proc/sys/fs/binfmt_misc/$q ]] || update-binfmts --enable "$q" >/dev/null 2>&1 || true
  [[ -e /proc/sys/fs/binfmt_misc/$q ]] || fail "binfmt for $q is not registered (update-binfmts --enable $q)"
done

version=$(git describe --tags --always --dirty)
declare -A goarch=([amd64]=amd64 [arm64]=arm64 [armhf]=arm)

# A free loopback port for the daemons (the containers share this
# machine's network, so the checks reach them from outside).
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port

work=$(mktemp -d /var/tmp/motcua-target.XXXXXX)
nspawn_pid=
emu_pid=
cleanup() {
  [[ -n $emu_pid ]] && kill "$emu_pid" 2>/dev/null
  if [[ -n $nspawn_pid ]] && kill -0 "$nspawn_pid" 2>/dev/null; then
    # The container's init first: its PID namespace dies with it.
    find_leader && kill -KILL "$leader" 2>/dev/null
    kill -KILL "$nspawn_pid" 2>/dev/null || true
    wait "$nspawn_pid" 2>/dev/null || true
  fi
  umount -R "$work/data" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

root=$work/root
nspawn=(systemd-nspawn -q --register=no --keep-unit)
ns() {
  "${nspawn[@]}" -D "$root" --bind="$work/data:/var/lib/motcua" --bind-ro="$work/share:/var/cache/motcua-ci" "$@"
}

# leader is the container's init (PID 1 inside): nspawn's child.
leader=
find_leader() {
  leader=$(pgrep -P "$nspawn_pid" | head -1)
  [[ -n $leader ]]
}
inside() { nsenter -t "$leader" -m -u -i -n -p -- env PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }

# devbinds: the device nodes every boot binds into the container (see
# devices below).
devbinds=()
boot() { # boot [nspawn flags...]
  # exec: $! must be nspawn itself, whose child is the container's init.
  (exec "${nspawn[@]}" -D "$root" --bind="$work/data:/var/lib/motcua" \
    --bind-ro="$work/share:/var/cache/motcua-ci" "${devbinds[@]}" --boot "$@" >>"$work/console.log" 2>&1) &
  nspawn_pid=$!
  for _ in $(seq 1 600); do
    kill -0 "$nspawn_pid" 2>/dev/null || fail "the container stopped while booting: $(tail -20 "$work/console.log")"
    # is-system-running exits 1 when degraded: read what it says.
    if find_leader && [[ $(inside systemctl is-system-running 2>/dev/null || true) =~ ^(running|degraded)$ ]]; then
      return 0
    fi
    sleep 0.5
  done
  fail "the container did not finish booting in 300 s: $(tail -20 "$work/console.log")"
}

# halt [poweroff|reboot]: shut the container down from inside (qemu-user
# maps the real-time signals nspawn would send, so ask systemd itself) and
# wait for nspawn to end.
halt() {
  inside systemctl "${1:-poweroff}" --no-block >/dev/null 2>&1 || true
  for _ in $(seq 1 240); do
    if ! kill -0 "$nspawn_pid" 2>/dev/null; then
      wait "$nspawn_pid" || true
      nspawn_pid=
      return 0
    fi
    sleep 0.5
  done
  fail "the container did not stop in 120 s"
}

prop() { inside systemctl show -P "$1" motcua.service; }

wait_active() { # wait_active OLD_MAINPID: until motcua is active with another main PID
  for _ in $(seq 1 360); do
    if [[ $(prop ActiveState) == active && $(prop MainPID) != "$1" && $(prop MainPID) != 0 ]] &&
      curl -fsS "$base/healthz" >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.5
  done
  fail "motcua did not become active again: $(inside systemctl status --no-pager motcua 2>&1 | tail -20)"
}

api() { # api METHOD PATH TOKEN [BODY]: prints the body, fails on a non-2xx
  curl -fsS -X "$1" -H "Authorization: Bearer $3" -H 'Content-Type: application/json' \
    ${4:+--data "$4"} "$base$2"
}

issue() { api POST /api/v1/tickets "$kiosk" '{"service":"dat-dai"}'; }

has_ticket() { # has_ticket ID NUMBER
  [[ $(api GET "/api/v1/tickets/$1" "$admin" | jq -r .number) == "$2" ]] || fail "ticket $2 ($1) is gone"
}

root_tar() { # the cached root of $1, built when missing
  local key tar
  key=$(printf '%s %s %s' "$include" "$mirror" bookworm | sha256sum | cut -c1-12)
  tar=$cache/bookworm-$1-$key.tar
  if [[ ! -s $tar ]]; then
    mkdir -p "$cache"
    say "$1: building the Debian bookworm root with mmdebstrap (cold: several minutes)"
    local t=$SECONDS
    mmdebstrap --quiet --variant=apt --architectures="$1" --include="$include" bookworm "$tar.new" "$mirror" ||
      fail "mmdebstrap $1"
    mv "$tar.new" "$tar"
    say "$1: root built in $((SECONDS - t)) s"
  fi
  echo "$tar"
}

package() { # package ARCH VERSION: a .deb of this tree for ARCH stamped VERSION, in $work/share
  local bin=$work/motcua-$1
  CGO_ENABLED=0 GOOS=linux GOARCH=${goarch[$1]} GOARM=6 go build -trimpath -buildvcs=false \
    -ldflags "-s -w -buildid= -X main.version=$2" -o "$bin" ./cmd/motcua
  go run -tags packaging ./packaging -version "$2" -arch "$1" -bin "$bin" -o "$work/share" | tail -1
}

# devices: the printer emulator on a pseudo-terminal of this machine, and
# nodes for a hidraw and an input device, owned as the package's udev rule
# (and docs/config.md for keyboard-mode scanners) make them on a Pi; the
# configuration gets a serial printer and the two scanners.
gid() { awk -F: -v g="$1" '$1 == g { print $3 }' "$root/etc/group"; }
devices() {
  local pty
  # A new emulator (and terminal) for each architecture: the daemon of
  # the second could not open the first one's terminal once the first's
  # containers had stopped (seen on 2026-12-03, cause not pinned down).
  if [[ -n $emu_pid ]]; then
    kill "$emu_pid" 2>/dev/null || true
    wait "$emu_pid" 2>/dev/null || true
  fi
  [[ -x $work/printeremu ]] || go build -o "$work/printeremu" ./devices/printer/printertest/printeremu
  "$work/printeremu" >"$work/printer.out" 2>"$work/printer.err" &
  emu_pid=$!
  for _ in $(seq 1 100); do [[ -s $work/printer.out ]] && break; sleep 0.1; done
  pty=$(head -1 "$work/printer.out")
  [[ -c $pty ]] || fail "the printer emulator gave no terminal: $(cat "$work/printer.err")"
  chgrp "$(gid dialout)" "$pty" && chmod 0660 "$pty"
  mkdir -p "$work/dev"
  rm -f "$work/dev/hidraw0" "$work/dev/event0"
  mknod -m 0660 "$work/dev/hidraw0" c "$(awk '$2 == "hidraw" { print $1 }' /proc/devices)" 0
  mknod -m 0660 "$work/dev/event0" c 13 64
  chgrp "$(gid motcua)" "$work/dev/hidraw0"
  chgrp "$(gid input)" "$work/dev/event0"
  devbinds=(--bind="$pty:/dev/ttyUSB0" --bind="$work/dev/hidraw0:/dev/hidraw0" --bind="$work/dev/event0:/dev/input/event0")
  ns --pipe usermod -aG input motcua
  cat >>"$root/etc/motcua/motcua.toml" <<'TOML'

# Added by .ci/target-test.sh: the devices the boot test gives the container.
[printer]
address = "serial:/dev/ttyUSB0"
mode = "ascii"

[[scanner]]
address = "hidraw:/dev/hidraw0"
place = "kiosk"

[[scanner]]
address = "evdev:/dev/input/event0"
counter = 1
TOML
}

# check_devices ARCH NUMBER: the ticket NUMBER came out of the printer, the
# printer is ok, and the scanners' opens reached the kernel.
check_devices() {
  local printed=
  for _ in $(seq 1 120); do
    if grep -q "^job .*$2" "$work/printer.out"; then printed=1; break; fi
    sleep 0.5
  done
  [[ -n $printed ]] || fail "$1: ticket $2 was not printed on /dev/ttyUSB0: $(tail -3 "$work/printer.out") $(inside journalctl -u motcua --no-pager | grep -i print | tail -5)"
  local st
  st=$(api GET /api/v1/state "$admin" | jq -r '.devices[] | select(.name == "printer") | .status')
  [[ $st == ok ]] || fail "$1: the printer is $st: $(api GET /api/v1/state "$admin" | jq -c '.devices')"
  local log dev lines
  log=$(inside journalctl -u motcua --no-pager -o cat)
  for dev in /dev/hidraw0 /dev/input/event0; do
    lines=$(grep -F "scanner status" <<<"$log" | grep -F "$dev" || true)
    grep -qi 'no such device' <<<"$lines" ||
      fail "$1: the daemon's open of $dev did not reach the kernel: ${lines:-no status logged}"
    ! grep -qi 'permission denied' <<<"$lines" || fail "$1: $dev: permission denied: $lines"
  done
  say "$1: devices: ticket $2 printed on the serial printer (pty as /dev/ttyUSB0, group dialout), printer ok; /dev/hidraw0 (group motcua) and /dev/input/event0 (group input) opened up to the kernel's 'no such device'"
}

test_arch() {
  local arch=$1 t=$SECONDS
  rm -rf "$root" "$work/share" && mkdir -p "$root" "$work/share" "$work/data"
  : >"$work/console.log"
  tar -C "$root" -xf "$(root_tar "$arch")"
  # The data directory: a small file system of its own, as on a Pi with
  # data on its own partition, so that it can be filled up below.
  mountpoint -q "$work/data" || mount -t tmpfs -o size=64m,mode=0755 tmpfs "$work/data"
  rm -rf "${work:?}/data/"*

  local deb newdeb
  deb=$(package "$arch" "$version")
  newdeb=$(package "$arch" "$version-upgrade")
  say "$arch: install $(basename "$deb") with apt"
  ns --pipe env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "/var/cache/motcua-ci/$(basename "$deb")" \
    >"$work/install.log" 2>&1 || fail "$arch: apt-get install: $(tail -20 "$work/install.log")"
  [[ -L $root/etc/systemd/system/multi-user.target.wants/motcua.service ]] || fail "$arch: the service is not enabled"
  sed -i "s/^listen = .*/listen = \"127.0.0.1:$port\"/" "$root/etc/motcua/motcua.toml"
  kiosk=$(cat "$root/etc/motcua/kiosk.token")
  admin=$(cat "$root/etc/motcua/admin.token")
  devices

  boot
  [[ $(prop Type) == notify ]] || fail "$arch: Type is $(prop Type)"
  [[ $(prop ActiveState) == active ]] || fail "$arch: motcua is $(prop ActiveState): $(inside journalctl -u motcua --no-pager | tail)"
  [[ $(prop WatchdogUSec) == 30s ]] || fail "$arch: WatchdogUSec is $(prop WatchdogUSec)"
  inside motcua version | grep -qxF "motcua $version" || fail "$arch: motcua version says $(inside motcua version)"
  say "$arch: booted, motcua active through Type=notify ($((SECONDS - t)) s)"

  local t1 t2 id1 n1 id2 n2 pid
  t1=$(issue) || fail "$arch: the generated kiosk token cannot issue a ticket"
  id1=$(jq -r .id <<<"$t1") n1=$(jq -r .number <<<"$t1")
  [[ $n1 == A001 ]] || fail "$arch: first ticket is $n1"
  api GET /api/v1/state "$admin" | jq -e '.services[0].waiting | length == 1' >/dev/null || fail "$arch: state"
  say "$arch: generated tokens work: ticket $n1"
  check_devices "$arch" "$n1"

  inside runuser -u motcua -- motcua doctor -json -config /etc/motcua/motcua.toml >"$work/doctor.json" 2>/dev/null || true
  local c
  for c in config listen; do
    jq -e --arg c "$c" '[.. | objects | select(.check? == $c)] | length > 0 and all(.level == "ok")' \
      "$work/doctor.json" >/dev/null || fail "$arch: doctor's $c check: $(cat "$work/doctor.json")"
  done
  # The scanners' nodes have no device behind them (see devices): doctor
  # fails them, but must have found that motcua may open them.
  jq -e '[.. | objects | select((.level? == "fail" or .level? == "error") and (.check | startswith("scanner") | not))] | length == 0' "$work/doctor.json" >/dev/null ||
    fail "$arch: doctor reports a failure: $(jq -c '[.. | objects | select(.level? == "fail" or .level? == "error")]' "$work/doctor.json")"
  jq -e '[.. | objects | select(.check? // "" | startswith("scanner")) | select(.en | test("cannot open .*group|permission denied"; "i"))] | length == 0' "$work/doctor.json" >/dev/null ||
    fail "$arch: doctor: motcua may not open a scanner: $(jq -c '[.. | objects | select(.check? // "" | startswith("scanner"))]' "$work/doctor.json")"
  say "$arch: doctor: $(jq -r '[.. | objects | select(.level?) | .level] | group_by(.) | map("\(length) \(.[0])") | join(", ")' "$work/doctor.json")"

  local score
  score=$(inside systemd-analyze security motcua.service --no-pager 2>/dev/null | sed -n 's/.*Overall exposure level for motcua.service: \([0-9.]*\).*/\1/p')
  [[ -n $score ]] || fail "$arch: systemd-analyze security gave no score"
  awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }' || fail "$arch: systemd-analyze security: $score > 2.0"
  say "$arch: systemd-analyze security: $score"

  # The watchdog: a healthy daemon outlives WatchdogSec without a restart.
  pid=$(prop MainPID)
  sleep 35
  [[ $(prop MainPID) == "$pid" && $(prop NRestarts) == 0 ]] || fail "$arch: restarted while healthy (NRestarts $(prop NRestarts))"
  say "$arch: watchdog fed for 35 s (> WatchdogSec=30s) with no restart"

  # systemctl kill -s KILL: systemd restarts it and the queue is kept.
  inside systemctl kill -s KILL motcua.service
  wait_active "$pid"
  has_ticket "$id1" "$n1"
  t2=$(issue) && id2=$(jq -r .id <<<"$t2") n2=$(jq -r .number <<<"$t2")
  [[ $n2 == A002 ]] || fail "$arch: after SIGKILL the next ticket is $n2, want A002"
  say "$arch: SIGKILL: restarted, $n1 kept, next is $n2"

  # A reboot of the container keeps the queue.
  halt reboot
  say "$arch: container rebooted"
  boot
  has_ticket "$id1" "$n1"
  has_ticket "$id2" "$n2"
  say "$arch: reboot: $n1 and $n2 kept"

  # A broken log: the data disk is full; the daemon stops feeding the
  # watchdog and systemd restarts it; once there is room it serves again.
  pid=$(prop MainPID)
  local restarts
  restarts=$(prop NRestarts)
  fallocate -l "$(($(stat -f -c '%a*%S' "$work/data")))" "$work/data/filler" 2>/dev/null ||
    dd if=/dev/zero of="$work/data/filler" bs=1M status=none 2>/dev/null || true
  for c in 1 2 3; do issue >/dev/null 2>&1 && fail "$arch: a ticket was issued on a full disk"; done
  local restarted=
  for _ in $(seq 1 240); do
    if [[ $(prop NRestarts) -gt $restarts ]]; then restarted=1; break; fi
    sleep 0.5
  done
  [[ -n $restarted ]] || fail "$arch: a daemon whose log is broken was not restarted by the watchdog within 120 s"
  rm -f "$work/data/filler"
  wait_active "$pid"
  has_ticket "$id2" "$n2"
  issue >/dev/null || fail "$arch: no ticket after the disk was freed"
  say "$arch: broken log (disk full): watchdog restart (NRestarts $(prop NRestarts)), serving again once freed"

  # Upgrade to a newer build: a "disabled" choice survives, the service is
  # restarted with the new binary, tokens and queue are kept.
  inside systemctl disable motcua.service >/dev/null 2>&1
  pid=$(prop MainPID)
  inside env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "/var/cache/motcua-ci/$(basename "$newdeb")" \
    >"$work/upgrade.log" 2>&1 || fail "$arch: upgrade: $(tail -20 "$work/upgrade.log")"
  [[ $(inside systemctl is-enabled motcua.service 2>/dev/null) == disabled ]] || fail "$arch: the upgrade enabled a disabled service"
  wait_active "$pid"
  inside motcua version | grep -qxF "motcua $version-upgrade" || fail "$arch: after the upgrade motcua version says $(inside motcua version)"
  [[ $(cat "$root/etc/motcua/kiosk.token") == "$kiosk" ]] || fail "$arch: the upgrade changed a token"
  has_ticket "$id1" "$n1"
  say "$arch: upgrade to $version-upgrade: restarted, stays disabled, tokens and queue kept"

  # Purge: configuration and tokens go, the ticket history stays.
  inside env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q motcua >"$work/purge.log" 2>&1 ||
    fail "$arch: purge: $(tail -20 "$work/purge.log")"
  [[ ! -e $root/etc/motcua && ! -e $root/usr/bin/motcua ]] || fail "$arch: purge left /etc/motcua or the binary"
  ls "$work/data"/*.db >/dev/null 2>&1 || fail "$arch: purge deleted the ticket history"
  [[ $(inside systemctl is-active motcua.service 2>/dev/null) != active ]] || fail "$arch: motcua still runs after purge"
  say "$arch: purge: config and tokens removed, data kept"
  halt poweroff

  # A read-only root with only the data writable (overlayroot-style
  # button-box kiosks; /var/tmp is a tmpfs there as well).
  ns --pipe env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "/var/cache/motcua-ci/$(basename "$deb")" \
    >"$work/install.log" 2>&1 || fail "$arch: reinstall: $(tail -20 "$work/install.log")"
  sed -i "s/^listen = .*/listen = \"127.0.0.1:$port\"/" "$root/etc/motcua/motcua.toml"
  kiosk=$(cat "$root/etc/motcua/kiosk.token")
  admin=$(cat "$root/etc/motcua/admin.token")
  boot --read-only --tmpfs=/var/tmp --tmpfs=/var/log
  [[ $(prop ActiveState) == active ]] || fail "$arch: read-only root: motcua is $(prop ActiveState): $(inside journalctl -u motcua --no-pager | tail)"
  has_ticket "$id1" "$n1"
  issue >/dev/null || fail "$arch: read-only root: no ticket"
  say "$arch: read-only root: active, queue kept, tickets issued"
  halt poweroff
  umount "$work/data"
  say "$arch: ok in $((SECONDS - t)) s"
}

for a in "${arches[@]}"; do
  [[ -n ${goarch[$a]:-} ]] || fail "unknown architecture $a"
  test_arch "$a"
done
say "ok in $((SECONDS - start)) s"
