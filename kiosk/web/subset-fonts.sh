#!/bin/sh
# Subsets the DejaVu fonts of the printer (devices/escpos/fonts) to what
# Vietnamese pages need and writes them as WOFF2 into static/, where the
# pages load them with @font-face (go generate ./kiosk/web; needs
# pyftsubset from Debian's fonttools and python3-brotli). The output is
# committed: building motcua needs neither.
set -eu
cd "$(dirname "$0")"
src=../../devices/escpos/fonts
# Basic Latin, Latin-1, Latin Extended-A (Ă Đ Ĩ Ũ), Ơ ơ Ư ư, the combining
# tone marks, Latin Extended Additional (ạ … ỹ), dashes, quotes, bullets,
# ellipsis, the đồng sign, arrows, ≥ ≤, the square and circle of the
# kiosk's signs, the check mark.
unicodes="U+0020-007E,U+00A0-017F,U+01A0-01A1,U+01AF-01B0,U+0300-0303,U+0309,U+0323,U+1EA0-1EF9,U+2010-2027,U+2030,U+20AB,U+2190-2195,U+21B5,U+2212,U+2264-2265,U+25A0-25A1,U+25B2-25BC,U+25CF,U+2713-2714"
for f in DejaVuSans DejaVuSans-Bold; do
  pyftsubset "$src/$f.ttf" --unicodes="$unicodes" --flavor=woff2 \
    --layout-features='kern,liga,mark,mkmk,ccmp,locl' --no-hinting \
    --desubroutinize --output-file="static/$f.woff2"
done
cp "$src/LICENSE" static/DejaVu-LICENSE.txt
