#!/bin/sh
# Subsets Debian's DejaVu Sans and Sans Bold (fonts-dejavu-core 2.37) to
# what Vietnamese tickets need and writes them here as TrueType for the
# raster renderer (go generate ./devices/escpos; needs pyftsubset from
# Debian's fonttools). The web pages' WOFF2 fonts are made from these
# (kiosk/web/subset-fonts.sh). The output is committed: building motcua
# needs neither tool. A character outside the set prints as a box: extend
# the set, not the renderer.
set -eu
cd "$(dirname "$0")"
src=${DEJAVU:-/usr/share/fonts/truetype/dejavu}
# Basic Latin, Latin-1, Latin Extended-A (Ă Đ Ĩ Ũ) and B, the combining
# tone marks, Latin Extended Additional (ạ … ỹ), general punctuation, the
# đồng and euro signs, №, arrows, ≤ ≥ −, the squares, triangles and circle
# of the kiosk's signs, check marks.
unicodes="U+0020-007E,U+00A0-024F,U+0300-0323,U+1EA0-1EF9,U+2010-2027,U+2030-203A,U+20AB-20AC,U+2116,U+2190-2195,U+21B5,U+2212,U+2264-2265,U+25A0-25A1,U+25B2-25BC,U+25CF,U+2713-2714"
for f in DejaVuSans DejaVuSans-Bold; do
  pyftsubset "$src/$f.ttf" --unicodes="$unicodes" \
    --layout-features='kern,liga,mark,mkmk,ccmp,locl' --no-hinting \
    --output-file="$f.ttf"
done
