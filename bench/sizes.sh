#!/usr/bin/env bash
# bench/sizes.sh: size of the motcua binary for the Pis, static
# (CGO_ENABLED=0, -trimpath), with and without -ldflags='-s -w'.
#   bench/sizes.sh              # builds ./cmd/motcua of this tree
#   SRC=/tmp/wt bench/sizes.sh  # another checkout
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SRC="${SRC:-$ROOT}"
T="$(mktemp -d /tmp/motcua-sizes.XXXXXX)"
trap 'rm -rf "$T"' EXIT
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ); $(go version | cut -d' ' -f3); motcua $(cd "$SRC" && git rev-parse --short HEAD)"
echo "| target | flags | bytes | MiB |"
echo "|---|---|---:|---:|"
for target in arm64 arm:6; do
  arch=${target%%:*} arm=""
  [[ "$target" == *:* ]] && arm=${target#*:}
  for flags in "" "-s -w"; do
    out="$T/motcua-$arch$arm"
    (cd "$SRC" && CGO_ENABLED=0 GOOS=linux GOARCH=$arch GOARM=$arm go build -trimpath -ldflags="$flags" -o "$out" ./cmd/motcua)
    b=$(stat -c %s "$out")
    name="linux/$arch"; [[ -n "$arm" ]] && name="$name GOARM=$arm"
    shown=${flags:+-ldflags=\'$flags\'}
    printf '| %s | -trimpath %s | %d | %.1f |\n' "$name" "$shown" "$b" "$(echo "$b/1048576" | bc -l)"
  done
done

# What the arm64 binary is made of: the symbols' sizes (go tool nm) summed
# by module, motcua's own packages by directory; embedded files count with
# the package that embeds them. The sum is less than the file: headers,
# symbol-less data and alignment are not in the table.
out="$T/motcua-arm64-nm"
(cd "$SRC" && CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go build -trimpath -o "$out" ./cmd/motcua)
echo
echo "| part of the arm64 binary | KiB |"
echo "|---|---:|"
go tool nm -size "$out" | awk '
  { size = $2; name = $4
    sub(/^(type:|go:|go\.)/, "", name); sub(/^\*/, "", name); sub(/^(struct|func|map)[^ ]*/, "~", name)
    n = split(name, p, "/")
    if (name ~ /^motcua\//) {          # motcua/kiosk/queue.X -> motcua/kiosk/queue
      key = p[1] "/" p[2]; if (n > 2) { sub(/\..*/, "", p[3]); key = key "/" p[3] } else sub(/\..*/, "", key)
    } else if (name ~ /^(github\.com|golang\.org|gopkg\.in|go\.bug\.st|periph\.io|google\.golang\.org)\//) {
      key = p[1] "/" p[2] "/" p[3]; sub(/\..*/, "", key); if (p[2] == "x" || p[1] ~ /periph/) { key = p[1] "/" p[2] "/" p[3]; sub(/\.[A-Za-z_(*].*/, "", key) }
      if (p[1] == "go.bug.st") { key = p[1] "/" p[2]; sub(/\..*/, "", key) }
    } else if (name ~ /^modernc\.org\//) {
      key = p[1] "/" p[2]; sub(/\..*/, "", key)
    } else key = "Go standard library and runtime"
    sum[key] += size; total += size }
  END { for (k in sum) if (sum[k] >= 51200) printf "| %s | %d |\n", k, sum[k] / 1024; else rest += sum[k]
        printf "| (parts under 50 KiB) | %d |\n| **symbols in all** | **%d** |\n", rest / 1024, total / 1024 }' | sort -t'|' -k3 -n -r
