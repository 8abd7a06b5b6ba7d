#!/usr/bin/env bash
# CI: build the three release binaries and the three .deb packages, inspect
# each package (files, permissions, conffiles, maintainer scripts, unit
# file), check that builds are reproducible, then install the amd64 package
# into a throwaway root (an overlay of / in a private mount namespace: the
# machine itself is not changed), check what the maintainer scripts did,
# verify the unit with systemd-analyze, run the installed binary, and
# remove and purge the package there.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "packages: FAIL: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null || { apt-get update -qq >/dev/null; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null; }; }
need dpkg-deb dpkg
need systemd-analyze systemd
need unshare util-linux

echo "packages: release builds and packages"
# Pinned once: others may commit while this runs.
version=$(git describe --tags --always --dirty)
SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)
export SOURCE_DATE_EPOCH
rm -f dist/motcua_*.deb
make -s release packages VERSION="$version" >/dev/null

declare -A machine=([amd64]="Advanced Micro Devices X86-64" [arm64]="AArch64" [armhf]="ARM")
declare -A goarch=([amd64]=amd64 [arm64]=arm64 [armhf]=arm)
printf '%-6s %12s %12s\n' arch binary package
for arch in amd64 arm64 armhf; do
  bin=dist/motcua-linux-${goarch[$arch]}
  debs=(dist/motcua_*_"$arch".deb)
  deb=${debs[-1]}
  [[ -f $bin && -f $deb ]] || fail "$arch: missing $bin or $deb"
  printf '%-6s %12d %12d\n' "$arch" "$(stat -c %s "$bin")" "$(stat -c %s "$deb")"

  # The binary: right machine, static, stamped.
  hdr=$(readelf -h "$bin" 2>/dev/null || true)
  if [[ -n $hdr ]]; then
    grep -q "Machine:.*${machine[$arch]}" <<<"$hdr" || fail "$bin is not ${machine[$arch]}"
  fi
  info=$(go version -m "$bin")
  grep -q "CGO_ENABLED=0" <<<"$info" || fail "$bin: built with cgo"
  grep -q -- "-trimpath=true" <<<"$info" || fail "$bin: not -trimpath"
  # -trimpath keeps -ldflags out of the build info: look for the string.
  grep -qaF "$version" "$bin" || fail "$bin: version $version not stamped"
  if [[ $arch == amd64 ]]; then
    [[ $("$bin" version) == "motcua $version" ]] || fail "$bin version says: $("$bin" version)"
  fi
  if [[ $arch == armhf ]]; then grep -q "GOARM=6" <<<"$info" || fail "$bin: not GOARM=6"; fi

  # Control fields.
  ctl=$(dpkg-deb -f "$deb")
  grep -qx "Package: motcua" <<<"$ctl" || fail "$deb: Package"
  grep -qx "Architecture: $arch" <<<"$ctl" || fail "$deb: Architecture"
  grep -q "^Depends:.*systemd" <<<"$ctl" || fail "$deb: Depends"
  dpkg-deb -I "$deb" | grep -E '^ +[0-9]+ bytes' | sed "s/^/  $arch control: /"

  # Files and their permissions.
  list=$(dpkg-deb -c "$deb")
  awk -v a="$arch" '{print "  " a " file: " $1, $2, $3, $6}' <<<"$list"
  for want in \
    "-rwxr-xr-x root/root .* ./usr/bin/motcua" \
    "drwxr-x--- root/root .* ./etc/motcua/" \
    "-rw-r----- root/root .* ./etc/motcua/motcua.toml" \
    "-rw-r--r-- root/root .* ./usr/lib/systemd/system/motcua.service" \
    "-rw-r--r-- root/root .* ./usr/lib/udev/rules.d/70-motcua.rules" \
    "-rw-r--r-- root/root .* ./usr/lib/modules-load.d/motcua.conf" \
    "-rw-r--r-- root/root .* ./usr/share/doc/motcua/deploy.md"; do
    grep -qE -- "^$want\$" <<<"$list" || fail "$deb: no line matching '$want' in:
$list"
  done
  if grep -q '\.token' <<<"$list"; then fail "$deb ships a token"; fi
  if grep -q '^l' <<<"$list"; then fail "$deb has a symlink (the example config must be a file)"; fi

  # Maintainer scripts and conffiles.
  ctrl=$(mktemp -d)
  dpkg-deb -e "$deb" "$ctrl"
  [[ $(cat "$ctrl/conffiles") == /etc/motcua/motcua.toml ]] || fail "$deb: conffiles is $(cat "$ctrl/conffiles")"
  for s in postinst prerm postrm; do
    [[ -x $ctrl/$s ]] || fail "$deb: $s missing or not executable"
    sh -n "$ctrl/$s" || fail "$deb: $s has a syntax error"
    cmp -s "$ctrl/$s" "packaging/$s.sh" || fail "$deb: $s differs from packaging/$s.sh"
  done
  rm -rf "$ctrl"

  # The unit file is the one in the tree.
  dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/lib/systemd/system/motcua.service | cmp -s - packaging/motcua.service ||
    fail "$deb: unit file differs from packaging/motcua.service"
  dpkg-deb --fsys-tarfile "$deb" | tar -xO ./etc/motcua/motcua.toml | cmp -s - kiosk/config/example.toml ||
    fail "$deb: config differs from kiosk/config/example.toml"
done

echo "packages: lintian (errors and warnings fail; packaging/lintian-overrides says why each exception is one)"
need lintian lintian
for arch in amd64 arm64 armhf; do
  debs=(dist/motcua_*_"$arch".deb)
  out=$(lintian --fail-on error,warning --tag-display-limit 0 "${debs[-1]}" 2>&1) ||
    fail "lintian ${debs[-1]}: $out"
  grep -E '^[EW]: ' <<<"$out" && fail "lintian ${debs[-1]} reports the above"
  echo "  $arch: lintian clean"
done

echo "packages: size of the stripped arm64 binary (at most 1 MiB above .ci/binary-size; raise that file on purpose)"
read -r _ budget <.ci/binary-size
size=$(stat -c %s dist/motcua-linux-arm64)
printf '  arm64: %d bytes, recorded %d (%+d)\n' "$size" "$budget" "$((size - budget))"
((size <= budget + 1048576)) || fail "the arm64 binary grew by $(((size - budget) / 1024)) KiB, over 1 MiB: see bench/sizes.sh for what it is made of"

echo "packages: the man page describes every command"
described=$(awk '/^\.TP/ { getline; gsub(/\\-/, "-"); gsub(/"/, ""); print $2 }' packaging/motcua.1)
for c in $(dist/motcua-linux-amd64 -h 2>&1 | awk '$1 == "motcua" {print $2}'); do
  grep -qx -- "$c" <<<"$described" || fail "packaging/motcua.1 does not describe 'motcua $c'"
done

modflag=
[[ -f out/pkgmod/pkg.mod ]] && ! go list -tags packaging -deps ./packaging >/dev/null 2>&1 && modflag=-modfile=out/pkgmod/pkg.mod
go vet -tags packaging $modflag ./packaging
go test -count=1 -tags packaging $modflag ./packaging >/dev/null || fail "packaging tests"

echo "packages: reproducible (one snapshot of the tree built in two directories)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A snapshot, so that edits to the work tree during the run do not count;
# two copies at different paths, so that -trimpath is tested too.
mkdir -p "$tmp/a"
git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - 2>/dev/null | tar -xf - -C "$tmp/a"
cp -a "$tmp/a" "$tmp/b"
ldflags="-s -w -buildid= -X main.version=$version"
for d in a b; do
  (cd "$tmp/$d" && CGO_ENABLED=0 GOOS=linux GOARCH=arm GOARM=6 go build -trimpath -buildvcs=false -ldflags "$ldflags" -o "$tmp/motcua-$d" ./cmd/motcua)
done
cmp -s "$tmp/motcua-a" "$tmp/motcua-b" || fail "armhf binary differs between two builds of the same tree"
debs=(dist/motcua_*_amd64.deb)
deb=${debs[-1]}
for d in a b; do
  mkdir -p "$tmp/deb-$d"
  go run -tags packaging $modflag ./packaging -version "$version" -arch amd64 -bin dist/motcua-linux-amd64 -o "$tmp/deb-$d" >/dev/null
done
cmp -s "$tmp/deb-a/$(basename "$deb")" "$tmp/deb-b/$(basename "$deb")" || fail "amd64 package differs between two runs"
cmp -s "$tmp/deb-a/$(basename "$deb")" "$deb" || fail "amd64 package differs from the one make packages built"

echo "packages: install into a throwaway root"
root=$tmp/root
mkdir -p "$root"/{upper,work,merged}
cp "$deb" "$tmp/motcua.deb"
cat >"$tmp/inside.sh" <<'INSIDE'
set -euo pipefail
fail() { echo "packages (throwaway root): FAIL: $*" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
dpkg -i /tmp/motcua-ci/motcua.deb
id motcua
for g in dialout lp gpio i2c spi audio; do id -nG motcua | tr ' ' '\n' | grep -qx "$g" || fail "motcua is not in group $g"; done
[[ $(stat -c '%U:%G %a' /var/lib/motcua) == "motcua:motcua 750" ]] || fail "/var/lib/motcua is $(stat -c '%U:%G %a' /var/lib/motcua)"
[[ $(stat -c '%U:%G %a' /etc/motcua) == "root:motcua 750" ]] || fail "/etc/motcua is $(stat -c '%U:%G %a' /etc/motcua)"
[[ $(stat -c '%U:%G %a' /etc/motcua/motcua.toml) == "root:motcua 640" ]] || fail "motcua.toml is $(stat -c '%U:%G %a' /etc/motcua/motcua.toml)"
for t in kiosk display counter admin; do
  f=/etc/motcua/$t.token
  [[ $(stat -c '%U:%G %a' "$f") == "root:motcua 640" ]] || fail "$f is $(stat -c '%U:%G %a' "$f")"
  [[ $(tr -d '\n' <"$f" | wc -c) -ge 32 ]] || fail "$f is too short"
done
[[ $(sort -u /etc/motcua/*.token | wc -l) == 4 ]] || fail "tokens are not distinct"
admin=$(cat /etc/motcua/admin.token)
# Reinstalling (upgrade path) keeps the tokens and an edited config.
echo "# edited by the office" >>/etc/motcua/motcua.toml
dpkg -i --force-confold /tmp/motcua-ci/motcua.deb >/dev/null
[[ $(cat /etc/motcua/admin.token) == "$admin" ]] || fail "upgrade replaced a token"
tail -1 /etc/motcua/motcua.toml | grep -q "edited by the office" || fail "upgrade replaced the edited config"
setpriv --reuid motcua --regid motcua --init-groups /usr/bin/motcua check -config /etc/motcua/motcua.toml
setpriv --reuid motcua --regid motcua --init-groups /usr/bin/motcua version
# Strict: any message (even an ignored setting) fails.
out=$(systemd-analyze verify /usr/lib/systemd/system/motcua.service 2>&1) || fail "systemd-analyze verify: $out"
[[ -z $out ]] || fail "systemd-analyze verify: $out"
echo "unit verified by systemd-analyze: no messages"
# The installed daemon starts as user motcua with the packaged config and
# tokens, and doctor finds it (private network namespace: port 8080 free).
setpriv --reuid motcua --regid motcua --init-groups /usr/bin/motcua run -config /etc/motcua/motcua.toml 2>/tmp/motcua-run.log &
daemon=$!
# Whatever fails below, the daemon does not outlive this script.
trap 'kill -TERM $daemon 2>/dev/null; wait $daemon 2>/dev/null || true' EXIT
for i in $(seq 1 200); do
  curl -fsS http://127.0.0.1:8080/healthz >/dev/null 2>&1 && break
  kill -0 $daemon 2>/dev/null || fail "the installed daemon exited: $(cat /tmp/motcua-run.log)"
  sleep 0.05
done
curl -fsS -H "Authorization: Bearer $(cat /etc/motcua/admin.token)" http://127.0.0.1:8080/api/v1/state | grep -q '"unit"' ||
  fail "the installed daemon does not accept the generated admin token"
/usr/bin/motcua doctor -h >/dev/null 2>&1 || fail "motcua has no doctor command (add doctorCmd, backupCmd, restoreCmd to commands() in cmd/motcua/main.go)"
setpriv --reuid motcua --regid motcua --init-groups /usr/bin/motcua doctor -config /etc/motcua/motcua.toml || true
setpriv --reuid motcua --regid motcua --init-groups /usr/bin/motcua doctor -json -config /etc/motcua/motcua.toml >/tmp/doctor.json || true
grep -A1 '"check": "listen"' /tmp/doctor.json | grep -q '"level": "ok"' || fail "doctor does not see the running daemon: $(cat /tmp/doctor.json)"
kill -TERM $daemon
wait $daemon || true
trap - EXIT
echo "installed daemon served /healthz and the API with the generated token"
# Remove keeps data and config; purge removes config and tokens, keeps data.
touch /var/lib/motcua/motcua.db
dpkg -r motcua >/dev/null
[[ -f /var/lib/motcua/motcua.db && -f /etc/motcua/admin.token ]] || fail "remove lost data or tokens"
[[ ! -e /usr/bin/motcua ]] || fail "remove left the binary"
dpkg -P motcua
[[ -f /var/lib/motcua/motcua.db ]] || fail "purge deleted the ticket history"
[[ ! -e /etc/motcua ]] || fail "purge left /etc/motcua: $(ls -la /etc/motcua)"
echo "install, upgrade, remove, purge: ok"
INSIDE
mkdir -p "$tmp/share"
cp "$tmp/motcua.deb" "$tmp/inside.sh" "$tmp/share/"
# Everything the package does lands in $root/upper; / is only read.
# shellcheck disable=SC2016 # the script is expanded by the inner bash
unshare -m -n bash -c '
  set -e
  ip link set lo up
  r=$1; share=$2
  mount -t overlay overlay -o lowerdir=/,upperdir=$r/upper,workdir=$r/work $r/merged
  mount -t tmpfs tmpfs $r/merged/run          # no running systemd: scripts skip systemctl
  mount -t tmpfs tmpfs $r/merged/tmp
  mkdir -p $r/merged/tmp/motcua-ci && mount --bind $share $r/merged/tmp/motcua-ci
  mount --rbind /dev $r/merged/dev
  mount -t proc proc $r/merged/proc
  chroot $r/merged bash /tmp/motcua-ci/inside.sh
' _ "$root" "$tmp/share" || fail "throwaway install"
if id motcua >/dev/null 2>&1; then fail "the host got the motcua user: the install was not throwaway"; fi
echo "packages: ok"
