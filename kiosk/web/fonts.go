package web

// The pages' fonts, static/DejaVuSans.woff2 and DejaVuSans-Bold.woff2,
// are the printer's DejaVu Sans (devices/escpos/fonts) subset to Latin and
// Vietnamese; static/DejaVu-LICENSE.txt is their licence. Regenerate them
// with pyftsubset (Debian: fonttools, python3-brotli):
//
//go:generate sh subset-fonts.sh
