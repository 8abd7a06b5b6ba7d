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

# What the arm64 binary is made of, by module (bench/binsize).
out="$T/motcua-arm64-nm"
(cd "$SRC" && CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go build -trimpath -o "$out" ./cmd/motcua)
echo
(cd "$ROOT" && go run ./bench/binsize "$out")
